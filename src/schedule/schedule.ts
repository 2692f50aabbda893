// Activation times with robfig/cron v3 semantics (docs/cronjob.md §2.2–§2.4).
//
// Why our own matcher instead of cron-parser (docs/cronjob.md §2.7): cron-parser differs from
// robfig exactly where Kubernetes users get hurt — it moves a wall time that a spring-forward gap
// skips to the landing hour, fires a repeated fall-back time once, treats `*/1` as a restriction,
// expands `1/2` in day-of-week to include Sunday, rejects duplicates and impossible dates at parse
// time, and knows neither `@midnight` nor `@every`. Filtering its output (option B) needs a parser
// and canonicaliser of our own anyway, plus two DST patch-ups; the matcher below is smaller and
// exact by construction. cron-parser stays in the tests, as an oracle for the non-DST vectors.
//
// robfig's Next(t), in effect: the earliest instant strictly after t (sub-second part dropped)
// whose wall clock in the zone, at second 0, matches every field. A wall time inside a
// spring-forward gap matches no instant (no run that day); a wall time in a fall-back overlap
// matches two instants (two runs). No match before the end of the year five years on → none.

import type { CronFields } from './parse.js';
import { civil, offsetSpans, wallClock } from './zone.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface Schedule {
  /** robfig `Next`: the first activation strictly after `after`, or undefined ("zero time"). */
  next(after: Date, timeZone: string): Date | undefined;
  /** `@every`: the interval in ms (whole seconds, at least 1 s). */
  readonly every?: number;
  /** The expression as written. */
  readonly source: string;
  /** A legacy `TZ=`/`CRON_TZ=` prefix, which overrides the zone passed to `next`. */
  readonly location?: string;
  /**
   * The latest activation at or before `atOrBefore` (undefined when none within five years, and
   * always for `@every`, whose slots depend on where counting started).
   */
  previous(atOrBefore: Date, timeZone: string): Date | undefined;
  /** Whether a wall-clock minute matches the fields (false for `@every`). */
  matchesWallClock(year: number, month: number, day: number, hour: number, minute: number): boolean;
}

export class EverySchedule implements Schedule {
  constructor(
    readonly source: string,
    readonly every: number,
  ) {}

  next(after: Date): Date {
    return new Date(Math.floor(after.getTime() / 1000) * 1000 + this.every);
  }

  previous(): undefined {
    return undefined;
  }

  matchesWallClock(): boolean {
    return false;
  }
}

export class CronSchedule implements Schedule {
  /** Minutes after local midnight that match hour and minute, ascending. */
  private readonly times: number[];
  private readonly monthBits: boolean[] = [];
  private readonly domBits: boolean[] = [];
  private readonly dowBits: boolean[] = [];
  private readonly dayStar: boolean;

  constructor(
    readonly source: string,
    readonly fields: CronFields,
    readonly location?: string,
  ) {
    this.times = [];
    for (const h of fields.hour.values) for (const m of fields.minute.values) this.times.push(h * 60 + m);
    this.times.sort((a, b) => a - b);
    for (const v of fields.month.values) this.monthBits[v] = true;
    for (const v of fields.dayOfMonth.values) this.domBits[v] = true;
    for (const v of fields.dayOfWeek.values) this.dowBits[v] = true;
    this.dayStar = fields.dayOfMonth.star || fields.dayOfWeek.star;
  }

  /** robfig dayMatches: AND when either field has the star flag, else OR. */
  private dayMatches(year: number, month: number, day: number): boolean {
    if (this.monthBits[month] !== true) return false;
    const dom = this.domBits[day] === true;
    const dow = this.dowBits[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] === true;
    return this.dayStar ? dom && dow : dom || dow;
  }

  matchesWallClock(year: number, month: number, day: number, hour: number, minute: number): boolean {
    return this.dayMatches(year, month, day) && this.times.includes(hour * 60 + minute);
  }

