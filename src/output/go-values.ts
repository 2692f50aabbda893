// How kubectl's Go code renders the decoded JSON it prints through JSONPath and custom columns:
// fmt's %v (fmt.Sprint), strconv.Quote (%q) and the type names reflect reports, for the values
// encoding/json decodes into interface{} (kubectl's unstructured objects: map[string]interface{},
// []interface{}, string, int64 for integral numbers, float64 otherwise, bool, nil).

/** A float64 written as a literal in a template (`2.0`), which Go keeps apart from integers. */
export class GoFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

export function isGoMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);
}

/** Map keys in the order Go's fmt and encoding/json write them: sorted. */
export function goMapKeys(m: Record<string, unknown>): string[] {
  return Object.keys(m)
    .filter((k) => m[k] !== undefined)
    .sort();
}

/**
 * strconv.FormatFloat(f, 'g', -1, 64) as %v writes a float64: the shortest digits, in %e form
 * when the exponent is below -4 or at least 6 (the shortest form's precision rule), e.g.
 * `1.2345675e+06`.
 */
export function goFloatText(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, exp] = f.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(f);
}

/** A number of the decoded JSON: integral ones are int64, the others float64. */
export function goNumberText(n: number): string {
  return Number.isInteger(n) ? String(n) : goFloatText(n);
}

/** fmt.Sprint of a decoded JSON value (%v): `map[a:1 b:x]`, `[a b]`, `<nil>`. */
export function goSprint(v: unknown): string {
  if (v === null) return '<nil>';
  if (v === undefined) return '<invalid reflect.Value>';
  if (v instanceof GoFloat) return goFloatText(v.value);
  if (typeof v === 'number') return goNumberText(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (isGoMap(v))
    return `map[${goMapKeys(v)
      .map((k) => `${k}:${goSprint(v[k])}`)
      .join(' ')}]`;
  return String(v);
}

/** reflect's name of a decoded JSON value's type, as client-go's errors show it. */
export function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoFloat) return 'float64';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (isGoMap(v)) return 'map[string]interface {}';
  return 'interface {}';
}

const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** strconv.Quote (%q): double quotes, Go escapes for what is not printable. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const escaped = GO_ESCAPES[ch];
    if (escaped) out += escaped;
    else if (/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      out +=
        cp < 0x80
          ? `\\x${cp.toString(16).padStart(2, '0')}`
          : cp < 0x10000
            ? `\\u${cp.toString(16).padStart(4, '0')}`
            : `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

/** fmt's %#U of a rune: `U+002A '*'` (the character only when printable). */
export function goRuneText(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const ch = String.fromCodePoint(cp);
  return /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch) ? `${hex} '${ch}'` : hex;
}
