// The port to the state directory as a whole: what Docker cannot hold (job spec and status, pod
// records, events, logs, the backoff record, leases). It is the composition of narrow ports, one
// concept each; a caller that needs one or two of them takes those, not this. The file store
// implements it (src/state/file-store.ts); the engine's tests use one in memory.

import type { CronJob } from '../api/k8s.js';
import type { ConfigObjectStore } from './config-objects.js';
import type { JobConfigs } from './job-config.js';
import type { JobLeases } from './job-leases.js';
import type { JobLifecycle } from './job-lifecycle.js';
import type { JobRecords } from './job-records.js';
import type { JobRequestMailbox } from './job-requests.js';
import type { JobSummaries } from './job-summaries.js';
import type { PodLogs } from './pod-logs.js';

export type { ConfigObjectStore } from './config-objects.js';
export type { JobConfigData, JobConfigs } from './job-config.js';
export type { JobLeases } from './job-leases.js';
export type { JobLifecycle } from './job-lifecycle.js';
export type { JobChange, JobRecords, StoredEvent, StoredJob } from './job-records.js';
export type { JobRequest, JobRequestMailbox } from './job-requests.js';
export type { JobSummaries, JobSummary } from './job-summaries.js';
export type { Lease, LeaseHolder } from './lease.js';
export type { LogChunk, LogRecord, PodLogs } from './pod-logs.js';

export interface StateStore
  extends
    JobLifecycle,
    JobRecords,
    JobSummaries,
    JobConfigs,
    JobLeases,
    JobRequestMailbox,
    PodLogs,
    ConfigObjectStore {
  readonly root: string;
  listCronJobs(): Promise<CronJob[]>;
}
