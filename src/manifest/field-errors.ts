// Field errors in the API server's wording (k8s.io/apimachinery/pkg/util/validation/field):
// `<path>: <Kind>[: <value>][: <detail>]`. Values print as Go prints them: integers and bools
// bare, strings double-quoted, maps and structs in Go syntax.

/** One validation error before it is tied to a source file. */
export interface PathError {
  path: string;
  message: string;
}

/** A value whose Go rendering is given verbatim (e.g. `[]int32{3, 1}`). */
export class GoValue {
  constructor(readonly text: string) {}
}

export function formatValue(v: unknown): string {
  if (v instanceof GoValue) return v.text;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(formatValue).join(', ')}}`;
  if (typeof v === 'object') return goMap(v as Record<string, unknown>);
  return String(v);
}

/** `map[string]string{"a":"b", "c":"d"}` (Go sorts map keys when printing). */
export function goMap(m: Record<string, unknown> | undefined): string {
  if (m === undefined) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  const allStrings = keys.every((k) => typeof m[k] === 'string');
  const t = allStrings ? 'map[string]string' : 'map[string]interface {}';
  return `${t}{${keys.map((k) => `${JSON.stringify(k)}:${formatValue(m[k])}`).join(', ')}}`;
}

function withDetail(head: string, detail?: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export const fe = {
  required: (path: string, detail?: string): PathError => ({
    path,
    message: withDetail('Required value', detail),
  }),
  invalid: (path: string, value: unknown, detail?: string): PathError => ({
    path,
    message: withDetail(`Invalid value: ${formatValue(value)}`, detail),
  }),
  /** A rule-level Invalid that prints no value. */
  invalidNoValue: (path: string, detail: string): PathError => ({
    path,
    message: `Invalid value: ${detail}`,
  }),
  notSupported: (path: string, value: unknown, supported: readonly string[]): PathError => ({
    path,
    message:
      `Unsupported value: ${formatValue(value)}` +
      (supported.length ? `: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : ''),
  }),
  duplicate: (path: string, value: unknown): PathError => ({
    path,
    message: `Duplicate value: ${formatValue(value)}`,
  }),
  notFound: (path: string, value: unknown): PathError => ({
    path,
    message: `Not found: ${formatValue(value)}`,
  }),
  forbidden: (path: string, detail: string): PathError => ({
    path,
    message: withDetail('Forbidden', detail),
  }),
  tooLong: (path: string, max: number): PathError => ({
    path,
    message: `Too long: may not be more than ${max} bytes`,
  }),
  tooMany: (path: string, actual: number, max: number): PathError => ({
    path,
    message: `Too many: ${actual}: must have at most ${max} items`,
  }),
};

/** `must be greater than or equal to 0` for a negative number (ValidateNonnegativeField). */
export function nonNegative(path: string, v: number | undefined | null): PathError[] {
  return typeof v === 'number' && v < 0 ? [fe.invalid(path, v, 'must be greater than or equal to 0')] : [];
}

/** Identical error strings are reported once, as the API server does. */
export function dedupe(errors: PathError[]): PathError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.path}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
