// Runs one bad-input case through the pure manifest layer and through the CLI's commands
// in-process (the same path as bin/tjob.js: buildProgram + reportError), and checks the outcome:
// exit 0 or 2, a message, no stack trace, bounded time.

import { formatFieldError } from '../../../src/api/errors.js';
import type { CliContext } from '../../../src/cli/context.js';
import { buildProgram } from '../../../src/cli/program.js';
import { printable, reportError } from '../../../src/cli/report-error.js';
import { formatFieldReport, loadManifests, renderManifests } from '../../../src/manifest/index.js';
import type { KubeObject } from '../../../src/api/k8s.js';
import type { Case } from './corpus.js';

export interface Outcome {
  code: number | null;
  signal?: string | null;
  stdout: string;
  stderr: string;
}

const stackLine = /^\s+at /m;
const crashText =
  /TypeError|RangeError|ReferenceError|SyntaxError: (?!.*YAML)|Maximum call stack|heap out of memory|FATAL ERROR|Converting circular structure/;

/** What is wrong with an outcome (empty when it is fine). */
export function problems(o: Outcome): string[] {
  const out: string[] = [];
  if (o.code !== 0 && o.code !== 2) out.push(`exit ${o.code}${o.signal ? ` (${o.signal})` : ''}`);
  if (o.code === 2 && o.stderr.trim() === '') out.push('exit 2 without a message');
  for (const [name, text] of [
    ['stderr', o.stderr],
    ['stdout', o.stdout],
  ] as const) {
    if (stackLine.test(text)) out.push(`stack trace on ${name}`);
    const m = crashText.exec(text);
    if (m) out.push(`${JSON.stringify(m[0])} on ${name}`);
  }
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (o.code === 2 && /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/.test(o.stderr))
    out.push('unescaped control characters in the message');
  const lines = o.stderr.split('\n');
  const head = lines.findIndex((l) => /^error: invalid manifests?:$/.test(l));
  if (head >= 0)
    for (const l of lines.slice(head + 1))
      if (l !== '' && !l.startsWith('hint: ') && !/^ {2}\S/.test(l)) {
        out.push(`a manifest error spans lines: ${JSON.stringify(l.slice(0, 80))}`);
        break;
      }
  return out;
}

/** The pure layer, as the commands use it: load, then format errors, report and render. */
export function pureOutcome(c: Case): Outcome {
  try {
    const r = loadManifests([{ name: 'case.yaml', text: c.text }], c.params ?? {}, {
      uid: () => 'uid-1',
      random: () => 0,
    });
    // As reportError prints them: one line per error.
    if (r.errors.length > 0)
      return { code: 2, stdout: '', stderr: r.errors.map((e) => printable(formatFieldError(e))).join('\n') };
    const objects = r.documents.map((d) => d.rendered).filter((o): o is KubeObject => o !== undefined);
    return { code: 0, stdout: renderManifests(objects), stderr: formatFieldReport(r.report) };
  } catch (e) {
    const err = e as Error;
    return { code: 1, stdout: '', stderr: `${err.name}: ${err.message}\n${err.stack ?? ''}` };
  }
}

export const NoEngine = 'unix:///nonexistent';

/** A CliContext of strings: stdin is `stdin`, the engine must never be asked for. */
export function memoryContext(
  stdin: string,
  env: Record<string, string> = {},
): { ctx: CliContext; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: { write: (s: string) => (out.push(s), true) },
    stderr: { write: (s: string) => (err.push(s), true) },
    env: { NO_COLOR: '1', DOCKER_HOST: NoEngine, TJOB_STATE_DIR: '/nonexistent/tjob-state', ...env },
    clock: { now: () => new Date(0), sleep: () => Promise.resolve() },
    readStdin: () => Promise.resolve(stdin),
    createRuntime: () => Promise.reject(new Error('run --dry-run asked for the container engine')),
    onSignal: () => () => {},
    spawnDetached: () => Promise.reject(new Error('run --dry-run started a controller process')),
    exit: (code: number) => {
      throw new Error(`exit(${code}) called`);
    },
  };
  return { ctx, out, err };
}

/** `tjob ARGS` in-process, as main() runs it. */
export async function cliInProcess(
  args: string[],
  stdin = '',
  env: Record<string, string> = {},
): Promise<Outcome> {
  const { ctx, out, err } = memoryContext(stdin, env);
  // commander's `help` command exits with process.exitCode, which node's test runner sets once any
  // test of this file has failed: without this, one failure would fail the `help` case too.
  const runnerExitCode = process.exitCode;
  process.exitCode = undefined;
  let code: number;
  try {
    code = await buildProgram(ctx).run(['node', 'tjob', ...args]);
  } catch (e) {
    code = reportError(e, ctx.stderr, false);
  } finally {
    process.exitCode = runnerExitCode;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The command line for a case given on standard input. */
export function argsFor(command: 'validate' | 'render' | 'run', c: Case): string[] {
  const args = command === 'run' ? ['run', '-', '--dry-run'] : [command, '-'];
  if (c.params?.items !== undefined && c.params.items.length > 0)
    args.push('--items', c.params.items.join(','));
  for (const [k, v] of Object.entries(c.params?.set ?? {})) args.push('--set', `${k}=${v}`);
  return args;
}

/** Per-category tallies for the summary and RELIABILITY.md. */
export class Tally {
  readonly rows = new Map<
    string,
    { cases: number; exit0: number; exit2: number; bad: number; maxMs: number }
  >();
  maxRss = 0;
  add(category: string, o: Outcome, ms: number, bad: boolean): void {
    const row = this.rows.get(category) ?? { cases: 0, exit0: 0, exit2: 0, bad: 0, maxMs: 0 };
    row.cases++;
    if (bad) row.bad++;
    else if (o.code === 0) row.exit0++;
    else row.exit2++;
    row.maxMs = Math.max(row.maxMs, ms);
    this.rows.set(category, row);
    this.maxRss = Math.max(this.maxRss, process.memoryUsage().rss);
  }
  total(): { cases: number; exit0: number; exit2: number; bad: number; maxMs: number } {
    const t = { cases: 0, exit0: 0, exit2: 0, bad: 0, maxMs: 0 };
    for (const r of this.rows.values()) {
      t.cases += r.cases;
      t.exit0 += r.exit0;
      t.exit2 += r.exit2;
      t.bad += r.bad;
      t.maxMs = Math.max(t.maxMs, r.maxMs);
    }
    return t;
  }
  table(): string {
    const lines = [
      '| category | cases | exit 0 | exit 2 | failures | max ms |',
      '|---|---:|---:|---:|---:|---:|',
    ];
    for (const [k, r] of [...this.rows.entries()].sort())
      lines.push(`| ${k} | ${r.cases} | ${r.exit0} | ${r.exit2} | ${r.bad} | ${r.maxMs.toFixed(0)} |`);
    return lines.join('\n');
  }
}
