// syncCronJob: one reconcile pass of the Kubernetes CronJob controller v2 (docs/cronjob.md §3.2, §3.4),
// pure. Deliberate deviations (deviation 5, docs/deviations.md), each marked below:
//   - missed slots are computed exactly (schedule-times.ts);
//   - a slot dropped because its starting deadline passed emits Warning/MissSchedule;
//   - `@every` under a minute names jobs in seconds, so every slot runs;
//   - after a foreign job took the slot's name, wake up at the next slot instead of stalling.

import type { CronJobStatus } from '../../api/k8s.js';
import { parseStoredSchedule, timeZoneProblem, type Schedule } from '../../schedule/index.js';
import { forbidsStart, jobAlreadyActiveMessage, replaceActiveJobs } from './concurrency.js';
import { cleanupFinishedJobs } from './history.js';
import { jobFromTemplate } from './job-from-template.js';
import { timeOf } from './job-state.js';
import { isControlledBy, isoSeconds, jobNameForSlot, jobReference, refersTo, rfc1123z } from './naming.js';
import { reconcileJobs } from './reconcile.js';
import { scheduleZone } from './schedule-zone.js';
import { mostRecentScheduleTime, nextScheduleDelay } from './schedule-times.js';
import type { CronJobEvent, JobDeletion, SyncCronJobInput, SyncCronJobResult } from './types.js';

export const tooManyMissedMessage =
  'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew';

/** Static configuration warnings: settings with which Kubernetes never (or oddly) runs the job. */
export function configWarnings(input: { startingDeadlineSeconds?: number; schedule?: Schedule }): string[] {
  const out: string[] = [];
  const sds = input.startingDeadlineSeconds;
  if (sds === 0) {
    out.push('startingDeadlineSeconds is 0: Kubernetes never starts a job for this CronJob');
  } else if (sds !== undefined && input.schedule?.every !== undefined && sds * 1000 < input.schedule.every) {
    out.push(
      'startingDeadlineSeconds is shorter than the @every interval: Kubernetes never starts a job for this CronJob',
    );
  }
  return out;
}

