// Deviation 3 (docs/deviations.md): a finished job whose ttlSecondsAfterFinished has passed is deleted by
// whichever tjob process is running then: its own run, the cron daemon, or — here — the next
// command that reads the state directory.

import type { PodRuntime } from '../ports/pod-runtime.js';
import type { StateStore, StoredJob } from '../ports/state-store.js';
import { terminalCondition } from '../engine/job-status.js';
import { deleteJobEverywhere } from './job-deletion.js';

/** When a finished job's TTL runs out (ms since the epoch), if it has one. */
export function ttlExpiry<T extends Pick<StoredJob, 'job'>>(state: T): number | undefined {
  const ttl = state.job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null) return undefined;
  const finished = terminalCondition(state.job.status)?.lastTransitionTime;
  const at = finished ? Date.parse(finished) : NaN;
  return Number.isFinite(at) ? at + ttl * 1000 : undefined;
}

/**
 * Deletes the expired jobs no process drives. Without a runtime, a job whose containers are still
 * there (--keep-containers) is left for a command that talks to the engine.
 */
export async function sweepExpiredJobs(
  store: StateStore,
  now: Date,
  runtime?: () => Promise<PodRuntime>,
): Promise<string[]> {
  const deleted: string[] = [];
  // Summaries: a command on a state directory of 1,000 jobs does not read every pod record first.
  for (const summary of await store.listJobSummaries()) {
    const at = ttlExpiry(summary);
    if (at === undefined || at > now.getTime()) continue;
    const name = summary.job.metadata.name;
    if (await store.jobLeaseHolder(name)) continue;
    const state = await store.loadJob(name);
    if (!state) continue;
    if (state.pods.every((p) => p.removed)) await store.deleteJob(name);
    else if (runtime) await deleteJobEverywhere(state, store, await runtime());
    else continue;
    deleted.push(name);
  }
  return deleted;
}
