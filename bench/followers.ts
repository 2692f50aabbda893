// Scenario `followers`: how soon a follower reacts to a change of the state directory, in real
// processes. `tjob wait job/X --for=condition=Complete`: from the finishing journal line's commit
// (the FileStore call a job's driver makes) to the wait process's exit. `tjob logs X -f`: from a
// log line's append (the call the log recorder makes) to the line on the follower's stdout. Each
// change comes at a random moment, so a follower that only polled would show its poll interval.
// No engine: the jobs are written with the FileStore API, as their driver writes them. The floor,
// measured alike in the same run: a bare `node` process whose fs.watch of the job's directory
// exits (as wait does) or prints (as logs -f does) on the change; on a loaded machine both wait
// for a CPU, so the difference is tjob's part.

import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import type { JobCondition } from '../src/api/k8s.js';
import type { PodRecord } from '../src/api/pod.js';
import { FileStore } from '../src/state/file-store.js';
import { podRecord, testJob } from '../test/support/jobs.js';
import { QUICK, TJOB, log, median, percentile, round, sleep, tempDir } from './util.js';

export interface FollowersResult {
  samples: number;
  /** Finishing line → the wait process's exit. */
  wait: { p50Ms: number; p99Ms: number; maxMs: number };
  /** Finishing line → `condition met` on its stdout. */
  waitPrinted: { p50Ms: number; p99Ms: number; maxMs: number };
  logs: { p50Ms: number; p99Ms: number; maxMs: number };
  /** The same after a long log recorded before the follower started. */
  longLogs: { recordedMB: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** A bare node process's fs.watch: change → exit, change → printed. */
  floor: {
    exit: { p50Ms: number; p99Ms: number; maxMs: number };
    printed: { p50Ms: number; p99Ms: number; maxMs: number };
  };
}

/** The log a long job has written before `logs -f` starts (about, in MB). */
const LONG_LOG_MB = 50;

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

function complete(at: string): JobCondition[] {
  return ['SuccessCriteriaMet', 'Complete'].map((type) => ({
    type,
    status: 'True' as const,
    reason: 'CompletionsReached',
    message: 'Reached expected number of succeeded pods',
    lastProbeTime: at,
    lastTransitionTime: at,
  }));
}

/** A pod record whose one container runs since now (logs -f follows a running pod). */
function runningPod(name: string): PodRecord {
  const at = new Date().toISOString();
  const base = podRecord(name, 'Running');
  return {
    ...base,
    createdAt: at,
    observation: {
      ...base.observation,
      ready: true,
      startTime: at,
      containerStatuses: [
        {
          name: 'main',
          state: { running: { startedAt: at } },
          ready: true,
          restartCount: 0,
          image: 'busybox',
          started: true,
        },
      ],
    },
  };
}

/**
 * Resolves once the process has an inotify instance (its watches are being made), has exited, or
 * after 10 s (a follower that polls, as before this scenario was written, makes none; a
 * start-up slower than that on a loaded machine is measured from the change, as too slow).
 */
async function watching(pid: number, exited: () => boolean): Promise<void> {
  const giveUp = Date.now() + 10_000;
  for (;;) {
    if (exited() || Date.now() > giveUp) return;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify') return;
      }
    } catch {
      // not there yet, or gone
    }
    await sleep(5);
  }
}

function stats(xs: number[]) {
  return {
    p50Ms: round(median(xs), 1),
    p99Ms: round(percentile(xs, 99), 1),
    maxMs: round(Math.max(...xs), 1),
  };
}

/** A moment at random within the longest poll a follower had (500 ms), after a settling 50 ms. */
const randomMoment = () => sleep(50 + Math.random() * 500);

/** `node -e` of a process that waits for a change of the job's journal, prints and exits. */
function bareWatcher(dir: string, name: string): string[] {
  const jobDir = `${dir}/jobs/${name}`;
  return [
    '-e',
    `require('fs').watch(${JSON.stringify(jobDir)}, (e, f) => { if (f === 'journal.jsonl') { process.stdout.write('changed\\n'); process.exit(0); } }); setInterval(() => {}, 1000);`,
  ];
}

