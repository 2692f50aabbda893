// A tiny fake-clock world for multi-step scenarios: it applies syncJob's actions to an in-memory
// pod list (create → Running, scripted exits, deletes → terminating then Failed 143) and calls
// syncJob again at the next interesting instant (requeueAfterMs or the next scripted event).

import type { Job, JobSpec } from '../../../../src/api/k8s.js';
import { isJobFinished } from '../../../../src/controller/job/conditions.js';
import { syncJob } from '../../../../src/controller/job/sync.js';
import type { BackoffRecord, JobEvent, PodView, SyncOptions } from '../../../../src/controller/job/types.js';
import { T0, defaultOptions } from './builders.js';

export interface PodScript {
  /** Milliseconds from start to the exit; undefined = runs until deleted. */
  runMs?: number;
  /** Exit code of the main container (Never) or of every run (OnFailure). */
  exitCode?: number;
  /** OnFailure: exit codes of successive runs (last one repeats). */
  runs?: number[];
  /** Extra terminated containers reported with the exit. */
  containers?: { name: string; exitCode: number; init?: boolean }[];
  /** Milliseconds from a deletion request to the exit (default 1000). */
  graceMs?: number;
  /** Milliseconds spent Pending before running (default 0); Infinity = never starts. */
  pendingMs?: number;
}

export interface CreatedPod {
  name: string;
  index?: number;
  atMs: number;
  indexFailureCount?: number;
  indexIgnoredFailureCount?: number;
}

interface SimPod {
  view: PodView;
  script: PodScript;
  /** Absolute ms of the next scripted transition. */
  nextAt?: number;
  next?: 'start' | 'exit' | 'restart' | 'terminated';
  /** Exit code forced by scheduleExit. */
  forcedCode?: number;
  run: number;
}

export type Scripter = (info: { ordinal: number; index?: number; attempt: number; sim: Sim }) => PodScript;

export class Sim {
  job: Job;
  pods: SimPod[] = [];
  backoff: BackoffRecord = { failuresAfterLastSuccess: 0 };
  nowMs = T0.getTime();
  events: (JobEvent & { atMs: number })[] = [];
  created: CreatedPod[] = [];
  deleted: { name: string; reason: string; atMs: number }[] = [];
  syncs = 0;
  /** Highest number of active (Pending/Running, not terminating) pods seen after a sync. */
  maxActive = 0;
  private nextSyncAt?: number;
  private readonly attempts = new Map<number, number>();

  constructor(
    job: Job,
    private readonly scripter: Scripter,
    private readonly options: SyncOptions = defaultOptions,
  ) {
    this.job = structuredClone(job);
  }

  /** Seconds since T0. */
  get t(): number {
    return (this.nowMs - T0.getTime()) / 1000;
  }
  get status() {
    return this.job.status ?? {};
  }
  get finished(): boolean {
    return isJobFinished(this.job);
  }
  pod(name: string): PodView {
    const p = this.pods.find((x) => x.view.name === name);
    if (!p) throw new Error(`no pod ${name}`);
    return p.view;
  }
  views(): PodView[] {
    return this.pods.map((p) => p.view);
  }

  patch(change: (spec: JobSpec) => void): void {
    change(this.job.spec);
    this.sync();
  }

  /** A user deletes a pod (graceful; stays tracked). */
  deletePod(name: string): void {
    this.requestDeletion(name, false);
    this.sync();
  }

  /** Makes a running pod exit with `code` after `inMs`. */
  scheduleExit(name: string, code: number, inMs = 0): void {
    const pod = this.pods.find((p) => p.view.name === name);
    if (!pod) throw new Error(`no pod ${name}`);
    pod.forcedCode = code;
    pod.next = 'exit';
    pod.nextAt = this.nowMs + inMs;
  }

