// Removing a job that no process is driving: stop what still runs (grace period), remove its
// containers, then its records and logs.

import type { PodRuntime } from '../ports/pod-runtime.js';
import type { StateStore, StoredJob } from '../ports/state-store.js';

export async function deleteJobEverywhere(
  state: StoredJob,
  store: StateStore,
  runtime: PodRuntime,
): Promise<void> {
  const uid = state.job.metadata.uid ?? '';
  const grace = state.job.spec.template.spec.terminationGracePeriodSeconds ?? 30;
  await Promise.all(
    state.pods
      .filter((p) => !p.removed)
      .map(async (p) => {
        const terminal = p.observation.phase === 'Succeeded' || p.observation.phase === 'Failed';
        if (!terminal) await runtime.deletePod(uid, p.name, grace).catch(() => undefined);
        await runtime.removePod(uid, p.name).catch(() => undefined);
      }),
  );
  await store.deleteJob(state.job.metadata.name);
}

/** Whether any of the job's pods may still have containers. */
export function hasContainers(state: StoredJob): boolean {
  return state.pods.some((p) => !p.removed);
}
