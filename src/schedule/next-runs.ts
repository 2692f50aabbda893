// nextRuns: upcoming activations for `tjob cron next`, each annotated where a daylight-saving
// change skips or doubles a wall-clock time the schedule names, with what Kubernetes does about it
// (docs/cronjob.md §2.3, deviation 6 in docs/deviations.md).

import type { Schedule } from './schedule.js';
import { civil, transitionsBetween } from './zone.js';

const MINUTE = 60_000;

export interface NextRun {
  time: Date;
  note?: string;
}

function pad(n: number): string {
  return n.toString().padStart(2, '0');
}

/** `2024-03-10 02:30` of wall-clock ms. */
function wallText(wall: number): string {
  const c = civil(wall);
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}`;
}

function hm(wall: number): string {
  const c = civil(wall);
  return `${pad(c.hour)}:${pad(c.minute)}`;
}

/** Skipped wall-clock minutes the schedule names, in the spring-forward gaps of (from, to]. */
function skippedNote(schedule: Schedule, zone: string, from: number, to: number): string | undefined {
  const notes: string[] = [];
  for (const t of transitionsBetween(zone, from, to)) {
    if (t.after <= t.before) continue;
    // Wall times [at + before, at + after) do not exist.
    const gapStart = t.at + t.before;
    const gapEnd = t.at + t.after;
    const skipped: number[] = [];
    for (let w = gapStart; w < gapEnd; w += MINUTE) {
      const c = civil(w);
      if (schedule.matchesWallClock(c.year, c.month, c.day, c.hour, c.minute)) skipped.push(w);
    }
    const first = skipped[0];
    if (first === undefined) continue;
    const last = skipped[skipped.length - 1] ?? first;
    const which = skipped.length === 1 ? wallText(first) : `${wallText(first)}–${hm(last)}`;
    notes.push(
      `${which} does not exist in ${zone} (clocks jump from ${hm(gapStart)} to ${hm(gapEnd)}): ` +
        `skipped, as Kubernetes does not run a wall-clock time that a daylight-saving change skips`,
    );
  }
  return notes.length > 0 ? notes.join('; ') : undefined;
}

/** Whether the run's wall-clock time occurs twice (fall-back overlap), and which occurrence it is. */
function doubledNote(zone: string, at: number): string | undefined {
  // A repeated wall time is at most a few hours from its twin.
  for (const t of transitionsBetween(zone, at - 6 * 3_600_000, at + 6 * 3_600_000)) {
    if (t.after >= t.before) continue;
    const overlap = t.before - t.after;
    if (at >= t.at - overlap && at < t.at + overlap) {
      const first = at < t.at;
      const wall = at + (first ? t.before : t.after);
      return (
        `${wallText(wall)} occurs twice in ${zone} (clocks go back from ${hm(t.at + t.before)} to ${hm(t.at + t.after)}): ` +
        `Kubernetes runs at both; this is the ${first ? 'first' : 'second'}`
      );
    }
  }
  return undefined;
}

/**
 * The next `count` activations strictly after `from`, in `timeZone` (ignored by `@every`, which
 * counts from `from`), with a note where daylight saving skips or doubles a wall-clock time.
 */
export function nextRuns(schedule: Schedule, from: Date, timeZone: string, count: number): NextRun[] {
  const zone = schedule.location ?? timeZone;
  const out: NextRun[] = [];
  let prev = from.getTime();
  for (let i = 0; i < count; i++) {
    const next = schedule.next(new Date(prev), zone);
    if (next === undefined) break;
    const at = next.getTime();
    const run: NextRun = { time: next };
    if (schedule.every === undefined) {
      const notes = [skippedNote(schedule, zone, prev, at), doubledNote(zone, at)].filter(
        (n): n is string => n !== undefined,
      );
      if (notes.length > 0) run.note = notes.join('; ');
    }
    out.push(run);
    prev = at;
  }
  return out;
}
