// The file store: the state directory (its layout: state-directory.ts) behind every port of
// src/ports/state-store.ts and the claims' port. It holds no logic of its own: each concept is a
// part of its own, and this composes them over one StateDirectory. A caller that needs one part
// alone may build it the same way.

import type { ConfigMap, CronJob, Job, JobStatus, PersistentVolumeClaim, Secret } from '../api/k8s.js';
import type { StateError } from '../api/errors.js';
import type { ClaimStore } from '../ports/claims.js';
import type {
  JobChange,
  JobConfigData,
  JobRequest,
  JobSummary,
  Lease,
  LeaseHolder,
  LogChunk,
  LogRecord,
  StateStore,
  StoredJob,
} from '../ports/state-store.js';
import { FileClaimStore } from './claim-store.js';
import { FileConfigObjectStore } from './config-objects.js';
import { FileCronStore } from './cron-store.js';
import { DamagedJobs } from './damaged-jobs.js';
import { FileJobConfigs } from './job-config-file.js';
import { FileJobLeases } from './job-leases.js';
import { FileJobLifecycle } from './job-lifecycle.js';
import { FileJobRecords } from './job-records.js';
import { FileJobSummaries } from './job-summaries.js';
import { FilePodLogs } from './pod-log-files.js';
import { FileJobRequestMailbox } from './request-mailbox.js';
import { StateDirectory } from './state-directory.js';

export { DEFAULT_LOG_CAP_BYTES } from './pod-log-files.js';

export interface FileStoreOptions {
  logCapBytes?: number;
  /** A listing met a job whose journal is damaged: it is left out, and this says so (once per job). */
  onDamaged?: (err: StateError) => void;
}

export class FileStore implements StateStore, ClaimStore {
  private readonly dir: StateDirectory;
  private readonly records: FileJobRecords;
  private readonly lifecycle: FileJobLifecycle;
  private readonly summaries: FileJobSummaries;
  private readonly configs: FileJobConfigs;
  private readonly leases: FileJobLeases;
  private readonly requests: FileJobRequestMailbox;
  private readonly logs: FilePodLogs;
  private readonly configObjects: FileConfigObjectStore;
  private readonly claims: FileClaimStore;

  constructor(
    readonly root: string,
    options: FileStoreOptions = {},
  ) {
    this.dir = new StateDirectory(root);
    const damaged = new DamagedJobs(options.onDamaged);
    this.records = new FileJobRecords(this.dir, damaged);
    this.lifecycle = new FileJobLifecycle(this.dir, this.records);
    this.summaries = new FileJobSummaries(this.dir, this.records, damaged);
    this.configs = new FileJobConfigs(this.dir);
    this.leases = new FileJobLeases(this.dir, this.records);
    this.requests = new FileJobRequestMailbox(this.dir);
    this.logs = new FilePodLogs(this.dir, options.logCapBytes);
    this.configObjects = new FileConfigObjectStore(this.dir);
    this.claims = new FileClaimStore(this.dir);
  }

  /** Creates the state directory, or checks that this tjob reads it. */
  init(): Promise<void> {
    return this.dir.init();
  }

  // ---- jobs: records (the journal), lifecycle, summaries, captured config ----

  listJobs(): Promise<StoredJob[]> {
    return this.records.listJobs();
  }
  loadJob(name: string): Promise<StoredJob | undefined> {
    return this.records.loadJob(name);
  }
  commitJob(name: string, change: JobChange): Promise<void> {
    return this.records.commitJob(name, change);
  }
  /** What can still be read of a damaged job (for `tjob delete`). */
  salvageJob(name: string): Promise<StoredJob | undefined> {
    return this.records.salvageJob(name);
  }
  createJob(job: Job & { status: JobStatus }, config?: JobConfigData): Promise<void> {
    return this.lifecycle.createJob(job, config);
  }
  deleteJob(name: string): Promise<void> {
    return this.lifecycle.deleteJob(name);
  }
  listJobSummaries(): Promise<JobSummary[]> {
    return this.summaries.listJobSummaries();
  }
  loadJobSummary(name: string): Promise<JobSummary | undefined> {
    return this.summaries.loadJobSummary(name);
  }
  loadJobConfig(name: string): Promise<JobConfigData> {
    return this.configs.loadJobConfig(name);
  }

