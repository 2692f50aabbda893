// Scenario 1, throughput: 100 completions at parallelism 4 of `busybox true`, through tjob, through
// `xargs -P 4 docker run --rm`, and through a minimal dockerode client (the engine's limit).

import { join } from 'node:path';
import {
  BENCH_LABEL,
  QUICK,
  ROOT,
  RUN_ID,
  cleanupContainers,
  log,
  median,
  mustRun,
  round,
  tempDir,
  timedTrueJob,
} from './util.js';

export interface ThroughputResult {
  completions: number;
  parallelism: number;
  reps: number;
  tjobMs: number[];
  xargsMs: number[];
  apiMs: number[];
  medians: { tjob: number; xargs: number; api: number };
  ratios: { tjobVsXargs: number; tjobVsApi: number };
}

export async function throughput(): Promise<ThroughputResult> {
  const completions = QUICK ? 20 : 100;
  const parallelism = 4;
  const reps = QUICK ? 1 : Number(process.env.BENCH_REPS ?? 3);
  const dir = tempDir('throughput');
  const tjobMs: number[] = [];
  const xargsMs: number[] = [];
  const apiMs: number[] = [];
  const seq = Array.from({ length: completions }, (_, i) => `${i}\n`).join('');
  for (let rep = 0; rep < reps; rep++) {
    // Alternate the order so a drifting machine does not favour one side.
    const order = rep % 2 === 0 ? ['tjob', 'xargs', 'api'] : ['api', 'xargs', 'tjob'];
    for (const which of order) {
      if (which === 'tjob') {
        tjobMs.push(await timedTrueJob(dir, `${RUN_ID}-thru-${rep}`, { completions, parallelism }));
      } else if (which === 'xargs') {
        const r = await mustRun(
          'xargs',
          [
            '-P',
            String(parallelism),
            '-I{}',
            'docker',
            'run',
            '--rm',
            '--label',
            `${BENCH_LABEL}=${RUN_ID}`,
            'busybox',
            'true',
          ],
          { input: seq },
        );
        xargsMs.push(r.ms);
      } else {
        const r = await mustRun(process.execPath, [
          join(ROOT, 'dist/bench/api-baseline.js'),
          String(completions),
          String(parallelism),
          RUN_ID,
        ]);
        apiMs.push(r.ms);
      }
      log(
        `throughput rep ${rep + 1}/${reps} ${which}: ${round(([tjobMs, xargsMs, apiMs][['tjob', 'xargs', 'api'].indexOf(which)]!.at(-1) ?? 0) / 1000)} s`,
      );
    }
    cleanupContainers();
  }
  const medians = { tjob: median(tjobMs), xargs: median(xargsMs), api: median(apiMs) };
  return {
    completions,
    parallelism,
    reps,
    tjobMs,
    xargsMs,
    apiMs,
    medians,
    ratios: {
      tjobVsXargs: round(medians.tjob / medians.xargs),
      tjobVsApi: round(medians.tjob / medians.api),
    },
  };
}
