// A pod's imagePullSecrets as the kubelet reads them (pkg/credentialprovider/secrets/secrets.go
// MakeDockerKeyring): a `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson` key holds
// `{"auths": {registry: entry}}`, a `kubernetes.io/dockercfg` Secret's `.dockercfg` key holds
// `{registry: entry}`. The API server has checked that the key exists and is JSON
// (src/manifest/config-validation.ts); what does not parse here fails the pull, naming the Secret
// and the entry but never a value. Pure.

import { configValueText } from '../../api/config-value.js';
import type { PullSecret } from '../../api/pod.js';
import { CredentialFormatError, decodeConfigEntry, Keyring, type RegistryAuth } from './keyring.js';

export const DockerConfigJsonKey = '.dockerconfigjson';
export const DockerConfigKey = '.dockercfg';

/** The registry entries of one pull Secret; throws CredentialFormatError naming the Secret. */
export function pullSecretEntries(secret: PullSecret): [string, RegistryAuth][] {
  const where = (key: string) => `imagePullSecrets: secret "${secret.name}" key ${key}`;
  const json = secret.data[DockerConfigJsonKey];
  const cfg = secret.data[DockerConfigKey];
  let key: string;
  let entries: unknown;
  if (json !== undefined && configValueText(json) !== '') {
    key = DockerConfigJsonKey;
    const parsed = parseJson(configValueText(json), where(key));
    entries = (parsed as { auths?: unknown }).auths ?? {};
  } else if (cfg !== undefined && configValueText(cfg) !== '') {
    key = DockerConfigKey;
    entries = parseJson(configValueText(cfg), where(key));
  } else {
    return [];
  }
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
    throw new CredentialFormatError(
      `${where(key)}: expected ${key === DockerConfigKey ? 'an object of registries' : '"auths": an object of registries'}`,
    );
  return Object.entries(entries as Record<string, unknown>).map(([registry, entry]) => [
    registry,
    decodeConfigEntry(entry, `${where(key)}: registry "${registry}"`),
  ]);
}

/** The keyring of a pod's pull Secrets, in their order. */
export function pullSecretKeyring(secrets: readonly PullSecret[]): Keyring {
  const keyring = new Keyring();
  for (const s of secrets) keyring.add(pullSecretEntries(s), `imagePullSecrets "${s.name}"`);
  return keyring;
}

function parseJson(text: string, where: string): unknown {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch {
    // JSON.parse's message quotes the text around the error: it could hold a credential.
    throw new CredentialFormatError(`${where}: not a JSON object`);
  }
}
