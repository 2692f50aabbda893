// describeSchedule: a short English reading of a schedule for `tjob cron next`, e.g.
// "every 5 minutes", "at 02:30 on Monday", "at 00:00 on day 13 of the month or on Friday".

import { parseSpec, type CronFields, type FieldSet } from './parse.js';

const monthNames = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function pad(n: number): string {
  return n.toString().padStart(2, '0');
}

function join(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function isFull(set: FieldSet, min: number, max: number): boolean {
  return set.values.length === max - min + 1;
}

/** Runs of consecutive values: [[1,5],[7,7]]. */
function runs(values: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

/** A regular step from the minimum, e.g. 0,5,10,…,55 → 5. */
function stepOf(set: FieldSet, min: number, max: number): number | undefined {
  const v = set.values;
  if (v.length < 2 || v[0] !== min) return undefined;
  const step = (v[1] ?? 0) - (v[0] ?? 0);
  if (step < 2) return undefined;
  for (let i = 1; i < v.length; i++) if ((v[i] ?? 0) - (v[i - 1] ?? 0) !== step) return undefined;
  return (v[v.length - 1] ?? 0) + step > max ? step : undefined;
}

function listNamed(values: readonly number[], names: string[]): string {
  return join(
    runs(values).map(([a, b]) =>
      a === b
        ? (names[a] ?? `${a}`)
        : b === a + 1
          ? `${names[a]} and ${names[b]}`
          : `${names[a]} through ${names[b]}`,
    ),
  );
}

function listNumbers(values: readonly number[]): string {
  return join(runs(values).map(([a, b]) => (a === b ? `${a}` : b === a + 1 ? `${a} and ${b}` : `${a}-${b}`)));
}

function timePart(f: CronFields): { text: string; daily: boolean } {
  const allMinutes = isFull(f.minute, 0, 59);
  const allHours = isFull(f.hour, 0, 23);
  if (allHours) {
    if (allMinutes) return { text: 'every minute', daily: false };
    const step = stepOf(f.minute, 0, 59);
    if (step !== undefined) return { text: `every ${step} minutes`, daily: false };
    if (f.minute.values.length === 1 && f.minute.values[0] === 0) return { text: 'every hour', daily: false };
    const m = f.minute.values;
    return { text: `every hour at minute${m.length > 1 ? 's' : ''} ${listNumbers(m)}`, daily: false };
  }
  const hourStep = stepOf(f.hour, 0, 23);
  if (f.minute.values.length === 1 && hourStep !== undefined) {
    const m = f.minute.values[0] ?? 0;
    return { text: `every ${hourStep} hours at minute ${m}`, daily: false };
  }
  const count = f.minute.values.length * f.hour.values.length;
  if (count <= 6) {
    const times: string[] = [];
    for (const h of f.hour.values) for (const m of f.minute.values) times.push(`${pad(h)}:${pad(m)}`);
    return { text: `at ${join(times)}`, daily: true };
  }
  const minutes = allMinutes
    ? 'every minute'
    : `at minute${f.minute.values.length > 1 ? 's' : ''} ${listNumbers(f.minute.values)}`;
  return {
    text: `${minutes} past hour${f.hour.values.length > 1 ? 's' : ''} ${listNumbers(f.hour.values)}`,
    daily: false,
  };
}

function dayPart(f: CronFields): string {
  const domAll = isFull(f.dayOfMonth, 1, 31);
  const dowAll = isFull(f.dayOfWeek, 0, 6);
  const dom = `on day${f.dayOfMonth.values.length > 1 ? 's' : ''} ${listNumbers(f.dayOfMonth.values)} of the month`;
  const dow = `on ${listNamed(f.dayOfWeek.values, dayNames)}`;
  if (f.dayOfMonth.star || f.dayOfWeek.star) {
    // AND: only the restricted field constrains.
    if (f.dayOfMonth.star && f.dayOfWeek.star) return '';
    if (f.dayOfMonth.star) return dowAll ? '' : dow;
    return domAll ? '' : dom;
  }
  if (domAll || dowAll) return ''; // OR with a full field: every day
  return `${dom} or ${dow}`;
}

/** A short human reading of a schedule, or `invalid schedule: <reason>`. */
export function describeSchedule(expr: string): string {
  const parsed = parseSpec(expr, true);
  if (!parsed.ok) return `invalid schedule: ${parsed.error}`;
  const spec = parsed.spec;
  if (spec.kind === 'every') return `every ${spec.text} (from the last run, or from creation)`;
  const f = spec.fields;
  if (f.minute.values.length === 0 || f.hour.values.length === 0) return 'never';
  const time = timePart(f);
  const day = dayPart(f);
  const month = isFull(f.month, 1, 12) ? '' : `in ${listNamed(f.month.values, monthNames)}`;
  const parts = [time.text];
  if (day !== '') parts.push(day);
  else if (time.daily && month === '') parts.push('every day');
  if (month !== '') parts.push(month);
  if (spec.location !== undefined) parts.push(`(${spec.location})`);
  return parts.join(' ');
}
