// A foreground `tjob run` of a job that another process drives follows it: it shows the job's
// logs and progress from the state directory and ends with the job, without taking it over. It
// reads again when the job's journal or a log of its pods changes (src/cli/state-follower.ts).

import type { JobLeases } from '../ports/job-leases.js';
import type { JobRecords, StoredJob } from '../ports/job-records.js';
import type { PodLogs } from '../ports/pod-logs.js';
import { finishedOutcome, type JobOutcome } from '../engine/job-status.js';
import type { RunPrinter } from './run-printer.js';
import type { StateFollower } from './state-follower.js';

export async function followJob(
  store: JobRecords & PodLogs & JobLeases,
  follower: StateFollower,
  name: string,
  printer: RunPrinter,
  signal: AbortSignal,
): Promise<{ end: JobOutcome | 'Deleted' | 'Left' | 'Orphaned'; state?: StoredJob }> {
  let eventsShown = -1;
  /** Where the next read of each log starts (pod, container, run): every line is read once. */
  const logAt = new Map<string, number>();
  /**
   * Pods that had ended when their logs were last read: their logs are whole (a pod's lines are
   * on disk before its end is recorded, src/engine/job-runner.ts), nothing more to read.
   */
  const logsDone = new Set<string>();
  let last: StoredJob | undefined;
  follower.job(name);
  let woken: 'change' | 'poll' | undefined;
  for (;;) {
    const state = await store.loadJob(name);
    if (!state) return last ? { end: 'Deleted', state: last } : { end: 'Deleted' };
    last = state;
    // Events before the follow began are history: show only what happens from now on.
    if (eventsShown < 0) eventsShown = state.events.reduce((n, e) => n + e.count, 0);
    let seen = 0;
    for (const e of state.events) {
      seen += e.count;
      if (seen > eventsShown) printer.event(name, e);
    }
    eventsShown = seen;
    printer.changed(state);
    const containers = [
      ...(state.job.spec.template.spec.initContainers ?? []),
      ...state.job.spec.template.spec.containers,
    ].map((c) => c.name);
    for (const pod of state.pods) {
      if (logsDone.has(pod.name)) continue;
      const ended = pod.observation.phase === 'Succeeded' || pod.observation.phase === 'Failed';
      for (const c of containers) {
        follower.logs(name, pod.name, c);
        const runs: (number | 'before-runs')[] = ['before-runs', ...(await store.logRuns(name, pod.name, c))];
        for (const run of runs) {
          const key = `${pod.name}\0${c}\0${run}`;
          const read = await store.readLogsFrom(name, pod.name, c, run, logAt.get(key) ?? 0);
          logAt.set(key, read.next);
          for (const l of read.lines) {
            printer.log(
              name,
              { pod: pod.name, container: c, stream: l.stream, time: l.time, text: l.text },
              false,
            );
          }
        }
      }
      if (ended) logsDone.add(pod.name);
    }
    const outcome = finishedOutcome(state.job.status);
    if (outcome) return { end: outcome, state };
    if (signal.aborted) return { end: 'Left', state };
    // The driver killed (kill -9) changes no file: the safety poll finds its lease's holder gone,
    // and the caller takes the job over, as nobody else would ever finish it.
    if (woken === 'poll' && !(await store.jobLeaseHolder(name))) return { end: 'Orphaned', state };
    woken = await follower.next(signal);
  }
}
