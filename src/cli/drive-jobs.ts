// Drives stored jobs to their end in this process (`tjob run`, and the detached controller of
// `run -d` / `tjob resume`): one JobRunner per job under the job's lease, at most `maxJobs` at
// once. A job whose lease another live process holds is followed instead of driven.

import { randomUUID } from 'node:crypto';
import { mapLimit } from '../api/map-limit.js';
import type { PodRuntime } from '../ports/pod-runtime.js';
import { neverRan, type PodRecord } from '../api/pod.js';
import type { PodLogs } from '../ports/pod-logs.js';
import type { StateStore, StoredJob } from '../ports/state-store.js';
import { JobRunner, type JobRunObserver, type RunEnd } from '../engine/job-runner.js';
import type { CliContext } from './context.js';
import { deleteJobEverywhere } from '../engine/job-deletion.js';
import { followJob } from './follow-job.js';
import { StateFollower } from './state-follower.js';
import type { StateWatch } from '../ports/state-watch.js';
import { deleteIfExpired } from './ttl-sweep.js';
import { ttlTimeLeft } from '../engine/ttl-after-finished.js';
import { maskSecretsOf } from './secret-masking.js';
import type { RunPrinter } from './run-printer.js';
import { LEASE_RENEW_MS } from '../state/lease-file.js';

/** How the jobs are driven: the same in `tjob run` and in the controller it hands them to (`-d`). */
export interface DriveSettings {
  maxJobs: number;
  backoffMs: number;
  maxBackoffMs: number;
  keepContainers: boolean;
}

/** What the jobs are driven with. */
export interface DriveIo {
  store: StateStore;
  runtime: PodRuntime;
  ctx: CliContext;
  printer: RunPrinter;
  /** A watch of the state directory, for following a job that another process drives. */
  stateWatch: () => StateWatch;
}

export interface DriveOptions extends DriveSettings {
  /** Names the holder in the lease (`tjob run`, `tjob run -d`). */
  command: string;
  /** A background controller leaves a suspended job (resume starts a new one). */
  leaveWhenSuspended?: boolean;
  /** Called once per job when this process holds its lease, or follows the process that does. */
  taken?: (name: string) => void;
  /** Called with each job's last state when its run ends (for reports and the summary). */
  finished?: (state: StoredJob, end: RunEnd | 'Left') => void;
}

const HEARTBEAT_MS = LEASE_RENEW_MS;
/** After a signal, how long the engine may take beyond the pods' grace period to confirm their stop. */
const ENGINE_STOP_BOUND_MS = 10_000;

