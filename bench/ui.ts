// Scenario 7, the web view: `tjob ui` over 1,000 finished jobs (3 pods each) and one job with
// 1,000 pod records, opened in headless Chromium (Debian's, through playwright-core): the time
// from navigation to the first page of the list drawn (100 rows and the pager), and to the
// 1,000-pod job's timeline drawn (aggregated); and the server's RSS before and after.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { fillState } from '../test/support/fill-state.js';
import { QUICK, TJOB, log, median, round, tempDir } from './util.js';

export interface UiResult {
  jobs: number;
  bigJobPods: number;
  reps: number;
  listMs: number;
  bigJobMs: number;
  serverRssMiB: { before: number | undefined; after: number | undefined };
}

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
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    return {
      jobs,
      bigJobPods,
      reps,
      listMs: round(median(list), 0),
      bigJobMs: round(median(big), 0),
      serverRssMiB: { before, after: rssMiB(server.pid!) },
    };
  } finally {
    await browser.close();
    server.kill('SIGINT');
  }
}
