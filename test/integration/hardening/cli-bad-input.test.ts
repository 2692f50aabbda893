// The bad-input corpus against the real CLI (`node --max-old-space-size=512 bin/tjob.js`): a
// representative few hundred runs of validate, render and run --dry-run — bad command lines, the
// hostile documents, a sample of the generated ones, a 50 MB file and the alias bomb — with no
// container engine (DOCKER_HOST points nowhere). Each must end with exit 0 or 2 and a message, no
// stack trace, in bounded time, and not be killed for memory.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aliasBomb,
  flagCases,
  jobWith,
  paramCases,
  ROOT,
  seeds,
  specialCases,
  structuralCases,
  textCases,
  type Case,
} from '../../unit/hardening/corpus.js';
import { makeFlagFiles } from '../../unit/hardening/flag-files.js';
import { argsFor, NoEngine, problems, Tally, type Outcome } from '../../unit/hardening/harness.js';
import { tempDir } from '../../support/jobs.js';

const BIN = join(ROOT, 'bin', 'tjob.js');
const Concurrency = 4;
const KillAfterMs = 20_000;
// Generous: the suite runs two test files at once on two cores, next to real containers.
const MaxBigMs = 20_000;
const GNUTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const tally = new Tally();
let maxChildRssKB = 0;
let dir = '';

interface Spawned extends Outcome {
  ms: number;
  rssKB?: number;
}

