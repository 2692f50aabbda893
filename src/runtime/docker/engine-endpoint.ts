// Which engine tjob talks to, found as the docker CLI finds it (docker/cli cli/command/cli.go
// resolveContextName, cli/context/docker/load.go, cli/context/store):
//   1. DOCKER_HOST (with DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): the `default` context;
//   2. DOCKER_CONTEXT names a context;
//   3. `currentContext` in $DOCKER_CONFIG/config.json (DOCKER_CONFIG defaults to ~/.docker);
//   4. otherwise the `default` context: the local socket.
// The context `default` always means the local socket (and DOCKER_HOST's variables). A named
// context is `contexts/meta/<sha256 of its name>/meta.json` under the config directory (its
// Endpoints.docker Host and SkipTLSVerify), with its TLS material in
// `contexts/tls/<sha256 of its name>/docker/{ca,cert,key}.pem`.
// The resolution reads files only; nothing here talks to an engine.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type Docker from 'dockerode';

import { RuntimeUnavailableError } from '../../api/errors.js';

export type Env = Record<string, string | undefined>;

export const DefaultContextName = 'default';
const SystemSocket = '/var/run/docker.sock';

export interface EngineTls {
  /** PEM file paths; absent ones are not used. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Connect over TLS without verifying the engine's certificate (a context's SkipTLSVerify). */
  skipVerify: boolean;
}

export interface EngineEndpoint {
  /** The engine's address as the docker CLI shows it: unix://, tcp://, ssh://, npipe://. */
  host: string;
  /** Where the address came from, for messages: `DOCKER_HOST`, `context "NAME"` or `the default socket`. */
  source: string;
  /** TLS for a tcp:// host; absent: plain HTTP. */
  tls?: EngineTls;
}

/** A context that names nothing usable: the message names the context and the file. */
export class EngineContextError extends RuntimeUnavailableError {}

/** The docker CLI's configuration directory: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: Env): string {
  const dir = env.DOCKER_CONFIG;
  if (dir !== undefined && dir !== '') return dir;
  return join(env.HOME ?? homedir(), '.docker');
}

/**
 * The context the docker CLI would use: DOCKER_HOST set means `default`; then DOCKER_CONTEXT; then
 * config.json's currentContext (given as its text, undefined when there is no file).
 */
export function contextName(env: Env, configJson: string | undefined, configPath: string): string {
  if (env.DOCKER_HOST !== undefined && env.DOCKER_HOST !== '') return DefaultContextName;
  const fromEnv = env.DOCKER_CONTEXT;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (configJson === undefined) return DefaultContextName;
  let config: unknown;
  try {
    config = JSON.parse(configJson);
  } catch (err) {
    throw new EngineContextError(
      `cannot read the Docker configuration ${configPath}: ${(err as Error).message}`,
      'fix or remove the file (it is the docker CLI configuration), or set DOCKER_HOST',
    );
  }
  const current =
    typeof config === 'object' && config !== null
      ? (config as { currentContext?: unknown }).currentContext
      : undefined;
  return typeof current === 'string' && current !== '' ? current : DefaultContextName;
}

/** The directory name the docker CLI stores a context under (store.contextdirOf). */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** The engine endpoint of the named context, from its meta.json text and the TLS files present. */
export function endpointFromMeta(
  name: string,
  metaJson: string,
  metaPath: string,
  tlsFiles: { ca?: string; cert?: string; key?: string },
): EngineEndpoint {
  const source = `context "${name}"`;
  let meta: unknown;
  try {
    meta = JSON.parse(metaJson);
  } catch (err) {
    throw new EngineContextError(
      `Docker context "${name}" is unreadable: ${metaPath}: ${(err as Error).message}`,
      'recreate it (docker context rm, docker context create) or choose another (docker context use)',
    );
  }
  const docker = (meta as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | null)
    ?.Endpoints?.docker;
  if (docker === undefined || docker === null || typeof docker !== 'object') {
    throw new EngineContextError(
      `Docker context "${name}" has no docker endpoint: ${metaPath}`,
      'give it one (docker context update --docker host=...) or choose another context',
    );
  }
  const host = typeof docker.Host === 'string' && docker.Host !== '' ? docker.Host : undefined;
  if (host === undefined) {
    throw new EngineContextError(
      `Docker context "${name}" has no engine address (Endpoints.docker.Host): ${metaPath}`,
      'give it one (docker context update --docker host=...) or choose another context',
    );
  }
  const skipVerify = docker.SkipTLSVerify === true;
  const hasTls = tlsFiles.ca !== undefined || tlsFiles.cert !== undefined || tlsFiles.key !== undefined;
  // As the docker CLI: TLS only when the context has TLS material or skips verification.
  if (!hasTls && !skipVerify) return { host, source };
  return { host, source, tls: { ...tlsFiles, skipVerify } };
}

