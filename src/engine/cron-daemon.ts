// The scheduler daemon behind `tjob cron start` (docs/cronjob.md §3.2, §7): one serialized loop over
// every stored CronJob. Each sync lists the CronJob's child jobs, calls the pure syncCronJob with
// `now`, carries out its deletions and its create (feeding failures back, as the controller's
// failures protocol asks), records status and events, and drives the jobs it creates in this
// process with a JobRunner under each job's lease. The loop sleeps until the earliest wake-up of
// all CronJobs, or until something changes: one of its jobs ends, or a CronJob is applied,
// deleted or poked (noticed through the CronJobStore's watch). No polling between slots.
//
// Stopping (the `stop` signal): the jobs keep their containers; each runner leaves where it is and
// its lease is released, so the next daemon adopts the jobs (unfinished children with no live
// lease holder are driven again, and the runner adopts their containers).

import type { CronJob, Job } from '../api/k8s.js';
import { ConflictError } from '../api/errors.js';
import { mapLimit } from '../api/map-limit.js';
import { rfc3339 } from '../api/time.js';
import {
  isFinished,
  ownerCronJobRef,
  parentCronJobName,
  syncCronJob,
  type CronJobEvent,
  type SyncCronJobResult,
  type SyncFailures,
} from '../controller/cron/index.js';
import { defaultJob } from '../manifest/index.js';
import type { Clock } from '../ports/clock.js';
import type { CronJobStore } from '../ports/cron-store.js';
import type { PodRuntime } from '../ports/pod-runtime.js';
import type { JobSummary, Lease, StateStore, StoredEvent, StoredJob } from '../ports/state-store.js';
import { imagesOf } from './images.js';
import { JobRunner, type JobRunObserver, type RunEnd } from './job-runner.js';
import { storedConfigData } from './pod-plan.js';
import { Wakeup } from './wakeup.js';
import { ttlExpiry } from './ttl-after-finished.js';
import { jobAsCreated } from './job-creation.js';

/** How many runners of newly created jobs start at once (each reads its job, asks the engine). */
const DRIVE_CONCURRENCY = 8;
/** How many due CronJobs are synced at once. */
const SYNC_CONCURRENCY = 32;
export interface CronDaemonDeps {
  store: StateStore;
  cronStore: CronJobStore;
  runtime: PodRuntime;
  clock: Clock;
  newUid: () => string;
  random: () => number;
  /** The zone of a CronJob without spec.timeZone (the machine's, deviation 6 in docs/deviations.md). */
  localTimeZone: string;
  /** Removes a job that no process drives: its containers, records and logs. */
  deleteUndrivenJob(state: StoredJob): Promise<void>;
}

export interface CronDaemonOptions {
  backoffBaseMs: number;
  backoffCapMs: number;
  keepContainers: boolean;
  /** Names this process in job leases and requests (`tjob cron start (pid 42)`). */
  command: string;
  /** Lease heartbeat period (default 10 s). */
  heartbeatMs?: number;
  /** The Docker network the pods of the jobs it creates join (`tjob cron start --network`). */
  network?: string;
}

export interface CronDaemonObserver {
  /** An event of a CronJob (SuccessfulCreate, JobAlreadyActive, ...), as recorded. */
  cronEvent?(cronJob: string, event: StoredEvent): void;
  /** A job was created for a slot (`scheduledTime`); `at` is when it was in the state directory. */
  created?(cronJob: string, job: string, scheduledTime: Date | undefined, at: Date): void;
  /** This daemon started driving a job (adopted: one a previous process had started). */
  driving?(job: string, adopted: boolean): void;
  /** A job this daemon drove reached its end. */
  ended?(job: string, end: RunEnd, state: StoredJob): void;
  /** A configuration warning (printed once per CronJob spec) or a problem carrying something out. */
  warning?(message: string): void;
  /** The job runners' own observer (job events, pod logs, progress). */
  runner?: JobRunObserver;
  /** The loop has nothing to do for `ms` (undefined: until something changes). */
  idle?(ms: number | undefined): void;
}

interface Key {
  name: string;
  /** The CronJob as last read (at a rescan) or written (its status, by this daemon). */
  cronJob: CronJob;
  fingerprint: string;
  dirty: boolean;
  dueAt?: number;
  backoffMs?: number;
  warned?: string;
}

interface Driven {
  lease: Lease;
  leave: AbortController;
  done: Promise<void>;
  /** Resolves when the runner has made its first pass (or ended). */
  started: Promise<void>;
  owner: string | undefined;
}

