// The scheduler daemon behind `tjob cron start` (docs/cronjob.md §3.2, §7): one loop over every
// stored CronJob, composed of
//   - cron-queue.ts: which CronJobs are due (a work queue with back-off);
//   - job-index.ts: their jobs as last seen (an informer cache by owning CronJob);
//   - cron-sync.ts: one sync (the pure controller of src/controller/cron, carried out);
//   - job-control.ts: creating and deleting jobs (background deletion);
//   - runner-pool.ts: driving the jobs under their leases (the Job controller's part);
//   - ttl-after-finished.ts and orphan-collection.ts: the TTL and garbage collectors' parts.
// The loop sleeps until the first CronJob is due, or until something changes: one of its jobs
// ends, or a CronJob is applied, deleted or poked (noticed through the CronJobStore's watch). No
// polling between slots.
//
// Stopping (the `stop` signal): the jobs keep their containers; each runner leaves where it is and
// its lease is released, so the next daemon adopts the jobs (unfinished children with no live
// lease holder are driven again, and the runner adopts their containers).

import type { Job } from '../api/k8s.js';
import { mapLimit } from '../api/map-limit.js';
import type { SyncCronJobResult } from '../controller/cron/index.js';
import type { CronJobStore } from '../ports/cron-store.js';
import type { RuntimeKind } from '../ports/pod-runtime.js';
import type { StoredEvent, StoredJob } from '../ports/state-store.js';
import { CronQueue, type CronKey } from './cron-queue.js';
import { cronJobEvents, syncAndCarryOut } from './cron-sync.js';
import { CronJobControl } from './job-control.js';
import { JobIndex } from './job-index.js';
import { collectOrphans } from './orphan-collection.js';
import {
  RunnerPool,
  type RunnerPoolDeps,
  type RunnerPoolObserver,
  type RunnerPoolOptions,
} from './runner-pool.js';
import { deleteExpired } from './ttl-after-finished.js';
import { Wakeup } from './wakeup.js';

/** How many due CronJobs are synced at once. */
const SYNC_CONCURRENCY = 32;
/** How often the end of a job another process drives is looked for (its end is not announced here). */
const ELSEWHERE_CHECK_MS = 1000;

export interface CronDaemonDeps extends RunnerPoolDeps {
  cronStore: CronJobStore;
  /** The zone of a CronJob without spec.timeZone (the machine's, deviation 6 in docs/deviations.md). */
  localTimeZone: string;
  /** Removes a job that no process drives: its containers, records and logs. */
  deleteUndrivenJob(state: StoredJob): Promise<void>;
}

export interface CronDaemonOptions extends RunnerPoolOptions {
  /** The Docker network the pods of the jobs it creates join (`tjob cron start --network`). */
  network?: string;
  /** The runtime the jobs it creates run on (`tjob cron start --runtime`); absent: Docker. */
  runtime?: RuntimeKind;
}

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

export class CronDaemon {
  private readonly wakeup: Wakeup;
  private readonly queue: CronQueue;
  private readonly index: JobIndex;
  private readonly runners: RunnerPool;
  private readonly jobs: CronJobControl;
  private rescanPending = true;
  /**
   * The status and event writes of this pass's syncs, done once every due CronJob has its job:
   * they are not what a slot waits for, and done in between they made the last jobs of a busy
   * slot later by a third.
   */
  private readonly afterCreations: (() => Promise<void>)[] = [];

  constructor(
    private readonly deps: CronDaemonDeps,
    options: CronDaemonOptions,
    private readonly observer: CronDaemonObserver = {},
  ) {
    this.wakeup = new Wakeup(deps.clock);
    this.queue = new CronQueue(deps.clock);
    this.index = new JobIndex(deps.store);
    this.runners = new RunnerPool(deps, options, this.index, observer, (owner) => {
      // A job's end is a change of its CronJob (Forbid's late start, SawCompletedJob, cleanup).
      this.queue.markDirty(owner);
      this.wakeup.notify();
    });
    this.jobs = new CronJobControl({
      store: deps.store,
      index: this.index,
      runners: this.runners,
      deleteUndrivenJob: deps.deleteUndrivenJob,
      command: options.command,
      ...(options.network === undefined ? {} : { network: options.network }),
      ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
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
        this.jobs.newPass();
        // The CronJobs due now are synced SYNC_CONCURRENCY at a time: each is its own key (one
        // sync per CronJob at once), and a slot shared by hundreds of CronJobs must not queue them
        // behind each other's file writes.
        const due = this.queue.due(this.deps.clock.now().getTime());
        // The jobs of a slot are driven once the slot's jobs all exist (creations first).
        if (due.length > 0) this.runners.pause();
        await mapLimit(
          due,
          SYNC_CONCURRENCY,
          async (key) => {
            this.queue.take(key);
            await this.guard(`syncing cronjob/${key.name}`, () => this.syncKey(key), key);
          },
          stop,
        );
        await mapLimit(this.afterCreations.splice(0), SYNC_CONCURRENCY, (write) => write());
        this.runners.resume(stop);
        if (this.rescanPending || this.queue.anyDirty()) continue;
        const ms = this.queue.nextDelay(this.deps.clock.now().getTime());
        this.observer.idle?.(ms);
        await this.wakeup.wait(ms, stop);
      }
    } finally {
      unwatch();
      await this.runners.leaveAll();
      await heartbeat;
    }
  }

