// Kubernetes resource quantities (`500m`, `2`, `1.5`, `128Mi`, `1G`, `1e3`, `100Ki`), parsed exactly
// (as a rational of big integers) so that rounding matches the API server and the kubelet: memory
// rounds up to whole bytes, cpu up to whole milli-cpus.
//
// Grammar (k8s.io/apimachinery/pkg/api/resource):
//   <quantity> ::= <signedNumber><suffix>
//   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E
//                | e<signedNumber> | E<signedNumber>
//   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>

import { binaryExponents, decimalExponents } from '../../manifest/quantity.js';

/** An exact non-normalised rational: numerator / denominator, denominator > 0. */
export interface Quantity {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const binarySuffixes: Record<string, bigint> = Object.fromEntries(
  Object.entries(binaryExponents).map(([suffix, exp]) => [suffix, 1n << BigInt(exp)]),
);
const decimalSuffixes = decimalExponents;

const quantityPattern = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Parses a quantity; numbers (as YAML gives `cpu: 2`) are accepted too. Throws on malformed input. */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === 'number' ? numberText(input) : input.trim();
  const match = quantityPattern.exec(text);
  if (!match)
    throw new Error(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': "${String(input)}"`,
    );
  const [, sign = '', digits = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = digits.split('.');
  let numerator = BigInt((whole || '0') + fraction);
  let denominator = 10n ** BigInt(fraction.length);
  if (sign === '-') numerator = -numerator;

  const binary = binarySuffixes[suffix];
  let exponent = 0;
  if (binary !== undefined) numerator *= binary;
  else if (suffix.startsWith('e') || suffix.startsWith('E')) exponent = Number(suffix.slice(1));
  else exponent = decimalSuffixes[suffix] ?? 0;
  if (Math.abs(exponent) > 1000) throw new Error(`quantity exponent out of range: "${String(input)}"`);
  if (exponent > 0) numerator *= 10n ** BigInt(exponent);
  else if (exponent < 0) denominator *= 10n ** BigInt(-exponent);
  return { numerator, denominator };
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`quantity is not a finite number: ${n}`);
  return String(n).replace('e+', 'e');
}

/** ceil(q × scale), exactly. */
export function ceilScaled(q: Quantity, scale: bigint = 1n): bigint {
  const n = q.numerator * scale;
  const d = q.denominator;
  const quotient = n / d; // truncates toward zero
  return n % d !== 0n && n > 0n ? quotient + 1n : quotient;
}

/** The quantity as a float (for display and comparisons, not for resource arithmetic). */
export function quantityToNumber(q: Quantity): number {
  return Number(q.numerator) / Number(q.denominator);
}

/** The kubelet's `Quantity.MilliValue()`: milli-units, rounded up. */
export function milliValue(input: string | number): bigint {
  return ceilScaled(parseQuantity(input), 1000n);
}

/** The kubelet's `Quantity.Value()`: whole units, rounded up. */
export function wholeValue(input: string | number): bigint {
  return ceilScaled(parseQuantity(input));
}

/** A cpu quantity as Docker's NanoCpus (billionths of a cpu), rounded up. Throws on a negative one. */
export function cpuToNanoCpus(input: string | number): number {
  const q = parseQuantity(input);
  if (q.numerator < 0n) throw new Error(`cpu quantity must not be negative: "${String(input)}"`);
  return Number(ceilScaled(q, 1_000_000_000n));
}

/** A memory quantity in bytes, rounded up. Throws on a negative one. */
export function memoryToBytes(input: string | number): number {
  const q = parseQuantity(input);
  if (q.numerator < 0n) throw new Error(`memory quantity must not be negative: "${String(input)}"`);
  return Number(ceilScaled(q));
}
