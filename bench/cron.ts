// Scenario 5, cron: 500 CronJobs on `@every 10s` for a minute under `tjob cron start`: the
// lateness of each job's creation against its slot (from the daemon's `created for <slot> (+Xs)`
// lines) and the daemon's CPU (utime+stime from /proc) over the run and between slots.

import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import {
  QUICK,
  RUN_ID,
  TJOB,
  cleanupContainers,
  cpuMs,
  log,
  mustRun,
  peakRss,
  percentile,
  round,
  run,
  sleep,
  tempDir,
  writeFile,
} from './util.js';

export interface CronResult {
  cronJobs: number;
  seconds: number;
  created: number;
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
  daemonCpuMs: number;
  /** Daemon CPU per wall second over the whole run (1000 = one core busy). */
  cpuMsPerSecond: number;
  /** CPU per second in the quietest 1 s window between slots. */
  idleCpuMsPerSecond: number;
  peakRssMiB: number;
}

export async function cron(): Promise<CronResult> {
  const count = Number(process.env.BENCH_CRONJOBS ?? (QUICK ? 50 : 500));
  const seconds = Number(process.env.BENCH_CRON_SECONDS ?? (QUICK ? 25 : 60));
  const dir = tempDir('cron');
  const stateDir = join(dir, 'state');
  const docs = Array.from(
    { length: count },
    (_, i) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${RUN_ID}-cj-${i}
spec:
  schedule: "@every 10s"
  concurrencyPolicy: Allow
  successfulJobsHistoryLimit: 1
  failedJobsHistoryLimit: 1
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        spec:
          containers:
            - name: c
              image: busybox
              imagePullPolicy: IfNotPresent
              command: ["true"]
          restartPolicy: Never
`,
  ).join('---\n');
  const file = writeFile(dir, 'cronjobs.yaml', docs);
  const env = { TJOB_STATE_DIR: stateDir, NO_COLOR: '1' };
  await mustRun(process.execPath, [TJOB, 'apply', '-f', file], { env, dropStdout: true });

  const lateness: number[] = [];
  const samples: { t: number; cpu: number }[] = [];
  let child: ChildProcess | undefined;
  let poll: NodeJS.Timeout | undefined;
  let peak = 0;
  const daemon = run(process.execPath, [TJOB, 'cron', 'start', '--no-logs'], {
    env,
    dropStdout: true,
    onSpawn: (c) => {
      child = c;
      poll = setInterval(() => {
        const cpu = c.pid !== undefined ? cpuMs(c.pid) : undefined;
        if (cpu !== undefined) samples.push({ t: Date.now(), cpu });
        const rss = c.pid !== undefined ? peakRss(c.pid) : undefined;
        if (rss !== undefined && rss > peak) peak = rss;
      }, 250);
    },
    onStderrLine: (line) => {
      const m = /created for \S+ \(\+(-?[\d.]+)s\)/.exec(line);
      if (m) lateness.push(Number(m[1]) * 1000);
    },
  });
  await sleep(seconds * 1000);
  if (poll) clearInterval(poll);
  child?.kill('SIGTERM');
  const end = await daemon;
  await sleep(1000);
  cleanupContainers();
  await sleep(2000);
  cleanupContainers();
  const first = samples[0];
  const last = samples[samples.length - 1];
  const total = first && last ? last.cpu - first.cpu : NaN;
  let idle = Infinity;
  for (let i = 0; i + 4 < samples.length; i++) {
    const a = samples[i]!;
    const b = samples[i + 4]!;
    idle = Math.min(idle, ((b.cpu - a.cpu) * 1000) / (b.t - a.t));
  }
  log(
    `cron: ${lateness.length} jobs created, lateness p50 ${round(percentile(lateness, 50))} ms; daemon exited ${end.code}`,
  );
  return {
    cronJobs: count,
    seconds,
    created: lateness.length,
    latenessP50Ms: round(percentile(lateness, 50)),
    latenessP99Ms: round(percentile(lateness, 99)),
    latenessMaxMs: round(Math.max(...lateness)),
    daemonCpuMs: round(total),
    cpuMsPerSecond: round((total * 1000) / ((last?.t ?? 0) - (first?.t ?? 0)), 1),
    idleCpuMsPerSecond: round(idle, 1),
    peakRssMiB: round(peak / 1048576, 1),
  };
}
