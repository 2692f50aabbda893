// ttlSecondsAfterFinished: when a finished Job expires. One rule for every process that deletes
// expired jobs (the next tjob command, the cron daemon, a run or controller still running when
// the TTL runs out; deviation 3 in docs/deviations.md).
//
// As the TTL-after-finished controller (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go):
// a job is a candidate when it has a TTL and is finished (`needsCleanup`); it finished at the
// lastTransitionTime of its true Complete or Failed condition (`jobFinishTime`), never at
// status.completionTime; it expires TTL seconds later (`getFinishAndExpireTime`); one whose finish
// time is unknown is skipped; it is deleted once the time left is zero or less (`processTTL`).

import type { JobSpec, JobStatus } from '../api/k8s.js';
import { terminalCondition } from './job-status.js';

type TtlJob = { spec: Pick<JobSpec, 'ttlSecondsAfterFinished'>; status?: JobStatus };

/** When the job expires (ms since the epoch); undefined without a TTL, unfinished, or finish time unknown. */
export function ttlExpiry(job: TtlJob): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null) return undefined;
  const finishedAt = Date.parse(terminalCondition(job.status)?.lastTransitionTime ?? '');
  return Number.isFinite(finishedAt) ? finishedAt + ttl * 1000 : undefined;
}

/** Milliseconds until the job expires (zero or less: expired now); undefined when it never does. */
export function ttlTimeLeft(job: TtlJob, now: Date): number | undefined {
  const at = ttlExpiry(job);
  return at === undefined ? undefined : at - now.getTime();
}

/** Whether the job's TTL has run out at `now`. */
export function ttlExpired(job: TtlJob, now: Date): boolean {
  return expiredAt(ttlExpiry(job), now);
}

/** Whether a TTL that runs out at `expiry` (ttlExpiry) has run out at `now`. */
export function expiredAt(expiry: number | undefined, now: Date): boolean {
  return expiry !== undefined && expiry - now.getTime() <= 0;
}

/**
 * The jobs whose TTL has run out at `now`, and when the first of the others expires: the
 * controller deletes the former and looks again at the latter's expiry (`processTTL` requeues a
 * job with `enqueueAfter` its time left).
 */
export function ttlDue<J extends TtlJob>(
  jobs: Iterable<J>,
  now: Date,
): { expired: J[]; nextExpiry?: number } {
  const expired: J[] = [];
  let nextExpiry: number | undefined;
  for (const job of jobs) {
    const at = ttlExpiry(job);
    if (at === undefined) continue;
    if (at <= now.getTime()) expired.push(job);
    else if (nextExpiry === undefined || at < nextExpiry) nextExpiry = at;
  }
  return nextExpiry === undefined ? { expired } : { expired, nextExpiry };
}

/**
 * Deletes the jobs expired at `now`, one after the other (a failure is a warning: the next pass
 * tries again); returns when the next of the others expires, for the caller's timer.
 */
export async function deleteExpired(
  jobs: Iterable<TtlJob & { metadata: { name: string } }>,
  now: Date,
  actions: { deleteJob(name: string): Promise<void>; warning?(message: string): void },
): Promise<number | undefined> {
  const { expired, nextExpiry } = ttlDue(jobs, now);
  for (const job of expired) {
    const name = job.metadata.name;
    await actions
      .deleteJob(name)
      .catch((err: Error) => actions.warning?.(`deleting expired job ${name}: ${err.message}`));
  }
  return nextExpiry;
}