function tjob(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; measure?: boolean } = {},
): Promise<Spawned> {
  const node = [process.execPath, '--max-old-space-size=512', BIN, ...args];
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}`);
  const argv = opts.measure && GNUTime ? [GNUTime, '-f', '%M', '-o', rssFile, ...node] : node;
  const t0 = performance.now();
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: ROOT,
    env: {
      ...process.env,
      DOCKER_HOST: NoEngine,
      TJOB_STATE_DIR: join(dir, 'state'),
      NO_COLOR: '1',
      ...(opts.env ?? {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    if (stdout.length < 1_000_000) stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 1_000_000) stderr += d.toString();
  });
  child.stdin.on('error', () => {}); // the CLI need not read it all
  child.stdin.end(opts.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), KillAfterMs);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out: Spawned = { code, signal, stdout, stderr, ms: performance.now() - t0 };
      const kb = opts.measure && GNUTime ? readRss(rssFile) : undefined;
      if (kb !== undefined) out.rssKB = kb;
      resolve(out);
    }),
  );
}

function readRss(p: string): number | undefined {
  try {
    const kb = Number(/(\d+)\s*$/.exec(readFileSync(p, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? kb : undefined;
  } catch {
    return undefined;
  }
}

/** Runs jobs `Concurrency` at a time. */
async function pool<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Concurrency }, worker));
}

function record(category: string, o: Spawned, extra: string[] = []): string[] {
  const p = [...problems(o), ...extra];
  if (o.signal) p.push(`killed by ${o.signal}`);
  tally.add(category, o, o.ms, p.length > 0);
  if (o.rssKB !== undefined) maxChildRssKB = Math.max(maxChildRssKB, o.rssKB);
  return p;
}

before(() => {
  dir = tempDir('tjob-hardening-cli-');
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  const t = tally.total();
  writeFileSync(
    join(tmpdir(), 'tjob-hardening-cli.json'),
    JSON.stringify({ rows: Object.fromEntries(tally.rows), total: t, maxChildRssKB }, null, 2),
  );
  console.log(
    `bad input (spawned CLI): ${t.cases} runs, exit 0: ${t.exit0}, exit 2: ${t.exit2}, failures: ${t.bad}, ` +
      `max ${t.maxMs.toFixed(0)} ms, max child rss ${maxChildRssKB ? `${Math.round(maxChildRssKB / 1024)} MB` : 'n/a'}`,
  );
});

test('bad command lines: exit 2 with a message, never a stack trace', async () => {
  const failures: string[] = [];
  // A third of the cases and the notable ones (all of them run in-process in test/unit/hardening).
  const cases = flagCases(makeFlagFiles()).filter(
    (c, i) =>
      i % 3 === 0 ||
      /max-jobs 0|backoff abc|- twice|--set without|--items empty|missing file$|no command/.test(c.name),
  );
  await pool(cases, async (c) => {
    const o = await tjob(c.args, c.env ? { env: c.env } : {});
    const p = record(
      'spawned: bad flags',
      o,
      o.code === c.code ? [] : [`exit ${o.code}, expected ${c.code}`],
    );
    if (p.length > 0) failures.push(`${c.name}: ${p.join(', ')}: ${o.stderr.slice(0, 300)}`);
  });
  assert.deepEqual(failures, []);
});

test('--max-jobs 0 is refused before anything is read or started', async () => {
  const o = await tjob(['run', join(ROOT, 'samples', 'job-hello.yaml'), '--max-jobs', '0']);
  assert.equal(o.code, 2);
  assert.match(o.stderr, /^error: invalid --max-jobs "0"/);
});

test('run --dry-run needs no container engine', async () => {
  const o = await tjob(['run', join(ROOT, 'samples', 'job-parallel.yaml'), '--dry-run']);
  assert.equal(o.code, 0, o.stderr);
  assert.match(o.stdout, /^job\.batch\/parallel \(dry run\)/);
});

/** Writes each case to a file and runs it with validate, render and run --dry-run in turn (or on stdin). */
async function runCases(category: string, cases: readonly Case[], allCommands: boolean): Promise<string[]> {
  const failures: string[] = [];
  const runs: { c: Case; command: 'validate' | 'render' | 'run'; i: number }[] = [];
  cases.forEach((c, i) => {
    const all = ['validate', 'render', 'run'] as const;
    for (const command of allCommands ? all : [all[i % 3] ?? 'validate']) runs.push({ c, command, i });
  });
  await pool(runs, async ({ c, command, i }) => {
    const viaStdin = i % 4 === 0;
    let args = argsFor(command, c);
    if (!viaStdin) {
      const file = join(dir, `case-${category.replace(/\W/g, '')}-${i}.yaml`);
      writeFileSync(file, c.text);
      args = args.map((a) => (a === '-' ? file : a));
    }
    const o = await tjob(args, viaStdin ? { stdin: c.text } : {});
    const p = record(`spawned: ${category}`, o);
    if (p.length > 0) failures.push(`${command} ${c.name}: ${p.join(', ')}: ${o.stderr.slice(0, 300)}`);
  });
  return failures;
}

test('hostile documents through the real CLI', async () => {
  // A third of the smaller ones (all run in-process), the commands in turn.
  const cases = [...specialCases(), ...paramCases()].filter((c, i) => c.text.length < 200_000 && i % 3 === 0);
  assert.deepEqual(await runCases('hostile', cases, false), []);
});

test('a sample of the generated corpus through the real CLI', async () => {
  const s = seeds();
  const cases = [...structuralCases(s, 10, 7_000_000), ...textCases(s, 10, 8_000_000)];
  assert.deepEqual(await runCases('generated', cases, false), []);
});

test('the alias bomb, a 50 MB file and the largest accepted file: refused or loaded in bounded time and memory', async () => {
  const MB = 1024 * 1024;
  const job = jobWith('');
  const files: Record<string, string> = {
    'alias bomb': aliasBomb(),
    'alias bomb in a job': `${aliasBomb()}${job}`,
    '50 MB annotation': jobWith(`  annotations: {big: "${'x'.repeat(50 * MB)}"}`),
    '50 MB of documents': `${job}${`---\n${job}`.repeat(Math.floor((50 * MB) / (job.length + 4)))}`,
    '2.9 MB of documents': `${job}${`---\n${job.replace('hostile', 'h-$ITEM')}`.repeat(Math.floor((2.9 * MB) / (job.length + 4)))}`,
    '2.9 MB list': job.replace(
      'image: busybox',
      `image: busybox\n          args:\n${'            - xx\n'.repeat(Math.floor((2.9 * MB) / 17))}`,
    ),
  };
  const failures: string[] = [];
  const all = ['validate', 'render', 'run'] as const;
  let n = 0;
  const runs = Object.entries(files).flatMap(([name, text]) => {
    const file = join(dir, `${name.replace(/\W/g, '-')}.yaml`);
    writeFileSync(file, text);
    const commands =
      name.startsWith('alias bomb') || name === '50 MB of documents' ? all : [all[n++ % 3] ?? 'validate'];
    return commands.map((command) => ({ name, file, command }));
  });
  // One at a time: each may take a few hundred MB, and its time is the figure.
  for (let i = 0; i < runs.length; i += 1) {
    await Promise.all(
      runs.slice(i, i + 1).map(async ({ name, file, command }) => {
        const args = command === 'run' ? ['run', file, '--dry-run'] : [command, file];
        const o = await tjob(args, { measure: true });
        const p = record('spawned: big inputs', o, o.ms > MaxBigMs ? [`took ${o.ms.toFixed(0)} ms`] : []);
        if (p.length > 0) failures.push(`${command} ${name}: ${p.join(', ')}: ${o.stderr.slice(0, 300)}`);
      }),
    );
  }
  assert.deepEqual(failures, []);
});

test('an endless pipe on standard input and a device as FILE are refused after 3 MiB, in bounded memory', async () => {
  const endless = await new Promise<Spawned>((resolve) => {
    const yes = spawn('yes', ['a: b'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--max-old-space-size=128', BIN, 'validate', '-'], {
      cwd: ROOT,
      env: { ...process.env, DOCKER_HOST: NoEngine, TJOB_STATE_DIR: join(dir, 'state'), NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    yes.stdout.pipe(child.stdin);
    child.stdin.on('error', () => {});
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      yes.kill();
      resolve({ code, signal, stdout: '', stderr, ms: performance.now() - t0 });
    });
  });
  assert.equal(endless.code, 2, endless.stderr);
  assert.match(endless.stderr, /<stdin>: Too long: more than 3\.0 MiB of YAML/);
  const device = await tjob(['validate', '/dev/zero'], { measure: true });
  assert.equal(device.code, 2, device.stderr);
  assert.match(device.stderr, /\/dev\/zero: Too long: more than 3\.0 MiB of YAML/);
  if (device.rssKB !== undefined) assert.ok(device.rssKB < 200_000, `${device.rssKB} kB`);
});
