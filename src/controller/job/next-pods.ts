// Which pods the controller will create next, once the active ones end: the engine prepares their
// sandboxes ahead of need (warm sandboxes, docs/warm-sandboxes.md). A prediction only: the pods
// are created by syncJob as always; a prepared sandbox nobody takes is removed. Each active pod
// that ends is replaced by at most one new pod, so no more are predicted than are active.

import type { Job } from '../../api/k8s.js';
import { hasTrueCondition, isJobFinished } from './conditions.js';
import { isActive } from './counts.js';
import { firstPendingIndexes, isValidIndex, parseIndexes } from './indexes.js';
import type { PodView } from './types.js';

/** A pod the controller is expected to create: its completion index for Indexed jobs. */
export interface PredictedPod {
  index?: number;
}

/**
 * Up to `max` pods the controller will create after the active ones: for an Indexed job the
 * lowest pending indexes (the ones manageJob picks first, firstPendingIndexes), for a job with
 * completions as many as are still to succeed beyond the active pods. A work queue (no
 * completions) creates no pod after a success: nothing is predicted. `job` carries the status of
 * the latest sync.
 */
export function predictNextPods(job: Job, pods: readonly PodView[], max: number): PredictedPod[] {
  if (max <= 0 || job.spec.suspend || isJobFinished(job)) return [];
  if (job.metadata.deletionTimestamp) return [];
  // A job whose end is decided terminates its pods and creates none (job_controller.go's
  // syncJob: FailureTarget and SuccessCriteriaMet come before Failed/Complete).
  const conditions = job.status?.conditions;
  if (hasTrueCondition(conditions, 'FailureTarget') || hasTrueCondition(conditions, 'SuccessCriteriaMet'))
    return [];
  const completions = job.spec.completions;
  if (completions === null || completions === undefined) return [];
  const active = pods.filter(isActive);
  const count = Math.min(max, active.length);
  if (count === 0) return [];
  if (job.spec.completionMode === 'Indexed') {
    const taken = new Set<number>([
      ...parseIndexes(job.status?.completedIndexes, completions),
      ...parseIndexes(job.status?.failedIndexes ?? undefined, completions),
    ]);
    for (const p of pods) {
      if (!isValidIndex(p.index, completions)) continue;
      if (isActive(p) || (p.phase === 'Succeeded' && p.tracked)) taken.add(p.index);
    }
    return firstPendingIndexes(count, completions, taken).map((index) => ({ index }));
  }
  const uncounted = pods.filter((p) => p.phase === 'Succeeded' && p.tracked).length;
  const remaining = completions - (job.status?.succeeded ?? 0) - uncounted - active.length;
  return Array.from({ length: Math.max(0, Math.min(count, remaining)) }, () => ({}));
}
