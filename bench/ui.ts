// Scenario 7, the web view: `tjob ui` over 1,000 finished jobs (3 pods each) and one job with
// 1,000 pod records, opened in headless Chromium (Debian's, through playwright-core): the time
// from navigation to the first page of the list drawn (100 rows and the pager), and to the
// 1,000-pod job's timeline drawn (aggregated); and the server's RSS before and after.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { fillState } from '../test/support/fill-state.js';
import { QUICK, RUN_ID, TJOB, log, median, round, sleep, tempDir, writeFile } from './util.js';
import type { Page } from 'playwright-core';

export interface UiResult {
  jobs: number;
  bigJobPods: number;
  reps: number;
  listMs: number;
  bigJobMs: number;
  serverRssMiB: { before: number | undefined; after: number | undefined };
  /** The server's RSS while two pages stay open and a CronJob runs a job every 3 s. */
  soak: { seconds: number; jobsCreated: number; rssMiB: number[]; growth: number };
}

/** How long the pages stay open with jobs running (BENCH_UI_SOAK_SECONDS; 600 s, 60 s quick). */
const SOAK_SECONDS = Number(process.env.BENCH_UI_SOAK_SECONDS ?? (QUICK ? 60 : 600));

function rssMiB(pid: number): number | undefined {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? round(kb / 1024, 1) : undefined;
  } catch {
    return undefined;
  }
}

export async function ui(): Promise<UiResult> {
  const jobs = QUICK ? 200 : 1000;
  const bigJobPods = QUICK ? 200 : 1000;
  const reps = QUICK ? 2 : 5;
  const dir = tempDir('ui');
  log(`filling ${jobs} jobs and a ${bigJobPods}-pod job`);
  await fillState(dir, { jobs, podsPerJob: 3, bigJobPods });
  const server = spawn(process.execPath, [TJOB, 'ui'], {
    env: { ...process.env, TJOB_STATE_DIR: dir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const browser = await chromium.launch({
    executablePath: execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(),
    args: ['--no-sandbox'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^(http:\/\/\S+)$/m.exec(out);
        if (m) resolve(m[1]!);
      });
      server.on('exit', (code) => reject(new Error(`tjob ui exited ${code}`)));
    });
    const base = url.replace(/\/\?token=.*$/, '');
    const before = rssMiB(server.pid!);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(url); // sets the cookie
    const list: number[] = [];
    const big: number[] = [];
    for (let i = 0; i < reps; i++) {
      let t0 = performance.now();
      await page.goto(`${base}/`);
      await page.waitForSelector(`#jobs tbody tr:nth-child(100)`);
      await page.waitForSelector('#jobs .pager');
      list.push(performance.now() - t0);
      t0 = performance.now();
      await page.goto(`${base}/job/big`);
      await page.waitForSelector('#timeline svg.aggregated');
      big.push(performance.now() - t0);
    }
    const after = rssMiB(server.pid!);
    const soak = await soakWithJobs(dir, base, page, server.pid!);
    return {
      jobs,
      bigJobPods,
      reps,
      listMs: round(median(list), 0),
      bigJobMs: round(median(big), 0),
      serverRssMiB: { before, after },
      soak,
    };
  } finally {
    await browser.close();
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGINT');
    await exited;
  }
}

/** The list and a CronJob's page open for SOAK_SECONDS while the scheduler runs a job every 3 s. */
async function soakWithJobs(
  dir: string,
  base: string,
  page: Page,
  serverPid: number,
): Promise<UiResult['soak']> {
  const name = `${RUN_ID}-soak`;
  const manifest = writeFile(
    dir,
    'soak.yaml',
    `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "@every 3s"
  successfulJobsHistoryLimit: 3
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: c
              image: busybox
              imagePullPolicy: IfNotPresent
              command: ["sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.3; done"]
`,
  );
  log(`soak: ${SOAK_SECONDS} s with a job every 3 s and two pages open`);
  const daemon = spawn(process.execPath, [TJOB, 'cron', 'start', manifest], {
    env: { ...process.env, TJOB_STATE_DIR: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let created = 0;
  daemon.stderr.on('data', (d: Buffer) => (created += (d.toString().match(/ created for /g) ?? []).length));
  const cronPage = await page.context().newPage();
  try {
    await page.goto(`${base}/`);
    await cronPage.goto(`${base}/cronjob/${name}`);
    const rss: number[] = [];
    const step = Math.max(5, Math.floor(SOAK_SECONDS / 20));
    for (let t = 0; t <= SOAK_SECONDS; t += step) {
      rss.push(rssMiB(serverPid) ?? 0);
      if (t + step <= SOAK_SECONDS) await sleep(step * 1000);
    }
    // Growth from the first minute (warm) to the end.
    const warm = rss[Math.min(rss.length - 1, Math.ceil(60 / step))]!;
    return { seconds: SOAK_SECONDS, jobsCreated: created, rssMiB: rss, growth: round(rss.at(-1)! / warm, 2) };
  } finally {
    await cronPage.close();
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
}
