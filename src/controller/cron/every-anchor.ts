// Where the next runs of a CronJob are counted from, for listing them (`tjob cron next`, the web
// view): now, except for `@every`, whose runs count from the last scheduled time, else from the
// CronJob's creation (docs/cronjob.md §2.4): the last activation at or before now on that grid.

import type { CronJob } from '../../api/k8s.js';
import type { Schedule } from '../../schedule/index.js';

/** `stored`: the CronJob has a creation time of its own (not one read from a file). */
export function nextRunsFrom(cj: CronJob, schedule: Schedule, now: Date, stored = true): Date {
  if (schedule.every === undefined) return now;
  const anchorText = cj.status?.lastScheduleTime ?? (stored ? cj.metadata.creationTimestamp : undefined);
  const anchor = anchorText ? Date.parse(anchorText) : NaN;
  if (!Number.isFinite(anchor) || anchor > now.getTime()) return now;
  const k = Math.floor((now.getTime() - anchor) / schedule.every);
  return new Date(anchor + k * schedule.every);
}
