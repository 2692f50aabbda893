// History cleanup, at the start of every sync (docs/cronjob.md §6.1): finished jobs beyond
// successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted, oldest start time first.

import type { CronJob, CronJobStatus, Job } from '../../api/k8s.js';
import { finishedCondition, timeOf } from './job-state.js';
import { refersTo } from './naming.js';
import type { CronJobEvent, JobDeletion } from './types.js';

/** Kubernetes byJobStartTime: by status.startTime, jobs without one last, ties by name. */
export function byStartTime(a: Job, b: Job): number {
  const ta = timeOf(a.status?.startTime);
  const tb = timeOf(b.status?.startTime);
  if (ta === undefined && tb !== undefined) return 1;
  if (ta !== undefined && tb === undefined) return -1;
  if (ta === tb) return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  return (ta ?? 0) - (tb ?? 0);
}

/**
 * Delete the oldest finished jobs of each pool beyond its limit. A successful deletion removes
 * the job from `status.active` and records SuccessfulDelete; a failed one (from `failed`)
 * records FailedDelete and the others go on.
 */
export function cleanupFinishedJobs(
  cronJob: CronJob,
  jobs: readonly Job[],
  status: CronJobStatus,
  failed: Record<string, string>,
  deletions: JobDeletion[],
  events: CronJobEvent[],
): void {
  const succeeded: Job[] = [];
  const failedJobs: Job[] = [];
  for (const job of jobs) {
    const c = finishedCondition(job);
    if (c === 'Complete') succeeded.push(job);
    else if (c === 'Failed') failedJobs.push(job);
  }
  const pools: [Job[], number][] = [
    [succeeded, cronJob.spec.successfulJobsHistoryLimit ?? 3],
    [failedJobs, cronJob.spec.failedJobsHistoryLimit ?? 1],
  ];
  for (const [pool, limit] of pools) {
    const excess = pool.length - limit;
    if (excess <= 0) continue;
    const sorted = [...pool].sort(byStartTime);
    for (const job of sorted.slice(0, excess)) {
      const deletion: JobDeletion = { name: job.metadata.name, reason: 'HistoryLimit' };
      if (job.metadata.uid !== undefined) deletion.uid = job.metadata.uid;
      deletions.push(deletion);
      const error = failed[job.metadata.name];
      if (error !== undefined) {
        events.push({ type: 'Warning', reason: 'FailedDelete', message: `Deleted job: ${error}` });
        continue;
      }
      if (status.active !== undefined) status.active = status.active.filter((r) => !refersTo(r, job));
      events.push({
        type: 'Normal',
        reason: 'SuccessfulDelete',
        message: `Deleted job ${job.metadata.name}`,
      });
    }
  }
}
