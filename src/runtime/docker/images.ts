// Making images available before anything starts (deviation 1, docs/deviations.md), as the
// kubelet's image manager decides (pkg/kubelet/images/image_manager.go):
//   Never         must be present;
//   IfNotPresent  present locally, else pulled;
//   Always        the registry is asked for the reference's digest (GET /distribution/{name}/json)
//                 and the image pulled unless the local copy already has that digest.
// A pull tries each credential of the image in turn (src/runtime/registry/credentials.ts), sent as
// X-Registry-Auth and never written anywhere. A registry that answers and refuses (unauthorized,
// not found) fails the image: ImageUnavailableError (exit 3) naming the image and its answer. A
// registry that cannot be reached at all leaves a present image in use with a warning, so that
// work goes on offline (the deviation). Credentials never reach a message: every message from the
// engine is masked with the credentials that were tried.

import type Docker from 'dockerode';

import { ImageUnavailableError } from '../../api/errors.js';
import type { PullSecret } from '../../api/pod.js';
import { SecretMask } from '../../output/secret-mask.js';
import type { ImagePullProgress, ImageRequest } from '../../ports/pod-runtime.js';
import { CredentialHelperError } from '../registry/credential-helper.js';
import { credentialsFor, credentialStrings, type CredentialSource } from '../registry/credentials.js';
import { CredentialFormatError, type Credential, type RegistryAuth } from '../registry/keyring.js';
import { parseImageReference } from '../registry/reference.js';
import { dockerMessage, isConnectionError, isNotFound } from './docker-errors.js';
import { PullProgress, type PullEvent } from './pull-progress.js';
import { onLines } from './stream-lines.js';

type Policy = ImageRequest['pullPolicy'];

const strength: Record<Policy, number> = { Never: 0, IfNotPresent: 1, Always: 2 };

/** One entry per image; when containers disagree, the policy that pulls the most wins; pull Secrets are merged. */
export function dedupeImages(requests: ImageRequest[]): ImageRequest[] {
  const byImage = new Map<string, ImageRequest>();
  for (const r of requests) {
    const prev = byImage.get(r.image);
    const secrets = [...(prev?.pullSecrets ?? [])];
    for (const s of r.pullSecrets ?? []) if (!secrets.some((x) => x.name === s.name)) secrets.push(s);
    const pullPolicy =
      prev === undefined || strength[r.pullPolicy] > strength[prev.pullPolicy]
        ? r.pullPolicy
        : prev.pullPolicy;
    byImage.set(r.image, {
      image: r.image,
      pullPolicy,
      ...(secrets.length > 0 ? { pullSecrets: secrets } : {}),
    });
  }
  return [...byImage.values()];
}

export interface LocalImage {
  id: string;
  /** `repository@sha256:...` of the manifests it was pulled or pushed as. */
  repoDigests: string[];
}

export async function localImage(docker: Docker, image: string): Promise<LocalImage | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    return { id: info.Id, repoDigests: info.RepoDigests ?? [] };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The engine could not reach the registry at all (no route, refused connection, no DNS), as
 * opposed to a registry that answered with a refusal.
 */
export function isRegistryUnreachable(message: string): boolean {
  return /connection refused|no route to host|network is unreachable|no such host|i\/o timeout|server misbehaving|temporary failure in name resolution|TLS handshake timeout|connection reset by peer|dial tcp|context deadline exceeded/i.test(
    message,
  );
}