  private async guard(what: string, fn: () => Promise<void>, key?: CronKey): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.observer.warning?.(`${what}: ${(err as Error).message}`);
      if (key) this.queue.retryLater(key);
    }
  }

  /** Notices created, changed and removed CronJobs, and pokes; reads every job again. */
  private async rescan(): Promise<void> {
    const cronJobs = await this.deps.cronStore.listCronJobs();
    this.queue.update(cronJobs);
    for (const name of await this.deps.cronStore.takePokes()) this.queue.markDirty(name);
    await this.index.relist();
    await collectOrphans(this.index.all(), cronJobs, {
      isDeleting: (job) => this.index.isDeleting(job),
      deleteJob: (name) => this.jobs.deleteJob(name),
      warning: (m) => this.observer.warning?.(m),
    });
  }

  private async syncKey(key: CronKey): Promise<void> {
    const cronJob = key.cronJob;
    // (A job this daemon created whose runner has not started yet is as it was created: only a
    // deletion could change it, and `tjob delete` pokes the daemon, which reads everything again.)
    const children = await this.index.children(key.name, (job) => this.runners.drivesHere(job));
    const drivenElsewhere = await this.runners.adoptUndriven(children);

    const now = this.deps.clock.now();
    const { result, created } = await syncAndCarryOut(
      {
        cronJob,
        jobs: children.map((s) => s.job as Job),
        now,
        timeZone: this.deps.localTimeZone,
        newJobUid: this.deps.newUid(),
      },
      this.jobs,
      this.deps.clock,
    );

    // The status is this daemon's from now on; the file follows once the pass's jobs exist.
    if (result.statusChanged) key.cronJob = { ...cronJob, status: result.status };
    const events = cronJobEvents(key.name, result.events, now);
    for (const e of events) this.observer.cronEvent?.(key.name, e);
    this.afterCreations.push(() => this.persistSync(key, cronJob.metadata.uid, result, events));

    if (result.warnings.length > 0 && key.warned !== key.fingerprint) {
      for (const w of result.warnings) this.observer.warning?.(`cronjob/${key.name}: ${w}`);
    }
    key.warned = key.fingerprint;

    if (created !== undefined) {
      this.observer.created?.(key.name, created.name, created.scheduledTime, created.at);
      this.runners.enqueue(created.name, key.name);
    }
    if (result.adopt !== undefined) await this.runners.adopt(result.adopt, key.name);

    let next: number | undefined;
    if (result.error !== undefined) {
      this.observer.warning?.(`cronjob/${key.name}: ${result.error}`);
      next = this.queue.retryLater(key);
    } else {
      this.queue.forget(key);
      if (result.requeueAfterMs !== undefined) next = now.getTime() + result.requeueAfterMs;
    }
    // Deviation 3: finished jobs with a TTL are deleted by whichever tjob runs when it expires.
    const nextExpiry = await deleteExpired(
      children.map((s) => s.job),
      now,
      { deleteJob: (name) => this.jobs.deleteJob(name), warning: (m) => this.observer.warning?.(m) },
    );
    // The end of a job another process drives is not announced to this one: look every second
    // while there is such a job (rare: a job resumed by hand while no daemon ran).
    const elsewhereCheck = drivenElsewhere ? now.getTime() + ELSEWHERE_CHECK_MS : undefined;
    this.queue.requeueAt(key, next, nextExpiry, elsewhereCheck);
  }

  /** Writes a sync's status and events (after the pass's creations). */
  private async persistSync(
    key: CronKey,
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
      this.queue.retryLater(key);
    }
  }
}