  /**
   * The earliest instant ≥ lo on local day `midnight` (wall ms) whose wall clock matches, or
   * undefined; `single` tells whether the zone's offset was constant around that day.
   */
  private earliestOnDay(midnight: number, lo: number, zone: string): { at?: number; single: boolean } {
    const spans = offsetSpans(zone, midnight - 15 * HOUR, midnight + DAY + 13 * HOUR);
    for (const span of spans) {
      const from = Math.max(lo, span.start);
      if (from >= span.end) continue;
      // Instants in this span are wall − offset; find the first matching wall ≥ from + offset.
      for (const t of this.times) {
        const at = midnight + t * MINUTE - span.offset;
        if (at < from) continue;
        if (at >= span.end) break;
        return { at, single: spans.length === 1 };
      }
    }
    return { single: spans.length === 1 };
  }

  /** The latest instant ≤ hi on local day `midnight` whose wall clock matches. */
  private latestOnDay(midnight: number, hi: number, zone: string): { at?: number; single: boolean } {
    const spans = offsetSpans(zone, midnight - 15 * HOUR, midnight + DAY + 13 * HOUR);
    for (let s = spans.length - 1; s >= 0; s--) {
      const span = spans[s];
      if (span === undefined) continue;
      const to = Math.min(hi, span.end - 1);
      if (to < span.start) continue;
      for (let i = this.times.length - 1; i >= 0; i--) {
        const at = midnight + (this.times[i] ?? 0) * MINUTE - span.offset;
        if (at > to) continue;
        if (at < span.start) break;
        return { at, single: spans.length === 1 };
      }
    }
    return { single: spans.length === 1 };
  }

  next(after: Date, timeZone: string): Date | undefined {
    const zone = this.location ?? timeZone;
    const lo = Math.floor(after.getTime() / 1000) * 1000 + 1000;
    if (this.times.length === 0) return undefined;
    const start = wallClock(lo, zone);
    const yearLimit = start.year + 5;
    // Start one local day early: a fall-back across midnight can make a later instant read as
    // the previous day.
    let midnight = Date.UTC(start.year, start.month - 1, start.day) - DAY;
    for (;;) {
      const c = civil(midnight);
      if (c.year > yearLimit) return undefined;
      if (this.monthBits[c.month] !== true) {
        midnight = Date.UTC(c.year, c.month, 1); // first day of the next month
        continue;
      }
      if (this.dayMatches(c.year, c.month, c.day)) {
        const found = this.earliestOnDay(midnight, lo, zone);
        if (found.at !== undefined) {
          let best = found.at;
          if (!found.single) {
            // Around a transition the next local day's instants can interleave with this one's.
            const n = civil(midnight + DAY);
            if (this.dayMatches(n.year, n.month, n.day)) {
              const also = this.earliestOnDay(midnight + DAY, lo, zone).at;
              if (also !== undefined && also < best) best = also;
            }
          }
          return new Date(best);
        }
      }
      midnight += DAY;
    }
  }

  previous(atOrBefore: Date, timeZone: string): Date | undefined {
    const zone = this.location ?? timeZone;
    const hi = Math.floor(atOrBefore.getTime() / 1000) * 1000;
    if (this.times.length === 0) return undefined;
    const start = wallClock(hi, zone);
    const yearLimit = start.year - 5;
    let midnight = Date.UTC(start.year, start.month - 1, start.day) + DAY;
    for (;;) {
      const c = civil(midnight);
      if (c.year < yearLimit) return undefined;
      if (this.monthBits[c.month] !== true) {
        midnight = Date.UTC(c.year, c.month - 1, 1) - DAY; // last day of the previous month
        continue;
      }
      if (this.dayMatches(c.year, c.month, c.day)) {
        const found = this.latestOnDay(midnight, hi, zone);
        if (found.at !== undefined) {
          let best = found.at;
          if (!found.single) {
            const p = civil(midnight - DAY);
            if (this.dayMatches(p.year, p.month, p.day)) {
              const also = this.latestOnDay(midnight - DAY, hi, zone).at;
              if (also !== undefined && also > best) best = also;
            }
          }
          return new Date(best);
        }
      }
      midnight -= DAY;
    }
  }
}
