// The state directory (docs/state-directory.md):
//   <root>/state.json                 schema version
//   <root>/jobs/<name>/journal.jsonl  the job: spec, status, pod records, events, backoff
//   <root>/jobs/<name>/summary.json   the job object alone, for listings (a cache of the journal)
//   <root>/jobs/<name>/lease.json     the controller process that drives it
//   <root>/jobs/<name>/config.json    the ConfigMaps, Secrets and network it was created with (if any)
//   <root>/jobs/<name>/logs/<pod>/<container>/<restartCount>.log  one run of a container
//   <root>/jobs/<name>/logs/<pod>/<container>.log  all its runs (written before runs were kept apart)
//   <root>/jobs/.creating-*, .deleted-*  a job directory being made or removed (renamed in/out)
//   <root>/config/<kind>.<name>.json  ConfigMaps and Secrets stored by `apply`
//   <root>/claims/<name>.json         PersistentVolumeClaims (stored by `apply` or `run`)
//   <root>/cronjobs/<name>.json
// Everything is private to the user (0700 / 0600) and written atomically or append-only.

import { readFileSync, statSync, watch } from 'node:fs';
import {
  appendFile,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMap, CronJob, Job, JobStatus, PersistentVolumeClaim, Secret } from '../api/k8s.js';
import { ConflictError, StateError, UsageError } from '../api/errors.js';
import { boundClaim, sameClaimSpec } from '../api/claims.js';
import { mapLimit } from '../api/map-limit.js';
import type {
  JobChange,
  JobConfigData,
  JobRequest,
  JobSummary,
  Lease,
  LeaseHolder,
  LogRecord,
  StateStore,
  StoredJob,
} from '../ports/state-store.js';
import { syncDir, writeFileAtomic, writeFileReplacing, writeFileSynced } from './atomic-file.js';
import {
  isMissing,
  pathExists,
  readStateDir,
  readStateFile,
  readStateJson,
  unreadable,
} from './read-state-file.js';
import { acquireLeaseFile, leaseFileHolder } from './lease-file.js';
import { isProcessAlive } from './process-identity.js';
import { FileCronStore } from './cron-store.js';
import { JournalDamagedError, applyChange, changeLine, parseJournal, snapshotLine } from './job-journal.js';
import { formatLogLine, parseLogLine, truncationMarker } from './log-format.js';

const STATE_SCHEMA_VERSION = 1;
let stagingCounter = 0;
/** How old a dead process's half-made job directory must be before it is swept. */
const DEBRIS_AGE_MS = 60_000;
let requestCounter = 0;
/** Per-container log cap; beyond it a marker line says how much was dropped. */
export const DEFAULT_LOG_CAP_BYTES = 64 * 1024 * 1024;

interface OpenJournal {
  state: StoredJob;
  podIndex: Map<string, number>;
  lines: number;
  /** Serializes appends from this process. */
  queue: Promise<void>;
  /** Appends queued and not yet done. */
  pending: number;
}

/**
 * jobs/<name>/summary.json: the job object as of one exact state of its journal (inode, size,
 * mtime). It is a cache: the journal stays the source of truth, and a summary whose stamp does
 * not match the journal (a crash between the two writes, a state directory from an older tjob,
 * a hand edit) is ignored and the journal read instead.
 */
interface SummaryFile {
  v: number;
  journal: JournalStamp;
  job: Job & { status: JobStatus };
}

interface JournalStamp {
  ino: string;
  size: string;
  mtimeNs: string;
}

const SUMMARY_SCHEMA_VERSION = 1;

function stampOf(s: BigIntStats): JournalStamp {
  return { ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs) };
}

