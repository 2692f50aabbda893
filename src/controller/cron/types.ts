// The contract of the pure CronJob controller: syncCronJob(input) → result (docs/cronjob.md §3.2–§6.3).
// No I/O, no clock: the caller lists the CronJob's jobs, passes `now`, carries out the deletions
// and the create, persists the status, records the events and sets a timer for requeueAfterMs.

import type { CronJob, CronJobStatus, Job } from '../../api/k8s.js';

export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * What went wrong when the caller carried out a previous result. Call syncCronJob again with the
 * same input plus these, and it answers what Kubernetes does after such a failure (which events,
 * which status, whether to create, whether to retry with back-off).
 */
export interface SyncFailures {
  /** Deletions that failed: job name → error text. */
  delete?: Record<string, string>;
  /**
   * The create failed: either a job of that name already exists (pass it, so ownership can be
   * checked: adopt, or stand aside for a foreign one), or any other error.
   */
  create?: { alreadyExists: Job } | { error: string };
}

export interface SyncCronJobInput {
  /** Defaulted CronJob with its stored status. */
  cronJob: CronJob;
  /** Every job this CronJob controls (owner reference / label), with status. */
  jobs: Job[];
  now: Date;
  /** The zone for a CronJob without `spec.timeZone` (the machine's; the caller decides). */
  timeZone: string;
  /** The uid the job to create will get, so `status.active` can name it; optional. */
  newJobUid?: string;
  failures?: SyncFailures;
}

export interface JobDeletion {
  name: string;
  uid?: string;
  /** `HistoryLimit` (§6.1 cleanup) or `Replace` (§5): both delete with background propagation. */
  reason: 'HistoryLimit' | 'Replace';
}

export interface SyncCronJobResult {
  /**
   * Deletions to carry out, in order: history cleanup first, then Replace. When the input named
   * failures, the failed ones are still listed (their events say FailedDelete).
   */
  delete: JobDeletion[];
  /** The job to create (at most one per sync). */
  create?: Job;
  /** An existing owned job taken over for the slot instead of creating one (§3.4 step 11). */
  adopt?: string;
  /** The slot the created or adopted job runs for. */
  scheduledTime?: Date;
  /** The status to persist, assuming the deletions and the create succeed. */
  status: CronJobStatus;
  statusChanged: boolean;
  events: CronJobEvent[];
  /** Sync again after this many ms (the next slot + 100 ms); undefined: wait for a change. */
  requeueAfterMs?: number;
  /** The sync failed: persist the status, record the events, retry with back-off. */
  error?: string;
  /** Configuration that makes Kubernetes behave surprisingly (never runs, name collisions). */
  warnings: string[];
}
