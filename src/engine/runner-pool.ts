// The cron daemon's job runners: one JobRunner (the Job controller and its pods) per job the daemon
// drives, each under the job's lease so that one process at a time drives a job, their leases kept
// fresh, and their starts paced. In Kubernetes the Job controller runs apart from the CronJob
// controller and picks up every job the moment it exists; here the daemon is both, so the jobs it
// creates are handed to this pool, and the unfinished jobs nobody drives (left by a stopped daemon,
// handed over by `tjob cron trigger`) are adopted: the runner adopts their containers.
//
// Leaving (the daemon stops): every runner stops where it is, the containers keep running, the
// leases are released, and the next daemon adopts the jobs.

import { isFinished, ownerCronJobRef } from '../controller/cron/index.js';
import type { Clock } from '../ports/clock.js';
import type { PodRuntime } from '../ports/pod-runtime.js';
import type { JobSummary, Lease, StateStore, StoredJob } from '../ports/state-store.js';
import { imagesOf } from './images.js';
import type { JobIndex } from './job-index.js';
import { JobRunner, type JobRunObserver, type RunEnd } from './job-runner.js';

/** How many runners of newly created jobs start at once (each reads its job, asks the engine). */
const START_CONCURRENCY = 8;
/** How long leaving waits for the runners to stop before releasing their leases anyway. */
const LEAVE_WAIT_MS = 10_000;

export interface RunnerPoolDeps {
  store: StateStore;
  runtime: PodRuntime;
  clock: Clock;
  newUid: () => string;
  random: () => number;
}

export interface RunnerPoolOptions {
  backoffBaseMs: number;
  backoffCapMs: number;
  keepContainers: boolean;
  /** Names this process in job leases and requests (`tjob cron start (pid 42)`). */
  command: string;
  /** Lease heartbeat period (default 10 s). */
  heartbeatMs?: number;
}

export interface RunnerPoolObserver {
  /** This process started driving a job (adopted: one a previous process had started). */
  driving?(job: string, adopted: boolean): void;
  /** A job this process drove reached its end. */
  ended?(job: string, end: RunEnd, state: StoredJob): void;
  /** A problem starting or running a job. */
  warning?(message: string): void;
  /** The job runners' own observer (job events, pod logs, progress). */
  runner?: JobRunObserver;
}

interface Driven {
  lease: Lease;
  leave: AbortController;
  done: Promise<void>;
  /** Resolves when the runner has made its first pass (or ended). */
  started: Promise<void>;
}

export class RunnerPool {
  private readonly driving = new Map<string, Driven>();
  /** Created jobs waiting for their runner, in order, and how many runners are being started. */
  private readonly toStart: { name: string; owner: string }[] = [];
  private starting = 0;
  /** The names in toStart and those being started. */
  private readonly pending = new Set<string>();
  /** Runners wait to start (the daemon is creating a slot's jobs: creations first). */
  private paused = false;
  /** Leaving: no runner starts any more. */
  private leaving = false;

  /**
   * `index` learns every change the runners record; `jobEnded` is told of the end of a job of
   * `owner` (not of one left behind when leaving).
   */
  constructor(
    private readonly deps: RunnerPoolDeps,
    private readonly options: RunnerPoolOptions,
    private readonly index: Pick<JobIndex, 'put' | 'remove'>,
    private readonly observer: RunnerPoolObserver = {},
    private readonly jobEnded: (owner: string) => void = () => undefined,
  ) {}

  /** Names of the jobs driven now. */
  drivenJobs(): string[] {
    return [...this.driving.keys()];
  }

  isDriving(name: string): boolean {
    return this.driving.has(name);
  }

  /**
   * Whether this process drives the job, or will once its runner starts. Such a job changes only
   * through this process (a job created here whose runner has not started is as it was created).
   */
  drivesHere(name: string): boolean {
    return this.driving.has(name) || this.pending.has(name);
  }

  /** Resolves when the job's runner, if there is one, has ended. */
  async runnerDone(name: string): Promise<void> {
    await this.driving.get(name)?.done;
  }

  /** A job created by this process: its runner starts when its turn comes (see `resume`). */
  enqueue(name: string, owner: string): void {
    this.toStart.push({ name, owner });
    this.pending.add(name);
  }

  /** Holds the queued starts (while the daemon creates a slot's jobs). */
  pause(): void {
    this.paused = true;
  }

