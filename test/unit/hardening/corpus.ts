// The bad-input corpus: valid manifests (samples/ and test/fixtures/) mutated by a seeded PRNG —
// wrong types at every path, missing and extra fields, huge values, unicode, YAML tokens, tags,
// anchors and aliases, text noise — plus a fixed list of hostile documents. Shared by the
// in-process corpus (test/unit/hardening) and the spawned-CLI part (test/integration/hardening).

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dump, load, YAML11_SCHEMA } from 'js-yaml';
import type { TemplateParams } from '../../../src/manifest/index.js';
import { rng, type Rng } from './prng.js';

export const ROOT = resolve(import.meta.dirname, '../../../..');

export interface Case {
  category: string;
  /** Reproduces the case: category, seed manifest, operation and seed. */
  name: string;
  text: string;
  params?: TemplateParams;
}

export interface Seed {
  name: string;
  text: string;
  params?: TemplateParams;
  /** The parsed documents, when the seed is valid YAML. */
  docs: unknown[];
}

/** Every manifest of samples/ (templates included) and test/fixtures/manifests/, with the parameters it needs. */
export function seeds(): Seed[] {
  const out: Seed[] = [];
  for (const dir of ['samples', 'samples/templates', 'test/fixtures/manifests']) {
    for (const f of readdirSync(join(ROOT, dir)).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const text = readFileSync(join(ROOT, dir, f), 'utf8');
      let docs: unknown[];
      try {
        docs = loadAllDocs(text);
      } catch {
        docs = [];
      }
      const seed: Seed = { name: `${dir}/${f}`, text, docs };
      if (text.includes('$ITEM')) seed.params = { items: ['apple', 'banana'] };
      out.push(seed);
    }
  }
  return out;
}

function loadAllDocs(text: string): unknown[] {
  const docs: unknown[] = [];
  // The seeds are plain: splitting on document markers is enough.
  for (const part of text.split(/^---\s*$/m)) {
    const v = load(part, { schema: YAML11_SCHEMA });
    if (v !== null && v !== undefined) docs.push(v);
  }
  return docs;
}

// ---------------------------------------------------------------- value pools

const long10k = 'a'.repeat(10_000);
export const UnicodeStrings: readonly string[] = [
  '\u202Eevil\u202C', // RTL override
  'שלום-עולם', // RTL script
  'a\u200Bb', // zero-width space
  '\u200D', // zero-width joiner alone
  '\uFEFFname', // BOM inside
  '👩‍👩‍👧‍👦', // emoji ZWJ sequence
  'job-😀',
  'a\u0000b', // NUL
  '\u0000',
  'a\uD800b', // lone high surrogate
  '\uDC00', // lone low surrogate
  'e\u0301', // combining mark
  'Ǆ', // titlecase letter
  'ＡＢＣ', // full-width
  'a\nb',
  'a\r\nb',
  '\t',
  '\u0085', // NEL
  '\u2028', // line separator
];
const weirdStrings: readonly string[] = [
  '',
  ' ',
  'x',
  '-',
  '.',
  '..',
  '2147483648',
  '9223372036854775808',
  'true',
  'null',
  '~',
  'NaN',
  '.nan',
  '-0',
  'Infinity',
  '1e308',
  '0x1F',
  '$ITEM',
  '${ITEM}',
  '$(VAR)',
  '$$(VAR)',
  '$',
  'a: b',
  '- x',
  '{',
  '[',
  '*alias',
  '&anchor',
  '!tag',
  '%',
  '@',
  '`',
  '"quoted"',
  "'",
  '\\',
  '/',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'A'.repeat(64),
  'a'.repeat(254),
  long10k,
  ...UnicodeStrings,
];
const numbers: readonly number[] = [
  0,
  -1,
  1,
  1.5,
  -0,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_VALUE,
  0.1,
];
const weirdKeys: readonly string[] = [
  'unknownField',
  'imagee',
  'Name',
  'NAME',
  'spec',
  'metadata',
  'containers',
  'template',
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'a.b',
  'a/b',
  '0',
  '-1',
  'x'.repeat(300),
  ...UnicodeStrings,
];

type Kind = 'string' | 'number' | 'bool' | 'list' | 'map' | 'null';
const kindOf = (v: unknown): Kind =>
  v === null || v === undefined
    ? 'null'
    : Array.isArray(v)
      ? 'list'
      : typeof v === 'object'
        ? 'map'
        : typeof v === 'number'
          ? 'number'
          : typeof v === 'boolean'
            ? 'bool'
            : 'string';

function valueOfKind(r: Rng, k: Kind, depth = 0): unknown {
  switch (k) {
    case 'string':
      return r.pick(weirdStrings);
    case 'number':
      return r.pick(numbers);
    case 'bool':
      return r.chance(0.5);
    case 'null':
      return null;
    case 'list':
      return depth > 1
        ? []
        : r.pick([[], [r.pick(weirdStrings)], [1, 'a', null], [{}], [randomValue(r, depth + 1)]]);
    case 'map':
      return depth > 1
        ? {}
        : r.pick([
            {},
            { a: 1 },
            { [r.pick(weirdKeys)]: randomValue(r, depth + 1) },
            { name: r.pick(weirdStrings) },
          ]);
  }
}