const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 5 * 60_000;
const LEAVE_WAIT_MS = 10_000;
const ELSEWHERE_CHECK_MS = 1000;

export class CronDaemon {
  private readonly wakeup: Wakeup;
  private readonly keys = new Map<string, Key>();
  private readonly driving = new Map<string, Driven>();
  /** Uids of jobs whose deletion was asked: hidden from the controller, as Kubernetes' background deletion removes the object at once. */
  private readonly deleting = new Set<string>();
  private rescanPending = true;
  /**
   * The jobs as this daemon knows them, by name (Kubernetes' informer cache): read whole at
   * start and at every rescan (an apply, a delete, a poke), and kept current by this daemon's own
   * creations, its runners' changes and its deletions. Reading every job at every pass cost
   * seconds per slot with hundreds of CronJobs.
   */
  private readonly jobs = new Map<string, JobSummary>();
  /** The names in `jobs` by parent CronJob. */
  private readonly childrenOf = new Map<string, Set<string>>();
  /** Jobs created in this pass of the loop, driven at its end. */
  private readonly createdThisPass: { name: string; owner: string }[] = [];
  /** Created jobs waiting for their runner, and how many runners are being started. */
  private readonly toDrive: { name: string; owner: string }[] = [];
  private drivesStarting = 0;
  /** The names in createdThisPass and toDrive. */
  private readonly runnerPending = new Set<string>();
  /** A pass is syncing due CronJobs: runners wait to start until it ends (creations first). */
  private passing = false;
  /**
   * The status and event writes of this pass's syncs, done once every due CronJob has its job:
   * they are not what a slot waits for, and done in between they made the last jobs of a busy
   * slot later by a third.
   */
  private readonly afterCreations: (() => Promise<void>)[] = [];
  /** Stopping: no runner starts any more. */
  private leaving = false;
  /** The ConfigMaps and Secrets new jobs snapshot, read once per pass of the loop. */
  private configSnapshot: ReturnType<typeof storedConfigData> | undefined;

  constructor(
    private readonly deps: CronDaemonDeps,
    private readonly options: CronDaemonOptions,
    private readonly observer: CronDaemonObserver = {},
  ) {
    this.wakeup = new Wakeup(deps.clock);
  }

  /** Names of the jobs this daemon is driving now. */
  drivenJobs(): string[] {
    return [...this.driving.keys()];
  }

  /** Look at every CronJob again (the store's watch calls this; tests may too). */
  notifyChange(): void {
    this.rescanPending = true;
    this.wakeup.notify();
  }

  /** Runs until `stop` aborts, then leaves every job it drives to the next daemon. */
  async run(stop: AbortSignal): Promise<void> {
    const unwatch = this.deps.cronStore.watchCronJobs(() => this.notifyChange());
    const heartbeat = this.heartbeats(stop);
    try {
      while (!stop.aborted) {
        if (this.rescanPending) {
          this.rescanPending = false;
          await this.guard('reading the CronJobs', () => this.rescan());
        }
        const now = this.deps.clock.now().getTime();
        this.configSnapshot = undefined;
        // The CronJobs due now are synced SYNC_CONCURRENCY at a time: each is its own key (one
        // sync per CronJob at once), and a slot shared by hundreds of CronJobs must not queue them
        // behind each other's file writes.
        const due = [...this.keys.values()].filter(
          (key) => key.dirty || (key.dueAt !== undefined && key.dueAt <= now),
        );
        this.passing = due.length > 0;
        await mapLimit(
          due,
          SYNC_CONCURRENCY,
          async (key) => {
            key.dirty = false;
            key.dueAt = undefined;
            await this.guard(`syncing cronjob/${key.name}`, () => this.syncKey(key), key);
          },
          stop,
        );
        await mapLimit(this.afterCreations.splice(0), SYNC_CONCURRENCY, (write) => write());
        // The jobs of a slot are driven once the slot's jobs all exist, a few runners starting at
        // a time in the background: starting hundreds of runners at once (their reads, writes
        // and engine calls) made the last CronJobs of a busy slot, and the next slot, seconds late.
        this.passing = false;
        this.toDrive.push(...this.createdThisPass.splice(0));
        this.driveQueued(stop);
        if (this.rescanPending || [...this.keys.values()].some((k) => k.dirty)) continue;
        const after = this.deps.clock.now().getTime();
        let next: number | undefined;
        for (const k of this.keys.values()) {
          if (k.dueAt !== undefined && (next === undefined || k.dueAt < next)) next = k.dueAt;
        }
        const ms = next === undefined ? undefined : Math.max(0, next - after);
        this.observer.idle?.(ms);
        await this.wakeup.wait(ms, stop);
      }
    } finally {
      unwatch();
      await this.leaveAll();
      await heartbeat;
    }
  }

