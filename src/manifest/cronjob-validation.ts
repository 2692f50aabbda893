// CronJob validation (docs/cronjob.md §1.3): metadata, schedule (robfig ParseStandard's grammar and
// error texts; no TZ/CRON_TZ), startingDeadlineSeconds, timeZone (IANA, exact case),
// concurrencyPolicy, the job template, history limits, then the 52-character name limit.

import type { CronJob } from '../api/k8s.js';
import { dedupe, fe, nonNegative, type PathError } from './field-errors.js';
import { goLabelSelector, validateJobSpecCommon } from './job-validation.js';
import { validateObjectMeta } from './meta-validation.js';
import { parseGoDuration, parseStoredSchedule, timeZoneProblem } from '../schedule/index.js';

/**
 * Checks a schedule's syntax as Kubernetes does (robfig/cron v3 ParseStandard, via
 * src/schedule): returns the parser's error text or undefined. A `TZ=`/`CRON_TZ=` prefix is
 * parsed past here; validateCronJob rejects it with the API server's own message.
 */
export function checkScheduleSyntax(schedule: string): string | undefined {
  const r = parseStoredSchedule(schedule);
  return r.ok ? undefined : r.error;
}

/** The timeZone error detail, or undefined when the zone loads (exact-case IANA name). */
export function checkTimeZone(tz: string): string | undefined {
  if (tz.length === 0) return 'timeZone must be nil or non-empty string';
  if (tz.toLowerCase() === 'local' && !tz.includes('/'))
    return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  return timeZoneProblem(tz);
}

export const CronJobNameMaxLength = 52;

export function validateCronJob(cj: CronJob): PathError[] {
  const errs: PathError[] = [];
  const spec = cj.spec;
  errs.push(...validateObjectMeta(cj.metadata));
  const schedule = spec.schedule ?? '';
  if (schedule.length === 0) errs.push(fe.required('spec.schedule'));
  else {
    const err = checkScheduleSyntax(schedule);
    if (err !== undefined) errs.push(fe.invalid('spec.schedule', schedule, err));
    if (schedule.includes('TZ'))
      errs.push(
        fe.invalid(
          'spec.schedule',
          schedule,
          'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
        ),
      );
  }
  errs.push(...nonNegative('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds));
  if (spec.timeZone !== undefined && spec.timeZone !== null) {
    const tzErr = checkTimeZone(spec.timeZone);
    if (tzErr) errs.push(fe.invalid('spec.timeZone', spec.timeZone, tzErr));
  }
  const cp = (spec.concurrencyPolicy ?? '') as string;
  if (cp === '') errs.push(fe.required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp))
    errs.push(fe.notSupported('spec.concurrencyPolicy', cp, ['Allow', 'Forbid', 'Replace']));
  const jt = spec.jobTemplate?.spec ?? ({} as CronJob['spec']['jobTemplate']['spec']);
  errs.push(...validateJobSpecCommon(jt, 'spec.jobTemplate.spec'));
  if (jt.selector !== undefined && jt.selector !== null)
    errs.push(
      fe.invalid(
        'spec.jobTemplate.spec.selector',
        goLabelSelector(jt.selector),
        '`selector` will be auto-generated',
      ),
    );
  if (jt.manualSelector === true)
    errs.push(fe.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit));
  errs.push(...nonNegative('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit));
  const name = cj.metadata.name ?? '';
  if (name.length > CronJobNameMaxLength)
    errs.push(fe.invalid('metadata.name', name, `must be no more than ${CronJobNameMaxLength} characters`));
  return dedupe(errs);
}

/** Create-time warnings (not errors) for a valid CronJob. */
export function cronJobWarnings(cj: CronJob): string[] {
  const w: string[] = [];
  if (cj.spec.startingDeadlineSeconds === 0)
    w.push(
      'spec.startingDeadlineSeconds: 0 means no job is ever started (a run may start only while less than 0 seconds late)',
    );
  const every = /^@every (.+)$/.exec(cj.spec.schedule ?? '');
  const sds = cj.spec.startingDeadlineSeconds;
  if (every && typeof sds === 'number' && sds > 0) {
    const secs = durationSeconds(every[1] ?? '');
    if (secs !== undefined && sds < secs && sds < 10)
      w.push(
        `spec.startingDeadlineSeconds: ${sds}s is shorter than the @every interval and may never let a run start`,
      );
  }
  return w;
}

function durationSeconds(d: string): number | undefined {
  const r = parseGoDuration(d);
  return r.ok ? Number(r.ns) / 1e9 : undefined;
}