  /**
   * Starts the queued runners, START_CONCURRENCY at a time, in the background: starting hundreds
   * at once (their reads, writes and engine calls) made the last CronJobs of a busy slot, and the
   * next slot, seconds late.
   */
  resume(stop: AbortSignal): void {
    this.paused = false;
    this.startQueued(stop);
  }

  private startQueued(stop: AbortSignal): void {
    while (!this.paused && this.starting < START_CONCURRENCY && this.toStart.length > 0 && !stop.aborted) {
      const { name, owner } = this.toStart.shift()!;
      this.starting++;
      void (async () => {
        try {
          await this.drive(name, false, owner);
        } finally {
          this.pending.delete(name);
        }
        await this.driving.get(name)?.started;
      })()
        .catch((err: Error) => this.observer.warning?.(`starting job.batch/${name}: ${err.message}`))
        .finally(() => {
          this.starting--;
          this.startQueued(stop);
        });
    }
  }

  /**
   * Drives the unfinished jobs among `jobs` that nobody drives (those a live process holds the
   * lease of are left to it). Returns whether another live process drives one of them.
   */
  async adoptUndriven(jobs: JobSummary[]): Promise<boolean> {
    let elsewhere = false;
    for (const s of jobs) {
      const name = s.job.metadata.name;
      if (isFinished(s.job) || this.drivesHere(name)) continue;
      if (await this.deps.store.jobLeaseHolder(name)) {
        elsewhere = true;
        continue;
      }
      await this.drive(name, true, ownerCronJobRef(s.job)?.name);
    }
    return elsewhere;
  }

  /** Drives the stored job if it is unfinished and nobody drives it (the controller's adoption). */
  async adopt(name: string, owner: string): Promise<void> {
    const stored = await this.deps.store.loadJob(name);
    if (stored && !isFinished(stored.job) && !(await this.deps.store.jobLeaseHolder(name))) {
      await this.drive(name, true, owner);
    }
  }

  /** Takes the job's lease and runs it to its end (or until leaving); nothing if another process holds it. */
  async drive(name: string, adopted: boolean, owner: string | undefined): Promise<void> {
    if (this.driving.has(name)) return;
    const lease = await this.deps.store.acquireJobLease(name, this.options.command);
    if (!('renew' in lease)) return; // another process took it meanwhile: it drives the job
    if (this.leaving) {
      // Leaving began while this runner was being started: the job is left to the next daemon
      // (leaveAll has already told every runner to leave; this one would never be told).
      await lease.release().catch(() => undefined);
      return;
    }
    const leave = new AbortController();
    let markStarted = () => undefined as void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const entry: Driven = { lease, leave, done: Promise.resolve(), started };
    this.driving.set(name, entry);
    this.observer.driving?.(name, adopted);
    entry.done = this.runJob(name, entry, markStarted).finally(async () => {
      markStarted();
      this.driving.delete(name);
      await lease.release().catch(() => undefined);
      // A job's end is a change of its CronJob (Forbid's late start, SawCompletedJob, cleanup).
      if (owner !== undefined && !leave.signal.aborted) this.jobEnded(owner);
    });
  }

  private async runJob(name: string, entry: Driven, onFirstPass: () => void): Promise<void> {
    try {
      const state = await this.deps.store.loadJob(name);
      if (!state) return;
      const config = await this.deps.store.loadJobConfig(name);
      try {
        const warnings = await this.deps.runtime.ensureImages(
          imagesOf([{ job: state.job, secrets: config.secrets }]),
        );
        for (const w of warnings) this.observer.warning?.(`job.batch/${name}: ${w}`);
      } catch (err) {
        // The runner's pod creation fails and retries (FailedCreate), as a kubelet's pull would.
        this.observer.warning?.(`job.batch/${name}: ${(err as Error).message}`);
      }
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
      if (end === 'Deleted') this.index.remove(name);
      else this.index.put(last);
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
        this.index.put(state);
        runner.changed?.(state);
      },
      idle: (ms) => {
        onIdle();
        runner.idle?.(ms);
      },
    };
  }

  /** Renews the leases of the driven jobs every heartbeat period until `stop`. */
  async heartbeats(stop: AbortSignal): Promise<void> {
    const every = this.options.heartbeatMs ?? 10_000;
    while (!stop.aborted) {
      await this.deps.clock.sleep(every, stop);
      if (stop.aborted) break;
      await Promise.all([...this.driving.values()].map((d) => d.lease.renew().catch(() => undefined)));
    }
  }

  /** Every runner leaves where it is (containers keep running), and the leases are released. */
  async leaveAll(): Promise<void> {
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
