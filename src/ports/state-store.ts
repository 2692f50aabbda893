// The port to the state directory: what Docker cannot hold (job spec and status, pod records,
// events, logs, the backoff record, leases). The file store implements it; tests may use memory.

import type { ConfigData } from '../api/config-value.js';
import type { ConfigMap, CronJob, Job, JobSpec, JobStatus, Secret } from '../api/k8s.js';
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

/**
 * A change asked of a job by a process that does not drive it (`tjob suspend`, `tjob delete`...):
 * the job's controller applies it, since only the lease holder writes the job's record.
 */
export interface JobRequest {
  /** Unique, and ordered by creation. */
  id: string;
  suspend?: boolean;
  delete?: boolean;
  /** Who asked: `tjob suspend (pid 123)`. */
  from: string;
}

export interface JobConfigData {
  configMaps: ConfigData;
  secrets: ConfigData;
  /** The Docker network its pods join (`--network`), kept so a resumed job stays on it. */
  network?: string;
}

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What a listing of jobs needs: the Job object (metadata, spec, status), without pods or events. */
export interface JobSummary {
  job: Job & { status: JobStatus };
}

export interface StateStore {
  readonly root: string;
  listJobs(): Promise<StoredJob[]>;
  loadJob(name: string): Promise<StoredJob | undefined>;
  /** Every job's object (name order), without reading pods and events where the store can. */
  listJobSummaries(): Promise<JobSummary[]>;
  loadJobSummary(name: string): Promise<JobSummary | undefined>;
  /**
   * Stores a new job with the ConfigMap and Secret data its pods will see (captured now, written
   * before the job becomes visible, so no crash leaves a job without it). Throws ConflictError if
   * a job of that name exists. Without `config`, its pods see no ConfigMaps or Secrets.
   */
  createJob(job: Job & { status: JobStatus }, config?: JobConfigData): Promise<void>;
  commitJob(name: string, change: JobChange): Promise<void>;
  deleteJob(name: string): Promise<void>;

  /** Takes the job's lease, or returns the live holder that has it. */
  acquireJobLease(name: string, command: string): Promise<Lease | LeaseHolder>;
  /** The current live holder, if any. */
  jobLeaseHolder(name: string): Promise<LeaseHolder | undefined>;

  /** The ConfigMap and Secret data (and network) a job's pods see, captured when the job was created. */
  loadJobConfig(name: string): Promise<JobConfigData>;

  /** Leaves a request for the job's controller. */
  requestJobChange(name: string, request: Omit<JobRequest, 'id'>): Promise<JobRequest>;
  /** The pending requests, oldest first (the controller removes each once applied). */
  pendingJobRequests(name: string): Promise<JobRequest[]>;
  /** Removes an applied request. */
  completeJobRequest(name: string, id: string): Promise<void>;
  /** Calls `onChange` when requests may have arrived; returns a stop function. */
  watchJobRequests(name: string, onChange: () => void): () => void;

  /** Appends lines one run of a container wrote (`restartCount`: which run; 0, the first). */
  appendLogs(
    job: string,
    pod: string,
    container: string,
    lines: LogRecord[],
    restartCount?: number,
  ): Promise<void>;
  /** The lines of one run of a container, or (without `restartCount`) of all its runs in order. */
  readLogs(job: string, pod: string, container: string, restartCount?: number): Promise<LogRecord[]>;
  /**
   * The runs of a container that have a log of their own, ascending. Empty for a log recorded
   * before runs were kept apart: readLogs without `restartCount` gives it as one run.
   */
  logRuns(job: string, pod: string, container: string): Promise<number[]>;

  listConfigObjects(): Promise<(ConfigMap | Secret)[]>;
  saveConfigObject(obj: ConfigMap | Secret): Promise<'created' | 'configured' | 'unchanged'>;

  listCronJobs(): Promise<CronJob[]>;
}