async function waitLatencies(
  dir: string,
  store: FileStore,
  samples: number,
  prefix: string,
  command: (name: string) => string[],
): Promise<{ exit: number[]; printed: number[] }> {
  const out = { exit: [] as number[], printed: [] as number[] };
  for (let i = 0; i < samples; i++) {
    const name = `${prefix}${i}`;
    await store.createJob({ ...testJob(name), status: { active: 1 } });
    let exitedAt: bigint | undefined;
    let printedAt: bigint | undefined;
    let code: number | null = null;
    let stderr = '';
    const child = spawn(process.execPath, command(name), {
      env: { ...process.env, TJOB_STATE_DIR: dir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', () => (printedAt ??= process.hrtime.bigint()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<void>((resolve) =>
      child.on('exit', (c) => {
        exitedAt = process.hrtime.bigint();
        code = c;
        resolve();
      }),
    );
    await watching(child.pid!, () => exitedAt !== undefined);
    await randomMoment();
    const t0 = process.hrtime.bigint();
    await store.commitJob(name, { status: { succeeded: 1, conditions: complete(new Date().toISOString()) } });
    await exited;
    if (code !== 0) throw new Error(`tjob wait exited ${code}: ${stderr}`);
    out.exit.push(Number(exitedAt! - t0) / 1e6);
    out.printed.push(Number((printedAt ?? exitedAt!) - t0) / 1e6);
  }
  return out;
}

/**
 * `logs -f` of a running pod: append → printed, per line. `recordedMB`: a log of that size written
 * before the follower starts (`--tail=0`: not printed), as a long job's log is; each line after it
 * must cost the same as on a short log.
 */
async function logsLatencies(
  dir: string,
  store: FileStore,
  samples: number,
  recordedMB = 0,
): Promise<number[]> {
  const name = `follow-${recordedMB}`;
  const pod = `${name}-aaaaa`;
  await store.createJob({ ...testJob(name), status: {} });
  await store.commitJob(name, { status: { active: 1 }, pods: [runningPod(pod)] });
  const filler = 'x'.repeat(100);
  for (let mb = 0; mb < recordedMB; mb++) {
    const time = new Date().toISOString();
    const lines = Array.from({ length: 7000 }, () => ({ time, stream: 'stdout' as const, text: filler }));
    await store.appendLogs(name, pod, 'main', lines);
  }
  const child = spawn(process.execPath, [TJOB, 'logs', name, '-f', ...(recordedMB > 0 ? ['--tail=0'] : [])], {
    env: { ...process.env, TJOB_STATE_DIR: dir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      exited = true;
      resolve(c);
    }),
  );
  let expected: { text: string; resolve: (at: bigint) => void } | undefined;
  let partial = '';
  child.stdout.on('data', (b: Buffer) => {
    const at = process.hrtime.bigint();
    partial += b.toString();
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (expected && line === expected.text) expected.resolve(at);
    }
  });
  await watching(child.pid!, () => exited);
  if (recordedMB > 0) {
    // Its first read of the long log is start-up, not the follow: a line printed ends it (one
    // appended during that read is within --tail=0's skip: the next one is printed).
    let isReady = false;
    const ready = new Promise<bigint>((resolve) => (expected = { text: 'ready', resolve }));
    void ready.then(() => (isReady = true));
    while (!isReady) {
      const line = { time: new Date().toISOString(), stream: 'stdout' as const, text: 'ready' };
      await store.appendLogs(name, pod, 'main', [line]);
      await Promise.race([ready, sleep(1000)]);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    await randomMoment();
    const text = `line ${i}`;
    const printed = new Promise<bigint>((resolve) => (expected = { text, resolve }));
    const t0 = process.hrtime.bigint();
    await store.appendLogs(name, pod, 'main', [{ time: new Date().toISOString(), stream: 'stdout', text }]);
    const timeout = sleep(10_000).then(() => {
      throw new Error(`tjob logs -f did not print "${text}" within 10 s`);
    });
    const at = await Promise.race([printed, timeout]);
    out.push(Number(at - t0) / 1e6);
  }
  await store.commitJob(name, { status: { succeeded: 1, conditions: complete(new Date().toISOString()) } });
  const t = process.hrtime.bigint();
  const code = await done;
  if (code !== 0) throw new Error(`tjob logs -f exited ${code}`);
  log(`logs -f ended ${round(ms(t), 0)} ms after the job (one read more after a second, by design)`);
  return out;
}

export async function followers(): Promise<FollowersResult> {
  const samples = QUICK ? 10 : 50;
  const dir = tempDir('followers');
  const store = new FileStore(dir);
  await store.init();
  log(`tjob wait: ${samples} jobs finished at a random moment`);
  const wait = await waitLatencies(dir, store, samples, 'wait-', (name) => [
    TJOB,
    'wait',
    `job/${name}`,
    '--for=condition=Complete',
    '--timeout=1m',
  ]);
  log(`tjob logs -f: ${samples} lines appended at random moments`);
  const logs = await logsLatencies(dir, store, samples);
  log(`tjob logs -f --tail=0 after a ${LONG_LOG_MB} MB log: ${samples} lines appended at random moments`);
  const longLogs = await logsLatencies(dir, store, samples, LONG_LOG_MB);
  log(`the floor: a bare node process's fs.watch, ${samples} changes`);
  const floor = await waitLatencies(dir, store, samples, 'bare-', (name) => bareWatcher(dir, name));
  return {
    samples,
    wait: stats(wait.exit),
    waitPrinted: stats(wait.printed),
    logs: stats(logs),
    longLogs: { recordedMB: LONG_LOG_MB, ...stats(longLogs) },
    floor: { exit: stats(floor.exit), printed: stats(floor.printed) },
  };
}
