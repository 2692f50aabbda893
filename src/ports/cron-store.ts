// The port to the CronJobs of the state directory: the objects `tjob apply` stores (spec) and the
// scheduler daemon updates (status), their events, the daemon's lease (one daemon per state
// directory), and change notification so a running daemon notices an apply within a second.

import type { CronJob, CronJobStatus } from '../api/k8s.js';
import type { Lease, LeaseHolder } from './lease.js';
import type { StoredEvent } from './job-records.js';

export type SaveOutcome = 'created' | 'configured' | 'unchanged';

export interface CronJobStore {
  /** Every stored CronJob, by name. */
  listCronJobs(): Promise<CronJob[]>;
  loadCronJob(name: string): Promise<CronJob | undefined>;
  /**
   * Creates the CronJob (a new uid and creationTimestamp `now`) or updates its metadata and spec,
   * keeping uid, creationTimestamp and status, as `kubectl apply` does.
   */
  saveCronJob(cronJob: CronJob, now: Date, newUid: () => string): Promise<SaveOutcome>;
  /**
   * Changes the stored CronJob's metadata or spec in one read-modify-write, so a concurrent apply
   * is neither lost nor undone (`tjob suspend cronjob`). Undefined when there is none.
   */
  updateCronJob(
    name: string,
    change: (cronJob: CronJob) => CronJob,
    now: Date,
  ): Promise<SaveOutcome | undefined>;
  /** Removes the CronJob and its events; false when there was none. */
  deleteCronJob(name: string): Promise<boolean>;
  /**
   * Writes the status onto the stored object (the daemon is the only status writer; an apply in
   * between keeps its spec). Returns false when the CronJob is gone or was re-created (other uid).
   */
  commitCronJobStatus(name: string, uid: string | undefined, status: CronJobStatus): Promise<boolean>;

  /** Records events of a CronJob (involvedObject `CronJob/NAME`). */
  appendCronJobEvents(name: string, events: StoredEvent[]): Promise<void>;
  /** Its events, oldest first, repeats folded into one with a count (as the API server does). */
  listCronJobEvents(name: string): Promise<StoredEvent[]>;

  /** The scheduler daemon's lease: the lease, or the live process that holds it. */
  acquireDaemonLease(command: string): Promise<Lease | LeaseHolder>;
  daemonLeaseHolder(): Promise<LeaseHolder | undefined>;

  /**
   * Calls `onChange` (soon, possibly more than once) after a CronJob was stored, changed or
   * removed, or a process poked the daemon. Returns a stop function.
   */
  watchCronJobs(onChange: () => void): () => void;
  /** Asks a running daemon to look at the CronJob now (e.g. `cron trigger` hands it a job). */
  pokeDaemon(name: string): Promise<void>;
  /** The names poked since the last call (and forgets them). */
  takePokes(): Promise<string[]>;
}
