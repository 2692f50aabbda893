// CronJob validation (cronjob.md §1.3): metadata, schedule (robfig ParseStandard's grammar and
// error texts; no TZ/CRON_TZ), startingDeadlineSeconds, timeZone (IANA, exact case),
// concurrencyPolicy, the job template, history limits, then the 52-character name limit.

import type { CronJob } from '../api/k8s.js';
import { dedupe, fe, nonNegative, type PathError } from './field-errors.js';
import { goLabelSelector, validateJobSpecCommon } from './job-validation.js';
import { validateObjectMeta } from './meta-validation.js';

interface FieldRange {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const ranges: FieldRange[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(months.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(days.map((d, i) => [d, i])) },
];
const descriptors = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const durationRe = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

function atoi(expr: string): number {
  if (!/^\d+$/.test(expr)) {
    if (/^[+-]\d+$/.test(expr)) {
      const n = Number(expr);
      if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
      throw new Error(`a sign is not allowed before a number: ${expr}`);
    }
    throw new Error(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  }
  return Number(expr);
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const n = names?.[expr.toLowerCase()];
  return n !== undefined ? n : atoi(expr);
}

function checkRange(expr: string, r: FieldRange): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  const low = lowAndHigh[0] ?? '';
  if (low === '*' || low === '?') {
    if (lowAndHigh.length > 1) throw new Error(`a range may not start with ${low}: ${expr}`);
    start = r.min;
    end = r.max;
  } else {
    start = parseIntOrName(low, r.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1] ?? '', r.names);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1] ?? '');
    if (single) end = r.max;
  } else if (rangeAndStep.length > 2) throw new Error(`too many slashes: ${expr}`);
  if (start < r.min) throw new Error(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new Error(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

/**
 * Checks a schedule as Kubernetes does (robfig/cron v3 ParseStandard): 5 fields or a
 * descriptor; returns the parser's error text or undefined. robfig's quirks (`1,,2`, `+5`,
 * `*-5`) are rejected (cli.md deviation 5). A `TZ=`/`CRON_TZ=` prefix is parsed past here;
 * the caller rejects it.
 */
export function checkScheduleSyntax(schedule: string): string | undefined {
  let spec = schedule;
  if (spec.length === 0) return 'empty spec string';
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const i = spec.indexOf(' ');
    if (i < 0) return 'expected exactly 5 fields, found 0: []';
    spec = spec.slice(i).trim();
  }
  if (spec.startsWith('@')) {
    if (descriptors.includes(spec)) return undefined;
    if (spec.startsWith('@every ')) {
      const d = spec.slice('@every '.length);
      return durationRe.test(d)
        ? undefined
        : `failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(d)}`;
    }
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/\s+/).filter((f) => f.length > 0);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  try {
    fields.forEach((field, i) => {
      const r = ranges[i];
      if (!r) return;
      const items = field.split(',');
      if (items.some((it) => it.length === 0)) throw new Error(`empty item in list: ${field}`);
      for (const it of items) checkRange(it, r);
    });
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

const tzPartRe = /^[A-Za-z0-9._+-]{1,14}$/;

/** The timeZone error detail, or undefined when the zone loads (exact-case IANA name). */
export function checkTimeZone(tz: string): string | undefined {
  if (tz.length === 0) return 'timeZone must be nil or non-empty string';
  for (const part of tz.split('/'))
    if (part === '.' || part === '..' || part.startsWith('-') || !tzPartRe.test(part))
      return `unknown time zone ${tz}`;
  if (tz.toLowerCase() === 'local')
    return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return `unknown time zone ${tz}`;
  }
  // Go's tz lookup is case-sensitive; Intl is not. Zone names start each part with a capital
  // letter (UTC, US/Eastern, Etc/GMT+5) and a name that Intl only resolves by case-folding to
  // itself is wrongly cased.
  const wrongCase = resolved !== tz && resolved.toLowerCase() === tz.toLowerCase();
  if (wrongCase || tz.split('/').some((p) => !/^[A-Z]/.test(p))) return `unknown time zone ${tz}`;
  return undefined;
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
  const unit: Record<string, number> = {
    ns: 1e-9,
    us: 1e-6,
    µs: 1e-6,
    μs: 1e-6,
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
  };
  let total = 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
  let matched = '';
  for (const m of d.matchAll(re)) {
    total += Number(m[1]) * (unit[m[2] ?? 's'] ?? 1);
    matched += m[0];
  }
  return matched === d.replace(/^\+/, '') ? total : undefined;
}
