// A child job's state as the CronJob controller reads it: finished means a Complete or Failed
// condition with status True (Kubernetes jobutil.FinishedCondition).

import type { Job } from '../../api/k8s.js';

/** `Complete` or `Failed` when the job has finished, else undefined. */
export function finishedCondition(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

export function isFinished(job: Job): boolean {
  return finishedCondition(job) !== undefined;
}

export function isSucceeded(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True');
}

export function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}
