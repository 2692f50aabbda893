// Template parameters (docs/cli.md#template-parameters): `$NAME` and `${NAME}` in the raw text
// are replaced before parsing, but only for the names given. `$(VAR)` (Kubernetes' own syntax)
// and any other `$` text stay as they are.

import { UsageError } from '../api/errors.js';
import type { TemplateParams } from './types.js';

const paramNameRe = /^[A-Za-z_][A-Za-z0-9_]*$/;
const placeholderRe = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Parses `--set NAME=VALUE` flags (repeatable). The value may be empty and may hold `=`. */
export function parseSetFlags(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0)
      throw new UsageError(
        `invalid --set "${item}": expected NAME=VALUE`,
        'e.g. --set ITEM=apple --set IMAGE=busybox',
      );
    const name = item.slice(0, eq);
    if (!paramNameRe.test(name))
      throw new UsageError(
        `invalid --set "${item}": "${name}" is not a parameter name (letters, digits and _, not starting with a digit)`,
      );
    out[name] = item.slice(eq + 1);
  }
  return out;
}

/** Parses `--items a,b,c`: comma-separated, blanks trimmed, empty items dropped. */
export function parseItemsFlag(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError('--items: no items given', 'e.g. --items apple,banana,cherry');
  return items;
}

/** Parses the text of `--items-file F`: one item a line, blank lines and `#` comments skipped. */
export function parseItemsFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.startsWith('#'));
}

/** Replaces `$NAME` / `${NAME}` for the names in `values`; everything else is left alone. */
export function expandTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(placeholderRe, (whole: string, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    return Object.prototype.hasOwnProperty.call(values, name) ? (values[name] ?? whole) : whole;
  });
}

/**
 * The parameter sets a template expands to: one per item (with ITEM set) when items are
 * given, else one with just the --set values.
 */
export function parameterSets(params: TemplateParams): { item?: string; values: Record<string, string> }[] {
  const set = params.set ?? {};
  if (params.items === undefined) return [{ values: { ...set } }];
  return params.items.map((item) => ({ item, values: { ...set, ITEM: item } }));
}

/** The template parameter names left in a string (`$ITEM`, `${IMAGE}`), in order, once each. */
export function placeholdersIn(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(placeholderRe)) {
    const name = m[1] ?? m[2];
    if (name !== undefined && !out.includes(name)) out.push(name);
  }
  return out;
}

/** The hint for an error whose value still holds a placeholder. */
export function placeholderHint(name: string): string {
  return name === 'ITEM'
    ? `hint: $ITEM is a template parameter: set it with --items or --set ITEM=...`
    : `hint: $${name} is a template parameter: set it with --set ${name}=...`;
}
