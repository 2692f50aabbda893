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
  syncCronJob,
  type CronJobEvent,
  type SyncCronJobResult,
  type SyncFailures,
} from '../controller/cron/index.js';
import { defaultJob } from '../manifest/index.js';
import type { CronJobStore } from '../ports/cron-store.js';
import type { StoredEvent, StoredJob } from '../ports/state-store.js';
import { storedConfigData } from './pod-plan.js';
import { Wakeup } from './wakeup.js';
import { deleteExpired } from './ttl-after-finished.js';
import { jobAsCreated } from './job-creation.js';
import { collectOrphans } from './orphan-collection.js';
import { JobIndex } from './job-index.js';
import {
  RunnerPool,
  type RunnerPoolDeps,
  type RunnerPoolObserver,
  type RunnerPoolOptions,
} from './runner-pool.js';

/** How many due CronJobs are synced at once. */
const SYNC_CONCURRENCY = 32;
export interface CronDaemonDeps extends RunnerPoolDeps {
  cronStore: CronJobStore;
  /** The zone of a CronJob without spec.timeZone (the machine's, deviation 6 in docs/deviations.md). */
  localTimeZone: string;
  /** Removes a job that no process drives: its containers, records and logs. */
  deleteUndrivenJob(state: StoredJob): Promise<void>;
}

export type CronDaemonOptions = RunnerPoolOptions;

export interface CronDaemonObserver extends RunnerPoolObserver {
  /** An event of a CronJob (SuccessfulCreate, JobAlreadyActive, ...), as recorded. */
  cronEvent?(cronJob: string, event: StoredEvent): void;
  /** A job was created for a slot (`scheduledTime`); `at` is when it was in the state directory. */
  created?(cronJob: string, job: string, scheduledTime: Date | undefined, at: Date): void;
  /** A configuration warning (printed once per CronJob spec) or a problem carrying something out. */
  warning?(message: string): void;
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

const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 5 * 60_000;
const ELSEWHERE_CHECK_MS = 1000;

export class CronDaemon {
  private readonly wakeup: Wakeup;
  private readonly index: JobIndex;
  private readonly runners: RunnerPool;
  private readonly keys = new Map<string, Key>();
  private rescanPending = true;
  /**
   * The status and event writes of this pass's syncs, done once every due CronJob has its job:
   * they are not what a slot waits for, and done in between they made the last jobs of a busy
   * slot later by a third.
   */
  private readonly afterCreations: (() => Promise<void>)[] = [];
  /** The ConfigMaps and Secrets new jobs snapshot, read once per pass of the loop. */
  private configSnapshot: ReturnType<typeof storedConfigData> | undefined;

  constructor(
    private readonly deps: CronDaemonDeps,
    private readonly options: CronDaemonOptions,
    private readonly observer: CronDaemonObserver = {},
  ) {
    this.wakeup = new Wakeup(deps.clock);
    this.index = new JobIndex(deps.store);
    this.runners = new RunnerPool(deps, options, this.index, observer, (owner) => {
      const key = this.keys.get(owner);
      if (key) key.dirty = true;
      this.wakeup.notify();
    });
  }

  /** Names of the jobs this daemon is driving now. */
  drivenJobs(): string[] {
    return this.runners.drivenJobs();
  }

  /** Look at every CronJob again (the store's watch calls this; tests may too). */
  notifyChange(): void {
    this.rescanPending = true;
    this.wakeup.notify();
  }

  /** Runs until `stop` aborts, then leaves every job it drives to the next daemon. */
  async run(stop: AbortSignal): Promise<void> {
    const unwatch = this.deps.cronStore.watchCronJobs(() => this.notifyChange());
    const heartbeat = this.runners.heartbeats(stop);
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
        if (due.length > 0) this.runners.pause();
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
        this.runners.resume(stop);
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
      await this.runners.leaveAll();
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
    await this.index.relist();
    await collectOrphans(this.index.all(), cronJobs, {
      isDeleting: (job) => this.index.isDeleting(job),
      deleteJob: (name) => this.deleteJob(name),
      warning: (m) => this.observer.warning?.(m),
    });
  }

  private async syncKey(key: Key): Promise<void> {
    const cronJob = key.cronJob;
    // (A job this daemon created whose runner has not started yet is as it was created: only a
    // deletion could change it, and `tjob delete` pokes the daemon, which reads everything again.)
    const children = await this.index.children(key.name, (job) => this.runners.drivesHere(job));
    const drivenElsewhere = await this.runners.adoptUndriven(children);

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
      this.runners.enqueue(created, key.name);
    }
    if (result.adopt !== undefined) await this.runners.adopt(result.adopt, key.name);

    let dueAt = result.requeueAfterMs === undefined ? undefined : now.getTime() + result.requeueAfterMs;
    if (result.error !== undefined) {
      this.observer.warning?.(`cronjob/${key.name}: ${result.error}`);
      this.retryLater(key);
      dueAt = key.dueAt;
    } else {
      key.backoffMs = undefined;
    }
    // Deviation 3: finished jobs with a TTL are deleted by whichever tjob runs when it expires.
    const nextExpiry = await deleteExpired(
      children.map((s) => s.job),
      now,
      { deleteJob: (name) => this.deleteJob(name), warning: (m) => this.observer.warning?.(m) },
    );
    if (nextExpiry !== undefined && (dueAt === undefined || nextExpiry < dueAt)) dueAt = nextExpiry;
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

  /** The child job as the API server stores it: defaulted, with its uid and generated selector. */
  private async createJob(fromTemplate: Job, uid: string, now: Date): Promise<void> {
    const stored = jobAsCreated(defaultJob(fromTemplate), uid, now);
    this.configSnapshot ??= storedConfigData(this.deps.store);
    await this.deps.store.createJob(stored, await this.configSnapshot);
    this.index.put({ job: stored });
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
      this.index.remove(name);
      return;
    }
    if (isFinished(state.job)) {
      // Its runner is done with it (or about to be): nothing to stop, remove it here.
      await this.runners.runnerDone(name);
    }
    const holder = isFinished(state.job)
      ? false
      : this.runners.isDriving(name) || (await this.deps.store.jobLeaseHolder(name)) !== undefined;
    if (holder) {
      await this.deps.store.requestJobChange(name, { delete: true, from: this.options.command });
      this.index.markDeleting(state.job);
      return;
    }
    this.index.markDeleting(state.job);
    try {
      await this.deps.deleteUndrivenJob(state);
    } catch (err) {
      this.index.unmarkDeleting(state.job);
      throw err;
    }
    this.index.remove(name);
  }
}
