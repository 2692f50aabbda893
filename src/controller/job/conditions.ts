// Job conditions (docs/job.md §6.2): reasons, messages and the idempotent "ensure" helper.

import type { ConditionStatus, Job, JobCondition } from '../../api/k8s.js';

export const Reason = {
  suspended: 'JobSuspended',
  resumed: 'JobResumed',
  completionsReached: 'CompletionsReached',
  successPolicy: 'SuccessPolicy',
  backoffLimitExceeded: 'BackoffLimitExceeded',
  deadlineExceeded: 'DeadlineExceeded',
  podFailurePolicy: 'PodFailurePolicy',
  maxFailedIndexesExceeded: 'MaxFailedIndexesExceeded',
  failedIndexes: 'FailedIndexes',
} as const;

export const Message = {
  suspended: 'Job suspended',
  resumed: 'Job resumed',
  completionsReached: 'Reached expected number of succeeded pods',
  backoffLimitExceeded: 'Job has reached the specified backoff limit',
  deadlineExceeded: 'Job was active longer than specified deadline',
  maxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  failedIndexes: 'Job has failed indexes',
} as const;

/** RFC 3339 with second precision, as the API server serialises metav1.Time. */
export function rfc3339(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function newCondition(
  type: string,
  status: ConditionStatus,
  reason: string,
  message: string,
  now: Date,
): JobCondition {
  const at = rfc3339(now);
  return { type, status, reason, message, lastProbeTime: at, lastTransitionTime: at };
}

export function findCondition(
  list: readonly JobCondition[] | undefined,
  type: string,
): JobCondition | undefined {
  return list?.find((c) => c.type === type);
}

export function hasTrueCondition(list: readonly JobCondition[] | undefined, type: string): boolean {
  return findCondition(list, type)?.status === 'True';
}

/** Finished for every consumer = Complete=True or Failed=True. */
export function isJobFinished(job: Job): boolean {
  return (
    hasTrueCondition(job.status?.conditions, 'Complete') || hasTrueCondition(job.status?.conditions, 'Failed')
  );
}

/**
 * Sets a condition, rewriting it only when status, reason or message changes; a missing
 * condition is never added with status False. Returns a new list and whether it changed.
 */
export function ensureConditionStatus(
  list: readonly JobCondition[],
  type: string,
  status: ConditionStatus,
  reason: string,
  message: string,
  now: Date,
): { list: JobCondition[]; changed: boolean } {
  const i = list.findIndex((c) => c.type === type);
  const existing = list[i];
  if (existing) {
    if (existing.status === status && existing.reason === reason && existing.message === message) {
      return { list: [...list], changed: false };
    }
    const next = [...list];
    next[i] = newCondition(type, status, reason, message, now);
    return { list: next, changed: true };
  }
  if (status === 'False') return { list: [...list], changed: false };
  return { list: [...list, newCondition(type, status, reason, message, now)], changed: true };
}
