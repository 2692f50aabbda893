// A fake-clock harness for docs/cronjob.md §8: drives syncCronJob the way the daemon does (a sync at
// start or restart, at each delayed wake-up, whenever an owned job changes state, on spec edits),
// with jobs that finish after a chosen time, and records an ordered log of what happened.
import type { CronJob, CronJobSpec, Job } from '../../../../src/api/k8s.js';
import {
  nextScheduleDelay,
  syncCronJob,
  type SyncCronJobResult,
} from '../../../../src/controller/cron/index.js';
import { parseStoredSchedule } from '../../../../src/schedule/index.js';

export interface Entry {
  /** ISO time of the sync. */
  at: string;
  reason: string;
  /** The job named in the event, if any. */
  job?: string;
  message: string;
}

interface SimJob {
  job: Job;
  finishAt: number;
  succeed: boolean;
  finished: boolean;
}

export interface SimOptions {
  spec: Partial<CronJobSpec> & { schedule: string };
  created: string;
  zone?: string;
  status?: CronJob['status'];
  /** How long each job runs and whether it succeeds (default 30 s, success). */
  run?: (name: string) => { ms: number; succeed?: boolean };
  /** Periods the daemon is down: [from, to) ISO. A sync happens at `to`. */
  down?: [string, string][];
  /** The first sync happens at creation unless the daemon is down then. */
}

export class Sim {
  cronJob: CronJob;
  jobs = new Map<string, SimJob>();
  log: Entry[] = [];
  /** Delays returned by each sync, with the sync time. */
  wakeups: { at: string; delayMs?: number }[] = [];
  results: SyncCronJobResult[] = [];
  now: number;
  private wake: number | undefined;
  private readonly zone: string;
  private readonly run: (name: string) => { ms: number; succeed?: boolean };
  private readonly down: [number, number][];
  private readonly edits: { at: number; apply: (cj: CronJob) => void; mode: 'immediate' | 'delayed' }[] = [];

