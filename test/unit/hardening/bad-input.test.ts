// The bad-input corpus, in-process: thousands of mutated manifests and hostile documents through
// the manifest layer and through `validate`, `render` and `run --dry-run` (the engine is never
// asked for). Every case must end with exit 0 or 2 and a message, never a crash, stack trace or
// hang, within bounded time and memory. Reproduce one case from its name (category, seed file,
// PRNG seed) with the generators in corpus.ts.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../../../src/manifest/index.js';
import {
  flagCases,
  paramCases,
  seeds,
  specialCases,
  structuralCases,
  textCases,
  type Case,
} from './corpus.js';
import { makeFlagFiles } from './flag-files.js';
import { argsFor, cliInProcess, problems, pureOutcome, Tally, type Outcome } from './harness.js';

const StructuralCount = 2500;
const TextCount = 2500;
/** Every n-th generated case also goes through the CLI in-process (rotating the command). */
const CliEvery = 3;
/** Catches a hang or a blow-up, not slowness (a loaded machine took 10 s for a 100k-document case): the max ms per category is in RELIABILITY.md's table. */
const MaxCaseMs = 60_000;
const MaxRssBytes = 1024 * 1024 * 1024;

const tally = new Tally();
const commands = ['validate', 'render', 'run'] as const;
let cliRuns = 0;

interface Failure {
  name: string;
  how: string;
  problems: string[];
  stderr: string;
}

async function check(c: Case, viaCli: boolean, failures: Failure[]): Promise<Outcome> {
  const t0 = performance.now();
  const o = pureOutcome(c);
  const ms = performance.now() - t0;
  const p = problems(o);
  if (ms > MaxCaseMs) p.push(`took ${ms.toFixed(0)} ms`);
  // Every error line names the file (and document/item) it is about.
  if (o.code === 2 && !o.stderr.split('\n').every((l) => l.startsWith('case.yaml')))
    p.push('an error line does not name the file');
  if (p.length > 0)
    failures.push({ name: c.name, how: 'manifest layer', problems: p, stderr: o.stderr.slice(0, 800) });
  tally.add(c.category, o, ms, p.length > 0);
  if (viaCli) {
    const command = commands[cliRuns++ % commands.length] ?? 'validate';
    const t1 = performance.now();
    const co = await cliInProcess(argsFor(command, c), c.text);
    const cms = performance.now() - t1;
    const cp = problems(co);
    if (cms > MaxCaseMs) cp.push(`took ${cms.toFixed(0)} ms`);
    // A text with no document at all is valid YAML, but validate/render refuse it, as kubectl does.
    const noObjects = o.code === 0 && co.code === 2 && co.stderr.startsWith('error: no objects in');
    if (command !== 'run' && co.code !== o.code && !noObjects)
      cp.push(`${command} exit ${co.code}, manifest layer ${o.code}`);
    if (command === 'run' && o.code === 2 && co.code !== 2)
      cp.push(`run --dry-run exit ${co.code} on an invalid manifest`);
    if (cp.length > 0)
      failures.push({ name: c.name, how: `tjob ${command}`, problems: cp, stderr: co.stderr.slice(0, 800) });
    tally.add(`cli ${command === 'run' ? 'run --dry-run' : command}`, co, cms, cp.length > 0);
  }
  return o;
}

const valid: Case[] = [];

async function runAll(cases: Iterable<Case>, cliEvery: number): Promise<Failure[]> {
  const failures: Failure[] = [];
  let i = 0;
  for (const c of cases) {
    const o = await check(c, i++ % cliEvery === 0, failures);
    if (o.code === 0 && valid.length < 500) valid.push(c);
  }
  return failures;
}

const seedList = seeds();

test('the seeds: every sample and fixture is there', () => {
  assert.ok(seedList.length >= 11, `${seedList.length} seeds`);
  assert.ok(seedList.filter((s) => s.docs.length > 0).length >= 10);
});

test(`${StructuralCount} structural mutations: wrong types, missing and extra fields, huge values, unicode`, async () => {
  const failures = await runAll(structuralCases(seedList, StructuralCount, 1), CliEvery);
  assert.deepEqual(failures.slice(0, 5), []);
});

test(`${TextCount} text mutations: YAML tokens and tags, duplicate keys, BOM/CRLF/tabs, truncation, garbage, anchors`, async () => {
  const failures = await runAll(textCases(seedList, TextCount, 100_000), CliEvery);
  assert.deepEqual(failures.slice(0, 5), []);
});

test('hostile documents: alias bombs, recursion, deep nesting, tags, prototype keys, huge numbers, strings and lists', async () => {
  const failures = await runAll([...specialCases(), ...paramCases()], 1);
  assert.deepEqual(failures.slice(0, 5), []);
});

