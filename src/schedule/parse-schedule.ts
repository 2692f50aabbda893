// parseSchedule: a `spec.schedule` as the API server accepts it (docs/cronjob.md §1.3, §2.1, §2.5),
// and the controller's legacy variant that tolerates a `TZ=` prefix (docs/cronjob.md §3.4 step 3).

import { parseSpec, scheduleTZMessage } from './parse.js';
import { CronSchedule, EverySchedule, type Schedule } from './schedule.js';

export type ParseResult = { ok: true; schedule: Schedule } | { ok: false; error: string };

function build(expr: string, allowTZ: boolean): ParseResult {
  const parsed = parseSpec(expr, allowTZ);
  if (!parsed.ok) return parsed;
  const spec = parsed.spec;
  if (spec.kind === 'every') return { ok: true, schedule: new EverySchedule(expr, spec.intervalMs) };
  return { ok: true, schedule: new CronSchedule(expr, spec.fields, spec.location) };
}

/**
 * Parse a CronJob schedule as Kubernetes would accept it on create. The error is the text after
 * `spec.schedule: Invalid value: "<expr>": ` in the API server's message: robfig's own error, the
 * API server's `TZ` message (checked first when the schedule contains `TZ`), or tjob's message for
 * a robfig quirk it rejects (deviation 5, docs/deviations.md). An empty schedule gives robfig's
 * `empty spec string`; the API server reports that case as `Required value`.
 * Schedules that parse but can never fire (`0 0 30 2 *`) are accepted, as Kubernetes does.
 */
export function parseSchedule(expr: string): ParseResult {
  if (expr.includes('TZ')) return { ok: false, error: scheduleTZMessage };
  return build(expr, false);
}

/**
 * The controller's reading of a stored schedule: robfig ParseStandard, which accepts a
 * `TZ=<zone> ` or `CRON_TZ=<zone> ` prefix (the zone then overrides `timeZone`).
 */
export function parseStoredSchedule(expr: string): ParseResult {
  return build(expr, true);
}
