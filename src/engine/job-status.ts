// Small facts about a Job's status that every layer asks.

import type { JobStatus } from '../api/k8s.js';

export type JobOutcome = 'Complete' | 'Failed';

export function finishedOutcome(status: JobStatus | undefined): JobOutcome | undefined {
  for (const c of status?.conditions ?? []) {
    if (c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed')) return c.type;
  }
  return undefined;
}

export function terminalCondition(status: JobStatus | undefined) {
  return status?.conditions?.find(
    (c) => c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed'),
  );
}

export function isSuspended(status: JobStatus | undefined): boolean {
  return (status?.conditions ?? []).some((c) => c.type === 'Suspended' && c.status === 'True');
}
