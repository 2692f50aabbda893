// Pod-count arithmetic and deletion preference (docs/job.md §2.5), after manageJob and
// activePodsForRemoval of Kubernetes' job_controller.go.

import type { Job } from '../../api/k8s.js';
import type { PodView } from './types.js';
import { isValidIndex } from './indexes.js';

/** Creations and deletions issued by one sync, at most. */
export const MaxPodCreateDeletePerSync = 500;

/** How many pods should be active. Work queue: parallelism until the first success, then no more. */
export function wantActive(job: Job, active: number, succeeded: number): number {
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions;
  if (completions === null || completions === undefined) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

const phaseOrdinal: Record<PodView['phase'], number> = {
  Pending: 0,
  Unknown: 1,
  Running: 2,
  Succeeded: 3,
  Failed: 3,
};

/** t1 is "after or zero" t2: the zero (missing) time sorts first, then later before earlier. */
function afterOrZero(t1: Date | undefined, t2: Date | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1.getTime() > t2.getTime();
}

/**
 * Orders active pods least valuable first (controller.ActivePods): not started < started;
 * Pending < Unknown < Running; not ready < ready; ready for less time < longer; more restarts
 * < fewer; newer < older.
 */
export function compareForRemoval(a: PodView, b: PodView): number {
  const aStarted = a.startedAt !== undefined;
  const bStarted = b.startedAt !== undefined;
  if (aStarted !== bStarted) return aStarted ? 1 : -1;
  if (phaseOrdinal[a.phase] !== phaseOrdinal[b.phase]) return phaseOrdinal[a.phase] - phaseOrdinal[b.phase];
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.ready && b.ready && a.readySince?.getTime() !== b.readySince?.getTime()) {
    return afterOrZero(a.readySince, b.readySince) ? -1 : 1;
  }
  if (a.restartCount !== b.restartCount) return b.restartCount - a.restartCount;
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return afterOrZero(a.createdAt, b.createdAt) ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export interface Removal {
  pod: PodView;
  reason: 'Excess' | 'InvalidIndex' | 'DuplicateIndex';
}

/**
 * Indexed: pods with no/invalid index or index ≥ completions, and all but the most advanced pod
 * of a duplicated index. Returns those removals and the pods left.
 */
export function duplicatedIndexPodsForRemoval(
  pods: readonly PodView[],
  completions: number,
): { removals: Removal[]; left: PodView[] } {
  const removals: Removal[] = [];
  const byIndex = new Map<number, PodView[]>();
  for (const pod of pods) {
    if (!isValidIndex(pod.index, completions)) {
      removals.push({ pod, reason: 'InvalidIndex' });
      continue;
    }
    const group = byIndex.get(pod.index) ?? [];
    group.push(pod);
    byIndex.set(pod.index, group);
  }
  const left: PodView[] = [];
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    const group = [...(byIndex.get(index) ?? [])].sort(compareForRemoval);
    const keep = group.pop();
    for (const pod of group) removals.push({ pod, reason: 'DuplicateIndex' });
    if (keep) left.push(keep);
  }
  return { removals, left };
}

/** The active pods to delete so that at least `rmAtLeast` go (Indexed: invalid/duplicates first). */
export function activePodsForRemoval(job: Job, active: readonly PodView[], rmAtLeast: number): Removal[] {
  let removals: Removal[] = [];
  let left: PodView[] = [...active];
  if (job.spec.completionMode === 'Indexed') {
    ({ removals, left } = duplicatedIndexPodsForRemoval(active, job.spec.completions ?? 0));
  }
  if (removals.length < rmAtLeast) {
    const extra = [...left].sort(compareForRemoval).slice(0, rmAtLeast - removals.length);
    removals = [...removals, ...extra.map((pod) => ({ pod, reason: 'Excess' as const }))];
  }
  return removals;
}
