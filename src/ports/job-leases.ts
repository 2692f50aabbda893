// Who drives a job: only the holder of its lease writes its record (others leave requests,
// job-requests.ts).

import type { Lease, LeaseHolder } from './lease.js';

export interface JobLeases {
  /** Takes the job's lease, or returns the live holder that has it. */
  acquireJobLease(name: string, command: string): Promise<Lease | LeaseHolder>;
  /** The current live holder, if any. */
  jobLeaseHolder(name: string): Promise<LeaseHolder | undefined>;
}