const kinds: readonly Kind[] = ['string', 'number', 'bool', 'list', 'map', 'null'];
function randomValue(r: Rng, depth = 0): unknown {
  return valueOfKind(r, r.pick(kinds), depth);
}

// ---------------------------------------------------------------- structural mutation

type Path = (string | number)[];

/** Every path in a document (containers and leaves, not the root). */
export function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      out.push([...prefix, i]);
      pathsOf(item, [...prefix, i], out);
    });
  } else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    for (const [k, item] of Object.entries(v)) {
      out.push([...prefix, k]);
      pathsOf(item, [...prefix, k], out);
    }
  }
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}

function parentOf(
  root: unknown,
  path: Path,
): { parent: Record<string | number, unknown> | unknown[]; key: string | number } {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  return { parent, key: path[path.length - 1] as string | number };
}

function defineAt(
  parent: Record<string | number, unknown> | unknown[],
  key: string | number,
  value: unknown,
): void {
  // defineProperty so `__proto__` becomes an own key, as js-yaml makes it.
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

export type StructuralOp = 'wrong-type' | 'missing' | 'extra' | 'huge' | 'unicode';
export const StructuralOps: readonly StructuralOp[] = ['wrong-type', 'missing', 'extra', 'huge', 'unicode'];

/** Applies one structural mutation to a copy of `doc`; returns the copy and what was done. */
export function mutate(doc: unknown, op: StructuralOp, r: Rng): { doc: unknown; what: string } {
  const copy = structuredClone(doc);
  const paths = pathsOf(copy);
  if (paths.length === 0) return { doc: randomValue(r), what: 'replace the document' };
  const path = r.pick(paths);
  const { parent, key } = parentOf(copy, path);
  const where = path.join('.');
  switch (op) {
    case 'wrong-type': {
      const old = kindOf(getAt(copy, path));
      const k = r.pick(kinds.filter((x) => x !== old));
      defineAt(parent, key, valueOfKind(r, k));
      return { doc: copy, what: `${where} → ${k}` };
    }
    case 'missing':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return { doc: copy, what: `delete ${where}` };
    case 'extra': {
      const maps = [[], ...paths].filter((p) => kindOf(getAt(copy, p)) === 'map');
      const target = getAt(copy, r.pick(maps)) as Record<string, unknown>;
      const name = r.pick(weirdKeys);
      defineAt(target, name, randomValue(r));
      return { doc: copy, what: `extra ${JSON.stringify(name).slice(0, 40)}` };
    }
    case 'huge': {
      // A 100k-element list costs ~0.5 s to check: only one case in a hundred gets one.
      const v = r.chance(0.01)
        ? hugeList(r)
        : r.pick<unknown>([...numbers.slice(5), long10k, 'x'.repeat(100_000)]);
      defineAt(parent, key, v);
      return { doc: copy, what: `${where} huge` };
    }
    case 'unicode': {
      const s = r.pick(UnicodeStrings);
      // Names and labels are the interesting places; elsewhere any string path will do.
      const named = paths.filter((p) =>
        /^(name|generateName|labels|annotations|image|key)$/.test(String(p[p.length - 2] ?? p[p.length - 1])),
      );
      const target = named.length > 0 && r.chance(0.7) ? r.pick(named) : path;
      const t = parentOf(copy, target);
      if (r.chance(0.3) && kindOf(getAt(copy, target)) === 'map')
        defineAt(getAt(copy, target) as Record<string, unknown>, s, s);
      else defineAt(t.parent, t.key, s);
      return { doc: copy, what: `${target.join('.')} unicode` };
    }
  }
}

function hugeList(r: Rng): unknown[] {
  return r.chance(0.5)
    ? Array.from({ length: 100_000 }, (_, i) => `x${i}`)
    : new Array<number>(100_000).fill(1);
}

/** YAML text of documents, through js-yaml's dumper or as JSON (also YAML) at random. */
export function serialize(docs: unknown[], r: Rng): string {
  const json = r.chance(0.3);
  return docs
    .map((d) => {
      if (!json) {
        try {
          return dump(d, { noRefs: true, lineWidth: -1 });
        } catch {
          // Fall through to JSON.
        }
      }
      return `${JSON.stringify(d)}\n`;
    })
    .join('---\n');
}

export function* structuralCases(seedList: readonly Seed[], count: number, seed: number): Generator<Case> {
  const usable = seedList.filter((s) => s.docs.length > 0);
  for (let i = 0; i < count; i++) {
    const r = rng(seed + i);
    const s = r.pick(usable);
    const op = StructuralOps[i % StructuralOps.length] as StructuralOp;
    const di = r.int(s.docs.length);
    const docs = s.docs.slice();
    const m = mutate(docs[di], op, r);
    docs[di] = m.doc;
    const c: Case = {
      category: op,
      name: `${op} ${s.name} #${seed + i}: ${m.what}`,
      text: serialize(docs, r),
    };
    if (s.params) c.params = s.params;
    yield c;
  }
}

// ---------------------------------------------------------------- text mutation

export const YamlTokens: readonly string[] = [
  '-0',
  '.nan',
  '.NaN',
  '.inf',
  '-.inf',
  '2147483648',
  '-2147483649',
  '9223372036854775807',
  '9223372036854775808',
  '18446744073709551616',
  '1e308',
  '1.0e+309',
  '0x7fffffff',
  '0xFFFFFFFFFFFFFFFFFF',
  '0o17',
  '017',
  '0b101',
  '1_000',
  '1:20',
  '190:20:30',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  '~',
  'null',
  'Null',
  '!!binary aGVsbG8=',
  '!!binary "not base64 ***"',
  '!!js/function "function () { return 1 }"',
  '!!js/regexp /a/',
  '!!js/undefined ""',
  '!!python/object:os.system ls',
  '!foo bar',
  '!<tag:example.com,2000:x> y',
  '!!str 1',
  '!!int "abc"',
  '!!int 12',
  '!!float "x"',
  '!!bool maybe',
  '!!null x',
  '!!timestamp 2001-12-14t21:59:43.10-05:00',
  '2001-12-14',
  '!!map {}',
  '!!seq []',
  '!!set {a, b}',
  '!!omap [a: 1, b: 2]',
  '!!pairs [a: 1, a: 2]',
  '!!merge x',
  '&anchor value',
  '*missing_alias',
  '&a [*a]',
  '{a: 1, a: 2}',
  '[1, 2',
  '{a: }',
  '"unterminated',
  "'it''s'",
  '"\\x00\\ud800\\U0001F600"',
  '"\\u202E"',
  '|',
  '>-',
  '? complex',
  '- - -',
  '[[[[[]]]]]',
  '@reserved',
  '`reserved',
  '%',
  '#',
  ': :',
  '!!',
  '!',
  '&',
  '*',
];

export type TextOp =
  'yaml-token' | 'dup-key' | 'bom-crlf-tab' | 'truncate' | 'garbage' | 'doc-markers' | 'anchors';
export const TextOps: readonly TextOp[] = [
  'yaml-token',
  'dup-key',
  'bom-crlf-tab',
  'truncate',
  'garbage',
  'doc-markers',
  'anchors',
];

const valueLine = /^(\s*(?:- )?[A-Za-z0-9_.$/-]+:)( .*)?$/;

function garbageChar(r: Rng): string {
  const pick = r.int(6);
  if (pick === 0) return String.fromCharCode(r.int(32)); // C0 controls incl. NUL and tab
  if (pick === 1) return String.fromCharCode(0xd800 + r.int(0x800)); // lone surrogate
  if (pick === 2) return String.fromCharCode(0x7f + r.int(0x21)); // DEL and C1
  if (pick === 3) return r.pick(['\uFEFF', '\u200B', '\u202E', '\uFFFD', '\uFFFF', '😀']);
  if (pick === 4)
    return r.pick([
      '{',
      '}',
      '[',
      ']',
      ':',
      '-',
      '&',
      '*',
      '!',
      '|',
      '>',
      "'",
      '"',
      '%',
      '@',
      '`',
      '#',
      ',',
      '?',
    ]);
  return String.fromCharCode(0x20 + r.int(0x5f));
}

export function textMutate(text: string, op: TextOp, r: Rng): { text: string; what: string } {
  const lines = text.split('\n');
  const values = lines.map((l, i) => ({ l, i })).filter((x) => valueLine.test(x.l));
  switch (op) {
    case 'yaml-token': {
      const n = 1 + r.int(3);
      const what: string[] = [];
      for (let k = 0; k < n && values.length > 0; k++) {
        const v = r.pick(values);
        const tok = r.pick(YamlTokens);
        const m = valueLine.exec(lines[v.i] ?? '');
        if (m) lines[v.i] = `${m[1]} ${tok}`;
        what.push(`line ${v.i + 1} = ${tok}`);
      }
      return { text: lines.join('\n'), what: what.join('; ') };
    }
    case 'dup-key': {
      if (values.length === 0) return { text, what: 'no key' };
      const v = r.pick(values);
      lines.splice(v.i + 1, 0, v.l);
      return { text: lines.join('\n'), what: `duplicate line ${v.i + 1}` };
    }
    case 'bom-crlf-tab': {
      const parts: string[] = [];
      let t = text;
      if (r.chance(0.5)) {
        t = `\uFEFF${t}`;
        parts.push('BOM');
      }
      if (r.chance(0.5)) {
        t = t.replace(/\n/g, '\r\n');
        parts.push('CRLF');
      }
      if (r.chance(0.2)) {
        t = t.replace(/\n/g, '\r');
        parts.push('CR');
      }
      if (r.chance(0.5) || parts.length === 0) {
        const ls = t.split('\n');
        const i = r.int(ls.length);
        ls[i] = (ls[i] ?? '').replace(/^( +)/, (sp) => (r.chance(0.5) ? '\t' : `${sp}\t`));
        if (r.chance(0.5)) ls[i] = `${ls[i]}\t`;
        t = ls.join('\n');
        parts.push(`tab line ${i + 1}`);
      }
      return { text: t, what: parts.join('+') };
    }
    case 'truncate': {
      const at = r.int(text.length + 1);
      return { text: text.slice(0, at), what: `cut at ${at}` };
    }
    case 'garbage': {
      const chars = text.split('');
      const n = 1 + r.int(8);
      for (let k = 0; k < n; k++) {
        const at = r.int(chars.length + 1);
        const mode = r.int(3);
        if (mode === 0) chars.splice(at, 0, garbageChar(r));
        else if (mode === 1) chars.splice(at, 1);
        else chars[at] = garbageChar(r);
      }
      return { text: chars.join(''), what: `${n} garbage edits` };
    }
    case 'doc-markers': {
      const markers = [
        '---',
        '...',
        '--- |',
        '--- !foo',
        '%YAML 1.2\n---',
        '%YAML 1.1\n---',
        '%YAML 2.0\n---',
        '%TAG ! tag:x,2000:\n---',
        '--- # c',
        '---\n---',
        '--- ---',
      ];
      const m = r.pick(markers);
      const i = r.int(lines.length + 1);
      lines.splice(i, 0, m);
      return { text: lines.join('\n'), what: `${JSON.stringify(m)} at line ${i + 1}` };
    }
    case 'anchors': {
      if (values.length < 2) return { text: `${text}\nx: &a 1\ny: *a\n`, what: 'anchor at end' };
      const a = r.pick(values);
      const b = r.pick(values);
      const ma = valueLine.exec(lines[a.i] ?? '');
      const mb = valueLine.exec(lines[b.i] ?? '');
      if (ma && mb) {
        lines[a.i] = `${ma[1]} &x${ma[2] ?? ''}`;
        lines[b.i] = `${mb[1]} ${r.pick(['*x', '*x ', '*y', '&x *x', '!!str *x', '{<<: *x}'])}`;
      }
      return { text: lines.join('\n'), what: `anchor line ${a.i + 1}, alias line ${b.i + 1}` };
    }
  }
}

export function* textCases(seedList: readonly Seed[], count: number, seed: number): Generator<Case> {
  for (let i = 0; i < count; i++) {
    const r = rng(seed + i);
    const s = r.pick(seedList);
    const op = TextOps[i % TextOps.length] as TextOp;
    const m = textMutate(s.text, op, r);
    const c: Case = { category: op, name: `${op} ${s.name} #${seed + i}: ${m.what}`, text: m.text };
    if (s.params) c.params = s.params;
    yield c;
  }
}

// ---------------------------------------------------------------- fixed hostile documents

export function aliasBomb(levels = 9, width = 9): string {
  const lines = [`a0: &a0 [${Array(width).fill('"lol"').join(',')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(width)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  return lines.join('\n') + '\n';
}

/** A valid Job whose `where` line is replaced by `line` (indented as the rest). */
export function jobWith(extra: string, name = 'hostile'): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
${extra}
spec:
  template:
    spec:
      containers:
        - name: c
          image: busybox
      restartPolicy: Never
`;
}

function aliasChain(n: number): string {
  const lines = ['x0: &x0 [leaf]'];
  for (let i = 1; i < n; i++) lines.push(`x${i}: &x${i} [*x${i - 1}]`);
  return lines.join('\n') + '\n';
}

export function specialCases(): Case[] {
  const c = (category: string, name: string, text: string): Case => ({ category, name, text });
  const job = jobWith('');
  return [
    c('empty', 'empty file', ''),
    c('empty', 'only ---', '---\n'),
    c('empty', 'only --- x3', '---\n---\n---\n'),
    c('empty', 'only ...', '...\n'),
    c('empty', 'only whitespace', '   \n\n\t\n'),
    c('empty', 'only comment', '# nothing\n'),
    c('empty', 'only BOM', '\uFEFF'),
    c('empty', 'BOM then ---', '\uFEFF---\n'),
    c('empty', 'NUL', '\0'),
    c('empty', 'lone surrogate', '\uD800'),
    c('scalar', 'scalar document', 'hello\n'),
    c('scalar', 'number document', '42\n'),
    c('scalar', 'list document', '- a\n- b\n'),
    c('scalar', 'timestamp document', '2001-12-14\n'),
    c('scalar', 'binary document', '!!binary aGVsbG8=\n'),
    c('alias', 'alias bomb (billion laughs)', aliasBomb()),
    c(
      'alias',
      'alias bomb inside a Job',
      jobWith(`  labels: {}\n  annotations:\n    x: y\n${aliasBomb().replace(/^/gm, '#')}`),
    ),
    c(
      'alias',
      'alias bomb in spec',
      `${aliasBomb()}apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers: *a8\n`,
    ),
    c(
      'alias',
      'alias bomb of maps',
      'a: &a {k: v, l: w}\n' +
        Array.from(
          { length: 30 },
          (_, i) =>
            `b${i}: &b${i} {x: ${i === 0 ? '*a' : `*b${i - 1}`}, y: ${i === 0 ? '*a' : `*b${i - 1}`}}`,
        ).join('\n') +
        '\n',
    ),
    c('alias', 'self-referencing alias', 'a: &a [*a]\n'),
    c('alias', 'self-referencing map alias', 'a: &a {b: *a}\n'),
    c(
      'alias',
      'self-referencing spec',
      'apiVersion: batch/v1\nkind: Job\nmetadata: &m {name: x, labels: {a: b}, annotations: *m}\n',
    ),
    c(
      'alias',
      'recursive template',
      `apiVersion: batch/v1\nkind: Job\nmetadata: {name: x}\nspec: &s\n  template:\n    spec:\n      containers: [{name: c, image: busybox}]\n      restartPolicy: Never\n    metadata: {labels: {a: b}}\n  x: *s\n`,
    ),
    c('alias', 'undefined alias', 'a: *nope\n'),
    c('alias', 'alias chain 1000', aliasChain(1000)),
    c('alias', 'alias chain 10000', aliasChain(10_000)),
    c('alias', 'many aliases', 'a: &a x\nb: [' + Array(50_000).fill('*a').join(',') + ']\n'),
    c('alias', 'merge key', 'base: &b {apiVersion: batch/v1, kind: Job}\n<<: *b\nmetadata: {name: x}\n'),
    c(
      'alias',
      'merge bomb',
      'a: &a {' +
        Array.from({ length: 200 }, (_, i) => `k${i}: v`).join(', ') +
        '}\n' +
        Array.from({ length: 200 }, (_, i) => `m${i}: {<<: [*a, *a, *a]}`).join('\n') +
        '\n',
    ),
    c('alias', 'anchored job reused', `j: &j\n  apiVersion: batch/v1\n`),
    c('nesting', 'flow lists 1000 deep', jobWith(`  labels: ${'['.repeat(1000)}${']'.repeat(1000)}`)),
    c('nesting', 'flow maps 1000 deep', jobWith(`  labels: ${'{a: '.repeat(1000)}1${'}'.repeat(1000)}`)),
    c(
      'nesting',
      'block maps 1000 deep',
      Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n',
    ),
    c(
      'nesting',
      'block lists 1000 deep',
      Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i * 2)}-`).join('\n') + ' 1\n',
    ),
    c('nesting', 'flow lists 100000 deep', '['.repeat(100_000)),
    c('nesting', 'unclosed flow 1000', `a: ${'{'.repeat(1000)}`),
    c('nesting', 'deep spec 99', jobWith(`  labels: ${'['.repeat(99)}${']'.repeat(99)}`)),
    c(
      'tags',
      '!!binary metadata',
      jobWith('').replace('metadata:\n  name: hostile\n', 'metadata: !!binary aGVsbG8=\n'),
    ),
    c('tags', '!!binary name', jobWith('').replace('name: hostile', 'name: !!binary aGVsbG8=')),
    c('tags', '!!js/function', jobWith('  labels: !!js/function "function () {}"')),
    c('tags', '!!js/undefined', jobWith('  labels: !!js/undefined ""')),
    c('tags', '!!js/regexp', jobWith('  labels: !!js/regexp /x/')),
    c('tags', '!!python/object', jobWith('  labels: !!python/object/apply:os.system ["ls"]')),
    c('tags', 'custom tag', jobWith('  labels: !mytag {a: b}')),
    c('tags', 'verbatim tag', jobWith('  labels: !<tag:example.com,2000:app/foo> {a: b}')),
    c('tags', '%TAG directive', `%TAG !e! tag:example.com,2000:\n---\n${jobWith('  labels: !e!foo {a: b}')}`),
    c('tags', '!!set', jobWith('  labels: !!set {a, b}')),
    c('tags', '!!omap', jobWith('  labels: !!omap [a: b]')),
    c('tags', '!!pairs', jobWith('  labels: !!pairs [a: b, a: c]')),
    c('tags', '!!timestamp name', jobWith('').replace('name: hostile', 'name: 2001-12-14t21:59:43.10-05:00')),
    c('tags', '!!str on a map', jobWith('  labels: !!str {a: b}')),
    c('tags', '!!int on text', jobWith('').replace('spec:\n', 'spec:\n  backoffLimit: !!int abc\n')),
    c('tags', '!!float on text', jobWith('').replace('spec:\n', 'spec:\n  backoffLimit: !!float abc\n')),
    c('tags', 'tag on document', `--- !foo\n${job}`),
    c('dup', 'duplicate top-level key', `kind: Job\n${job}`),
    c('dup', 'duplicate name', job.replace('  name: hostile\n', '  name: hostile\n  name: other\n')),
    c('dup', 'duplicate flow key', jobWith('  labels: {a: 1, a: 2}')),
    c('dup', 'duplicate __proto__', jobWith('  labels: {__proto__: a, __proto__: b}')),
    c('dup', 'same job twice', `${job}---\n${job}`),
    c('proto', '__proto__ top level', `__proto__: {kind: CronJob}\n${job}`),
    c('proto', '__proto__ in metadata', jobWith('  __proto__: {name: x}')),
    c('proto', 'constructor in metadata', jobWith('  constructor: x')),
    c('proto', 'toString in spec', job.replace('spec:\n', 'spec:\n  toString: 1\n')),
    c(
      'proto',
      'hasOwnProperty in container',
      job.replace('image: busybox', 'image: busybox\n          hasOwnProperty: 1'),
    ),
    c('proto', 'constructor label', jobWith('  labels: {constructor: x, __proto__: y}')),
    c('proto', 'kind constructor', job.replace('kind: Job', 'kind: constructor')),
    c('proto', 'apiVersion __proto__', job.replace('batch/v1', '__proto__')),
    c('numbers', 'backoffLimit 2^31', job.replace('spec:\n', 'spec:\n  backoffLimit: 2147483648\n')),
    c('numbers', 'parallelism 2^63', job.replace('spec:\n', 'spec:\n  parallelism: 9223372036854775808\n')),
    c('numbers', 'completions 1e308', job.replace('spec:\n', 'spec:\n  completions: 1.0e+308\n')),
    c(
      'numbers',
      'activeDeadlineSeconds 2^63',
      job.replace('spec:\n', 'spec:\n  activeDeadlineSeconds: 9223372036854775807\n'),
    ),
    c('numbers', 'ttl -0', job.replace('spec:\n', 'spec:\n  ttlSecondsAfterFinished: -0\n')),
    c('numbers', 'backoffLimit .nan', job.replace('spec:\n', 'spec:\n  backoffLimit: .nan\n')),
    c('numbers', 'backoffLimit -.inf', job.replace('spec:\n', 'spec:\n  backoffLimit: -.inf\n')),
    c(
      'numbers',
      'completions 1e6 indexed',
      job.replace(
        'spec:\n',
        'spec:\n  completions: 1000000\n  parallelism: 1000000\n  completionMode: Indexed\n',
      ),
    ),
    c(
      'numbers',
      'completions 2^31-1 indexed',
      job.replace('spec:\n', 'spec:\n  completions: 2147483647\n  completionMode: Indexed\n'),
    ),
    c(
      'numbers',
      'backoffLimitPerIndex huge',
      job.replace(
        'spec:\n',
        'spec:\n  completions: 2147483647\n  completionMode: Indexed\n  backoffLimitPerIndex: 2147483647\n  maxFailedIndexes: 2147483647\n',
      ),
    ),
    c(
      'numbers',
      'memory limit huge',
      job.replace(
        'image: busybox',
        'image: busybox\n          resources: {limits: {memory: 99999999999999999999999999999Ei, cpu: 1e308}}',
      ),
    ),
    c(
      'numbers',
      'quantity garbage',
      job.replace(
        'image: busybox',
        'image: busybox\n          resources: {limits: {memory: "1.5.5Gi", cpu: "-0"}}',
      ),
    ),
    c(
      'numbers',
      'terminationGracePeriodSeconds 2^63',
      job.replace(
        'restartPolicy: Never',
        'restartPolicy: Never\n      terminationGracePeriodSeconds: 9223372036854775808',
      ),
    ),
    c('numbers', 'YAML 1.1 sexagesimal', job.replace('spec:\n', 'spec:\n  backoffLimit: 190:20:30\n')),
    c('numbers', 'hex int', job.replace('spec:\n', 'spec:\n  backoffLimit: 0xFFFFFFFFFFFFFFFFFFFF\n')),
    c('strings', 'name 10k chars', job.replace('name: hostile', `name: ${'a'.repeat(10_000)}`)),
    c('strings', 'label value 10k chars', jobWith(`  labels: {a: ${'b'.repeat(10_000)}}`)),
    c('strings', 'label key 10k chars', jobWith(`  labels: {${'b'.repeat(10_000)}: a}`)),
    c('strings', 'image 100k chars', job.replace('image: busybox', `image: ${'b'.repeat(100_000)}`)),
    c(
      'strings',
      'command 1 MB',
      job.replace('image: busybox', `image: busybox\n          command: ["${'x'.repeat(1_000_000)}"]`),
    ),
    c(
      'strings',
      'schedule garbage',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: "' +
        '*/'.repeat(5000) +
        '"\n  jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: b}], restartPolicy: Never}}}}\n',
    ),
    c(
      'strings',
      'timeZone garbage',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: "* * * * *"\n  timeZone: "../../../../etc/passwd"\n  jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: b}], restartPolicy: Never}}}}\n',
    ),
    c(
      'strings',
      'timeZone 10k',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: "* * * * *"\n  timeZone: "' +
        'A/'.repeat(5000) +
        '"\n  jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: b}], restartPolicy: Never}}}}\n',
    ),
    c(
      'lists',
      '20k containers',
      job.replace(
        '      containers:\n        - name: c\n          image: busybox\n',
        `      containers: [${Array.from({ length: 20_000 }, (_, i) => `{name: c${i}, image: b}`).join(',')}]\n`,
      ),
    ),
    c(
      'lists',
      '100k labels',
      jobWith(`  labels: {${Array.from({ length: 100_000 }, (_, i) => `k${i}: v`).join(',')}}`),
    ),
    c(
      'lists',
      '100k env',
      job.replace(
        'image: busybox',
        `image: busybox\n          env: [${Array.from({ length: 100_000 }, (_, i) => `{name: E${i}, value: "$(E${i + 1})"}`).join(',')}]`,
      ),
    ),
    c(
      'lists',
      '100k args',
      job.replace(
        'image: busybox',
        `image: busybox\n          args: [${Array(100_000).fill('"$(A)"').join(',')}]`,
      ),
    ),
    c('lists', '100k documents', Array(100_000).fill('---\na: 1\n').join('')),
    c('lists', '10k jobs same name', Array(10_000).fill(job).join('---\n')),
    c(
      'lists',
      '2000 distinct jobs',
      Array.from({ length: 2000 }, (_, i) => job.replace('name: hostile', `name: j${i}`)).join('---\n'),
    ),
    c('unicode', 'RTL name', job.replace('name: hostile', 'name: "\u202Eevil"')),
    c('unicode', 'zero-width name', job.replace('name: hostile', 'name: "ho\u200Bstile"')),
    c('unicode', 'emoji name', job.replace('name: hostile', 'name: 😀')),
    c('unicode', 'NUL escape in name', job.replace('name: hostile', 'name: "a\\0b"')),
    c('unicode', 'lone surrogate escape', job.replace('name: hostile', 'name: "a\\ud800"')),
    c('unicode', 'raw lone surrogate', job.replace('name: hostile', 'name: a\uD800')),
    c('unicode', 'emoji label key', jobWith('  labels: {"😀": "👩‍👩‍👧‍👦"}')),
    c('unicode', 'unicode key', jobWith('  ｌabels: {a: b}')),
    c('unicode', 'NEL line breaks', job.replace(/\n/g, '\u0085')),
    c('unicode', 'LS line breaks', job.replace(/\n/g, '\u2028')),
    c('unicode', 'C1 controls', job.replace('hostile', 'host\u0080\u009file')),
    c('unicode', 'U+FFFF', job.replace('hostile', 'host\uFFFFile')),
    c('text', 'BOM', `\uFEFF${job}`),
    c('text', 'BOM twice', `\uFEFF\uFEFF${job}`),
    c('text', 'BOM per document', `\uFEFF${job}---\n\uFEFF${job.replace('hostile', 'h2')}`),
    c('text', 'CRLF', job.replace(/\n/g, '\r\n')),
    c('text', 'CR only', job.replace(/\n/g, '\r')),
    c('text', 'tabs for indentation', job.replace(/ {2}/g, '\t')),
    c('text', 'no trailing newline', job.trimEnd()),
    c('text', 'UTF-16 read as UTF-8', Buffer.from(job, 'utf16le').toString('utf8')),
    c('text', 'latin1 bytes', Buffer.from(`${job}# caf\u00e9\n`, 'latin1').toString('utf8')),
    c(
      'text',
      'random bytes',
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)).toString('utf8'),
    ),
    c(
      'text',
      'random bytes latin1',
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 104729 + 7) % 256)).toString('latin1'),
    ),
    c('text', 'gzip magic', '\u001f\u008b\u0008\u0000garbage'),
    c('text', 'ELF magic', '\u007fELF\u0002\u0001\u0001'),
    c('text', 'JSON job', JSON.stringify(load(job))),
    c('text', 'JSON array of jobs', JSON.stringify([load(job)])),
    c('text', '%YAML 1.2 directive', `%YAML 1.2\n---\n${job}`),
    c('text', '%YAML 9.9 directive', `%YAML 9.9\n---\n${job}`),
    c('text', 'bare directive', '%YAML\n'),
    c('text', 'document end marker', `${job}...\n`),
    c('text', 'stray ---', job.replace('spec:\n', '---\nspec:\n')),
    c('params', 'ITEM in name without --items', job.replace('name: hostile', 'name: job-$ITEM')),
    c('params', '${ITEM} in label key', jobWith('  labels: {"${ITEM}": x}')),
    c('params', 'unknown param', job.replace('image: busybox', 'image: $IMAGE')),
    c('params', '$(VAR) in name', job.replace('name: hostile', 'name: "$(VAR)"')),
  ];
}