test('alias bombs, recursive aliases and oversized files are refused with one clear message', () => {
  const messages = (text: string): string[] =>
    loadManifests([{ name: 'f.yaml', text }]).errors.map((e) => `${e.source}: ${e.message}`);
  const bomb = specialCases().find((c) => c.name === 'alias bomb (billion laughs)');
  assert.ok(bomb);
  assert.deepEqual(messages(bomb.text), [
    'f.yaml: YAML error: document contains excessive aliasing (it expands to more than 1000000 values)',
  ]);
  assert.deepEqual(messages('a: &a [*a]\n'), [
    'f.yaml: YAML error: an alias refers to a value that contains it (a recursive structure)',
  ]);
  assert.deepEqual(messages(`a: "${'x'.repeat(5 * 1024 * 1024)}"\n`), [
    'f.yaml: Too long: 5.0 MiB of YAML; a manifest file may hold at most 3.0 MiB, as a request to the API server (split it into several files)',
  ]);
});

test('prototype keys and null elements are field errors', () => {
  const errs = (text: string): string[] =>
    loadManifests([{ name: 'f.yaml', text }]).errors.map((e) => `${e.path}: ${e.message}`);
  const job = (extra: string): string =>
    `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: x\n${extra}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: b}]\n      restartPolicy: Never\n`;
  assert.deepEqual(errs(job('  constructor: 1')), ['metadata.constructor: unknown field']);
  assert.deepEqual(errs(job('  __proto__: {name: y}')), ['metadata.__proto__: unknown field']);
  assert.deepEqual(errs(job('  labels: {a: null}')), [
    'metadata.labels[a]: Invalid value: null: metadata.labels[a] in body must be of type string: "null"',
  ]);
  assert.deepEqual(errs(job('').replace('[{name: c, image: b}]', '[null]')), [
    'spec.template.spec.containers[0]: Invalid value: null: spec.template.spec.containers[0] in body must be of type object: "null"',
  ]);
  // `field: null` is the field unset, as for the API server.
  assert.deepEqual(
    errs(
      job('  labels: null\n  annotations: ~').replace(
        'spec:\n  template:',
        'spec:\n  completions: null\n  template:',
      ),
    ),
    [],
  );
});

test('property: loading is deterministic, and what validates renders to YAML that validates again', () => {
  assert.ok(valid.length >= 100, `${valid.length} valid cases`);
  for (const c of valid) {
    const a = pureOutcome(c);
    const b = pureOutcome(c);
    assert.deepEqual(b, a, c.name);
    const again = loadManifests(
      [{ name: 'rendered.yaml', text: a.stdout }],
      {},
      { uid: () => 'u', random: () => 0 },
    );
    assert.deepEqual(
      again.errors.map((e) => `${e.source}: ${e.path}: ${e.message}`.slice(0, 300)),
      [],
      `render of ${c.name}`,
    );
  }
});

test('bad command lines: exit 2 with one clear message (help and version 0), the engine never asked for', async () => {
  const failures: string[] = [];
  for (const c of flagCases(makeFlagFiles())) {
    const t0 = performance.now();
    const o = await cliInProcess(c.args, '', c.env);
    const p = problems(o);
    if (o.code !== c.code) p.push(`exit ${o.code}, expected ${c.code}`);
    // One `error:` line (commander prints the usage instead when no command is given).
    const errorLines = o.stderr.split('\n').filter((l) => l.startsWith('error:')).length;
    if (o.code === 2 && errorLines !== 1 && !o.stderr.startsWith('Usage: tjob'))
      p.push('not exactly one error line');
    tally.add('cli bad flags', o, performance.now() - t0, p.length > 0);
    if (p.length > 0) failures.push(`${c.name}: ${p.join(', ')}: ${o.stderr.slice(0, 300)}`);
  }
  assert.deepEqual(failures, []);
});

test('memory stays bounded', () => {
  assert.ok(tally.maxRss < MaxRssBytes, `rss ${(tally.maxRss / 1e6).toFixed(0)} MB`);
});

after(() => {
  const t = tally.total();
  const figures = {
    rows: Object.fromEntries(tally.rows),
    total: t,
    maxRssMB: Math.round(tally.maxRss / 1e6),
  };
  writeFileSync(join(tmpdir(), 'tjob-hardening-unit.json'), JSON.stringify(figures, null, 2));
  console.log(
    `bad input (in-process): ${t.cases} runs (${t.cases - cliRuns} through the manifest layer, ${cliRuns} through the CLI), ` +
      `exit 0: ${t.exit0}, exit 2: ${t.exit2}, failures: ${t.bad}, max ${t.maxMs.toFixed(0)} ms, max rss ${figures.maxRssMB} MB`,
  );
});
