// Making images available before anything starts (deviation 1, docs/deviations.md):
//   IfNotPresent  present locally, else pulled;
//   Never         must be present;
//   Always        pulled; when the pull fails, a local copy is used with a warning.
// An image that cannot be had throws ImageUnavailableError naming the image and the engine's error.

import type Docker from 'dockerode';

import { ImageUnavailableError } from '../../api/errors.js';
import type { ImageRequest } from '../../ports/pod-runtime.js';
import { dockerMessage, isConnectionError, isNotFound } from './docker-errors.js';

type Policy = ImageRequest['pullPolicy'];

const strength: Record<Policy, number> = { Never: 0, IfNotPresent: 1, Always: 2 };

/** One entry per image; when containers disagree, the policy that pulls the most wins. */
export function dedupeImages(requests: ImageRequest[]): ImageRequest[] {
  const byImage = new Map<string, Policy>();
  for (const r of requests) {
    const prev = byImage.get(r.image);
    if (prev === undefined || strength[r.pullPolicy] > strength[prev]) byImage.set(r.image, r.pullPolicy);
  }
  return [...byImage].map(([image, pullPolicy]) => ({ image, pullPolicy }));
}

export async function imagePresent(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

interface ProgressEvent {
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Pulls an image, reporting progress (at most every `throttleMs`, plus the final status). */
export async function pullImage(
  docker: Docker,
  image: string,
  onProgress?: (message: string) => void,
  throttleMs = 500,
): Promise<void> {
  const stream = (await docker.pull(image)) as NodeJS.ReadableStream;
  let last = 0;
  let lastStatus = '';
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    let failed: string | undefined;
    const handle = (line: string): void => {
      let ev: ProgressEvent;
      try {
        ev = JSON.parse(line) as ProgressEvent;
      } catch {
        return;
      }
      if (ev.error !== undefined || ev.errorDetail?.message !== undefined) {
        failed = ev.errorDetail?.message ?? ev.error;
        return;
      }
      if (!onProgress || ev.status === undefined) return;
      const text = [ev.id, ev.status, ev.progress].filter((x) => x !== undefined && x !== '').join(' ');
      lastStatus = text;
      const now = Date.now();
      if (now - last >= throttleMs) {
        last = now;
        onProgress(`Pulling image "${image}": ${text}`);
      }
    };
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== '') handle(line);
      }
    });
    const finish = (): void => {
      if (buf.trim() !== '') handle(buf.trim());
      buf = '';
      if (failed !== undefined) reject(new Error(failed));
      else resolve();
    };
    stream.on('end', finish);
    stream.on('error', (err: Error) => reject(err));
  });
  if (onProgress && lastStatus !== '') onProgress(`Pulling image "${image}": ${lastStatus}`);
}

/** Returns warnings; throws ImageUnavailableError for the first image that cannot be had. */
export async function ensureImages(
  docker: Docker,
  requests: ImageRequest[],
  onProgress?: (message: string) => void,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const { image, pullPolicy } of dedupeImages(requests)) {
    const present = await imagePresent(docker, image);
    if (pullPolicy === 'Never') {
      if (!present)
        throw new ImageUnavailableError(`image "${image}" is not present and imagePullPolicy is Never`);
      continue;
    }
    if (pullPolicy === 'IfNotPresent' && present) continue;
    try {
      onProgress?.(`Pulling image "${image}"`);
      await pullImage(docker, image, onProgress);
    } catch (err) {
      if (isConnectionError(err)) throw err;
      const why = dockerMessage(err);
      if (present) {
        warnings.push(`Warning: pulling image "${image}" failed (${why}); using the local copy`);
        continue;
      }
      throw new ImageUnavailableError(
        `image "${image}" is not present and pulling it failed: ${why}`,
        'build or load the image locally (docker build / docker load), or make the registry reachable',
      );
    }
  }
  return warnings;
}
