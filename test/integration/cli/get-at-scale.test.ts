// The built CLI on a big state directory, process start included: `tjob get jobs` with 1,000
// finished jobs (3 pods each) and `tjob get pods` with one job of 10,000 pod records list every
// object right. How long they take is the benchmark's to judge (`npm run bench`, start-up
// scenario, against its targets on a quiet machine); a test on a shared machine asserts no time.
// The figures are printed as diagnostics. No container engine is needed.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, newStateDir } from './tjob-cli.js';
import { fillState } from '../../support/fill-state.js';

const BIN = join(ROOT, 'bin', 'tjob.js');

/** Reports the process's CPU time (user + system, process start included) on fd 3 at exit. */
const CPU_PROBE =
  'data:text/javascript,' +
  encodeURIComponent(
    "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, String((u.user + u.system) / 1000)); });",
  );

function timed(args: string[], stateDir: string): { ms: number; cpuMs: number; stdout: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', CPU_PROBE, BIN, ...args], {
    env: { ...process.env, TJOB_STATE_DIR: stateDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(r.status, 0, r.stderr);
  return { ms, cpuMs: Number(r.output[3]), stdout: r.stdout };
}

interface Best {
  ms: number;
  cpuMs: number;
  stdout: string;
  /** One line for the report. */
  text: string;
}

/** The best of a few runs: the figures least disturbed by whatever else the machine is doing. */
function best(args: string[], stateDir: string, runs = 3): Best {
  const walls: number[] = [];
  const cpus: number[] = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const r = timed(args, stateDir);
    walls.push(Math.round(r.ms));
    cpus.push(Math.round(r.cpuMs));
    stdout = r.stdout;
  }
  const ms = Math.min(...walls);
  const cpuMs = Math.min(...cpus);
  return {
    ms,
    cpuMs,
    stdout,
    text: `tjob ${args.join(' ')}: best ${ms} ms wall, ${cpuMs} ms CPU (wall ${walls.join(', ')}; CPU ${cpus.join(', ')})`,
  };
}

describe('get on a big state directory', () => {
  const jobsDir = newStateDir();
  const podsDir = newStateDir();

  before(async () => {
    await fillState(jobsDir, { jobs: 1000, podsPerJob: 3 });
    await fillState(podsDir, { jobs: 0, podsPerJob: 0, bigJobPods: 10_000 });
    // Warm the disk cache (the store wrote the summaries already).
    timed(['get', 'jobs'], jobsDir);
    timed(['get', 'pods'], podsDir);
  });

  after(() => {
    // 40 MB of journals: not left behind in /tmp.
    rmSync(jobsDir, { recursive: true, force: true });
    rmSync(podsDir, { recursive: true, force: true });
  });

  it('tjob version (the floor: node and the CLI modules)', (t) => {
    const r = best(['version'], jobsDir, 5);
    t.diagnostic(r.text);
  });

  it('get jobs with 1,000 jobs', { timeout: 60_000 }, (t) => {
    const r = best(['get', 'jobs'], jobsDir, 5);
    t.diagnostic(r.text);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1001);
    assert.match(lines[1]!, /^job-0000\s+Complete\s+3\/3\s+3s\s+\S+$/);
  });

  it('get jobs -o json with 1,000 jobs', { timeout: 60_000 }, (t) => {
    const r = best(['get', 'jobs', '-o', 'json'], jobsDir);
    t.diagnostic(r.text);
    const list = JSON.parse(r.stdout) as { items: { status: { succeeded?: number } }[] };
    assert.equal(list.items.length, 1000);
    assert.ok(list.items.every((j) => j.status.succeeded === 3));
  });

  it('get pods with one job of 10,000 pod records', { timeout: 60_000 }, (t) => {
    const r = best(['get', 'pods'], podsDir);
    t.diagnostic(r.text);
    assert.equal(r.stdout.trimEnd().split('\n').length, 10_001);
  });

  it('get jobs next to the job of 10,000 pods reads no pod record', { timeout: 60_000 }, (t) => {
    const r = best(['get', 'jobs'], podsDir);
    t.diagnostic(r.text);
    assert.match(r.stdout, /^big\s+Complete\s+10000\/10000/m);
  });
});
