// The resource type words the commands accept, as kubectl does (singular, plural, short name,
// with the API group): the one table that `get`, `describe`, `delete`, `wait`, `logs` resolve
// through, and that shell completion offers.

import type { Kind } from '../output/printers.js';

export const KIND_WORDS: Readonly<Record<string, Kind>> = {
  job: 'jobs',
  jobs: 'jobs',
  'job.batch': 'jobs',
  'jobs.batch': 'jobs',
  pod: 'pods',
  pods: 'pods',
  po: 'pods',
  cronjob: 'cronjobs',
  cronjobs: 'cronjobs',
  cj: 'cronjobs',
  'cronjob.batch': 'cronjobs',
  'cronjobs.batch': 'cronjobs',
  pvc: 'persistentvolumeclaims',
  persistentvolumeclaim: 'persistentvolumeclaims',
  persistentvolumeclaims: 'persistentvolumeclaims',
};

/** Every kind a word names, in the table's order. */
export const RESOURCE_KINDS: readonly Kind[] = [...new Set(Object.values(KIND_WORDS))];

/** What `delete` removes (pods go with their job). */
export const DELETE_KINDS: readonly Kind[] = ['jobs', 'cronjobs', 'persistentvolumeclaims'];
/** The kinds `suspend` and `resume` take. */
export const SUSPEND_KINDS: readonly Kind[] = ['jobs', 'cronjobs'];
/** The `TYPE/NAME` forms logs takes: a job's pods, or one pod. */
export const LOGS_KINDS: readonly Kind[] = ['jobs', 'pods'];
/** What `wait` waits for: jobs only. */
export const WAIT_KINDS: readonly Kind[] = ['jobs'];
