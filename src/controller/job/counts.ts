// Pod classification of one sync (docs/job.md §2.3): active, ready, terminating, newly finished.

import type { Job } from '../../api/k8s.js';
import type { PodDeletionReason } from '../../api/pod.js';
import type { PodView } from './types.js';

export function isActive(pod: PodView): boolean {
  return (pod.phase === 'Pending' || pod.phase === 'Running' || pod.phase === 'Unknown') && !pod.terminating;
}

export function isFinished(pod: PodView): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

/** Being deleted and not terminal yet. */
export function isTerminating(pod: PodView): boolean {
  return pod.terminating && !isFinished(pod);
}

/** Replacement waits for terminal phase: podReplacementPolicy Failed, or any podFailurePolicy. */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || job.spec.podFailurePolicy !== undefined;
}

/**
 * Failed for counting purposes: phase Failed; or, when deleted pods are replaced at once
 * (TerminatingOrFailed without podFailurePolicy), any pod being deleted that did not succeed.
 */
export function isPodFailed(pod: PodView, job: Job): boolean {
  if (pod.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return pod.terminating && pod.phase !== 'Succeeded';
}

/**
 * Whether a pod the controller deleted for that reason counts as a failure. Pods removed because
 * they are not wanted (excess, suspension, a bad index) do not: Kubernetes strips their tracking
 * finalizer before deleting them; a finishing job's and a failed index's pods do.
 */
export function deletionCountsAsFailure(reason: PodDeletionReason): boolean {
  return reason === 'JobFinished' || reason === 'FailedIndex';
}

/**
 * When the pod finished: latest container finishedAt, else when its deletion was requested,
 * else `now` for a pod being deleted, else its creation time (backoff_utils.go getFinishedTime).
 */
export function podFinishedAt(pod: PodView, now: Date): Date {
  if (pod.finishedAt) return pod.finishedAt;
  if (pod.deletionRequestedAt) return pod.deletionRequestedAt;
  if (pod.terminating) return now;
  return pod.createdAt;
}

/** Sum of restarts of Pending/Running pods (restartPolicy OnFailure, §3.3). */
export function restartsOfLivePods(pods: readonly PodView[]): number {
  return pods
    .filter((p) => p.phase === 'Pending' || p.phase === 'Running')
    .reduce((sum, p) => sum + p.restartCount, 0);
}

/** OnFailure: restarts ≥ backoffLimit (> 0 when the limit is 0). */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly PodView[]): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  const restarts = restartsOfLivePods(pods);
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