  // ---- leases and the request mailbox ----

  acquireJobLease(name: string, command: string): Promise<Lease | LeaseHolder> {
    return this.leases.acquireJobLease(name, command);
  }
  jobLeaseHolder(name: string): Promise<LeaseHolder | undefined> {
    return this.leases.jobLeaseHolder(name);
  }
  requestJobChange(name: string, request: Omit<JobRequest, 'id'>): Promise<JobRequest> {
    return this.requests.requestJobChange(name, request);
  }
  pendingJobRequests(name: string): Promise<JobRequest[]> {
    return this.requests.pendingJobRequests(name);
  }
  completeJobRequest(name: string, id: string): Promise<void> {
    return this.requests.completeJobRequest(name, id);
  }
  watchJobRequests(name: string, onChange: () => void): () => void {
    return this.requests.watchJobRequests(name, onChange);
  }

  // ---- logs ----

  appendLogs(
    job: string,
    pod: string,
    container: string,
    lines: LogRecord[],
    restartCount?: number,
  ): Promise<void> {
    return this.logs.appendLogs(job, pod, container, lines, restartCount);
  }
  appendLogChunks(
    job: string,
    pod: string,
    container: string,
    chunks: LogChunk[],
    restartCount?: number,
  ): Promise<void> {
    return this.logs.appendLogChunks(job, pod, container, chunks, restartCount);
  }
  readLogs(job: string, pod: string, container: string, restartCount?: number): Promise<LogRecord[]> {
    return this.logs.readLogs(job, pod, container, restartCount);
  }
  readLogsFrom(
    job: string,
    pod: string,
    container: string,
    run: number | 'before-runs',
    from: number,
  ): Promise<{ lines: LogRecord[]; next: number }> {
    return this.logs.readLogsFrom(job, pod, container, run, from);
  }
  logRuns(job: string, pod: string, container: string): Promise<number[]> {
    return this.logs.logRuns(job, pod, container);
  }

  // ---- ConfigMaps, Secrets, PersistentVolumeClaims ----

  listConfigObjects(): Promise<(ConfigMap | Secret)[]> {
    return this.configObjects.listConfigObjects();
  }
  saveConfigObject(obj: ConfigMap | Secret): Promise<'created' | 'configured' | 'unchanged'> {
    return this.configObjects.saveConfigObject(obj);
  }
  listClaims(): Promise<PersistentVolumeClaim[]> {
    return this.claims.listClaims();
  }
  loadClaim(name: string): Promise<PersistentVolumeClaim | undefined> {
    return this.claims.loadClaim(name);
  }
  saveClaim(pvc: PersistentVolumeClaim, now: Date, uid: string): Promise<'created' | 'unchanged'> {
    return this.claims.saveClaim(pvc, now, uid);
  }
  markClaimTerminating(name: string, now: Date): Promise<PersistentVolumeClaim | undefined> {
    return this.claims.markClaimTerminating(name, now);
  }
  removeClaim(name: string): Promise<void> {
    return this.claims.removeClaim(name);
  }

  // ---- CronJobs (FileCronStore keeps them; listed here for the commands that list everything) ----

  /** Every stored CronJob with its status. */
  async listCronJobs(): Promise<CronJob[]> {
    await this.dir.init();
    return new FileCronStore(this.root).listCronJobs();
  }

  /** Removes a stored CronJob and its events (its jobs are the caller's to delete). */
  async deleteCronJob(name: string): Promise<void> {
    await new FileCronStore(this.root).deleteCronJob(name);
  }
}
