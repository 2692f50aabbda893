// The kubelet's image pull backoff (pkg/kubelet/images/image_manager.go EnsureImageExists, over
// client-go util/flowcontrol Backoff; periods from pkg/kubelet/kubelet.go: backOffPeriod 10 s,
// MaxContainerBackOff 300 s): per pod and image, a failed pull gives the container the waiting
// reason ErrImagePull and starts a backoff (10 s, doubling to 300 s); while it lasts, no pull is
// tried and the reason is ImagePullBackOff, its message carrying the last pull's error. An entry
// unused for twice the maximum starts again from 10 s. Pure: the caller gives the time.

/** flowcontrol.NewBackOff(backOffPeriod, MaxContainerBackOff) of the kubelet's image manager. */
export const ImagePullBackOffInitialMs = 10_000;
export const ImagePullBackOffMaxMs = 300_000;

export const ErrImagePull = 'ErrImagePull';
export const ImagePullBackOffReason = 'ImagePullBackOff';

/** A container waiting for its image: the state the kubelet reports. */
export interface ImagePullWaiting {
  reason: typeof ErrImagePull | typeof ImagePullBackOffReason;
  message: string;
  /** When the next pull may be tried (the end of the backoff). */
  retryAt: Date;
}

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

/** client-go flowcontrol.Backoff without jitter (the kubelet's has none). */
export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
  ) {}

  private expired(now: number, e: Entry): boolean {
    return now - e.lastUpdate > 2 * this.maxMs;
  }

  /** Next: the first failure (or one after a long quiet) waits `initialMs`; each later one twice the last, up to `maxMs`. */
  next(id: string, now: number): void {
    const e = this.entries.get(id);
    if (e === undefined || this.expired(now, e))
      this.entries.set(id, { backoffMs: this.initialMs, lastUpdate: now });
    else this.entries.set(id, { backoffMs: Math.min(e.backoffMs * 2, this.maxMs), lastUpdate: now });
  }

  /** IsInBackOffSinceUpdate. */
  inBackOff(id: string, now: number): boolean {
    const e = this.entries.get(id);
    if (e === undefined || this.expired(now, e)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** When the backoff of `id` ends, if it has one. */
  until(id: string): number | undefined {
    const e = this.entries.get(id);
    return e && e.lastUpdate + e.backoffMs;
  }

  /** GC: forgets entries unused for twice the maximum. */
  gc(now: number): void {
    for (const [id, e] of this.entries) if (this.expired(now, e)) this.entries.delete(id);
  }
}

/** The image manager's part of the decision: pull now, or wait (ImagePullBackOff), and what a failure shows. */
export class ImagePullBackOff {
  private readonly backoff: Backoff;
  private readonly lastError = new Map<string, string>();

  constructor(initialMs = ImagePullBackOffInitialMs, maxMs = ImagePullBackOffMaxMs) {
    this.backoff = new Backoff(initialMs, maxMs);
  }

  /** Before pulling `image` for pod `podUid`: the waiting state while backing off, else undefined (pull). */
  beforePull(podUid: string, image: string, now: Date): ImagePullWaiting | undefined {
    const key = `${podUid}_${image}`;
    if (this.backoff.inBackOff(key, now.getTime())) {
      const prev = this.lastError.get(key);
      return {
        reason: ImagePullBackOffReason,
        message: `Back-off pulling image "${image}"${prev !== undefined ? `: ${prev}` : ''}`,
        retryAt: new Date(this.backoff.until(key)!),
      };
    }
    // Ensure that the map cannot grow indefinitely (as upstream).
    this.lastError.delete(key);
    return undefined;
  }

  /** A pull failed with `error` (masked: no credential in it): ErrImagePull, and the backoff goes on. */
  pullFailed(podUid: string, image: string, now: Date, error: string): ImagePullWaiting {
    const key = `${podUid}_${image}`;
    this.backoff.next(key, now.getTime());
    // evalCRIPullErr: the message names the image and the runtime's error.
    const message = `Failed to pull image "${image}": ${error}`;
    this.lastError.set(key, `${ErrImagePull}: ${message}`);
    return { reason: ErrImagePull, message, retryAt: new Date(this.backoff.until(key)!) };
  }

  /** A pull succeeded: old entries are collected (upstream's backOff.GC()). */
  pullSucceeded(now: Date): void {
    this.backoff.gc(now.getTime());
  }
}