/** A pull or digest lookup that failed: the engine's words, already masked. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
  }
}

/** An image that cannot be had; `reason` is the registry's (or the credentials') answer alone, masked. */
export class ImagePullFailure extends ImageUnavailableError {
  constructor(
    message: string,
    readonly reason: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

export interface PullOptions {
  /** Where the user's Docker config and credential helpers are found. */
  credentials: CredentialSource;
  onProgress?: (progress: ImagePullProgress) => void;
  /** Debug lines (`-v`); never given a credential. */
  debug?: (message: string) => void;
  /** Least time between two progress lines of one image. */
  throttleMs?: number;
}

/** Each credential in turn (none: anonymously) until one works; the errors of all, masked, otherwise. */
async function withCredentials<T>(
  credentials: readonly Credential[],
  mask: SecretMask,
  attempt: (auth: RegistryAuth | undefined) => Promise<T>,
): Promise<T> {
  if (credentials.length === 0) return attempt(undefined).catch((err: unknown) => rethrowMasked(err, mask));
  const errors: RegistryError[] = [];
  for (const c of credentials) {
    try {
      return await attempt(c.auth);
    } catch (err) {
      if (isConnectionError(err)) throw err;
      const e = asRegistryError(err, mask);
      errors.push(new RegistryError(`${e.message} (credentials from ${c.source})`, e.unreachable));
      // The next credential cannot reach the registry either.
      if (e.unreachable) break;
    }
  }
  throw new RegistryError(
    errors.map((e) => e.message).join('; '),
    errors.every((e) => e.unreachable),
  );
}

function asRegistryError(err: unknown, mask: SecretMask): RegistryError {
  if (err instanceof RegistryError) return new RegistryError(mask.mask(err.message), err.unreachable);
  const message = mask.mask(dockerMessage(err));
  return new RegistryError(message, isRegistryUnreachable(message));
}

function rethrowMasked(err: unknown, mask: SecretMask): never {
  if (isConnectionError(err)) throw err;
  throw asRegistryError(err, mask);
}

/**
 * The digest the registry has for `image` (its tag, or the digest it names); undefined when the
 * engine cannot look digests up (Podman's compatible API has no `/distribution`): the pull then
 * compares them itself, downloading no layer it has.
 */
export async function registryDigest(
  docker: Docker,
  image: string,
  auth: RegistryAuth | undefined,
): Promise<string | undefined> {
  let info: { Descriptor?: { digest?: string } };
  try {
    info = (await docker.getImage(image).distribution(auth ? { authconfig: auth } : {})) as typeof info;
  } catch (err) {
    if (/\/distribution\/.*not supported/i.test(dockerMessage(err))) return undefined;
    throw err;
  }
  const digest = info.Descriptor?.digest;
  if (!digest) throw new RegistryError('the registry answered without a digest', false);
  return digest;
}

/** The local image already holds the manifest `digest` of `image`'s repository. */
export function hasDigest(local: LocalImage, image: string, digest: string): boolean {
  const repo = parseImageReference(image).repository;
  return local.repoDigests.some((rd) => {
    const at = rd.indexOf('@');
    return at > 0 && rd.slice(at + 1) === digest && parseImageReference(rd.slice(0, at)).repository === repo;
  });
}

/** Pulls `image` with `auth`; progress lines at most every `throttleMs`, and a last one. */
export async function pullImage(
  docker: Docker,
  image: string,
  auth: RegistryAuth | undefined,
  onProgress?: (progress: ImagePullProgress) => void,
  throttleMs = 500,
): Promise<void> {
  const started = Date.now();
  const stream = (await docker.pull(image, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
  const progress = new PullProgress(image);
  let last = 0;
  await new Promise<void>((resolve, reject) => {
    let failed: string | undefined;
    const handle = (line: string): void => {
      let ev: PullEvent & { error?: string; errorDetail?: { message?: string } };
      try {
        ev = JSON.parse(line) as typeof ev;
      } catch {
        return;
      }
      if (ev.error !== undefined || ev.errorDetail?.message !== undefined) {
        failed = ev.errorDetail?.message ?? ev.error;
        return;
      }
      progress.add(ev);
      const now = Date.now();
      if (onProgress && now - last >= throttleMs) {
        last = now;
        onProgress({ image, message: progress.line(), done: false });
      }
    };
    const lines = onLines(stream, handle);
    stream.on('end', () => {
      const last = lines.rest().trim();
      if (last !== '') handle(last);
      if (failed !== undefined) reject(new RegistryError(failed, isRegistryUnreachable(failed)));
      else resolve();
    });
    stream.on('error', (err: Error) => reject(err));
  });
  onProgress?.({ image, message: progress.finished((Date.now() - started) / 1000), done: true });
}

/** What making one image available came to: nothing to do, pulled, or the local copy kept. */
export type ImageOutcome = { kind: 'present' } | { kind: 'pulled' } | { kind: 'local-copy'; warning: string };

/**
 * Makes one image available under its policy with the credentials of `pullSecrets` and the user's
 * Docker config. Throws ImageUnavailableError (naming the image and the registry's answer, never a
 * credential); a connection error of the engine itself is rethrown as it is.
 */
export async function ensureImage(
  docker: Docker,
  request: { image: string; pullPolicy: Policy; pullSecrets?: readonly PullSecret[] },
  opts: PullOptions,
): Promise<ImageOutcome> {
  const { image, pullPolicy } = request;
  const local = await localImage(docker, image);
  if (pullPolicy === 'Never') {
    if (!local)
      throw new ImageUnavailableError(`image "${image}" is not present and imagePullPolicy is Never`);
    return { kind: 'present' };
  }
  if (pullPolicy === 'IfNotPresent' && local) return { kind: 'present' };
  // A digest names one content: a local image with it is that image.
  const ref = parseImageReference(image);
  if (local && ref.digest !== undefined && hasDigest(local, image, ref.digest)) return { kind: 'present' };

  let credentials: Credential[];
  try {
    credentials = await credentialsFor(image, request.pullSecrets ?? [], opts.credentials);
  } catch (err) {
    if (err instanceof CredentialFormatError || err instanceof CredentialHelperError)
      throw new ImagePullFailure(
        `image "${image}": ${err.message}`,
        err.message,
        err instanceof CredentialHelperError
          ? 'install the helper or fix it (`docker pull` fails the same way), or remove it from the Docker config'
          : 'fix the Secret or the Docker config (`docker login` writes a valid one)',
      );
    throw err;
  }
  const mask = new SecretMask(credentialStrings(credentials));
  opts.debug?.(
    `image ${image}: ${credentials.length === 0 ? 'no credentials, pulling anonymously' : `credentials from ${credentials.map((c) => c.source).join(', then ')}`}`,
  );
  // A live line that was started is ended, whatever happens.
  let started = false;
  try {
    if (local) {
      const digest = await withCredentials(credentials, mask, (auth) => registryDigest(docker, image, auth));
      if (digest === undefined)
        opts.debug?.(`image ${image}: the engine looks up no digests; pulled to compare`);
      else if (hasDigest(local, image, digest)) {
        opts.debug?.(`image ${image}: the local copy has the registry's digest ${digest}; not pulled`);
        return { kind: 'present' };
      }
    }
    started = true;
    opts.onProgress?.({ image, message: `Pulling image "${image}"`, done: false });
    await withCredentials(credentials, mask, (auth) =>
      pullImage(docker, image, auth, opts.onProgress, opts.throttleMs),
    );
    return { kind: 'pulled' };
  } catch (err) {
    if (isConnectionError(err)) throw err;
    const e = asRegistryError(err, mask);
    if (started) opts.onProgress?.({ image, message: `Pulling image "${image}" failed`, done: true });
    if (local && e.unreachable) {
      return {
        kind: 'local-copy',
        warning: `Warning: pulling image "${image}" failed (${e.message}); using the local copy`,
      };
    }
    throw new ImagePullFailure(
      local
        ? `image "${image}" could not be pulled (imagePullPolicy ${pullPolicy}): ${e.message}`
        : `image "${image}" is not present and pulling it failed: ${e.message}`,
      e.message,
      e.unreachable
        ? 'build or load the image locally (docker build / docker load), or make the registry reachable'
        : "check the image's name and the credentials: the pod's imagePullSecrets, then the Docker config (docker login)",
    );
  }
}

/** Returns warnings; throws ImageUnavailableError for the first image that cannot be had. */
export async function ensureImages(
  docker: Docker,
  requests: ImageRequest[],
  opts: PullOptions,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const request of dedupeImages(requests)) {
    const outcome = await ensureImage(docker, request, opts);
    if (outcome.kind === 'local-copy') warnings.push(outcome.warning);
  }
  return warnings;
}
