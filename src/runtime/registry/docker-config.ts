// The user's Docker config, read as the docker CLI reads it (docker/cli cli/config/config.go,
// cli/config/configfile/file.go): `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`;
// `auths` (with `auth` = base64(username:password)), and credential helpers: `credHelpers[key]`
// for that registry, else `credsStore` for all. A registry is looked up by its auth key
// (reference.ts authKeyOf: Docker Hub's is https://index.docker.io/v1/): an exact `auths` key
// first, then any key whose host is that one (the file store's ConvertToHostname fallback).

import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { helperCredentials, type HelperOptions } from './credential-helper.js';
import { CredentialFormatError, decodeConfigEntry, type Credential, type RegistryAuth } from './keyring.js';
import { convertToHostname } from './reference.js';

export interface DockerConfigFile {
  path: string;
  auths: Record<string, unknown>;
  credsStore?: string;
  credHelpers: Record<string, string>;
}

/** Where the config is: `$DOCKER_CONFIG/config.json` or `$HOME/.docker/config.json`. */
export function dockerConfigPath(env: Record<string, string | undefined>): string {
  const dir = env['DOCKER_CONFIG'];
  if (dir !== undefined && dir !== '') return join(dir, 'config.json');
  return join(env['HOME'] || homedir(), '.docker', 'config.json');
}

/** The config file, or undefined when there is none. Throws CredentialFormatError when it does not parse. */
export async function loadDockerConfig(
  env: Record<string, string | undefined>,
): Promise<DockerConfigFile | undefined> {
  const path = dockerConfigPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialFormatError(`cannot read the Docker config ${path}: ${(err as Error).message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error();
  } catch {
    throw new CredentialFormatError(`the Docker config ${path} is not a JSON object`);
  }
  const obj = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const credHelpers: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(raw['credHelpers']))) if (typeof v === 'string') credHelpers[k] = v;
  const file: DockerConfigFile = { path, auths: obj(raw['auths']), credHelpers };
  if (typeof raw['credsStore'] === 'string' && raw['credsStore'] !== '') file.credsStore = raw['credsStore'];
  return file;
}

/** The helper configured for `authKey` (getConfiguredCredentialStore), if any. */
export function helperFor(
  file: DockerConfigFile,
  authKey: string,
): { name: string; setting: string } | undefined {
  const own = file.credHelpers[authKey];
  if (own !== undefined && own !== '') return { name: own, setting: `credHelpers["${authKey}"]` };
  if (file.credsStore !== undefined) return { name: file.credsStore, setting: 'credsStore' };
  return undefined;
}

/** The file store's Get: the exact key, else a key with the same host. */
export function authsEntry(file: DockerConfigFile, authKey: string): RegistryAuth | undefined {
  const decode = (key: string) => decodeConfigEntry(file.auths[key], `${file.path}: auths["${key}"]`);
  if (authKey in file.auths) return decode(authKey);
  for (const key of Object.keys(file.auths)) if (convertToHostname(key) === authKey) return decode(key);
  return undefined;
}

/**
 * The user's credentials for the registry whose auth key is `authKey`, as `docker pull` would send
 * them; undefined when there are none. A helper that fails throws CredentialHelperError.
 */
export async function dockerConfigCredentials(
  file: DockerConfigFile,
  authKey: string,
  opts: HelperOptions = {},
): Promise<Credential | undefined> {
  const helper = helperFor(file, authKey);
  if (helper === undefined) {
    const fromFile = authsEntry(file, authKey);
    return isEmpty(fromFile)
      ? undefined
      : { auth: { ...fromFile, serveraddress: authKey }, source: `${file.path} auths` };
  }
  const fromHelper = await helperCredentials(helper.name, authKey, opts);
  return (
    fromHelper && {
      auth: fromHelper,
      source: `docker-credential-${helper.name} (${helper.setting} in ${file.path})`,
    }
  );
}

function isEmpty(a: RegistryAuth | undefined): a is undefined {
  return a === undefined || (!a.username && !a.password && !a.identitytoken && !a.registrytoken);
}
