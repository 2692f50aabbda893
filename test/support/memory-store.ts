// An in-memory StateStore for engine tests: same semantics as the file store (atomic commits,
// leases, requests, logs), no disk; test/unit/state/state-store-contract.ts holds both to it. `crashAt` makes the Nth commit "kill the process" before or
// after it is recorded, to test recovery from every point.

import { ConflictError, StateError } from '../../src/api/errors.js';
import type { CronJob, ConfigMap, Job, JobStatus, Secret } from '../../src/api/k8s.js';
import type {
  JobChange,
  JobConfigData,
  JobRequest,
  Lease,
  LeaseHolder,
  LogChunk,
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
  private requestCounter = 0;
  private readonly requestWatchers = new Map<string, Set<() => void>>();
  /** Jobs whose lease this process holds (a lease is this process's: the file store's is re-entrant). */
  private readonly leases = new Map<string, LeaseHolder>();
  /** ConfigMaps and Secrets stored by apply, by `kind.name` as the file store names their files. */
  private readonly configObjects = new Map<string, ConfigMap | Secret>();
  commits = 0;
  /** Kill at this commit number (1-based); 'before' loses the change, 'after' records it. */
  crashAt: { commit: number; when: 'before' | 'after' } | undefined;
  dead = false;

  /** Job names in the file store's order (its sorted directory listing). */
  private names(): string[] {
    return [...this.jobs.keys()].sort();
  }

  async listJobs(): Promise<StoredJob[]> {
    return this.names().map((n) => structuredClone(this.jobs.get(n)!));
  }

  async loadJob(name: string): Promise<StoredJob | undefined> {
    const j = this.jobs.get(name);
    return j ? structuredClone(j) : undefined;
  }

  async listJobSummaries(): Promise<JobSummary[]> {
    return this.names().map((n) => ({ job: structuredClone(this.jobs.get(n)!.job) }));
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
    this.configs.set(job.metadata.name, structuredClone(config));
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
    if (!state) throw new StateError(`job "${name}" is not in the state directory ${this.root}`);
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
    // The killed process's leases died with it (the file store finds their holder gone).
    this.leases.clear();
  }

  /** As the file store removes the job's directory: its record, config, requests, lease and logs. */
  async deleteJob(name: string): Promise<void> {
    this.jobs.delete(name);
    this.configs.delete(name);
    this.requests.delete(name);
    this.leases.delete(name);
    for (const key of [...this.logs.keys()]) if (key.startsWith(`${name}/`)) this.logs.delete(key);
  }

  async acquireJobLease(name: string, command: string): Promise<Lease | LeaseHolder> {
    // This store is one process: like the file store's lease for a holder of the same pid, a
    // lease this process holds is given again.
    const holder: LeaseHolder = {
      pid: process.pid,
      processStart: '',
      command,
      heartbeat: new Date().toISOString(),
    };
    this.leases.set(name, holder);
    return {
      holder,
      renew: async () => {
        holder.heartbeat = new Date().toISOString();
      },
      release: async () => {
        if (this.leases.get(name) === holder) this.leases.delete(name);
      },
    };
  }

  async jobLeaseHolder(name: string): Promise<LeaseHolder | undefined> {
    const holder = this.leases.get(name);
    return holder ? { ...holder } : undefined;
  }

  async loadJobConfig(name: string): Promise<JobConfigData> {
    return structuredClone(this.configs.get(name) ?? { configMaps: {}, secrets: {} });
  }

  async requestJobChange(name: string, request: Omit<JobRequest, 'id'>): Promise<JobRequest> {
    const list = this.requests.get(name) ?? [];
    // Unique and ordered by creation, as the port says (a list index would be given twice once
    // a request was completed).
    const full = { id: String(this.requestCounter++).padStart(12, '0'), ...request };
    list.push(full);
    this.requests.set(name, list);
    for (const onChange of this.requestWatchers.get(name) ?? []) queueMicrotask(onChange);
    return { ...full };
  }

  async pendingJobRequests(name: string): Promise<JobRequest[]> {
    return (this.requests.get(name) ?? []).map((r) => ({ ...r }));
  }

  async completeJobRequest(name: string, id: string): Promise<void> {
    this.requests.set(
      name,
      (this.requests.get(name) ?? []).filter((r) => r.id !== id),
    );
  }

  /** Called on every request for the job, and once at the start (a request may be waiting). */
  watchJobRequests(name: string, onChange: () => void): () => void {
    const watchers = this.requestWatchers.get(name) ?? new Set();
    this.requestWatchers.set(name, watchers);
    // A distinct entry per watch, so one function watched twice is stopped once per stop.
    const entry = () => {
      if (watchers.has(entry)) onChange();
    };
    watchers.add(entry);
    queueMicrotask(entry);
    return () => {
      watchers.delete(entry);
    };
  }

  async appendLogs(
    job: string,
    pod: string,
    container: string,
    lines: LogRecord[],
    restartCount = 0,
  ): Promise<void> {
    if (lines.length === 0) return;
    const key = `${job}/${pod}/${container}/${restartCount}`;
    this.logs.set(key, [...(this.logs.get(key) ?? []), ...structuredClone(lines)]);
  }

  appendLogChunks(
    job: string,
    pod: string,
    container: string,
    chunks: LogChunk[],
    restartCount = 0,
  ): Promise<void> {
    const lines = chunks.flatMap((c) =>
      c.text
        .slice(0, -1)
        .split('\n')
        .map((text) => ({ time: c.time, stream: c.stream, text })),
    );
    return this.appendLogs(job, pod, container, lines, restartCount);
  }

  async readLogs(job: string, pod: string, container: string, restartCount?: number): Promise<LogRecord[]> {
    if (restartCount !== undefined)
      return structuredClone(this.logs.get(`${job}/${pod}/${container}/${restartCount}`) ?? []);
    const runs = await this.logRuns(job, pod, container);
    return runs.flatMap((r) => structuredClone(this.logs.get(`${job}/${pod}/${container}/${r}`) ?? []));
  }

  /** Positions are line numbers here (opaque to the caller, as the file store's bytes are). */
  async readLogsFrom(
    job: string,
    pod: string,
    container: string,
    run: number | 'before-runs',
    from: number,
  ): Promise<{ lines: LogRecord[]; next: number }> {
    const all = run === 'before-runs' ? [] : (this.logs.get(`${job}/${pod}/${container}/${run}`) ?? []);
    return { lines: structuredClone(all.slice(from)), next: Math.max(from, all.length) };
  }

  async logRuns(job: string, pod: string, container: string): Promise<number[]> {
    const prefix = `${job}/${pod}/${container}/`;
    return [...this.logs.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => Number(k.slice(prefix.length)))
      .sort((a, b) => a - b);
  }

  async listConfigObjects(): Promise<(ConfigMap | Secret)[]> {
    return [...this.configObjects.keys()].sort().map((k) => structuredClone(this.configObjects.get(k)!));
  }

  async saveConfigObject(obj: ConfigMap | Secret): Promise<'created' | 'configured' | 'unchanged'> {
    const key = `${obj.kind.toLowerCase()}.${obj.metadata.name}`;
    const before = this.configObjects.get(key);
    if (before && JSON.stringify(before) === JSON.stringify(obj)) return 'unchanged';
    this.configObjects.set(key, structuredClone(obj));
    return before ? 'configured' : 'created';
  }

  async listCronJobs(): Promise<CronJob[]> {
    return [];
  }
}
