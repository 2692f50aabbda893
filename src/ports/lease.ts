// A lease: which process drives something (a job, the CronJob scheduler), so that one does at a
// time. Shared by the job leases (job-leases.ts) and the scheduler's (cron-store.ts).

export interface LeaseHolder {
  pid: number;
  /** Identifies the process beyond its pid (pid reuse): its start time. */
  processStart: string;
  /** `run`, `run -d`, `cron daemon`... */
  command: string;
  /** When the holder last renewed the lease (RFC 3339). */
  heartbeat: string;
  /** Its pid namespace, where its pid means something (absent in leases of older versions). */
  pidNamespace?: string;
}

export interface Lease {
  holder: LeaseHolder;
  /** Keeps the lease fresh; call periodically. */
  renew(): Promise<void>;
  release(): Promise<void>;
}
