// Reconciling status.active and lastSuccessfulTime with the jobs that exist (docs/cronjob.md §3.2
// step 3): unexpected jobs, finished active jobs, successes, and active entries whose job is gone.

import type { CronJobStatus, Job } from '../../api/k8s.js';
import { finishedCondition, isSucceeded, timeOf } from './job-state.js';
import { refersTo } from './naming.js';
import type { CronJobEvent } from './types.js';

export function reconcileJobs(jobs: readonly Job[], status: CronJobStatus, events: CronJobEvent[]): void {
  for (const job of jobs) {
    const active = status.active ?? [];
    const found = active.some((r) => refersTo(r, job));
    const finished = finishedCondition(job);
    if (!found && finished === undefined) {
      // Not re-read from the store: the caller's copy of the CronJob is the only one.
      events.push({
        type: 'Warning',
        reason: 'UnexpectedJob',
        message: `Saw a job that the controller did not create or forgot: ${job.metadata.name}`,
      });
    } else if (finished !== undefined) {
      if (found) {
        status.active = active.filter((r) => !refersTo(r, job));
        events.push({
          type: 'Normal',
          reason: 'SawCompletedJob',
          message: `Saw completed job: ${job.metadata.name}, condition: ${finished}`,
        });
      }
      if (isSucceeded(job)) {
        const completed = job.status?.completionTime;
        const last = timeOf(status.lastSuccessfulTime);
        const t = timeOf(completed);
        if (completed !== undefined && (last === undefined || (t !== undefined && t > last))) {
          status.lastSuccessfulTime = completed;
        }
      }
    }
  }
  // Active entries whose job no longer exists. The job list is the store's, so "not listed" is
  // "not found" (Kubernetes' live lookup).
  for (const ref of [...(status.active ?? [])]) {
    if (jobs.some((j) => refersTo(ref, j))) continue;
    events.push({
      type: 'Normal',
      reason: 'MissingJob',
      message: `Active job went missing: ${ref.name ?? ''}`,
    });
    status.active = (status.active ?? []).filter((r) => r !== ref);
  }
}
