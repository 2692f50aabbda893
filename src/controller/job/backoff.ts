// Pod-recreation backoff (docs/job.md §3.4 job level, §3.6 per index), after Kubernetes'
// backoff_utils.go. Delay = min(base · 2^(n−1), cap), counted from the last failure.

import type { BackoffRecord, PodView, SyncOptions } from './types.js';
import { podFinishedAt } from './counts.js';

/** Remaining delay for `failures` failures, the last one at `lastFailure`; 0 when none. */
export function remainingForFailuresMs(
  failures: number,
  lastFailure: Date | undefined,
  now: Date,
  options: SyncOptions,
): number {
  if (failures <= 0 || lastFailure === undefined) return 0;
  let delay = options.backoffBaseMs;
  for (let i = 1; i < failures; i++) {
    delay *= 2;
    if (delay >= options.backoffCapMs) break;
  }
  delay = Math.min(delay, options.backoffCapMs);
  const elapsed = now.getTime() - lastFailure.getTime();
  return delay < elapsed ? 0 : delay - elapsed;
}

export function remainingBackoffMs(record: BackoffRecord, now: Date, options: SyncOptions): number {
  const last = record.lastFailureTime === undefined ? undefined : new Date(record.lastFailureTime);
  return remainingForFailuresMs(record.failuresAfterLastSuccess, last, now, options);
}

function byFinish(now: Date) {
  return (a: PodView, b: PodView) => podFinishedAt(a, now).getTime() - podFinishedAt(b, now).getTime();
}

/**
 * Folds the pods that finished since the last sync into the record: failures add up until a
 * success; a success resets the count to the failures that finished after it.
 * Ignored failures (podFailurePolicy Ignore) are included on purpose, as upstream (docs/job.md §3.4).
 */
export function newBackoffRecord(
  old: BackoffRecord,
  newSucceeded: readonly PodView[],
  newFailed: readonly PodView[],
  now: Date,
): BackoffRecord {
  const failed = [...newFailed].sort(byFinish(now));
  const succeeded = [...newSucceeded].sort(byFinish(now));
  const lastFailed = failed[failed.length - 1];
  const lastSucceeded = succeeded[succeeded.length - 1];
  if (!lastSucceeded) {
    if (!lastFailed) return { ...old };
    return {
      failuresAfterLastSuccess: old.failuresAfterLastSuccess + failed.length,
      lastFailureTime: podFinishedAt(lastFailed, now).toISOString(),
    };
  }
  const successAt = podFinishedAt(lastSucceeded, now).getTime();
  const after = failed.filter((p) => podFinishedAt(p, now).getTime() > successAt);
  const latest = after[after.length - 1];
  if (!latest) return { failuresAfterLastSuccess: 0 };
  return {
    failuresAfterLastSuccess: after.length,
    lastFailureTime: podFinishedAt(latest, now).toISOString(),
  };
}