  private async guard(what: string, fn: () => Promise<void>, key?: Key): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.observer.warning?.(`${what}: ${(err as Error).message}`);
      if (key) this.retryLater(key);
    }
  }

  private retryLater(key: Key): void {
    const ms = key.backoffMs === undefined ? RETRY_BASE_MS : Math.min(key.backoffMs * 2, RETRY_CAP_MS);
    key.backoffMs = ms;
    key.dueAt = this.deps.clock.now().getTime() + ms;
  }

  private async heartbeats(stop: AbortSignal): Promise<void> {
    const every = this.options.heartbeatMs ?? 10_000;
    while (!stop.aborted) {
      await this.deps.clock.sleep(every, stop);
      if (stop.aborted) break;
      await Promise.all([...this.driving.values()].map((d) => d.lease.renew().catch(() => undefined)));
    }
  }

  /** Notices created, changed and removed CronJobs, and pokes. */
  private async rescan(): Promise<void> {
    const cronJobs = await this.deps.cronStore.listCronJobs();
    const seen = new Set<string>();
    for (const cj of cronJobs) {
      const name = cj.metadata.name;
      seen.add(name);
      const fingerprint = JSON.stringify([
        cj.metadata.uid,
        cj.metadata.labels,
        cj.metadata.annotations,
        cj.spec,
      ]);
      const key = this.keys.get(name);
      if (!key) {
        this.keys.set(name, { name, cronJob: cj, fingerprint, dirty: true });
        continue;
      }
      key.cronJob = cj;
      if (key.fingerprint !== fingerprint) {
        // Any edit syncs at once, a schedule edit too (deviation 5 in docs/deviations.md: edits take effect at once).
        key.fingerprint = fingerprint;
        key.dirty = true;
        key.backoffMs = undefined;
      }
    }
    for (const name of [...this.keys.keys()]) if (!seen.has(name)) this.keys.delete(name);
    for (const name of await this.deps.cronStore.takePokes()) {
      const key = this.keys.get(name);
      if (key) key.dirty = true;
    }
    await this.refreshJobs();
    await this.collectOrphans(cronJobs);
  }

  /** Reads every job again (summaries where the store keeps them). */
  private async refreshJobs(): Promise<void> {
    const all = await this.deps.store.listJobSummaries();
    this.jobs.clear();
    this.childrenOf.clear();
    for (const s of all) this.indexJob(s);
    // Deletions that have completed no longer need hiding.
    const present = new Set(all.map((s) => s.job.metadata.uid ?? s.job.metadata.name));
    for (const id of [...this.deleting]) if (!present.has(id)) this.deleting.delete(id);
  }

  private indexJob(s: JobSummary): void {
    const name = s.job.metadata.name;
    this.jobs.set(name, { job: s.job });
    const parent = parentCronJobName(s.job);
    if (parent === undefined) return;
    let names = this.childrenOf.get(parent);
    if (!names) this.childrenOf.set(parent, (names = new Set()));
    names.add(name);
  }

  private unindexJob(name: string): void {
    const s = this.jobs.get(name);
    if (!s) return;
    this.jobs.delete(name);
    const parent = parentCronJobName(s.job);
    if (parent !== undefined) this.childrenOf.get(parent)?.delete(name);
    this.deleting.delete(s.job.metadata.uid ?? name);
  }

  /** Kubernetes' garbage collector: jobs whose owning CronJob is gone go with it. */
  private async collectOrphans(cronJobs: CronJob[]): Promise<void> {
    const byName = new Map(cronJobs.map((c) => [c.metadata.name, c]));
    for (const state of [...this.jobs.values()]) {
      const ref = ownerCronJobRef(state.job);
      if (!ref) continue;
      const owner = byName.get(ref.name);
      const gone =
        !owner ||
        (ref.uid !== undefined && owner.metadata.uid !== undefined && ref.uid !== owner.metadata.uid);
      if (gone && !this.deleting.has(state.job.metadata.uid ?? state.job.metadata.name)) {
        await this.deleteJob(state.job.metadata.name).catch((err: Error) =>
          this.observer.warning?.(
            `deleting job ${state.job.metadata.name} of a deleted cronjob: ${err.message}`,
          ),
        );
      }
    }
  }

  /**
   * A CronJob's children, from the index. A child that is unfinished and driven by another
   * process changes without this daemon seeing it: that one is read again.
   */
  private async children(name: string): Promise<JobSummary[]> {
    const out: JobSummary[] = [];
    for (const jobName of [...(this.childrenOf.get(name) ?? [])]) {
      let s = this.jobs.get(jobName);
      if (!s) continue;
      // (One this daemon created whose runner has not started yet is as it was created: only a
      // deletion could change it, and `tjob delete` pokes the daemon, which reads everything again.)
      if (!isFinished(s.job) && !this.driving.has(jobName) && !this.runnerPending.has(jobName)) {
        const fresh = await this.deps.store.loadJobSummary(jobName);
        if (!fresh) {
          this.unindexJob(jobName);
          continue;
        }
        this.indexJob(fresh);
        s = fresh;
      }
      if (this.deleting.has(s.job.metadata.uid ?? jobName)) continue;
      out.push(s);
    }
    return out;
  }

  private async syncKey(key: Key): Promise<void> {
    const cronJob = key.cronJob;
    const children = await this.children(key.name);
    const drivenElsewhere = await this.driveUndriven(children);

    const now = this.deps.clock.now();
    const newUid = this.deps.newUid();
    const input = {
      cronJob,
      jobs: children.map((s) => s.job as Job),
      now,
      timeZone: this.deps.localTimeZone,
      newJobUid: newUid,
    };
    const first = syncCronJob(input);
    const failures: SyncFailures = {};
    for (const d of first.delete) {
      try {
        await this.deleteJob(d.name);
      } catch (err) {
        (failures.delete ??= {})[d.name] = (err as Error).message;
      }
    }
    // Replace aborted by a failed deletion must not create.
    const replaceFailed = first.delete.some(
      (d) => d.reason === 'Replace' && failures.delete?.[d.name] !== undefined,
    );
    let created: string | undefined;
    let createdAt: Date | undefined;
    if (first.create && !replaceFailed) {
      try {
        await this.createJob(first.create, newUid, now);
        created = first.create.metadata.name;
        createdAt = this.deps.clock.now();
      } catch (err) {
        if (err instanceof ConflictError) {
          const existing = await this.deps.store.loadJob(first.create.metadata.name);
          failures.create = existing ? { alreadyExists: existing.job } : { error: err.message };
        } else {
          failures.create = { error: (err as Error).message };
        }
      }
    }
    const result: SyncCronJobResult =
      failures.delete !== undefined || failures.create !== undefined
        ? syncCronJob({ ...input, failures })
        : first;

    // The status is this daemon's from now on; the file follows once the pass's jobs exist.
    if (result.statusChanged) key.cronJob = { ...cronJob, status: result.status };
    const events = this.storedEvents(key.name, result.events, now);
    for (const e of events) this.observer.cronEvent?.(key.name, e);
    this.afterCreations.push(() => this.persistSync(key, cronJob.metadata.uid, result, events));

    const warningText = result.warnings.join('; ');
    if (warningText !== '' && key.warned !== key.fingerprint) {
      for (const w of result.warnings) this.observer.warning?.(`cronjob/${key.name}: ${w}`);
    }
    key.warned = key.fingerprint;

    if (created !== undefined) {
      this.observer.created?.(key.name, created, first.scheduledTime, createdAt ?? now);
      this.createdThisPass.push({ name: created, owner: key.name });
      this.runnerPending.add(created);
    }
    if (result.adopt !== undefined) {
      const adopted = await this.deps.store.loadJob(result.adopt);
      if (adopted && !isFinished(adopted.job) && !(await this.deps.store.jobLeaseHolder(result.adopt))) {
        await this.drive(result.adopt, true, key.name);
      }
    }

    let dueAt = result.requeueAfterMs === undefined ? undefined : now.getTime() + result.requeueAfterMs;
    if (result.error !== undefined) {
      this.observer.warning?.(`cronjob/${key.name}: ${result.error}`);
      this.retryLater(key);
      dueAt = key.dueAt;
    } else {
      key.backoffMs = undefined;
    }
    // Deviation 3: finished jobs with a TTL are deleted by whichever tjob runs when it expires.
    const ttlDue = await this.expireFinished(children, now);
    if (ttlDue !== undefined && (dueAt === undefined || ttlDue < dueAt)) dueAt = ttlDue;
    // The end of a job another process drives is not announced to this one: look every second
    // while there is such a job (rare: a job resumed by hand while no daemon ran).
    if (drivenElsewhere) {
      const soon = now.getTime() + ELSEWHERE_CHECK_MS;
      if (dueAt === undefined || soon < dueAt) dueAt = soon;
    }
    key.dueAt = dueAt;
  }

  /** Writes a sync's status and events (after the pass's creations). */
  private async persistSync(
    key: Key,
    uid: string | undefined,
    result: SyncCronJobResult,
    events: StoredEvent[],
  ): Promise<void> {
    try {
      if (result.statusChanged) {
        const written = await this.deps.cronStore.commitCronJobStatus(key.name, uid, result.status);
        // Deleted or re-created meanwhile: look again.
        if (!written) this.rescanPending = true;
      }
      if (events.length > 0) await this.deps.cronStore.appendCronJobEvents(key.name, events);
    } catch (err) {
      // The status on disk is behind the one in memory: read it again, and sync again later.
      this.observer.warning?.(`recording the status of cronjob/${key.name}: ${(err as Error).message}`);
      this.rescanPending = true;
      this.retryLater(key);
    }
  }

  private storedEvents(name: string, events: CronJobEvent[], now: Date): StoredEvent[] {
    const t = rfc3339(now);
    return events.map((e) => ({
      type: e.type,
      reason: e.reason,
      message: e.message,
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      source: 'cronjob-controller',
      involvedObject: `CronJob/${name}`,
    }));
  }

  /** Deletes finished jobs whose ttlSecondsAfterFinished expired; returns when the next one expires. */
  private async expireFinished(children: JobSummary[], now: Date): Promise<number | undefined> {
    let next: number | undefined;
    for (const s of children) {
      const at = ttlExpiry(s.job);
      if (at === undefined) continue;
      if (at <= now.getTime()) {
        await this.deleteJob(s.job.metadata.name).catch((err: Error) =>
          this.observer.warning?.(`deleting expired job ${s.job.metadata.name}: ${err.message}`),
        );
      } else if (next === undefined || at < next) {
        next = at;
      }
    }
    return next;
  }

  /** The child job as the API server stores it: defaulted, with its uid and generated selector. */
  private async createJob(fromTemplate: Job, uid: string, now: Date): Promise<void> {
    const stored = jobAsCreated(defaultJob(fromTemplate), uid, now);
    this.configSnapshot ??= storedConfigData(this.deps.store);
    const config = await this.configSnapshot;
    const network = this.options.network;
    await this.deps.store.createJob(stored, network === undefined ? config : { ...config, network });
    this.indexJob({ job: stored });
  }

  /**
   * Background deletion (Kubernetes' propagation policy of the CronJob controller): a job some
   * process drives is asked to delete itself (its runner stops the pods within their grace period
   * and removes everything); one that nobody drives is removed here. Either way the controller no
   * longer sees it.
   */
  private async deleteJob(name: string): Promise<void> {
    const state = await this.deps.store.loadJob(name);
    if (!state) {
      this.unindexJob(name);
      return;
    }
    const id = state.job.metadata.uid ?? name;
    if (isFinished(state.job)) {
      // Its runner is done with it (or about to be): nothing to stop, remove it here.
      await this.driving.get(name)?.done;
    }
    const holder = isFinished(state.job)
      ? false
      : this.driving.has(name) || (await this.deps.store.jobLeaseHolder(name)) !== undefined;
    if (holder) {
      await this.deps.store.requestJobChange(name, { delete: true, from: this.options.command });
      this.deleting.add(id);
      return;
    }
    this.deleting.add(id);
    try {
      await this.deps.deleteUndrivenJob(state);
    } catch (err) {
      this.deleting.delete(id);
      throw err;
    }
    this.unindexJob(name);
  }

  /**
   * Drives the unfinished children nobody drives (left by a stopped daemon, handed over by `cron
   * trigger`). Returns whether another live process drives one of them.
   */
  private async driveUndriven(children: JobSummary[]): Promise<boolean> {
    let elsewhere = false;
    for (const s of children) {
      const name = s.job.metadata.name;
      // (Created by this daemon, its runner not started yet: not a job to adopt.)
      if (isFinished(s.job) || this.driving.has(name) || this.runnerPending.has(name)) continue;
      if (await this.deps.store.jobLeaseHolder(name)) {
        elsewhere = true;
        continue;
      }
      await this.drive(name, true, ownerCronJobRef(s.job)?.name);
    }
    return elsewhere;
  }

  /** Starts the runners of created jobs, DRIVE_CONCURRENCY at a time, without holding the loop. */
  private driveQueued(stop: AbortSignal): void {
    while (
      !this.passing &&
      this.drivesStarting < DRIVE_CONCURRENCY &&
      this.toDrive.length > 0 &&
      !stop.aborted
    ) {
      const { name, owner } = this.toDrive.shift()!;
      this.drivesStarting++;
      void this.guard(`starting job.batch/${name}`, async () => {
        try {
          await this.drive(name, false, owner);
        } finally {
          this.runnerPending.delete(name);
        }
        await this.driving.get(name)?.started;
      }).finally(() => {
        this.drivesStarting--;
        this.driveQueued(stop);
      });
    }
  }

  private async drive(name: string, adopted: boolean, owner: string | undefined): Promise<void> {
    if (this.driving.has(name)) return;
    const lease = await this.deps.store.acquireJobLease(name, this.options.command);
    if (!('renew' in lease)) return; // another process took it meanwhile: it drives the job
    if (this.leaving) {
      // The daemon stopped while this runner was being started: the job is left to the next one
      // (leaveAll has already told every runner to leave; this one would never be told).
      await lease.release().catch(() => undefined);
      return;
    }
    const leave = new AbortController();
    let markStarted = () => undefined as void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const entry: Driven = { lease, leave, owner, done: Promise.resolve(), started };
    this.driving.set(name, entry);
    this.observer.driving?.(name, adopted);
    entry.done = this.runJob(name, entry, markStarted).finally(async () => {
      markStarted();
      this.driving.delete(name);
      await lease.release().catch(() => undefined);
      // A job's end is a change of its CronJob (Forbid's late start, SawCompletedJob, cleanup).
      if (owner !== undefined && !leave.signal.aborted) {
        const key = this.keys.get(owner);
        if (key) key.dirty = true;
        this.wakeup.notify();
      }
    });
  }

  private async runJob(name: string, entry: Driven, onFirstPass: () => void): Promise<void> {
    try {
      const state = await this.deps.store.loadJob(name);
      if (!state) return;
      try {
        const warnings = await this.deps.runtime.ensureImages(imagesOf([state.job]));
        for (const w of warnings) this.observer.warning?.(`job.batch/${name}: ${w}`);
      } catch (err) {
        // The runner's pod creation fails and retries (FailedCreate), as a kubelet's pull would.
        this.observer.warning?.(`job.batch/${name}: ${(err as Error).message}`);
      }
      const config = await this.deps.store.loadJobConfig(name);
      const runner = new JobRunner(
        { store: this.deps.store, runtime: this.deps.runtime, clock: this.deps.clock },
        name,
        {
          backoffBaseMs: this.options.backoffBaseMs,
          backoffCapMs: this.options.backoffCapMs,
          keepContainers: this.options.keepContainers,
          config,
          random: this.deps.random,
          newUid: this.deps.newUid,
        },
        this.indexingObserver(onFirstPass),
      );
      const { end, state: last } = await runner.run(undefined, entry.leave.signal);
      if (end === 'Deleted') this.unindexJob(name);
      else this.indexJob(last);
      this.observer.ended?.(name, end, last);
    } catch (err) {
      if (entry.leave.signal.aborted) return; // left for the next daemon
      this.observer.warning?.(`job.batch/${name}: ${(err as Error).message}`);
    }
  }

  /** The runners' observer, with every recorded change of a job also kept in the index. */
  private indexingObserver(onIdle: () => void): JobRunObserver {
    const runner = this.observer.runner ?? {};
    return {
      ...runner,
      changed: (state) => {
        this.indexJob(state);
        runner.changed?.(state);
      },
      idle: (ms) => {
        onIdle();
        runner.idle?.(ms);
      },
    };
  }

  /** Stop: every runner leaves where it is (containers keep running), leases are released. */
  private async leaveAll(): Promise<void> {
    this.leaving = true;
    const all = [...this.driving.values()];
    for (const d of all) d.leave.abort();
    const timeout = new AbortController();
    await Promise.race([
      Promise.all(all.map((d) => d.done.catch(() => undefined))),
      this.deps.clock.sleep(LEAVE_WAIT_MS, timeout.signal),
    ]);
    timeout.abort();
    await Promise.all(all.map((d) => d.lease.release().catch(() => undefined)));
  }
}