export async function driveJobs(names: string[], io: DriveIo, d: DriveOptions): Promise<number> {
  const { store, runtime, ctx, printer } = io;
  /** What the runtime warns about a job while a TTL deletion removes its pods. */
  const warnOfRuntime = (message: string) => printer.warning(message);
  const interrupt = new AbortController();
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const finished = new AbortController();
  /**
   * One signal must end the run (CI runners and `timeout` send only one): the pods get their
   * grace period and the engine a short while more to confirm they stopped. An engine that does
   * not answer leaves containers unconfirmed: they are named, and the next run adopts them (the
   * job is recorded suspended already).
   */
  const runners = new Map<string, JobRunner>();
  const leaveWhenStopTakesTooLong = async (s: 'SIGINT' | 'SIGTERM'): Promise<void> => {
    const grace = Math.max(0, ...[...runners.values()].map((r) => r.gracePeriodSeconds()));
    await ctx.clock.sleep(grace * 1000 + ENGINE_STOP_BOUND_MS, finished.signal);
    if (finished.signal.aborted) return;
    const left = [...runners.values()].flatMap((r) => r.containersNotConfirmedStopped());
    printer.warning(
      `the engine did not confirm within ${grace + ENGINE_STOP_BOUND_MS / 1000} s that ${left.length > 0 ? `these containers stopped: ${left.join(', ')}` : 'the pods stopped'}; leaving them: the next \`tjob run\` of the same file adopts them`,
    );
    printer.finish();
    ctx.exit(s === 'SIGINT' ? 130 : 143);
  };
  const offSignal = ctx.onSignal((s) => {
    if (signal) {
      printer.warning(
        'interrupted again: leaving now; the containers go on and the next `tjob run` adopts them',
      );
      ctx.exit(s === 'SIGINT' ? 130 : 143);
      return;
    }
    signal = s;
    printer.progress(
      `${s} received: stopping the pods and suspending the job${names.length > 1 ? 's' : ''} (again to leave at once)`,
    );
    interrupt.abort();
    void leaveWhenStopTakesTooLong(s);
  });

  const outcomes = new Map<string, RunEnd | 'Left'>();
  /** Deletes a job when its TTL runs out, if this process is still there and nobody drives it then. */
  const expireLater = async (name: string, uid: string | undefined, ms: number): Promise<void> => {
    await ctx.clock.sleep(ms, finished.signal);
    if (finished.signal.aborted) return;
    try {
      if (await deleteIfExpired(store, name, ctx.clock.now(), async () => runtime, uid, warnOfRuntime))
        printer.progress(`job.batch/${name} deleted (ttlSecondsAfterFinished)`);
    } catch (err) {
      printer.warning(`deleting job ${name} after its TTL: ${(err as Error).message}`);
    }
  };
  const multi = names.length > 1;

  const driveOne = async (name: string): Promise<void> => {
    await maskSecretsOf(store, name, printer);
    let lease = await store.acquireJobLease(name, d.command);
    while (!('renew' in lease)) {
      d.taken?.(name);
      printer.progress(
        `job.batch/${name} is driven by another tjob (pid ${lease.pid}, ${lease.command}): following it`,
      );
      const follower = new StateFollower(io.stateWatch(), ctx.clock);
      const followed = await followJob(store, follower, name, printer, interrupt.signal).finally(() =>
        follower.close(),
      );
      if (followed.end === 'Orphaned') {
        printer.warning(
          `the tjob that drove job.batch/${name} (pid ${lease.pid}) is gone: taking the job over`,
        );
        lease = await store.acquireJobLease(name, d.command);
        continue;
      }
      outcomes.set(name, followed.end);
      if (followed.state) d.finished?.(followed.state, followed.end);
      if (followed.state && followed.end !== 'Left') printer.result(followed.state, followed.end, undefined);
      return;
    }
    d.taken?.(name);
    const heartbeat = setInterval(() => void lease.renew(), HEARTBEAT_MS);
    heartbeat.unref?.();
    try {
      const config = await store.loadJobConfig(name);
      const runner = new JobRunner(
        { store, runtime, clock: ctx.clock },
        name,
        {
          backoffBaseMs: d.backoffMs,
          backoffCapMs: d.maxBackoffMs,
          keepContainers: d.keepContainers,
          config,
          random: Math.random,
          newUid: randomUUID,
          leaveWhenSuspended: !!d.leaveWhenSuspended,
        },
        runnerObserver(printer, multi),
      );
      runners.set(name, runner);
      const { end, state } = await runner.run(interrupt.signal);
      outcomes.set(name, end);
      d.finished?.(state, end);
      if (end === 'Deleted') {
        printer.progress(`job.batch/${name} was deleted`);
        return;
      }
      const lastLog = end === 'Failed' ? await lastFailedPodLog(store, state) : undefined;
      printer.result(state, end === 'Interrupted' ? 'Suspended' : end, lastLog);
      // Deviation 3: a job whose TTL has run out when its result is printed (a TTL of 0) is deleted
      // now, under its lease; a later one while this process is still there (other jobs running),
      // else by the next tjob command.
      const left =
        end === 'Complete' || end === 'Failed' ? ttlTimeLeft(state.job, ctx.clock.now()) : undefined;
      if (left !== undefined && left <= 0) await deleteJobEverywhere(state, store, runtime, warnOfRuntime);
      else if (left !== undefined) void expireLater(name, state.job.metadata.uid, left);
    } finally {
      clearInterval(heartbeat);
      await lease.release();
    }
  };

  try {
    await mapLimit(names, d.maxJobs, driveOne, interrupt.signal);
    printer.finish();
    for (const name of names) if (!outcomes.has(name)) outcomes.set(name, 'Left'); // interrupted first
    if (signal) return signal === 'SIGINT' ? 130 : 143;
    return [...outcomes.values()].every(
      (o) => o === 'Complete' || (d.leaveWhenSuspended && o === 'Suspended'),
    )
      ? 0
      : 1;
  } finally {
    finished.abort();
    offSignal();
  }
}

/** What a job runner reports, shown by the run printer (used by run, the controller and the daemon). */
export function runnerObserver(printer: RunPrinter, multiJob: boolean): JobRunObserver {
  return {
    event: (job, e) => printer.event(job, e),
    logs: (job, lines) => printer.logLines(job, lines, multiJob),
    changed: (state) => printer.changed(state),
    engine: (down, message) =>
      printer.warning(
        down
          ? `the Docker engine stopped answering (${message}); waiting for it`
          : 'the Docker engine answers again; reconciling',
      ),
    warning: (m) => printer.warning(m),
  };
}

/** The last 20 lines of the last failed pod, oldest first. */
export async function lastFailedPodLog(store: PodLogs, state: StoredJob): Promise<string[]> {
  const failed = state.pods.filter((p) => p.observation.phase === 'Failed' && !neverRan(p));
  const last = failed[failed.length - 1];
  return last ? podLogTail(store, state, last) : [];
}

/** The last `count` lines a pod wrote (all its containers, in time order), oldest first. */
export async function podLogTail(
  store: PodLogs,
  state: StoredJob,
  pod: PodRecord,
  count = 20,
): Promise<string[]> {
  const containers = [
    ...(state.job.spec.template.spec.initContainers ?? []).map((c) => c.name),
    ...state.job.spec.template.spec.containers.map((c) => c.name),
  ];
  const lines: { time: string; text: string; c: string; n: number }[] = [];
  for (const c of containers) {
    const recorded = await store.readLogs(state.job.metadata.name, pod.name, c);
    recorded.forEach((l, n) => lines.push({ time: l.time, text: l.text, c, n }));
  }
  lines.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.n - b.n));
  const multi = new Set(lines.map((l) => l.c)).size > 1;
  return lines.slice(-count).map((l) => (multi ? `[${pod.name}/${l.c}] ${l.text}` : l.text));
}