/** The endpoint of the `default` context: DOCKER_HOST and its TLS variables, or the local socket. */
export function defaultEndpoint(
  env: Env,
  socketExists: (path: string) => boolean = existsSync,
): EngineEndpoint {
  const host = env.DOCKER_HOST;
  if (host === undefined || host === '') {
    // Docker Desktop for Linux serves ~/.docker/run/docker.sock when the system socket is absent.
    const desktop = join(env.HOME ?? homedir(), '.docker/run/docker.sock');
    if (!socketExists(SystemSocket) && socketExists(desktop)) {
      return { host: `unix://${desktop}`, source: 'the default socket' };
    }
    return { host: `unix://${SystemSocket}`, source: 'the default socket' };
  }
  if (env.DOCKER_TLS_VERIFY === undefined || env.DOCKER_TLS_VERIFY === '') {
    return { host, source: 'DOCKER_HOST' };
  }
  // DOCKER_CERT_PATH defaults to the configuration directory, as the CLI's --tlsverify does.
  const certPath = env.DOCKER_CERT_PATH || dockerConfigDir(env);
  return {
    host,
    source: 'DOCKER_HOST',
    tls: {
      ca: join(certPath, 'ca.pem'),
      cert: join(certPath, 'cert.pem'),
      key: join(certPath, 'key.pem'),
      skipVerify: false,
    },
  };
}

/** Where the engine is, as the docker CLI would find it with this environment. */
export function resolveEngineEndpoint(env: Env): EngineEndpoint {
  const configDir = dockerConfigDir(env);
  const configPath = join(configDir, 'config.json');
  const name = contextName(env, readIfPresent(configPath), configPath);
  if (name === DefaultContextName) return defaultEndpoint(env);
  const dir = contextDirName(name);
  const metaPath = join(configDir, 'contexts', 'meta', dir, 'meta.json');
  const meta = readIfPresent(metaPath);
  if (meta === undefined) {
    const from =
      env.DOCKER_CONTEXT !== undefined && env.DOCKER_CONTEXT !== ''
        ? 'DOCKER_CONTEXT'
        : `currentContext in ${configPath}`;
    throw new EngineContextError(
      `Docker context "${name}" (from ${from}) does not exist: no ${metaPath}`,
      'create it (docker context create), choose another (docker context use NAME), or set DOCKER_HOST',
    );
  }
  const tlsDir = join(configDir, 'contexts', 'tls', dir, 'docker');
  const tlsFiles: { ca?: string; cert?: string; key?: string } = {};
  for (const kind of ['ca', 'cert', 'key'] as const) {
    const file = join(tlsDir, `${kind}.pem`);
    if (existsSync(file)) tlsFiles[kind] = file;
  }
  return endpointFromMeta(name, meta, metaPath, tlsFiles);
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new EngineContextError(
      `cannot read ${path}: ${(err as Error).message}`,
      'check its permissions, or set DOCKER_HOST',
    );
  }
}

/** dockerode's options for an endpoint (TLS files are read here; a missing one is named). */
export function dockerodeOptions(endpoint: EngineEndpoint, env: Env): Docker.DockerOptions {
  const host = endpoint.host;
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length) };
  let url: URL;
  try {
    url = new URL(host.includes('//') ? host : `tcp://${host}`);
  } catch {
    throw new EngineContextError(
      `the engine address "${host}" (${endpoint.source}) is not a unix://, tcp:// or ssh:// address`,
      endpoint.source === 'DOCKER_HOST' ? 'fix DOCKER_HOST' : 'fix the context (docker context update)',
    );
  }
  if (url.protocol === 'ssh:') {
    const options: Docker.DockerOptions = { protocol: 'ssh', host: url.hostname, port: url.port || 22 };
    if (url.username) options.username = url.username;
    if (env.SSH_AUTH_SOCK) options.sshOptions = { agent: env.SSH_AUTH_SOCK };
    return options;
  }
  const tls = endpoint.tls;
  // The docker CLI's default ports: 2376 with TLS, 2375 without.
  const port = url.port || (tls ? '2376' : '2375');
  if (!tls) return { host: url.hostname, port, protocol: 'http' };
  const options: Docker.DockerOptions = { host: url.hostname, port, protocol: 'https' };
  const material: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  for (const kind of ['ca', 'cert', 'key'] as const) {
    const file = tls[kind];
    if (file === undefined) continue;
    try {
      material[kind] = readFileSync(file);
    } catch (err) {
      throw new EngineContextError(
        `cannot read the TLS ${kind === 'ca' ? 'CA certificate' : kind === 'cert' ? 'client certificate' : 'client key'} for the engine at ${host} (${endpoint.source}): ${(err as Error).message}`,
        endpoint.source === 'DOCKER_HOST'
          ? 'put ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH, or unset DOCKER_TLS_VERIFY'
          : 'recreate the context with its TLS files (docker context create --docker ca=...,cert=...,key=...)',
      );
    }
  }
  Object.assign(options, material);
  // dockerode hands `agent` to its requests (docker-modem), though its types do not list it.
  if (tls.skipVerify)
    Object.assign(options, { agent: new https.Agent({ ...material, rejectUnauthorized: false }) });
  return options;
}
