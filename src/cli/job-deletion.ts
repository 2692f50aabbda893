// Removing a job that no process is driving: stop what still runs (grace period), remove its
// containers, then its records and logs. A pod whose containers could not be removed keeps the
// job's record, so a later delete (or run --replace) retries it instead of leaving containers
// nothing tracks.

import { PodsNotRemovedError } from '../api/errors.js';
import type { PodRuntime } from '../ports/pod-runtime.js';
import type { StateStore, StoredJob } from '../ports/state-store.js';

/** Throws PodsNotRemovedError, naming each pod and the engine's error, when some could not go. */
export async function deleteJobEverywhere(
  state: StoredJob,
  store: StateStore,
  runtime: PodRuntime,
): Promise<void> {
  const uid = state.job.metadata.uid ?? '';
  const grace = state.job.spec.template.spec.terminationGracePeriodSeconds ?? 30;
  const failures: { pod: string; message: string }[] = [];
  await Promise.all(
    state.pods
      .filter((p) => !p.removed)
      .map(async (p) => {
        const terminal = p.observation.phase === 'Succeeded' || p.observation.phase === 'Failed';
        // A failed stop request is not fatal by itself: the removal below forces the stop.
        if (!terminal) await runtime.deletePod(uid, p.name, grace).catch(() => undefined);
        try {
          await runtime.removePod(uid, p.name);
        } catch (err) {
          failures.push({ pod: p.name, message: (err as Error).message });
        }
      }),
  );
  if (failures.length > 0) {
    failures.sort((a, b) => a.pod.localeCompare(b.pod));
    throw new PodsNotRemovedError(state.job.metadata.name, failures);
  }
  await store.deleteJob(state.job.metadata.name);
}

/** Whether any of the job's pods may still have containers. */
export function hasContainers(state: StoredJob): boolean {
  return state.pods.some((p) => !p.removed);
}
