// Go's time.ParseDuration, for `@every <duration>` (docs/cronjob.md §2.4). Kubernetes accepts any Go
// duration there, so the syntax and the error texts are Go's, byte for byte:
//   [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+  with units ns, us, µs, μs, ms, s, m, h (no d, no w).
// Values are nanoseconds as a bigint: Go durations are int64 nanoseconds and a double cannot hold
// them exactly.

const unitNs: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const maxInt64 = (1n << 63n) - 1n;

function quote(s: string): string {
  return JSON.stringify(s);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Go's time.ParseDuration: nanoseconds, or Go's error message. */
export function parseGoDuration(orig: string): { ok: true; ns: bigint } | { ok: false; error: string } {
  const invalid = { ok: false as const, error: `time: invalid duration ${quote(orig)}` };
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, ns: 0n };
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid;
    // Integer part.
    let i = 0;
    while (isDigit(s[i])) i++;
    const pre = i > 0;
    let v = pre ? BigInt(s.slice(0, i)) : 0n;
    if (v > 1n << 63n) return invalid; // leadingInt overflow
    s = s.slice(i);
    // Fraction.
    let frac = '';
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      while (isDigit(s[j])) j++;
      post = j > 0;
      frac = s.slice(0, j);
      s = s.slice(j);
    }
    if (!pre && !post) return invalid;
    // Unit: everything up to the next digit or '.'.
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    if (k === 0) return { ok: false, error: `time: missing unit in duration ${quote(orig)}` };
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = unitNs[u];
    if (unit === undefined)
      return { ok: false, error: `time: unknown unit ${quote(u)} in duration ${quote(orig)}` };
    if (v > (1n << 63n) / unit) return invalid;
    v *= unit;
    if (frac !== '') {
      // Go keeps at most the digits that fit and computes float64(f) * (unit / scale); the
      // fraction of an hour is exact to the nanosecond with integer arithmetic as well.
      const digits = frac.replace(/0+$/, '').slice(0, 18);
      if (digits !== '') v += (BigInt(digits) * unit) / 10n ** BigInt(digits.length);
      if (v > 1n << 63n) return invalid;
    }
    total += v;
    if (total > 1n << 63n) return invalid;
  }
  if (neg) return { ok: true, ns: -total };
  if (total > maxInt64) return invalid;
  return { ok: true, ns: total };
}

/** Go's Duration.String(), e.g. `1h30m0s`, `90ms`: how Kubernetes would print an @every interval. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, div] = u < 1_000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
    out = fixed(u, div) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${h > 0n ? `${h}h` : ''}${h > 0n || m > 0n ? `${m}m` : ''}${fixed(u, 1_000_000_000n)}s`;
  }
  return neg ? `-${out}` : out;
}

function fixed(v: bigint, div: bigint): string {
  const whole = v / div;
  const rest = v % div;
  if (rest === 0n) return whole.toString();
  const width = div.toString().length - 1;
  return `${whole}.${rest.toString().padStart(width, '0').replace(/0+$/, '')}`;
}
