// The schedule language of Kubernetes: robfig/cron v3.0.1 `ParseStandard` (docs/cronjob.md §2.1), with
// robfig's own error texts, plus what the API server adds (no `TZ` in the schedule, docs/cronjob.md §1.3) and
// tjob's deliberate rejections of robfig's quirky inputs (deviation 5, docs/deviations.md).

import { formatGoDuration, parseGoDuration } from './go-duration.js';
import { timeZoneProblem } from './zone.js';

/** robfig's per-field "star" flag (docs/cronjob.md §2.2). */
export interface FieldSet {
  /** Sorted, de-duplicated values. */
  values: readonly number[];
  /** Some item was `*` or `?` without a step or with step 1. */
  star: boolean;
}

export interface CronFields {
  minute: FieldSet;
  hour: FieldSet;
  dayOfMonth: FieldSet;
  month: FieldSet;
  dayOfWeek: FieldSet;
}

export type ParsedSpec =
  | { kind: 'cron'; fields: CronFields; location?: string }
  | { kind: 'every'; /** whole seconds, ≥ 1 s, in ms */ intervalMs: number; /** Go's text */ text: string };

interface Bounds {
  name: string;
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Bounds = {
  name: 'month',
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const daysOfWeek: Bounds = {
  name: 'day-of-week',
  min: 0,
  max: 6,
  names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 },
};
const bounds: Bounds[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  months,
  daysOfWeek,
];

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Go's strings.Fields separators (Unicode White_Space). */
const goSpace = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

class ParseError extends Error {}

function goFields(s: string): string[] {
  return s.split(goSpace).filter((f) => f !== '');
}

/** Go's strconv.Atoi as robfig's mustParseInt uses it, tjob refusing an explicit `+` sign. */
function parseNumber(expr: string, item: string): number {
  if (expr.startsWith('+')) {
    throw new ParseError(
      `explicit "+" sign not allowed: ${item} (Kubernetes would read it as ${expr.slice(1) || '?'}; tjob rejects it, write the number alone)`,
    );
  }
  if (!/^-?[0-9]+$/.test(expr)) {
    throw new ParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  }
  const n = Number(expr);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63) {
    throw new ParseError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`,
    );
  }
  if (n < 0) throw new ParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, r: Bounds, item: string): number {
  if (r.names !== undefined) {
    const named = r.names[expr.toLowerCase()];
    if (named !== undefined) return named;
  }
  return parseNumber(expr, item);
}

/** robfig getRange: one list item. */
function parseItem(item: string, r: Bounds, into: Set<number>): boolean {
  const rangeAndStep = item.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  const first = lowAndHigh[0] ?? '';
  if (first === '*' || first === '?') {
    if (lowAndHigh.length > 1) {
      throw new ParseError(
        `"${first}" cannot start a range: ${item} (Kubernetes would read it as "${first}"; tjob rejects it)`,
      );
    }
    start = r.min;
    end = r.max;
    star = true;
  } else {
    start = parseIntOrName(first, r, item);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1] ?? '', r, item);
    else throw new ParseError(`too many hyphens: ${item}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNumber(rangeAndStep[1] ?? '', item);
    // "N/step" means "N-max/step".
    if (single) end = r.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new ParseError(`too many slashes: ${item}`);
  }
  if (start < r.min) throw new ParseError(`beginning of range (${start}) below minimum (${r.min}): ${item}`);
  if (end > r.max) throw new ParseError(`end of range (${end}) above maximum (${r.max}): ${item}`);
  if (start > end)
    throw new ParseError(`beginning of range (${start}) beyond end of range (${end}): ${item}`);
  if (step === 0) throw new ParseError(`step of range should be a positive number: ${item}`);
  for (let v = start; v <= end; v += step) into.add(v);
  return star;
}

/** robfig getField: a comma-separated list. */
function parseField(field: string, r: Bounds): FieldSet {
  const items = field.split(',');
  if (items.some((i) => i === '')) {
    const hint = items.every((i) => i === '')
      ? 'Kubernetes would accept it and never run'
      : `Kubernetes would read it as "${items.filter((i) => i !== '').join(',')}"`;
    throw new ParseError(`empty item in the ${r.name} list: ${field} (${hint}; tjob rejects it)`);
  }
  const values = new Set<number>();
  let star = false;
  for (const item of items) star = parseItem(item, r, values) || star;
  return { values: [...values].sort((a, b) => a - b), star };
}

function parseFields(spec: string): CronFields {
  const fields = goFields(spec);
  if (fields.length !== 5) {
    throw new ParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((f, i) =>
    parseField(f, bounds[i] as Bounds),
  );
  return {
    minute: minute as FieldSet,
    hour: hour as FieldSet,
    dayOfMonth: dayOfMonth as FieldSet,
    month: month as FieldSet,
    dayOfWeek: dayOfWeek as FieldSet,
  };
}

function parseDescriptor(spec: string): ParsedSpec {
  const equivalent = descriptors[spec];
  if (equivalent !== undefined) return { kind: 'cron', fields: parseFields(equivalent) };
  const every = '@every ';
  if (spec.startsWith(every)) {
    const d = parseGoDuration(spec.slice(every.length));
    if (!d.ok) throw new ParseError(`failed to parse duration ${spec}: ${d.error}`);
    // robfig Every(): under a second becomes a second; sub-second parts are dropped.
    let ns = d.ns < 1_000_000_000n ? 1_000_000_000n : d.ns;
    ns -= ns % 1_000_000_000n;
    return { kind: 'every', intervalMs: Number(ns / 1_000_000n), text: formatGoDuration(ns) };
  }
  throw new ParseError(`unrecognized descriptor: ${spec}`);
}

/**
 * robfig ParseStandard. `allowTZ` accepts robfig's `TZ=zone ` / `CRON_TZ=zone ` prefix (only the
 * controller's legacy path uses it; the API server refuses such schedules on create).
 */
export function parseSpec(
  spec: string,
  allowTZ: boolean,
): { ok: true; spec: ParsedSpec } | { ok: false; error: string } {
  try {
    if (spec.length === 0) throw new ParseError('empty spec string');
    let location: string | undefined;
    let rest = spec;
    if (allowTZ && (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ='))) {
      const space = rest.indexOf(' ');
      const eq = rest.indexOf('=');
      const name = space < 0 ? rest.slice(eq + 1) : rest.slice(eq + 1, space);
      const problem = timeZoneProblem(name);
      if (problem !== undefined || space < 0)
        throw new ParseError(`provided bad location ${name}: ${problem ?? 'no schedule'}`);
      location = name;
      rest = rest.slice(space).trim();
    }
    if (rest.startsWith('@')) {
      const parsed = parseDescriptor(rest);
      return {
        ok: true,
        spec: parsed.kind === 'cron' && location !== undefined ? { ...parsed, location } : parsed,
      };
    }
    const fields = parseFields(rest);
    return {
      ok: true,
      spec: location !== undefined ? { kind: 'cron', fields, location } : { kind: 'cron', fields },
    };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message };
    throw e;
  }
}

/** The API server's message for a schedule that contains `TZ` (docs/cronjob.md §1.3). */
export const scheduleTZMessage = 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