  constructor(opts: SimOptions) {
    this.cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj', namespace: 'default', uid: 'cj-uid', creationTimestamp: opts.created },
      spec: {
        concurrencyPolicy: 'Allow',
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
        ...opts.spec,
      },
      status: opts.status ?? {},
    };
    this.zone = opts.zone ?? 'UTC';
    this.run = opts.run ?? (() => ({ ms: 30_000 }));
    this.down = (opts.down ?? []).map(([a, b]) => [Date.parse(a), Date.parse(b)]);
    this.now = Date.parse(opts.created);
    if (!this.isDown(this.now)) this.sync();
  }

  /** Add a job that exists already (crash window, a job still running at restart). */
  addJob(name: string, createdAt: string, opts: { ms: number; succeed?: boolean; owned?: boolean }): void {
    const job: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: 'default',
        uid: `uid-${name}`,
        creationTimestamp: createdAt,
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true },
        ],
      },
      spec: { template: { spec: { containers: [] } } },
      status: { startTime: createdAt, active: 1 },
    };
    this.jobs.set(name, {
      job,
      finishAt: Date.parse(createdAt) + opts.ms,
      succeed: opts.succeed ?? true,
      finished: false,
    });
  }

  /**
   * Change the spec at `at`: `immediate` syncs at once (tjob, and Kubernetes for non-schedule
   * edits); `delayed` is Kubernetes' handling of a schedule edit: only a wake-up at the new next slot.
   */
  edit(at: string, apply: (cj: CronJob) => void, mode: 'immediate' | 'delayed' = 'immediate'): void {
    this.edits.push({ at: Date.parse(at), apply, mode });
  }

  private isDown(t: number): boolean {
    return this.down.some(([a, b]) => t >= a && t < b);
  }

  private sync(): void {
    const result = syncCronJob({
      cronJob: this.cronJob,
      jobs: [...this.jobs.values()].map((j) => j.job),
      now: new Date(this.now),
      timeZone: this.zone,
    });
    this.results.push(result);
    const at = new Date(this.now).toISOString();
    for (const d of result.delete) this.jobs.delete(d.name);
    if (result.create !== undefined) {
      const job = structuredClone(result.create);
      job.metadata.uid = `uid-${job.metadata.name}`;
      job.metadata.creationTimestamp = at;
      job.status = { startTime: at, active: 1 };
      const r = this.run(job.metadata.name);
      this.jobs.set(job.metadata.name, {
        job,
        finishAt: this.now + r.ms,
        succeed: r.succeed ?? true,
        finished: false,
      });
      const ref = result.status.active?.find((a) => a.name === job.metadata.name);
      if (ref !== undefined) ref.uid = job.metadata.uid;
    }
    this.cronJob = { ...this.cronJob, status: result.status };
    for (const e of result.events) {
      const m = /\b(cj-\d+)/.exec(e.message);
      const entry: Entry = { at, reason: e.reason, message: e.message };
      if (m?.[1] !== undefined) entry.job = m[1];
      this.log.push(entry);
    }
    this.wakeups.push({ at, delayMs: result.requeueAfterMs });
    if (result.requeueAfterMs !== undefined) {
      const t = this.now + result.requeueAfterMs;
      this.wake = this.wake === undefined || t < this.wake ? t : this.wake;
    }
  }

  /** Run the timeline up to and including `until` (ISO). */
  runUntil(until: string): this {
    const end = Date.parse(until);
    for (;;) {
      const candidates: number[] = [];
      if (this.wake !== undefined) candidates.push(this.wake);
      for (const j of this.jobs.values()) if (!j.finished) candidates.push(j.finishAt);
      for (const e of this.edits) if (e.at > this.now) candidates.push(e.at);
      for (const [, b] of this.down) if (b > this.now) candidates.push(b);
      const next = Math.min(...candidates.filter((t) => t > this.now || (t === this.now && t === this.wake)));
      if (!Number.isFinite(next) || next > end) break;
      this.now = next;
      let trigger = false;
      for (const j of this.jobs.values()) {
        if (!j.finished && j.finishAt <= next) {
          j.finished = true;
          const when = new Date(j.finishAt).toISOString();
          j.job.status = {
            ...j.job.status,
            active: 0,
            conditions: [{ type: j.succeed ? 'Complete' : 'Failed', status: 'True' }],
            ...(j.succeed ? { completionTime: when, succeeded: 1 } : { failed: 1 }),
          };
          trigger = true;
        }
      }
      for (const e of this.edits) {
        if (e.at === next) {
          e.apply(this.cronJob);
          if (e.mode === 'immediate') trigger = true;
          else {
            const parsed = parseStoredSchedule(this.cronJob.spec.schedule);
            const zone = this.cronJob.spec.timeZone ?? this.zone;
            const d = parsed.ok
              ? nextScheduleDelay(this.cronJob, new Date(next), parsed.schedule, zone)
              : undefined;
            if (d !== undefined && (this.wake === undefined || next + d < this.wake)) this.wake = next + d;
          }
        }
      }
      if (this.wake !== undefined && this.wake <= next) {
        this.wake = undefined;
        trigger = true;
      }
      if (this.down.some(([, b]) => b === next)) {
        this.wake = undefined; // timers died with the daemon
        trigger = true;
      }
      if (this.isDown(next)) {
        this.wake = undefined;
        continue;
      }
      if (trigger) this.sync();
    }
    this.now = Math.max(this.now, end);
    return this;
  }

  /** Log entries as `HH:MM:SS.s reason job` strings (time of day, UTC). */
  lines(filter?: (e: Entry) => boolean): string[] {
    return this.log
      .filter(filter ?? (() => true))
      .map((e) => `${hms(e.at)} ${e.reason}${e.job ? ` ${e.job}` : ''}`);
  }

  created(): string[] {
    return this.lines((e) => e.reason === 'SuccessfulCreate');
  }
}

/** `10:00:00.1` from an ISO string (tenths, trailing .0 dropped). */
export function hms(iso: string): string {
  const d = new Date(iso);
  const p = (n: number): string => n.toString().padStart(2, '0');
  const tenths = Math.floor(d.getUTCMilliseconds() / 100);
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${tenths ? `.${tenths}` : ''}`;
}
