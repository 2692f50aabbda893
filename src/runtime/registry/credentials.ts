// The credentials a pull of one image tries, in the kubelet's order (pkg/kubelet/kuberuntime/
// kuberuntime_image.go PullImage over credentialprovider/secrets MakeDockerKeyring: the pod's
// imagePullSecrets first, then the node's own Docker config): each matching one in turn until a
// pull succeeds; without any, the pull is anonymous. The node's Docker config is the user's
// (docker-config.ts), found and read as the docker CLI does, helpers included.

import { dockerConfigCredentials, loadDockerConfig } from './docker-config.js';
import type { HelperOptions } from './credential-helper.js';
import type { Credential } from './keyring.js';
import type { PullSecret } from '../../api/pod.js';
import { pullSecretKeyring } from './pull-secrets.js';
import { authKeyOf, parseImageReference } from './reference.js';

export interface CredentialSource {
  /** The environment that locates the Docker config and its helpers (DOCKER_CONFIG, HOME, PATH). */
  env: Record<string, string | undefined>;
  helperTimeoutMs?: number;
}

/** Every credential to try for `image`, best first; empty for an anonymous pull. */
export async function credentialsFor(
  image: string,
  pullSecrets: readonly PullSecret[],
  source: CredentialSource,
): Promise<Credential[]> {
  const ref = parseImageReference(image);
  const authKey = authKeyOf(ref);
  const out: Credential[] = pullSecretKeyring(pullSecrets)
    .lookup(ref.repository)
    .map((c) => ({ ...c, auth: { ...c.auth, serveraddress: c.auth.serveraddress ?? authKey } }));
  const file = await loadDockerConfig(source.env);
  if (file !== undefined) {
    const opts: HelperOptions = { env: source.env };
    if (source.helperTimeoutMs !== undefined) opts.timeoutMs = source.helperTimeoutMs;
    const own = await dockerConfigCredentials(file, authKey, opts);
    if (own !== undefined) return [...out, own];
  }
  return out;
}

/** The strings of credentials that must never be printed (masked out of any message). */
export function credentialStrings(credentials: readonly Credential[]): string[] {
  const out = new Set<string>();
  for (const { auth: a } of credentials) {
    for (const v of [a.password, a.identitytoken, a.registrytoken]) if (v) out.add(v);
    if (a.username && a.password)
      out.add(Buffer.from(`${a.username}:${a.password}`, 'utf8').toString('base64'));
  }
  return [...out];
}