/** Special cases that need template parameters. */
export function paramCases(): Case[] {
  const job = jobWith('')
    .replace('name: hostile', 'name: job-$ITEM')
    .replace('image: busybox', 'image: ${IMAGE}');
  const c = (name: string, params: TemplateParams, text = job): Case => ({
    category: 'params',
    name,
    text,
    params,
  });
  return [
    c('ITEM with a newline', { items: ['a\nb'] }),
    c('ITEM with YAML', { items: ['x\nkind: CronJob'] }),
    c('ITEM with ": "', { items: ['a: b'] }),
    c('ITEM with quotes', { items: ['"', "'"] }),
    c('ITEM unicode', { items: [...UnicodeStrings] }),
    c('ITEM 10k chars', { items: ['a'.repeat(10_000)] }),
    c('1000 items', { items: Array.from({ length: 1000 }, (_, i) => `i${i}`) }),
    c('duplicate items', { items: ['a', 'a', 'a'] }),
    c('IMAGE with newline', { items: ['a'], set: { IMAGE: 'busybox\n  - oops' } }),
    c('IMAGE with anchor', { items: ['a'], set: { IMAGE: '&x busybox' } }),
    c('IMAGE with alias bomb', { items: ['a'], set: { IMAGE: `"x"\n${aliasBomb()}` } }),
    c('IMAGE as $ITEM', { items: ['a'], set: { IMAGE: '$ITEM' } }),
    c('empty IMAGE', { items: ['a'], set: { IMAGE: '' } }),
    c('set __proto__', { set: JSON.parse('{"__proto__": "x", "ITEM": "y"}') as Record<string, string> }),
    c('set constructor', { set: { constructor: 'x', ITEM: 'y', IMAGE: 'b' } }),
  ];
}

