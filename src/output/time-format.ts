// Times as kubectl shows them: ages (translateTimestampSince), RFC1123Z in describe pages, and
// RFC3339Nano in `logs --timestamps`.

import { humanDuration } from './duration.js';

/** kubectl's translateTimestampSince: `<unknown>` for no time, else the HumanDuration since it. */
export function age(since: string | undefined, now: Date): string {
  return ageSince(timeMs(since), now);
}

/** A timestamp as ms since the epoch; NaN for none or one that is not a time. */
export function timeMs(time: string | undefined): number {
  return time ? Date.parse(time) : NaN;
}

/** age of a time already parsed (timeMs): `<unknown>` for NaN. */
export function ageSince(ms: number, now: Date): string {
  return Number.isNaN(ms) ? '<unknown>' : humanDuration(now.getTime() - ms);
}

/** The HumanDuration between two RFC 3339 times. */
export function between(from: string, to: string): string {
  return humanDuration(Date.parse(to) - Date.parse(from));
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Go's time.RFC1123Z (`Mon, 02 Jan 2006 15:04:05 -0700`) at the given UTC offset in minutes
 * (kubectl shows the machine's local zone; the CLI passes it in).
 */
export function rfc1123z(time: string, offsetMinutes = 0): string {
  const t = Date.parse(time);
  if (Number.isNaN(t)) return time;
  const d = new Date(t + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${clock} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** Go's RFC3339Nano: the fraction without trailing zeros (and without the dot when it is zero). */
export function rfc3339Nano(time: string): string {
  return time.replace(/\.(\d+)(Z|[+-]\d\d:\d\d)$/, (_m, frac: string, zone: string) => {
    const trimmed = frac.replace(/0+$/, '');
    return trimmed ? `.${trimmed}${zone}` : zone;
  });
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
