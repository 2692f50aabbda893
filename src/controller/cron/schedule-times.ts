// The most recent unmet slot (docs/cronjob.md §3.3) and the delayed wake-up (§3.5).
//
// Kubernetes estimates the number of missed slots from the gap between the first two and looks
// for the most recent one near the estimate; for irregular schedules that can find nothing
// although slots were missed (`30 10,11,12 * * 1-5` after a weekend). tjob computes it exactly (deviation 5,
// docs/deviations.md): it
// counts slots one by one up to 101 (the "too many missed" threshold), and past that asks the
// schedule for its latest slot at or before now. For regular schedules and `@every` both give the
// same answers, including the >100 boundary.

import type { CronJob } from '../../api/k8s.js';
import type { Schedule } from '../../schedule/index.js';
import { timeOf } from './job-state.js';

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  /** Where the search started: lastScheduleTime, else creation, raised to now − SDS. */
  earliest: Date;
  /** The most recent slot at or before now after `earliest`, if any. */
  recent?: Date;
  missed: Missed;
  error?: string;
}

export const tooCloseError = 'time difference between two schedules is less than 1 second';

/** Kubernetes `nextScheduleDelta`: wake up this long after a slot. */
export const wakeUpDeltaMs = 100;

export function earliestTime(cronJob: CronJob, now: Date, useDeadline: boolean): Date {
  const created = timeOf(cronJob.metadata.creationTimestamp) ?? now.getTime();
  let earliest = timeOf(cronJob.status?.lastScheduleTime) ?? created;
  const sds = cronJob.spec.startingDeadlineSeconds;
  if (useDeadline && sds !== undefined && sds !== null) {
    const deadline = now.getTime() - sds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  return new Date(earliest);
}

/** MRS(now, useDeadline) of docs/cronjob.md §3.3, with the exact search of deviation 5. */
export function mostRecentScheduleTime(
  cronJob: CronJob,
  now: Date,
  schedule: Schedule,
  zone: string,
  useDeadline: boolean,
): MostRecent {
  const earliest = earliestTime(cronJob, now, useDeadline);
  const t1 = schedule.next(earliest, zone);
  if (t1 === undefined) return { earliest, missed: 'none', error: tooCloseError };
  if (now < t1) return { earliest, missed: 'none' };
  const t2 = schedule.next(t1, zone);
  if (t2 === undefined) return { earliest, missed: 'none', error: tooCloseError };
  if (now < t2) return { earliest, recent: t1, missed: 'none' };
  if (Math.round((t2.getTime() - t1.getTime()) / 1000) < 1)
    return { earliest, missed: 'none', error: tooCloseError };

  if (schedule.every !== undefined) {
    const k = Math.floor((now.getTime() - t1.getTime()) / schedule.every);
    return {
      earliest,
      recent: new Date(t1.getTime() + k * schedule.every),
      missed: k + 1 > 100 ? 'many' : 'few',
    };
  }
  // t1 and t2 are both due: count on from t2.
  let recent = t2;
  let count = 2;
  for (;;) {
    const n = schedule.next(recent, zone);
    if (n === undefined || n > now) break;
    recent = n;
    count++;
    if (count > 100) {
      recent = schedule.previous(now, zone) ?? recent;
      break;
    }
  }
  return { earliest, recent, missed: count > 100 ? 'many' : 'few' };
}

/**
 * docs/cronjob.md §3.5 nextScheduleTimeDuration: ms from now to the next slot + 100 ms (the deadline is ignored).
 * Undefined when the schedule has no further slot.
 */
export function nextScheduleDelay(
  cronJob: CronJob,
  now: Date,
  schedule: Schedule,
  zone: string,
): number | undefined {
  const m = mostRecentScheduleTime(cronJob, now, schedule, zone, false);
  let base: Date;
  if (m.error !== undefined) base = now;
  else if (m.recent !== undefined) base = m.recent;
  else base = m.missed === 'none' ? m.earliest : now;
  const next = schedule.next(base, zone);
  if (next === undefined) return undefined;
  return next.getTime() + wakeUpDeltaMs - now.getTime();
}
