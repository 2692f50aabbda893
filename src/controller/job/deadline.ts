// activeDeadlineSeconds (docs/job.md §4): measured from status.startTime, stopped while suspended.

import type { Job } from '../../api/k8s.js';

/** Milliseconds left before the deadline, or undefined when no deadline runs (unset, suspended, not started). */
export function remainingUntilDeadlineMs(
  job: Job,
  startTime: string | undefined,
  now: Date,
): number | undefined {
  const seconds = job.spec.activeDeadlineSeconds;
  if (seconds === undefined || seconds === null || startTime === undefined || job.spec.suspend === true) {
    return undefined;
  }
  const started = Date.parse(startTime);
  if (Number.isNaN(started)) return undefined;
  return seconds * 1000 - (now.getTime() - started);
}

/** `now − startTime ≥ activeDeadlineSeconds` (so 0 fails at once). */
export function pastActiveDeadline(job: Job, startTime: string | undefined, now: Date): boolean {
  const remaining = remainingUntilDeadlineMs(job, startTime, now);
  return remaining !== undefined && remaining <= 0;
}
