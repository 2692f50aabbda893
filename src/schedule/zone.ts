// Time-zone arithmetic on Intl alone: the UTC offset of an instant in an IANA zone, the wall clock
// of an instant, the spans of constant offset around a local day, and the Kubernetes rules for
// which `timeZone` names are valid (docs/cronjob.md §1.3).

import { zoneNames } from './zone-names.js';

const HOUR = 3_600_000;

/** A wall-clock reading, fields as the calendar shows them (month 1–12). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC';
}

/** The wall clock of `ms` (an instant) read as if the zone were UTC: instant + offset. */
function wallMs(ms: number, zone: string): number {
  const seconds = Math.floor(ms / 1000) * 1000;
  if (isUtc(zone)) return seconds;
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of formatter(zone).formatToParts(seconds)) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  const d = new Date(0);
  d.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** The zone's UTC offset at instant `ms`, in milliseconds (wall = instant + offset). */
export function offsetAt(ms: number, zone: string): number {
  return wallMs(ms, zone) - Math.floor(ms / 1000) * 1000;
}

/** The wall clock of an instant in a zone. */
export function wallClock(ms: number, zone: string): WallClock {
  return civil(wallMs(ms, zone));
}

/** Split wall-clock milliseconds (wall read as UTC) into calendar fields. */
export function civil(wall: number): WallClock {
  const d = new Date(wall);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** A span of instants [start, end) during which the zone's offset is constant. */
export interface OffsetSpan {
  start: number;
  end: number;
  offset: number;
}

const SAMPLE = 6 * HOUR;

/**
 * The spans of constant offset covering [from, to). Offsets are sampled every 6 hours and each
 * change is located to the second by bisection; no zone has had two transitions 6 hours apart.
 */
export function offsetSpans(zone: string, from: number, to: number): readonly OffsetSpan[] {
  if (isUtc(zone)) return [{ start: from, end: to, offset: 0 }];
  // Searches ask for the same local-day windows over and over: remember the last few hundred.
  const key = `${zone} ${from} ${to}`;
  const cached = spanCache.get(key);
  if (cached !== undefined) return cached;
  const spans = computeSpans(zone, from, to);
  if (spanCache.size >= 512) spanCache.clear();
  spanCache.set(key, spans);
  return spans;
}

const spanCache = new Map<string, readonly OffsetSpan[]>();

function computeSpans(zone: string, from: number, to: number): OffsetSpan[] {
  const spans: OffsetSpan[] = [];
  let start = from;
  let offset = offsetAt(from, zone);
  let t = from;
  while (t < to) {
    const u = Math.min(t + SAMPLE, to);
    const o = offsetAt(u, zone);
    if (o !== offset) {
      // The change happens in (t, u]: find the first second with the new offset.
      let lo = Math.floor(t / 1000);
      let hi = Math.floor(u / 1000);
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(mid * 1000, zone) === offset) lo = mid;
        else hi = mid;
      }
      const at = hi * 1000;
      spans.push({ start, end: at, offset });
      start = at;
      offset = offsetAt(at, zone);
      // Another change inside the same sample window is handled by re-sampling from `at`.
      t = at;
      continue;
    }
    t = u;
  }
  spans.push({ start, end: to, offset });
  return spans;
}

/** The transitions (offset changes) in (from, to]: instant, offset before and after. */
export function transitionsBetween(
  zone: string,
  from: number,
  to: number,
): { at: number; before: number; after: number }[] {
  const spans = offsetSpans(zone, from, to + 1000);
  const out: { at: number; before: number; after: number }[] = [];
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1];
    const cur = spans[i];
    if (prev !== undefined && cur !== undefined && cur.start > from && cur.start <= to) {
      out.push({ at: cur.start, before: prev.offset, after: cur.offset });
    }
  }
  return out;
}

// ---- Names ----

const exactNames = new Set(zoneNames);
const namesByLower = new Map<string, string>(zoneNames.map((n) => [n.toLowerCase(), n]));

/** Whether Intl can evaluate the zone at all (any case, aliases included). */
export function intlKnowsZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why Kubernetes would reject `timeZone` (docs/cronjob.md §1.3), or undefined when it is valid: the
 * API server's character rules, `Local` refused, and a case-sensitive tz-database lookup (Go's
 * time.LoadLocation), which Intl's case-insensitive lookup does not give by itself.
 */
export function timeZoneProblem(name: string): string | undefined {
  if (name === '') return 'unknown time zone ';
  for (const part of name.split('/')) {
    if (part === '' || part.length > 14 || part === '.' || part === '..' || part.startsWith('-')) {
      return `unknown time zone ${name}`;
    }
    if (!/^[A-Za-z0-9._+-]+$/.test(part)) return `unknown time zone ${name}`;
  }
  if (name.toLowerCase() === 'local') return `unknown time zone ${name}`;
  if (!intlKnowsZone(name)) return `unknown time zone ${name}`;
  if (exactNames.has(name)) return undefined;
  const known = namesByLower.get(name.toLowerCase());
  if (known !== undefined && known !== name) return `unknown time zone ${name}`;
  return undefined;
}

/** Whether `name` is a `timeZone` Kubernetes accepts (docs/cronjob.md §1.3). */
export function isValidTimeZone(name: string): boolean {
  return timeZoneProblem(name) === undefined;
}

/** The machine's zone (what kube-controller-manager would use when `timeZone` is unset). */
export function localTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}