// ---------------------------------------------------------------- bad command lines

export interface FlagCase {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** The exit code expected; every case must also print a message and no stack trace. */
  code: 0 | 2;
}

/** Files the flag cases refer to, made under `dir`. */
export interface FlagFiles {
  job: string;
  items: string;
  emptyItems: string;
  emptyDir: string;
  noYamlDir: string;
  binary: string;
}

export function flagCases(f: FlagFiles): FlagCase[] {
  const c = (name: string, args: string[], code: 0 | 2, env?: Record<string, string>): FlagCase =>
    env ? { name, args, code, env } : { name, args, code };
  return [
    c('no command', [], 2),
    c('unknown command', ['frobnicate'], 2),
    c('unknown command close to one', ['valdate', f.job], 2),
    c('unknown global flag', ['--bogus', 'validate', f.job], 2),
    c('unknown flag', ['validate', f.job, '--bogus'], 2),
    c('unknown short flag', ['render', f.job, '-z'], 2),
    c('validate without file', ['validate'], 2),
    c('run without file', ['run', '--dry-run'], 2),
    c('--state-dir without value', ['--state-dir'], 2),
    c('--backoff abc', ['run', f.job, '--backoff', 'abc'], 2),
    c('--backoff empty', ['run', f.job, '--backoff', ''], 2),
    c('--backoff -1s', ['run', f.job, '--backoff=-1s'], 2),
    c('--backoff 10x', ['run', f.job, '--backoff', '10x', '--dry-run'], 2),
    c('--backoff without value', ['run', f.job, '--backoff'], 2),
    c('--max-backoff xyz', ['run', f.job, '--max-backoff', 'xyz'], 2),
    c('TJOB_BACKOFF=abc', ['run', f.job, '--dry-run'], 2, { TJOB_BACKOFF: 'abc' }),
    c('--max-jobs 0', ['run', f.job, '--max-jobs', '0'], 2),
    c('--max-jobs 0 --dry-run', ['run', f.job, '--dry-run', '--max-jobs', '0'], 2),
    c('--max-jobs -1', ['run', f.job, '--max-jobs=-1'], 2),
    c('--max-jobs abc', ['run', f.job, '--max-jobs', 'abc'], 2),
    c('--max-jobs 1.5', ['run', f.job, '--max-jobs', '1.5'], 2),
    c('--max-jobs empty', ['run', f.job, '--max-jobs', ''], 2),
    c('--max-jobs Infinity', ['run', f.job, '--max-jobs', 'Infinity'], 2),
    c('--max-jobs 1e999', ['run', f.job, '--max-jobs', '1e999'], 2),
    c('--set without =', ['validate', f.job, '--set', 'NOEQ'], 2),
    c('--set empty name', ['validate', f.job, '--set', '=v'], 2),
    c('--set empty', ['render', f.job, '--set', ''], 2),
    c('--set digit name', ['run', f.job, '--dry-run', '--set', '1A=v'], 2),
    c('--set unicode name', ['validate', f.job, '--set', 'Ä=v'], 2),
    c('--set without value', ['validate', f.job, '--set'], 2),
    c('--items empty', ['render', f.job, '--items', ''], 2),
    c('--items only commas', ['render', f.job, '--items', ',, ,'], 2),
    c('--items without value', ['render', f.job, '--items'], 2),
    c('--items and --items-file', ['validate', f.job, '--items', 'a', '--items-file', f.items], 2),
    c('--items-file missing', ['validate', f.job, '--items-file', '/nonexistent/items.txt'], 2),
    c('--items-file empty', ['validate', f.job, '--items-file', f.emptyItems], 2),
    c('--items-file a directory', ['validate', f.job, '--items-file', f.emptyDir], 2),
    c('missing file', ['validate', '/nonexistent/job.yaml'], 2),
    c('missing file for run', ['run', '/nonexistent/job.yaml'], 2),
    c('missing file for render', ['render', f.job, '/nonexistent/job.yaml'], 2),
    c('empty directory', ['validate', f.emptyDir], 2),
    c('directory without yaml', ['run', f.noYamlDir, '--dry-run'], 2),
    c('- twice', ['validate', '-', '-'], 2),
    c('- twice for run', ['run', '-', '-', '--dry-run'], 2),
    c('binary file', ['validate', f.binary], 2),
    c('file named like a flag', ['validate', '--', '-x'], 2),
    c('help', ['--help'], 0),
    c('help command', ['help'], 0),
    c('version', ['--version'], 0),
    c('run --dry-run ok', ['run', f.job, '--dry-run', '--backoff', '1s', '--max-jobs', '1'], 0),
    c('validate ok', ['validate', f.job], 0),
    c('render ok', ['render', f.job], 0),
  ];
}