export function syncCronJob(input: SyncCronJobInput): SyncCronJobResult {
  const { cronJob, jobs, now } = input;
  const original: CronJobStatus = cronJob.status ?? {};
  const status: CronJobStatus = structuredClone(original);
  const events: CronJobEvent[] = [];
  const deletions: JobDeletion[] = [];
  const warnings: string[] = [];
  const failedDeletes = input.failures?.delete ?? {};

  const done = (extra: Partial<SyncCronJobResult> = {}): SyncCronJobResult => {
    const result: SyncCronJobResult = {
      delete: deletions,
      status,
      statusChanged: JSON.stringify(status) !== JSON.stringify(original),
      events,
      warnings,
      ...extra,
    };
    return result;
  };

  // §6.1 history cleanup, then §3.2 step 3 reconciliation, over the same job list.
  cleanupFinishedJobs(cronJob, jobs, status, failedDeletes, deletions, events);
  reconcileJobs(jobs, status, events);

  if (cronJob.metadata.deletionTimestamp !== undefined) return done();

  const specZone = cronJob.spec.timeZone ?? undefined;
  if (specZone !== undefined) {
    const problem = timeZoneProblem(specZone);
    if (problem !== undefined) {
      events.push({
        type: 'Warning',
        reason: 'UnknownTimeZone',
        message: `invalid timeZone: ${JSON.stringify(specZone)}: ${problem}`,
      });
      return done();
    }
  }
  if (cronJob.spec.suspend === true) return done();

  const source = cronJob.spec.schedule;
  if (source.includes('TZ')) {
    events.push({
      type: 'Warning',
      reason: 'UnsupportedSchedule',
      message: `CRON_TZ or TZ used in schedule ${JSON.stringify(source)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
    });
  }
  const parsed = parseStoredSchedule(source);
  if (!parsed.ok) {
    events.push({
      type: 'Warning',
      reason: 'UnparseableSchedule',
      message: `unparseable schedule: ${JSON.stringify(source)} : ${parsed.error}`,
    });
    return done();
  }
  const schedule = parsed.schedule;
  const zone = scheduleZone(cronJob, schedule, input.timeZone);
  const sds = cronJob.spec.startingDeadlineSeconds ?? undefined;
  warnings.push(...configWarnings({ startingDeadlineSeconds: sds, schedule }));

  const withStatus = (): typeof cronJob => ({ ...cronJob, status });
  const delay = (): number | undefined => nextScheduleDelay(withStatus(), now, schedule, zone);

  const mrs = mostRecentScheduleTime(withStatus(), now, schedule, zone, true);
  if (mrs.recent !== undefined && mrs.missed === 'many') {
    events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: tooManyMissedMessage });
  }
  if (mrs.error !== undefined && mrs.recent === undefined) {
    events.push({
      type: 'Warning',
      reason: 'InvalidSchedule',
      message: `invalid schedule: ${source} : ${mrs.error}`,
    });
    return done();
  }
  const slot = mrs.recent;
  const nameFor = (s: Date): string => jobNameForSlot(cronJob.metadata.name, s, schedule.every);
  const handled = (s: Date): boolean =>
    (status.active ?? []).some((r) => r.name === nameFor(s)) ||
    timeOf(status.lastScheduleTime) === s.getTime();

  if (slot === undefined) {
    // Deviation: say so when the deadline dropped the most recent unmet slot.
    if (sds !== undefined) {
      const undeadlined = mostRecentScheduleTime(withStatus(), now, schedule, zone, false).recent;
      if (undeadlined !== undefined && !handled(undeadlined)) {
        events.push({
          type: 'Warning',
          reason: 'MissSchedule',
          message: `Missed scheduled time to start a job: ${rfc1123z(undeadlined)}`,
        });
      }
    }
    return done({ requeueAfterMs: delay() });
  }
  if (handled(slot)) return done({ requeueAfterMs: delay() });
  if (forbidsStart(cronJob, status)) {
    events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: jobAlreadyActiveMessage });
    return done({ requeueAfterMs: delay() });
  }
  const replaceError = replaceActiveJobs(cronJob, status, failedDeletes, deletions, events);
  if (replaceError !== undefined) return done({ error: replaceError });

  const name = nameFor(slot);
  // An owned job that already has the slot's name (crash between create and status write):
  // Kubernetes' create collides and adopts it, so adopt it without creating.
  const existing = jobs.find((j) => j.metadata.name === name);
  const failure = input.failures?.create;
  const collided =
    existing ?? (failure !== undefined && 'alreadyExists' in failure ? failure.alreadyExists : undefined);
  const record = (ref: ReturnType<typeof jobReference>): void => {
    status.active = [...(status.active ?? []), ref];
    status.lastScheduleTime = isoSeconds(slot);
  };

  if (collided !== undefined) {
    if (!isControlledBy(collided, cronJob)) {
      // Kubernetes stands aside with no event and no wake-up (a stall). Deviation: wake up
      // at the next slot anyway.
      return done({ requeueAfterMs: delay() });
    }
    if ((status.active ?? []).some((r) => refersTo(r, collided))) return done();
    record(jobReference(collided));
    return done({ adopt: name, scheduledTime: slot, requeueAfterMs: delay() });
  }
  if (failure !== undefined && 'error' in failure) {
    events.push({ type: 'Warning', reason: 'FailedCreate', message: `Error creating job: ${failure.error}` });
    return done({ error: failure.error });
  }

  const job = jobFromTemplate(cronJob, name, slot);
  if (input.newJobUid !== undefined) job.metadata.uid = input.newJobUid;
  events.push({ type: 'Normal', reason: 'SuccessfulCreate', message: `Created job ${name}` });
  record(jobReference(job));
  return done({ create: job, scheduledTime: slot, requeueAfterMs: delay() });
}