function sameStamp(a: JournalStamp | undefined, b: JournalStamp): boolean {
  return !!a && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order of the results. */
export interface FileStoreOptions {
  logCapBytes?: number;
  /** A listing met a job whose journal is damaged: it is left out, and this says so (once per job). */
  onDamaged?: (err: StateError) => void;
}

export class FileStore implements StateStore {
  /**
   * Journals read or written by this process. The copy in memory stays the truth only while this
   * process drives the job (holds its lease): any other process may append to it meanwhile.
   */
  private readonly journals = new Map<string, OpenJournal>();
  /** Jobs whose lease this store holds. */
  private readonly leased = new Set<string>();
  private readonly logBytes = new Map<string, number>();
  private readonly logCap: number;
  private readonly reportedDamage = new Set<string>();
  private initialized = false;
  private debrisSwept = false;
  /** The request watches of this process: one poll of the requests stamp serves them all. */
  private readonly requestWatches = new Set<{ arm: () => void; onChange: () => void }>();
  private requestPoll: NodeJS.Timeout | undefined;
  private requestStamp: string | undefined;

  constructor(
    readonly root: string,
    private readonly options: FileStoreOptions = {},
  ) {
    this.logCap = options.logCapBytes ?? DEFAULT_LOG_CAP_BYTES;
  }

  private jobDir(name: string): string {
    return join(this.root, 'jobs', name);
  }

  private journalPath(name: string): string {
    return join(this.jobDir(name), 'journal.jsonl');
  }

  private summaryPath(name: string): string {
    return join(this.jobDir(name), 'summary.json');
  }

  async init(): Promise<void> {
    if (this.initialized) return;
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const marker = join(this.root, 'state.json');
    try {
      const text = await readFile(marker, 'utf8').catch((err: unknown) => {
        throw isMissing(err) ? err : unreadable(marker, err);
      });
      const parsed = JSON.parse(text) as { schemaVersion?: number };
      if (typeof parsed.schemaVersion !== 'number') throw new Error('no schemaVersion');
      if (parsed.schemaVersion > STATE_SCHEMA_VERSION) {
        throw new StateError(
          `${marker}: written by a newer tjob (schema ${parsed.schemaVersion}, this one reads ${STATE_SCHEMA_VERSION})`,
          'upgrade tjob, or point --state-dir at another directory',
        );
      }
    } catch (err) {
      if (err instanceof StateError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StateError(
          `${marker} is damaged: ${(err as Error).message}`,
          `remove it; tjob rewrites it`,
        );
      }
      await writeFileAtomic(marker, JSON.stringify({ schemaVersion: STATE_SCHEMA_VERSION }, null, 2) + '\n');
    }
    await mkdir(join(this.root, 'jobs'), { recursive: true, mode: 0o700 });
    this.initialized = true;
  }

  /**
   * Job directories a killed process left half-created or half-deleted: its pid (in the name) is
   * gone and a minute has passed (a process of another pid namespace sharing the directory is
   * not mistaken for a dead one while it works).
   */
  private async sweepDebris(): Promise<void> {
    if (this.debrisSwept) return;
    this.debrisSwept = true;
    const jobs = join(this.root, 'jobs');
    const names = await readdir(jobs).catch(() => [] as string[]);
    for (const n of names) {
      const m = /^\.(?:creating|deleted)-.*-(\d+)-\d+$/.exec(n);
      if (!m || isProcessAlive(Number(m[1]))) continue;
      const age = await stat(join(jobs, n)).then(
        (st) => Date.now() - st.mtimeMs,
        () => 0,
      );
      if (age > DEBRIS_AGE_MS)
        await rm(join(jobs, n), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  // ---- jobs ----

  async listJobs(): Promise<StoredJob[]> {
    await this.init();
    const names = ((await readStateDir(join(this.root, 'jobs'))) ?? [])
      .filter((n) => !n.startsWith('.'))
      .sort();
    const out: StoredJob[] = [];
    for (const name of names) {
      const job = await this.loadJob(name).catch((err: unknown) => this.leaveOutDamaged(name, err));
      if (job) out.push(job);
    }
    return out;
  }

  async loadJob(name: string): Promise<StoredJob | undefined> {
    await this.init();
    if (this.leased.has(name)) {
      const open = this.journals.get(name) ?? (await this.openJournal(name).catch(() => undefined));
      if (open) return structuredClone(open.state);
    }
    const folded = await this.readJournal(name);
    // Freshly read and held by no one else: no copy needed (a copy of 10,000 pods costs 0.2 s).
    return folded?.state;
  }

  private async readJournal(name: string): Promise<OpenJournal | undefined> {
    const path = this.journalPath(name);
    const text = await readStateFile(path);
    if (text === undefined) return undefined;
    try {
      const folded = parseJournal(text);
      if (folded.validBytes < Buffer.byteLength(text)) {
        // Drop the torn tail now, so the next append starts on a line of its own.
        await truncate(path, Buffer.byteLength(text.slice(0, folded.validBytes))).catch(() => undefined);
      }
      const podIndex = new Map(folded.state.pods.map((p, i) => [p.name, i] as const));
      return { state: folded.state, podIndex, lines: folded.lines, queue: Promise.resolve(), pending: 0 };
    } catch (err) {
      if (err instanceof JournalDamagedError) {
        throw new StateError(
          `the state of job "${name}" is damaged: ${path} ${err.message}`,
          `repair or remove that line, or remove the job with \`tjob delete job ${name}\` (other jobs are not affected)`,
        );
      }
      throw err;
    }
  }

  private async openJournal(name: string): Promise<OpenJournal> {
    let open = this.journals.get(name);
    if (open && (this.leased.has(name) || open.pending > 0)) return open;
    open = await this.readJournal(name);
    if (!open) throw new StateError(`job "${name}" is not in the state directory ${this.root}`);
    this.journals.set(name, open);
    return open;
  }

  async createJob(
    job: Job & { status: JobStatus },
    config: JobConfigData = { configMaps: {}, secrets: {} },
  ): Promise<void> {
    await this.init();
    // Once per process, where job directories are made (not in every command's start-up).
    await this.sweepDebris();
    const name = job.metadata.name;
    const state: StoredJob = { job, backoff: { failuresAfterLastSuccess: 0 }, pods: [], events: [] };
    // The whole directory is made aside and renamed into place: a job appears with its config and
    // journal or not at all, and of two processes creating one job at once exactly one succeeds.
    // (Made in place, a second creator could not tell a creation under way from a crashed one.)
    const staging = join(this.root, 'jobs', `.creating-${name}-${process.pid}-${stagingCounter++}`);
    try {
      await mkdir(staging, { mode: 0o700 });
      // No ConfigMaps, Secrets or network: no file (read back as none), one fsync less per job.
      if (
        Object.keys(config.configMaps).length + Object.keys(config.secrets).length > 0 ||
        config.network !== undefined
      ) {
        await writeFileSynced(join(staging, 'config.json'), JSON.stringify(config, null, 2) + '\n');
      }
      await writeFileSynced(join(staging, 'journal.jsonl'), snapshotLine(state));
      const st = await stat(join(staging, 'journal.jsonl'), { bigint: true });
      // The stamp survives the rename (same inode, size and mtime).
      const summary: SummaryFile = { v: SUMMARY_SCHEMA_VERSION, journal: stampOf(st), job: state.job };
      await writeFile(join(staging, 'summary.json'), JSON.stringify(summary) + '\n', { mode: 0o600 });
      await this.moveIntoPlace(staging, name);
      await syncDir(join(this.root, 'jobs'));
    } catch (err) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      if (err instanceof ConflictError) throw err;
      throw this.writeError(err);
    }
    this.journals.set(name, {
      state: structuredClone(state),
      podIndex: new Map(),
      lines: 1,
      queue: Promise.resolve(),
      pending: 0,
    });
  }

  /** Renames a staged job directory to the job's name; a job already there is a conflict. */
  private async moveIntoPlace(staging: string, name: string): Promise<void> {
    const dir = this.jobDir(name);
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(staging, dir);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
      if (attempt > 0 || (await pathExists(this.journalPath(name)))) {
        throw new ConflictError(`jobs.batch "${name}" already exists`);
      }
      // A directory without a journal is debris: a deleted job's late log or request files, or a
      // creation by an older tjob that crashed half-way. It is moved aside and looked at there, so
      // a job another process has just put in its place is given back, never removed.
      const aside = join(this.root, 'jobs', `.deleted-${name}-${process.pid}-${stagingCounter++}`);
      try {
        await rename(dir, aside);
      } catch {
        continue; // gone already, or just replaced: try again
      }
      if (await pathExists(join(aside, 'journal.jsonl'))) {
        await rename(aside, dir).catch(() => undefined);
        throw new ConflictError(`jobs.batch "${name}" already exists`);
      }
      await rm(aside, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async commitJob(name: string, change: JobChange): Promise<void> {
    const open = await this.openJournal(name);
    open.pending++;
    const run = open.queue.then(async () => {
      const line = changeLine(change);
      const path = this.journalPath(name);
      const fh = await open_(path).catch((err: unknown) => {
        throw this.writeError(err);
      });
      try {
        const before = (await fh.stat()).size;
        try {
          await fh.appendFile(line);
          await fh.sync();
        } catch (err) {
          // A short write (a full disk) must not stay: the next append would follow it on the
          // same line and damage the journal. Cut the file back to the last whole line.
          await fh.truncate(before).catch(() => undefined);
          throw this.writeError(err);
        }
      } finally {
        await fh.close();
      }
      applyChange(open.state, structuredClone(change), open.podIndex);
      open.lines++;
      // Fold the journal when it is several times larger than the state itself.
      if (open.lines > 256 + 4 * open.state.pods.length) {
        await writeFileAtomic(path, snapshotLine(open.state));
        open.lines = 1;
      }
      await this.writeSummaryAfter(name, open.state.job);
    });
    open.queue = run.catch(() => undefined).finally(() => open.pending--);
    return run;
  }

  // ---- job summaries (listings without reading every journal) ----

  /** Every job's object, as `get jobs` lists them (name order); pods and events are not read. */
  async listJobSummaries(): Promise<JobSummary[]> {
    await this.init();
    const names = ((await readStateDir(join(this.root, 'jobs'))) ?? [])
      .filter((n) => !n.startsWith('.'))
      .sort();
    // Synchronous reads of small files are several times faster than as many promises; only the
    // jobs whose summary is missing or stale are read from their journal, a few at a time.
    const all = names.map((name) => this.summaryIfCurrent(name));
    const misses = names.filter((_, i) => all[i] === 'miss');
    const read = new Map(
      await mapLimit(
        misses,
        16,
        async (name) =>
          [
            name,
            await this.summaryFromJournal(name).catch((err: unknown) => this.leaveOutDamaged(name, err)),
          ] as const,
      ),
    );
    const out: JobSummary[] = [];
    names.forEach((name, i) => {
      const hit = all[i];
      const s = hit === 'miss' ? read.get(name) : hit;
      if (s) out.push(s);
    });
    return out;
  }

  /** One job's object from its summary when that matches the journal, else from the journal. */
  async loadJobSummary(name: string): Promise<JobSummary | undefined> {
    await this.init();
    const hit = this.summaryIfCurrent(name);
    return hit === 'miss' ? this.summaryFromJournal(name) : hit;
  }

  /** The summary when it matches the journal; undefined when there is no job; 'miss' otherwise. */
  private summaryIfCurrent(name: string): JobSummary | undefined | 'miss' {
    const open = this.leased.has(name) ? this.journals.get(name) : undefined;
    if (open) return { job: structuredClone(open.state.job) };
    let journal: BigIntStats;
    try {
      journal = statSync(this.journalPath(name), { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return 'miss';
    }
    try {
      const summary = JSON.parse(readFileSync(this.summaryPath(name), 'utf8')) as SummaryFile;
      if (summary.v === SUMMARY_SCHEMA_VERSION && sameStamp(summary.journal, stampOf(journal))) {
        return { job: summary.job };
      }
    } catch {
      // missing, torn or damaged: the journal says what is true
    }
    return 'miss';
  }

  /** Folds the journal, exactly as far as one stat of it, and leaves a summary of that state. */
  private async summaryFromJournal(name: string): Promise<JobSummary | undefined> {
    let fh;
    try {
      fh = await open(this.journalPath(name), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateError(`cannot read ${this.journalPath(name)}: ${(err as Error).message}`);
    }
    let stamp: JournalStamp;
    let text: string;
    try {
      const st = await fh.stat({ bigint: true });
      stamp = stampOf(st);
      const buf = Buffer.alloc(Number(st.size));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      text = buf.subarray(0, got).toString('utf8');
    } finally {
      await fh.close();
    }
    let job: JobSummary['job'];
    try {
      job = parseJournal(text).state.job;
    } catch {
      // Damaged: the journal reader names the file and the way out.
      const folded = await this.readJournal(name);
      return folded ? { job: folded.state.job } : undefined;
    }
    await this.writeSummary(name, job, stamp);
    return { job };
  }

  /** After a write of the journal: a summary stamped with its new state (best effort). */
  private async writeSummaryAfter(name: string, job: JobSummary['job']): Promise<void> {
    const st = await stat(this.journalPath(name), { bigint: true }).catch(() => undefined);
    if (st) await this.writeSummary(name, job, stampOf(st));
  }

  /**
   * Atomic (rename) but not synced: a summary lost or torn by a crash is only a cache miss. Any
   * process may write it; a stale one, whoever wrote it, never matches the journal's stamp.
   */
  private async writeSummary(name: string, job: JobSummary['job'], stamp: JournalStamp): Promise<void> {
    const file: SummaryFile = { v: SUMMARY_SCHEMA_VERSION, journal: stamp, job };
    await writeFileReplacing(this.summaryPath(name), JSON.stringify(file) + '\n').catch(() => undefined);
  }

  /** One damaged job must not hide the others from a listing: it is left out, with a warning. */
  private leaveOutDamaged(name: string, err: unknown): undefined {
    if (!(err instanceof StateError)) throw err;
    if (!this.reportedDamage.has(name)) {
      this.reportedDamage.add(name);
      this.options.onDamaged?.(err);
    }
    return undefined;
  }

  /**
   * What can still be read of a damaged job: its journal without the lines that do not parse
   * (for `tjob delete`, so it can stop and remove the pods recorded before the damage).
   */
  async salvageJob(name: string): Promise<StoredJob | undefined> {
    const text = await readStateFile(this.journalPath(name));
    if (text === undefined) return undefined;
    const good = text.split('\n').filter((l) => {
      try {
        JSON.parse(l);
        return true;
      } catch {
        return false;
      }
    });
    try {
      return parseJournal(good.join('\n') + '\n').state;
    } catch {
      return undefined;
    }
  }

  /** A write that failed for want of space or permission: a StateError naming the directory. */
  private writeError(err: unknown): unknown {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined || !['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO'].includes(code))
      return err;
    return new StateError(
      `cannot write the state directory ${this.root}: ${(err as Error).message}`,
      'free some space or make it writable, then run the same file again: the job resumes where it was recorded and its containers are adopted',
    );
  }

  async deleteJob(name: string): Promise<void> {
    await this.init();
    this.journals.delete(name);
    const dir = this.jobDir(name);
    // Rename first so a reader never sees half a deletion.
    const doomed = join(this.root, 'jobs', `.deleted-${name}-${process.pid}-${Date.now()}`);
    try {
      await rename(dir, doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw this.writeError(err);
    }
    await rm(doomed, { recursive: true, force: true });
  }

  // ---- leases ----

  async acquireJobLease(name: string, command: string): Promise<Lease | LeaseHolder> {
    await this.init();
    const got = await acquireLeaseFile(join(this.jobDir(name), 'lease.json'), command, `job "${name}"`);
    if (!('renew' in got)) return got;
    // Another process may have driven the job since this one last read it: start from the disk.
    if (!this.journals.get(name)?.pending) this.journals.delete(name);
    this.leased.add(name);
    return {
      ...got,
      release: async () => {
        this.leased.delete(name);
        await got.release();
      },
    };
  }

  async jobLeaseHolder(name: string): Promise<LeaseHolder | undefined> {
    return leaseFileHolder(join(this.jobDir(name), 'lease.json'));
  }

  // ---- the ConfigMaps and Secrets a job was created with ----

  async loadJobConfig(name: string): Promise<JobConfigData> {
    // No file: the job was created with no ConfigMaps or Secrets stored.
    const path = join(this.jobDir(name), 'config.json');
    return (
      (await readStateJson<JobConfigData>(path, 'repair or remove that file')) ?? {
        configMaps: {},
        secrets: {},
      }
    );
  }

  // ---- requests to a job's controller ----

  private requestDir(name: string): string {
    return join(this.jobDir(name), 'requests');
  }

  async requestJobChange(name: string, request: Omit<JobRequest, 'id'>): Promise<JobRequest> {
    await this.init();
    const dir = this.requestDir(name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Fixed widths, so that names sort in the order the requests were made.
    const seq = String(requestCounter++).padStart(10, '0');
    const id = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${seq}`;
    const full: JobRequest = { id, ...request };
    await writeFileAtomic(join(dir, `${id}.json`), JSON.stringify(full, null, 2) + '\n');
    // For the watchers whose file system misses the directory's change (their poll reads this).
    await writeFileReplacing(this.requestStampPath, `${id}\n`).catch(() => undefined);
    return full;
  }

  private get requestStampPath(): string {
    return join(this.root, 'jobs', '.requests-stamp');
  }

  async pendingJobRequests(name: string): Promise<JobRequest[]> {
    const dir = this.requestDir(name);
    const files = ((await readStateDir(dir)) ?? [])
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort();
    const out: JobRequest[] = [];
    for (const f of files) {
      // Gone meanwhile: another process completed it.
      const text = await readStateFile(join(dir, f));
      if (text === undefined) continue;
      try {
        out.push(JSON.parse(text) as JobRequest);
      } catch {
        // A request damaged by hand is dropped rather than retried for ever.
        await unlink(join(dir, f)).catch(() => undefined);
      }
    }
    return out;
  }

  async completeJobRequest(name: string, id: string): Promise<void> {
    await unlink(join(this.requestDir(name), `${id}.json`)).catch(() => undefined);
  }

  watchJobRequests(name: string, onChange: () => void): () => void {
    const dir = this.requestDir(name);
    let watcher: ReturnType<typeof watch> | undefined;
    let stopped = false;
    const arm = () => {
      if (watcher || stopped) return;
      try {
        watcher = watch(dir, { persistent: false }, () => onChange());
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        // the directory does not exist yet: the poll below arms it
        return;
      }
      // A request written before the watch was armed raised no event: look once now.
      onChange();
    };
    void mkdir(dir, { recursive: true, mode: 0o700 }).then(arm, () => undefined);
    const entry = { arm, onChange };
    this.requestWatches.add(entry);
    this.pollRequests();
    return () => {
      stopped = true;
      this.requestWatches.delete(entry);
      watcher?.close();
      if (this.requestWatches.size === 0 && this.requestPoll) {
        clearInterval(this.requestPoll);
        this.requestPoll = undefined;
      }
    };
  }

  /**
   * fs.watch misses events on some file systems; this slow poll is the safety net. It reads one
   * stamp that every request rewrites, not each job's directory: a daemon driving a thousand jobs
   * polled a thousand directories a second.
   */
  private pollRequests(): void {
    if (this.requestPoll) return;
    this.requestPoll = setInterval(() => {
      void readFile(this.requestStampPath, 'utf8').then(
        (stamp) => {
          // The first read has nothing to compare with: a request may have come since the
          // watchers started, so they look (a look finds nothing if nothing came).
          const changed = stamp !== this.requestStamp;
          this.requestStamp = stamp;
          for (const w of [...this.requestWatches]) {
            w.arm();
            if (changed) w.onChange();
          }
        },
        () => {
          this.requestStamp ??= '';
          for (const w of [...this.requestWatches]) w.arm();
        },
      );
    }, 1000);
    this.requestPoll.unref();
  }

  // ---- logs ----

  private runsDir(job: string, pod: string, container: string): string {
    return join(this.jobDir(job), 'logs', pod, container);
  }

  private runLogPath(job: string, pod: string, container: string, restartCount: number): string {
    return join(this.runsDir(job, pod, container), `${restartCount}.log`);
  }

  /** The one file of a container's runs that earlier versions wrote. */
  private singleLogPath(job: string, pod: string, container: string): string {
    return join(this.jobDir(job), 'logs', pod, `${container}.log`);
  }

  async appendLogs(
    job: string,
    pod: string,
    container: string,
    lines: LogRecord[],
    restartCount = 0,
  ): Promise<void> {
    if (lines.length === 0) return;
    const path = this.runLogPath(job, pod, container, restartCount);
    let size = this.logBytes.get(path);
    if (size === undefined) {
      await mkdir(this.runsDir(job, pod, container), { recursive: true, mode: 0o700 });
      size = await stat(path).then(
        (s) => s.size,
        () => 0,
      );
    }
    if (size >= this.logCap) return;
    let text = '';
    let dropped = 0;
    for (const line of lines) {
      const formatted = formatLogLine(line);
      if (size + text.length + formatted.length > this.logCap) {
        dropped++;
        continue;
      }
      text += formatted;
    }
    if (dropped > 0) text += formatLogLine(truncationMarker(lines[lines.length - 1]!.time, this.logCap));
    await appendFile(path, text, { mode: 0o600 });
    this.logBytes.set(path, dropped > 0 ? this.logCap : size + Buffer.byteLength(text));
  }

  async logRuns(job: string, pod: string, container: string): Promise<number[]> {
    const names = (await readStateDir(this.runsDir(job, pod, container))) ?? [];
    return names
      .map((n) => /^(0|[1-9]\d*)\.log$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async readLogs(job: string, pod: string, container: string, restartCount?: number): Promise<LogRecord[]> {
    if (restartCount !== undefined) return readLogFile(this.runLogPath(job, pod, container, restartCount));
    const out = await readLogFile(this.singleLogPath(job, pod, container));
    for (const run of await this.logRuns(job, pod, container))
      out.push(...(await readLogFile(this.runLogPath(job, pod, container, run))));
    return out;
  }

  // ---- ConfigMaps, Secrets, CronJobs ----

  async listConfigObjects(): Promise<(ConfigMap | Secret)[]> {
    return this.readObjects<ConfigMap | Secret>('config');
  }

  async saveConfigObject(obj: ConfigMap | Secret): Promise<'created' | 'configured' | 'unchanged'> {
    return this.saveObject('config', `${obj.kind.toLowerCase()}.${obj.metadata.name}`, obj);
  }

  // ---- PersistentVolumeClaims ----

  async listClaims(): Promise<PersistentVolumeClaim[]> {
    return this.readObjects<PersistentVolumeClaim>('claims');
  }

  async loadClaim(name: string): Promise<PersistentVolumeClaim | undefined> {
    return (await this.listClaims()).find((c) => c.metadata.name === name);
  }

  /**
   * Stores a new claim bound to its volume (see claims.ts); an existing one is kept as it is, and a
   * change of its spec is refused as the API server does.
   */
  async saveClaim(pvc: PersistentVolumeClaim, now: Date, uid: string): Promise<'created' | 'unchanged'> {
    const existing = await this.loadClaim(pvc.metadata.name);
    if (existing) {
      if (!sameClaimSpec(existing, pvc))
        throw new UsageError(
          `PersistentVolumeClaim "${pvc.metadata.name}" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims`,
          `delete it first with \`tjob delete pvc ${pvc.metadata.name}\` (its data goes with it)`,
        );
      return 'unchanged';
    }
    await this.saveObject('claims', pvc.metadata.name, boundClaim(pvc, now, uid));
    return 'created';
  }

  /** Records the deletion request (pvc-protection keeps the claim while pods use it). */
  async markClaimTerminating(name: string, now: Date): Promise<PersistentVolumeClaim | undefined> {
    const pvc = await this.loadClaim(name);
    if (!pvc || pvc.metadata.deletionTimestamp) return pvc;
    pvc.metadata.deletionTimestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
    await this.saveObject('claims', name, pvc);
    return pvc;
  }

  async removeClaim(name: string): Promise<void> {
    await rm(join(this.root, 'claims', `${name}.json`), { force: true });
  }

  /** Every stored CronJob with its status (FileCronStore keeps the two in separate files). */
  async listCronJobs(): Promise<CronJob[]> {
    await this.init();
    return new FileCronStore(this.root).listCronJobs();
  }

  /** Removes a stored CronJob and its events (its jobs are the caller's to delete). */
  async deleteCronJob(name: string): Promise<void> {
    await new FileCronStore(this.root).deleteCronJob(name);
  }

  private async readObjects<T>(folder: string): Promise<T[]> {
    await this.init();
    const dir = join(this.root, folder);
    const names = ((await readStateDir(dir)) ?? [])
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort();
    const out: T[] = [];
    for (const n of names) {
      const obj = await readStateJson<T>(join(dir, n), 'repair or remove that file');
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  private async saveObject(
    folder: string,
    name: string,
    obj: unknown,
  ): Promise<'created' | 'configured' | 'unchanged'> {
    await this.init();
    const dir = join(this.root, folder);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${name}.json`);
    const text = JSON.stringify(obj, null, 2) + '\n';
    const before = await readStateFile(path);
    if (before === text) return 'unchanged';
    await writeFileAtomic(path, text);
    await syncDir(dir);
    return before === undefined ? 'created' : 'configured';
  }
}

async function open_(path: string) {
  return open(path, 'a', 0o600);
}

/** The lines of one log file; none if it does not exist. */
async function readLogFile(path: string): Promise<LogRecord[]> {
  const text = await readStateFile(path);
  if (text === undefined) return [];
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    const parsed = parseLogLine(line);
    if (parsed) out.push(parsed);
  }
  return out;
}
