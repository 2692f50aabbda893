// An in-memory StateStore for engine tests: same semantics as the file store (atomic commits,
// leases, requests, logs), no disk. `crashAt` makes the Nth commit "kill the process" before or
// after it is recorded, to test recovery from every point.

import { ConflictError } from '../../src/api/errors.js';
import type { CronJob, ConfigMap, Job, JobStatus, Secret } from '../../src/api/k8s.js';
import type {
  JobChange,
  JobConfigData,
  JobRequest,
  Lease,
  LeaseHolder,
  LogRecord,
  StateStore,
  JobSummary,
  StoredJob,
} from '../../src/ports/state-store.js';
import { applyChange } from '../../src/state/job-journal.js';

export class KilledError extends Error {
  constructor() {
    super('killed');
  }
}

export class MemoryStore implements StateStore {
  readonly root = '<memory>';
  private readonly jobs = new Map<string, StoredJob>();
  private readonly logs = new Map<string, LogRecord[]>();
  private readonly configs = new Map<string, JobConfigData>();
  private readonly requests = new Map<string, JobRequest[]>();
  commits = 0;
  /** Kill at this commit number (1-based); 'before' loses the change, 'after' records it. */
  crashAt: { commit: number; when: 'before' | 'after' } | undefined;
  dead = false;

  async listJobs(): Promise<StoredJob[]> {
    return [...this.jobs.values()].map((j) => structuredClone(j));
  }

  async loadJob(name: string): Promise<StoredJob | undefined> {
    const j = this.jobs.get(name);
    return j ? structuredClone(j) : undefined;
  }

  async listJobSummaries(): Promise<JobSummary[]> {
    return [...this.jobs.values()]
      .map((j) => ({ job: structuredClone(j.job) }))
      .sort((a, b) => a.job.metadata.name.localeCompare(b.job.metadata.name));
  }

  async loadJobSummary(name: string): Promise<JobSummary | undefined> {
    const j = this.jobs.get(name);
    return j ? { job: structuredClone(j.job) } : undefined;
  }

  async createJob(
    job: Job & { status: JobStatus },
    config: JobConfigData = { configMaps: {}, secrets: {} },
  ): Promise<void> {
    if (this.jobs.has(job.metadata.name))
      throw new ConflictError(`jobs.batch "${job.metadata.name}" already exists`);
    this.configs.set(job.metadata.name, config);
    this.jobs.set(job.metadata.name, {
      job: structuredClone(job),
      backoff: { failuresAfterLastSuccess: 0 },
      pods: [],
      events: [],
    });
  }

  async commitJob(name: string, change: JobChange): Promise<void> {
    if (this.dead) throw new KilledError();
    this.commits++;
    const crash = this.crashAt && this.crashAt.commit === this.commits ? this.crashAt.when : undefined;
    if (crash === 'before') {
      this.dead = true;
      throw new KilledError();
    }
    const state = this.jobs.get(name);
    if (!state) throw new Error(`no job ${name}`);
    applyChange(state, structuredClone(change), new Map(state.pods.map((p, i) => [p.name, i])));
    if (crash === 'after') {
      this.dead = true;
      throw new KilledError();
    }
  }

  /** A new process starts: the store answers again. */
  revive(): void {
    this.dead = false;
    this.crashAt = undefined;
  }

  async deleteJob(name: string): Promise<void> {
    this.jobs.delete(name);
  }

  async acquireJobLease(_name: string, command: string): Promise<Lease | LeaseHolder> {
    const holder: LeaseHolder = { pid: 1, processStart: '', command, heartbeat: '' };
    return { holder, renew: async () => undefined, release: async () => undefined };
  }

  async jobLeaseHolder(): Promise<LeaseHolder | undefined> {
    return undefined;
  }

  async loadJobConfig(name: string): Promise<JobConfigData> {
    return this.configs.get(name) ?? { configMaps: {}, secrets: {} };
  }

  async requestJobChange(name: string, request: Omit<JobRequest, 'id'>): Promise<JobRequest> {
    const list = this.requests.get(name) ?? [];
    const full = { id: String(list.length), ...request };
    list.push(full);
    this.requests.set(name, list);
    return full;
  }

  async pendingJobRequests(name: string): Promise<JobRequest[]> {
    return [...(this.requests.get(name) ?? [])];
  }

  async completeJobRequest(name: string, id: string): Promise<void> {
    this.requests.set(
      name,
      (this.requests.get(name) ?? []).filter((r) => r.id !== id),
    );
  }

  watchJobRequests(): () => void {
    return () => undefined;
  }

  async appendLogs(
    job: string,
    pod: string,
    container: string,
    lines: LogRecord[],
    restartCount = 0,
  ): Promise<void> {
    const key = `${job}/${pod}/${container}/${restartCount}`;
    this.logs.set(key, [...(this.logs.get(key) ?? []), ...lines]);
  }

  async readLogs(job: string, pod: string, container: string, restartCount?: number): Promise<LogRecord[]> {
    if (restartCount !== undefined) return this.logs.get(`${job}/${pod}/${container}/${restartCount}`) ?? [];
    const runs = await this.logRuns(job, pod, container);
    return runs.flatMap((r) => this.logs.get(`${job}/${pod}/${container}/${r}`) ?? []);
  }

  async logRuns(job: string, pod: string, container: string): Promise<number[]> {
    const prefix = `${job}/${pod}/${container}/`;
    return [...this.logs.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => Number(k.slice(prefix.length)))
      .sort((a, b) => a - b);
  }

  async listConfigObjects(): Promise<(ConfigMap | Secret)[]> {
    return [];
  }

  async saveConfigObject(): Promise<'created' | 'configured' | 'unchanged'> {
    return 'created';
  }

  async listCronJobs(): Promise<CronJob[]> {
    return [];
  }
}