  /** Runs until `done` holds after a sync (or nothing is due); returns whether it held. */
  runUntil(done: (sim: Sim) => boolean, untilSeconds = 100_000): boolean {
    const limit = T0.getTime() + untilSeconds * 1000;
    this.sync();
    for (let guard = 0; guard < 10_000; guard++) {
      if (done(this)) return true;
      if (this.finished) return false;
      const due = [this.nextSyncAt, ...this.pods.map((p) => p.nextAt)].filter(
        (x): x is number => x !== undefined && Number.isFinite(x),
      );
      if (due.length === 0) return false;
      const next = Math.min(...due);
      if (next > limit) return false;
      this.nowMs = Math.max(this.nowMs, next);
      if (this.nextSyncAt !== undefined && this.nextSyncAt <= this.nowMs) this.nextSyncAt = undefined;
      this.advancePods();
      this.sync();
    }
    return done(this);
  }

  /** Runs syncs until the job finished, nothing is due any more, or `untilSeconds` (then now = that instant). */
  run(untilSeconds?: number): this {
    const limit = T0.getTime() + (untilSeconds ?? 100_000) * 1000;
    this.sync();
    for (let guard = 0; guard < 10_000 && !this.finished; guard++) {
      const due = [this.nextSyncAt, ...this.pods.map((p) => p.nextAt)].filter(
        (x): x is number => x !== undefined && Number.isFinite(x),
      );
      if (due.length === 0) {
        // Quiet until the limit: the clock still moves when a limit was given.
        if (untilSeconds !== undefined) this.nowMs = Math.max(this.nowMs, limit);
        break;
      }
      const next = Math.min(...due);
      if (next > limit) {
        this.nowMs = limit;
        break;
      }
      this.nowMs = Math.max(this.nowMs, next);
      if (this.nextSyncAt !== undefined && this.nextSyncAt <= this.nowMs) this.nextSyncAt = undefined;
      this.advancePods();
      this.sync();
    }
    return this;
  }

  /** One controller pass (repeated while it keeps acting, as pod events would trigger). */
  sync(): void {
    for (let i = 0; i < 20; i++) {
      if (this.finished) return;
      const result = syncJob({
        job: structuredClone(this.job),
        pods: structuredClone(this.views()),
        backoff: this.backoff,
        now: new Date(this.nowMs),
        options: this.options,
      });
      this.syncs++;
      this.job.status = result.status;
      this.backoff = result.backoff;
      for (const name of result.untrack) this.pod(name).tracked = false;
      for (const e of result.events) this.events.push({ ...e, atMs: this.nowMs });
      this.nextSyncAt = result.requeueAfterMs === undefined ? undefined : this.nowMs + result.requeueAfterMs;
      for (const a of result.actions) {
        if (a.type === 'createPod') this.createPod(a);
        else {
          this.deleted.push({ name: a.name, reason: a.reason, atMs: this.nowMs });
          this.requestDeletion(
            a.name,
            ['Excess', 'Suspended', 'InvalidIndex', 'DuplicateIndex'].includes(a.reason),
          );
        }
      }
      const active = this.pods.filter(
        (p) => (p.view.phase === 'Pending' || p.view.phase === 'Running') && !p.view.terminating,
      ).length;
      this.maxActive = Math.max(this.maxActive, active);
      if (result.actions.length === 0) return;
    }
    throw new Error('controller keeps acting without progress');
  }

  private createPod(a: {
    index?: number;
    indexFailureCount?: number;
    indexIgnoredFailureCount?: number;
  }): void {
    const key = a.index ?? -1;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const ordinal = this.created.length;
    const name = a.index === undefined ? `pod-${ordinal}` : `pod-${a.index}-${attempt}`;
    const script = this.scripter({ ordinal, index: a.index, attempt, sim: this });
    const view: PodView = {
      name,
      phase: 'Pending',
      terminating: false,
      ready: false,
      tracked: true,
      createdAt: new Date(this.nowMs),
      restartCount: 0,
      terminatedContainers: [],
      conditions: [],
    };
    if (a.index !== undefined) view.index = a.index;
    if (a.indexFailureCount !== undefined) view.indexFailureCount = a.indexFailureCount;
    if (a.indexIgnoredFailureCount !== undefined) view.indexIgnoredFailureCount = a.indexIgnoredFailureCount;
    const pod: SimPod = { view, script, run: 0 };
    const record: CreatedPod = { name, atMs: this.nowMs };
    if (a.index !== undefined) record.index = a.index;
    if (a.indexFailureCount !== undefined) record.indexFailureCount = a.indexFailureCount;
    if (a.indexIgnoredFailureCount !== undefined)
      record.indexIgnoredFailureCount = a.indexIgnoredFailureCount;
    this.created.push(record);
    this.pods.push(pod);
    const pendingMs = script.pendingMs ?? 0;
    if (pendingMs === 0) this.start(pod);
    else if (Number.isFinite(pendingMs)) {
      pod.next = 'start';
      pod.nextAt = this.nowMs + pendingMs;
    }
  }

