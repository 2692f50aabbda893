// A job's record: its object (spec and status), backoff record, pod records and events, changed
// only by atomic commits. The file store keeps it as a journal (src/state/job-journals.ts).

import type { Job, JobSpec, JobStatus } from '../api/k8s.js';
import type { PodRecord } from '../api/pod.js';
import type { BackoffRecord } from '../controller/job/types.js';

export interface StoredEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** RFC 3339 of the first occurrence. */
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  /** `job-controller`, `cronjob-controller`, `kubelet`. */
  source: string;
  /** `Job/NAME`, `Pod/NAME`, `CronJob/NAME`. */
  involvedObject: string;
}

export interface StoredJob {
  job: Job & { status: JobStatus };
  backoff: BackoffRecord;
  pods: PodRecord[];
  events: StoredEvent[];
}

/** One atomic change to a job: all of it is recorded, or none. */
export interface JobChange {
  status?: JobStatus;
  spec?: JobSpec;
  backoff?: BackoffRecord;
  /** Whole records, replacing those of the same name. */
  pods?: PodRecord[];
  events?: StoredEvent[];
}

export interface JobRecords {
  /** Every job's whole record, in name order. */
  listJobs(): Promise<StoredJob[]>;
  loadJob(name: string): Promise<StoredJob | undefined>;
  /** Records the change entirely or not at all; the job must exist. */
  commitJob(name: string, change: JobChange): Promise<void>;
}
