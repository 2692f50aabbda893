// Kubernetes resource quantities ("500m", "128Mi", "1e3", 2): checking and a numeric value
// for comparisons (requests <= limits).

const suffixes: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const quantityRe = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

export const QuantityMessage =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** The value of a quantity as a number, or undefined if it is not a quantity. */
export function quantityValue(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = quantityRe.exec(q);
  if (!m) return undefined;
  const n = Number(m[1]);
  const s = m[2] ?? '';
  if (/^[eE][+-]?\d+$/.test(s)) return n * 10 ** Number(s.slice(1));
  return n * (suffixes[s] ?? 1);
}

export function isQuantity(q: unknown): boolean {
  return quantityValue(q) !== undefined;
}

/** The decimal suffixes' powers of ten (k8s.io/apimachinery/pkg/api/resource, suffix.go). */
export const decimalExponents: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
/** The binary suffixes' powers of two. */
export const binaryExponents: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};
const decimalSuffixes: Record<number, string> = {
  [-3]: 'm',
  0: '',
  3: 'k',
  6: 'M',
  9: 'G',
  12: 'T',
  15: 'P',
  18: 'E',
};
const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** AsCanonicalBytes of a value in milli-units: an integer mantissa and an exponent that is a multiple of 3. */
function canonicalDecimal(milli: bigint): [bigint, number] {
  let m = milli;
  let exp = -3;
  while (m !== 0n && m % 10n === 0n) {
    m /= 10n;
    exp++;
  }
  const r = ((exp % 3) + 3) % 3;
  return [m * 10n ** BigInt(r), exp - r];
}

/**
 * SetDefaults_ResourceList: a resource quantity finer than a thousandth is rounded up to one
 * (Quantity.RoundUp(-3)) and is then served in its canonical form ("0.0001" is "1m", "1e-4" is
 * "1e-3"); any other quantity is returned as written.
 */
export function roundUpToMilli(q: unknown): unknown {
  const text = typeof q === 'number' ? String(q) : q;
  if (typeof text !== 'string') return q;
  const m = quantityRe.exec(text);
  if (!m) return q;
  const [, mantissa = '', suffix = ''] = m;
  const [whole = '', frac = ''] = mantissa.replace(/^[+-]/, '').split('.');
  let exp10 = -frac.length;
  let exp2 = 0;
  let format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent' = 'DecimalSI';
  if (/^[eE][+-]?\d+$/.test(suffix)) {
    exp10 += Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else if (suffix in binaryExponents) {
    exp2 = binaryExponents[suffix] ?? 0;
    format = 'BinarySI';
  } else exp10 += decimalExponents[suffix] ?? 0;
  if (exp10 >= -3) return q;
  const digits = BigInt(`${whole}${frac}` || '0') * 2n ** BigInt(exp2);
  // Below a thousandth by more digits than the value has (2^60 adds at most 19): 1m, without
  // building a power of ten as long as the exponent (1e-999999).
  const tiny = -3 - exp10 > whole.length + frac.length + 19;
  const den = tiny ? 1n : 10n ** BigInt(-3 - exp10);
  let milli = tiny ? (digits === 0n ? 0n : 1n) : (digits + den - 1n) / den; // up, away from zero
  if (mantissa.startsWith('-')) milli = -milli;
  if (milli === 0n) return '0';
  const abs = milli < 0n ? -milli : milli;
  if (format === 'BinarySI' && abs >= 1024000n && milli % 1000n === 0n) {
    let v = milli / 1000n;
    let i = 0;
    while (i < binarySuffixes.length - 1 && v % 1024n === 0n) {
      v /= 1024n;
      i++;
    }
    return `${v}${binarySuffixes[i] ?? ''}`;
  }
  const [n, exp] = canonicalDecimal(milli);
  if (format === 'DecimalExponent') return exp === 0 ? `${n}` : `${n}e${exp}`;
  const s = decimalSuffixes[exp];
  return s === undefined ? `${n}e${exp}` : `${n}${s}`;
}
