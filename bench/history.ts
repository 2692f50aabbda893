// Scenario history (BENCH_ONLY=history): does a state directory that keeps history stay fast?
// `tjob get jobs` over 10,000 finished jobs against the same over 1,000; `tjob get pods --job NAME`
// (a job of 100 pods) with 100,000 pod records over 1,000 jobs against 10,000 over 100 jobs.
// Small and large runs alternate (one warm-up each first: page cache, and the first listing
// writes the summaries index); the ratio of the medians is the figure, and the peak RSS of every
// run (/usr/bin/time's maximum resident set) is kept.

import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { makeJobs } from './startup.js';
import { QUICK, TJOB, log, median, mustRun, round, tempDir } from './util.js';

const TIME = '/usr/bin/time';

export interface HistoryCase {
  what: string;
  small: { label: string; ms: number[]; rssMiB: number[] };
  large: { label: string; ms: number[]; rssMiB: number[] };
  medianSmallMs: number;
  medianLargeMs: number;
  ratio: number;
  peakRssMiB: number;
}

export interface HistoryResult {
  reps: number;
  loadBefore: number[];
  loadAfter: number[];
  nproc: number;
  getJobs: HistoryCase;
  getPods: HistoryCase;
}

/** One run of the CLI: its wall time and, with /usr/bin/time, its peak resident set. */
async function once(args: string[], stateDir: string): Promise<{ ms: number; rssMiB: number }> {
  const env = { TJOB_STATE_DIR: stateDir, NO_COLOR: '1' };
  if (!existsSync(TIME)) {
    const r = await mustRun(process.execPath, [TJOB, ...args], { env, dropStdout: true });
    return { ms: r.ms, rssMiB: NaN };
  }
  const r = await mustRun(TIME, ['-f', 'PEAK_RSS_KB=%M', process.execPath, TJOB, ...args], {
    env,
    dropStdout: true,
  });
  const kb = Number(/PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1]);
  return { ms: r.ms, rssMiB: round(kb / 1024, 1) };
}

async function alternate(
  what: string,
  args: string[],
  small: { label: string; dir: string },
  large: { label: string; dir: string },
  reps: number,
): Promise<HistoryCase> {
  await once(args, small.dir);
  await once(args, large.dir);
  const s = { label: small.label, ms: [] as number[], rssMiB: [] as number[] };
  const l = { label: large.label, ms: [] as number[], rssMiB: [] as number[] };
  for (let i = 0; i < reps; i++) {
    // Alternated, and which goes first alternates too.
    const order = i % 2 === 0 ? ([s, l] as const) : ([l, s] as const);
    for (const side of order) {
      const r = await once(args, side === s ? small.dir : large.dir);
      side.ms.push(round(r.ms, 1));
      side.rssMiB.push(r.rssMiB);
    }
  }
  const ms = median(s.ms);
  const ml = median(l.ms);
  return {
    what,
    small: s,
    large: l,
    medianSmallMs: round(ms, 1),
    medianLargeMs: round(ml, 1),
    ratio: round(ml / ms),
    peakRssMiB: Math.max(...s.rssMiB, ...l.rssMiB),
  };
}

export async function history(): Promise<HistoryResult> {
  const reps = QUICK ? 3 : 9;
  const scale = QUICK ? 10 : 1;
  const jobsSmall = { label: `${1000 / scale} jobs`, dir: tempDir('history-jobs-small') };
  const jobsLarge = { label: `${10000 / scale} jobs`, dir: tempDir('history-jobs-large') };
  const podsSmall = { label: `${10000 / scale} pod records`, dir: tempDir('history-pods-small') };
  const podsLarge = { label: `${100000 / scale} pod records`, dir: tempDir('history-pods-large') };
  log(`history: generating ${jobsSmall.label}, ${jobsLarge.label} (3 pods each)`);
  await makeJobs(jobsSmall.dir, 1000 / scale, 3, 8);
  await makeJobs(jobsLarge.dir, 10000 / scale, 3, 8);
  log(`history: generating ${podsSmall.label}, ${podsLarge.label} (jobs of 100 pods)`);
  await makeJobs(podsSmall.dir, 100 / scale, 100, 8);
  await makeJobs(podsLarge.dir, 1000 / scale, 100, 8);
  const loadBefore = loadavg().map((x) => round(x));
  log(`history: load average ${loadBefore.join(' ')}; ${reps} alternated runs each`);
  const getJobs = await alternate('get jobs', ['get', 'jobs'], jobsSmall, jobsLarge, reps);
  const getPods = await alternate(
    'get pods --job',
    ['get', 'pods', '--job', 'job-0005'],
    podsSmall,
    podsLarge,
    reps,
  );
  return {
    reps,
    loadBefore,
    loadAfter: loadavg().map((x) => round(x)),
    nproc: cpus().length,
    getJobs,
    getPods,
  };
}
