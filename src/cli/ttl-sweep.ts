// Deviation 3 (docs/deviations.md): a finished job whose ttlSecondsAfterFinished has passed is deleted by
// whichever tjob process is running then: its own run, the cron daemon, or — here — the next
// command that reads the state directory. When a job expires: src/engine/ttl-after-finished.ts.

import type { PodRuntime } from '../ports/pod-runtime.js';
import type { JobLeases } from '../ports/job-leases.js';
import type { JobLifecycle } from '../ports/job-lifecycle.js';
import type { JobRecords } from '../ports/job-records.js';
import type { JobSummaries, JobSummary } from '../ports/job-summaries.js';
import { expiredAt, ttlExpired } from '../engine/ttl-after-finished.js';
import { rowOf } from '../state/job-row.js';
import { deleteJobEverywhere } from '../engine/job-deletion.js';

/** What deleting an expired job reads and changes: its lease holder, its record, the job. */
type ExpiryStore = JobLeases & JobRecords & JobLifecycle;

/**
 * Deletes the expired jobs no process drives; their names. Each goes through `runtime(job)` (the
 * job's own). Without one, a job whose containers are still there (--keep-containers) is left for a
 * command that talks to the engine. `listed`: the jobs as the caller has just listed them, not to
 * be listed twice.
 */
export async function sweepExpiredJobs(
  store: ExpiryStore & JobSummaries,
  now: Date,
  runtime?: (job: string) => Promise<PodRuntime>,
  listed?: JobSummary[],
  warn?: (message: string) => void,
): Promise<string[]> {
  const deleted: string[] = [];
  // Summaries: a command on a state directory of 1,000 jobs does not read every pod record first.
  for (const summary of listed ?? (await store.listJobSummaries())) {
    const row = rowOf(summary);
    if (!expiredAt(row.ttlExpiry, now)) continue;
    const name = row.name;
    if (await deleteIfExpired(store, name, now, runtime, undefined, warn)) deleted.push(name);
  }
  return deleted;
}

/**
 * Deletes the job if its TTL has run out at `now`, no process drives it, and (when `uid` is given)
 * it is still that job, not one created again under its name. Whether it was deleted.
 */
export async function deleteIfExpired(
  store: ExpiryStore,
  name: string,
  now: Date,
  runtime?: (job: string) => Promise<PodRuntime>,
  uid?: string,
  warn?: (message: string) => void,
): Promise<boolean> {
  if (await store.jobLeaseHolder(name)) return false;
  const state = await store.loadJob(name);
  if (!state || !ttlExpired(state.job, now)) return false;
  if (uid !== undefined && state.job.metadata.uid !== uid) return false;
  if (state.pods.every((p) => p.removed)) await store.deleteJob(name);
  else if (runtime) await deleteJobEverywhere(state, store, await runtime(name), warn);
  else return false;
  return true;
}
