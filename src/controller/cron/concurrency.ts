// Concurrency policies (docs/cronjob.md §5): Forbid skips a due slot while `status.active` is not
// empty (the slot stays unmet, so the job's end starts it late); Replace deletes every active job
// (background propagation) before creating the new one; Allow does neither.

import type { CronJob, CronJobStatus, Job } from '../../api/k8s.js';
import { isFinished } from './job-state.js';
import type { CronJobEvent, JobDeletion } from './types.js';

export const jobAlreadyActiveMessage =
  'Not starting job because prior execution is running and concurrency policy is Forbid';

export function forbidsStart(cronJob: CronJob, status: CronJobStatus): boolean {
  return cronJob.spec.concurrencyPolicy === 'Forbid' && (status.active ?? []).length > 0;
}

/**
 * Replace: delete every active job, in order. Returns the error that aborts the sync (no create,
 * retry with back-off) when a deletion failed.
 */
export function replaceActiveJobs(
  cronJob: CronJob,
  status: CronJobStatus,
  failed: Record<string, string>,
  deletions: JobDeletion[],
  events: CronJobEvent[],
): string | undefined {
  if (cronJob.spec.concurrencyPolicy !== 'Replace') return undefined;
  for (const ref of [...(status.active ?? [])]) {
    const name = ref.name ?? '';
    const deletion: JobDeletion = { name, reason: 'Replace' };
    if (ref.uid !== undefined) deletion.uid = ref.uid;
    deletions.push(deletion);
    const error = failed[name];
    if (error !== undefined) {
      events.push({ type: 'Warning', reason: 'FailedDelete', message: `Deleted job: ${error}` });
      return `could not replace job ${ref.namespace ?? cronJob.metadata.namespace ?? 'default'}/${name}`;
    }
    status.active = (status.active ?? []).filter((r) => r !== ref);
    events.push({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${name}` });
  }
  return undefined;
}

/**
 * `tjob cron trigger NAME` without `--force` (docs/cli.md#cron): the CronJob's policy applied to a manual
 * run. Allow: run. Forbid: refuse while any of its jobs is unfinished. Replace: delete the
 * unfinished ones first.
 */
export function manualTriggerPlan(
  cronJob: CronJob,
  jobs: readonly Job[],
): { ok: true; delete: string[] } | { ok: false; reason: string } {
  const running = jobs.filter((j) => !isFinished(j)).map((j) => j.metadata.name);
  switch (cronJob.spec.concurrencyPolicy) {
    case 'Forbid':
      if (running.length > 0) {
        return {
          ok: false,
          reason: `concurrencyPolicy is Forbid and ${running.join(', ')} ${running.length > 1 ? 'are' : 'is'} still running (use --force to run anyway)`,
        };
      }
      return { ok: true, delete: [] };
    case 'Replace':
      return { ok: true, delete: running };
    default:
      return { ok: true, delete: [] };
  }
}