  private start(pod: SimPod): void {
    pod.view.phase = 'Running';
    pod.view.startedAt = new Date(this.nowMs);
    pod.view.ready = true;
    pod.view.readySince = new Date(this.nowMs);
    if (pod.script.runMs !== undefined) {
      pod.next = 'exit';
      pod.nextAt = this.nowMs + pod.script.runMs;
    } else {
      delete pod.next;
      delete pod.nextAt;
    }
  }

  private requestDeletion(name: string, untrack: boolean): void {
    const pod = this.pods.find((p) => p.view.name === name);
    if (!pod) throw new Error(`no pod ${name}`);
    if (untrack) pod.view.tracked = false;
    if (pod.view.phase === 'Succeeded' || pod.view.phase === 'Failed') return;
    pod.view.terminating = true;
    pod.view.deletionRequestedAt = new Date(this.nowMs);
    pod.next = 'terminated';
    pod.nextAt = this.nowMs + (pod.script.graceMs ?? 1000);
  }

  private advancePods(): void {
    for (const pod of this.pods) {
      if (pod.nextAt === undefined || pod.nextAt > this.nowMs) continue;
      const what = pod.next;
      delete pod.nextAt;
      delete pod.next;
      if (what === 'start') this.start(pod);
      else if (what === 'terminated') this.exit(pod, 143, true);
      else if (what === 'restart') {
        pod.view.restartCount++;
        pod.view.ready = true;
        pod.next = 'exit';
        pod.nextAt = this.nowMs + (pod.script.runMs ?? 0);
      } else if (what === 'exit') {
        const runs = pod.script.runs;
        let code = runs ? (runs[Math.min(pod.run, runs.length - 1)] ?? 0) : (pod.script.exitCode ?? 0);
        if (pod.forcedCode !== undefined) code = pod.forcedCode;
        pod.run++;
        if (this.job.spec.template.spec.restartPolicy === 'OnFailure' && code !== 0) {
          // Restart in place with the kubelet's delays: 0 s, then 10 s, 20 s, ...
          const n = pod.view.restartCount + 1;
          pod.view.ready = false;
          pod.next = 'restart';
          pod.nextAt = this.nowMs + (n === 1 ? 0 : 10_000 * 2 ** (n - 2));
          if (pod.nextAt === this.nowMs) {
            pod.view.restartCount++;
            pod.view.ready = true;
            pod.next = 'exit';
            pod.nextAt = this.nowMs + (pod.script.runMs ?? 0);
          }
        } else {
          this.exit(pod, code, false);
        }
      }
    }
  }

  private exit(pod: SimPod, code: number, killed: boolean): void {
    pod.view.phase = code === 0 && !killed ? 'Succeeded' : 'Failed';
    pod.view.terminating = false;
    pod.view.ready = false;
    delete pod.view.readySince;
    pod.view.finishedAt = new Date(this.nowMs);
    pod.view.terminatedContainers = [
      { name: 'main', init: false, exitCode: code },
      ...(killed
        ? []
        : (pod.script.containers ?? []).map((c) => ({
            name: c.name,
            init: c.init ?? false,
            exitCode: c.exitCode,
          }))),
    ];
    if (pod.view.terminatedContainers.some((c) => c.exitCode !== 0) && !killed) pod.view.phase = 'Failed';
  }
}

/** Seconds between consecutive creations, relative to the previous pod's finish. */
export function creationTimes(sim: Sim): number[] {
  return sim.created.map((c) => (c.atMs - T0.getTime()) / 1000);
}
