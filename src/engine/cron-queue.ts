// The cron daemon's work queue: one key per stored CronJob, due now (dirty) or at a time, as the
// CronJob controller's rate-limited delaying queue (pkg/controller/cronjob/cronjob_controllerv2.go,
// processNextWorkItem: a sync that fails is re-added with back-off, one that names a requeue time
// is forgotten by the rate limiter and re-added after it; a CronJob added or updated is added at
// once). A key is synced by one worker at a time. The back-off here is tjob's own: 1 s doubling
// to 5 min.

import type { CronJob } from '../api/k8s.js';
import type { Clock } from '../ports/clock.js';

const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 5 * 60_000;

export interface CronKey {
  name: string;
  /** The CronJob as last read (at a rescan) or written (its status, by this daemon). */
  cronJob: CronJob;
  /** What an edit changes (uid, labels, annotations, spec): a new one is synced at once. */
  fingerprint: string;
  /** Due now. */
  dirty: boolean;
  /** Due at this time (ms since the epoch). */
  dueAt?: number;
  backoffMs?: number;
  /** The fingerprint whose configuration warnings were printed (once per spec). */
  warned?: string;
}

function fingerprintOf(cj: CronJob): string {
  return JSON.stringify([cj.metadata.uid, cj.metadata.labels, cj.metadata.annotations, cj.spec]);
}

export class CronQueue {
  private readonly keys = new Map<string, CronKey>();

  constructor(private readonly clock: Clock) {}

  /**
   * Takes in the stored CronJobs: a new one is due at once, so is an edited one (deviation 5 in
   * docs/deviations.md: edits take effect at once, a schedule edit too); a removed one is dropped.
   */
  update(cronJobs: readonly CronJob[]): void {
    const seen = new Set<string>();
    for (const cj of cronJobs) {
      const name = cj.metadata.name;
      seen.add(name);
      const fingerprint = fingerprintOf(cj);
      const key = this.keys.get(name);
      if (!key) {
        this.keys.set(name, { name, cronJob: cj, fingerprint, dirty: true });
        continue;
      }
      key.cronJob = cj;
      if (key.fingerprint !== fingerprint) {
        key.fingerprint = fingerprint;
        key.dirty = true;
        key.backoffMs = undefined;
      }
    }
    for (const name of [...this.keys.keys()]) if (!seen.has(name)) this.keys.delete(name);
  }

  /** The CronJob is due now (a poke, the end of one of its jobs); nothing if it is not stored. */
  markDirty(name: string): void {
    const key = this.keys.get(name);
    if (key) key.dirty = true;
  }

  anyDirty(): boolean {
    return [...this.keys.values()].some((k) => k.dirty);
  }

  /** The keys due at `now`. */
  due(now: number): CronKey[] {
    return [...this.keys.values()].filter(
      (key) => key.dirty || (key.dueAt !== undefined && key.dueAt <= now),
    );
  }

  /** A worker takes the key: it is no longer due until its sync says when. */
  take(key: CronKey): void {
    key.dirty = false;
    key.dueAt = undefined;
  }

  /** How long from `now` until the first key is due (undefined: none is). */
  nextDelay(now: number): number | undefined {
    let next: number | undefined;
    for (const k of this.keys.values()) {
      if (k.dueAt !== undefined && (next === undefined || k.dueAt < next)) next = k.dueAt;
    }
    return next === undefined ? undefined : Math.max(0, next - now);
  }

  /** The sync failed: due again after the key's back-off, which doubles. Returns when. */
  retryLater(key: CronKey): number {
    const ms = key.backoffMs === undefined ? RETRY_BASE_MS : Math.min(key.backoffMs * 2, RETRY_CAP_MS);
    key.backoffMs = ms;
    key.dueAt = this.clock.now().getTime() + ms;
    return key.dueAt;
  }

  /** The sync succeeded: the back-off starts over. */
  forget(key: CronKey): void {
    key.backoffMs = undefined;
  }

  /** Due at the earliest of `times` (none: only when something changes). */
  requeueAt(key: CronKey, ...times: (number | undefined)[]): void {
    let at: number | undefined;
    for (const t of times) if (t !== undefined && (at === undefined || t < at)) at = t;
    key.dueAt = at;
  }
}
