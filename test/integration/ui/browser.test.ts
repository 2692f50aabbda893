// `tjob ui` in a real headless Chromium (Debian's, driven by playwright-core; no browser is
// downloaded): the token and Host checks, a job run while the list is open appearing and
// completing on it within a second of the state changing, the timeline's bars and colours, logs
// that follow with Secrets masked, and the CronJob page's slots. Screenshots of the pages are kept
// in .tjob-test/screenshots/ (the README's images come from there).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FileStore } from '../../../src/state/file-store.js';
import { COLORS } from '../../../src/ui/timeline.js';
import {
  newStateDir,
  removeContainersWithPrefix,
  ROOT,
  start,
  tjob,
  until,
  writeManifest,
  type Outcome,
} from '../cli/tjob-cli.js';
import { tempDir } from '../../support/jobs.js';

const PREFIX = `itui${process.pid}`;
const SHOTS = join(ROOT, '.tjob-test', 'screenshots');

function chromiumPath(): string {
  return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
    encoding: 'utf8',
  }).trim();
}

function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

function job(name: string, o: { script: string; extra?: string; spec?: string }): string {
  return `${o.extra ?? ''}apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  labels: {suite: ui}
spec:
${o.spec ?? ''}  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", ${JSON.stringify(o.script)}]
`;
}

describe('tjob ui in Chromium', { timeout: 300_000 }, () => {
  let stateDir: string;
  let ui: { child: ChildProcess; done: Promise<Outcome> } | undefined;
  let pageUrl: string;
  let base: string;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stateDir = newStateDir();
    ui = start(['ui'], stateDir);
    let out = '';
    ui.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /^http:\/\/\S+\n/m.test(out), 30_000);
    pageUrl = /^(http:\/\/\S+)$/m.exec(out)![1]!;
    base = pageUrl.replace(/\/\?token=.*$/, '');
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    if (ui?.child.pid && ui.child.exitCode === null) {
      ui.child.kill('SIGINT');
      await ui.done;
    }
    removeContainersWithPrefix(PREFIX);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('prints the URL with its token alone on a line; refuses other Hosts and requests without it', async () => {
    assert.match(pageUrl, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    const token = pageUrl.split('token=')[1]!;
    assert.equal((await rawGet(`${base}/`, {})).status, 403);
    assert.equal((await rawGet(`${base}/api/list?kind=jobs`, {})).status, 403);
    assert.equal((await rawGet(`${base}/metrics`, {})).status, 403);
    assert.equal((await rawGet(`${base}/?token=${'0'.repeat(48)}`, {})).status, 403);
    // DNS rebinding: the right token under another Host name is refused too.
    const port = new URL(base).port;
    assert.equal((await rawGet(pageUrl, { Host: `attacker.example:${port}` })).status, 403);
    const visit = await rawGet(pageUrl, {});
    assert.equal(visit.status, 302);
    assert.match(String(visit.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await rawGet(`${base}/metrics`, { Authorization: `Bearer ${token}` })).status, 200);
    // Names reach file paths in the store: anything but an object name is not found.
    const auth = { Authorization: `Bearer ${token}` };
    assert.equal((await rawGet(`${base}/api/job/..%2F..%2Fetc`, auth)).status, 404);
    assert.equal((await rawGet(`${base}/api/cronjob/..%2Fx`, auth)).status, 404);
    // A browser without the cookie gets nothing; the printed URL lets it in.
    const stranger = await browser!.newPage();
    assert.equal((await stranger.goto(`${base}/`))?.status(), 403);
    await stranger.close();
    await page.goto(pageUrl);
    assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar');
    await page.waitForSelector('#live.on');
  });

  it('--open hands the printed URL to $BROWSER', async () => {
    const dir = tempDir('tjob-open-');
    const opener = join(dir, 'browser.sh');
    writeFileSync(opener, `#!/bin/sh\nprintf '%s' "$1" > ${join(dir, 'opened')}\n`, { mode: 0o755 });
    const second = start(['ui', '--open'], stateDir, { BROWSER: opener });
    let out = '';
    second.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until(() => existsSync(join(dir, 'opened')) && /^http:\/\/\S+$/m.test(out), 30_000);
      assert.equal(readFileSync(join(dir, 'opened'), 'utf8'), /^(http:\/\/\S+)$/m.exec(out)![1]);
    } finally {
      second.child.kill('SIGINT');
      assert.equal((await second.done).code, 130);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a job run while the list is open appears, and shows Complete within a second of the state', async () => {
    const name = `${PREFIX}-list`;
    const run = tjob(
      ['run', writeManifest(job(name, { script: 'sleep 2', spec: '  completions: 2\n  parallelism: 2\n' }))],
      stateDir,
    );
    await page.waitForSelector(`#jobs tr[data-name="${name}"]`, { timeout: 30_000 });
    // The moment the state directory says Complete, read as tjob get reads it.
    const store = new FileStore(stateDir);
    let completeAt = 0;
    await until(async () => {
      const s = await store.loadJobSummary(name);
      if ((s?.job.status.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'))
        completeAt = Date.now();
      return completeAt > 0;
    }, 60_000).catch(() => undefined);
    assert.ok(completeAt > 0, 'the job completed');
    await page.waitForSelector(`#jobs tr[data-name="${name}"] td.status-Complete`, { timeout: 1000 });
    const shownAfter = Date.now() - completeAt;
    assert.ok(shownAfter < 1000, `shown ${shownAfter} ms after the state changed`);
    const cells = await page.$$eval(`#jobs tr[data-name="${name}"] td`, (tds) =>
      tds.map((td) => td.textContent),
    );
    assert.deepEqual(cells.slice(1, 3), ['Complete', '2/2']);
    assert.equal((await run).code, 0);
    // The label selector filters as tjob get -l does.
    await page.fill('#selector', 'suite!=ui');
    await page.press('#selector', 'Enter');
    await page.waitForSelector(`#jobs tr[data-name="${name}"]`, { state: 'detached' });
    await page.fill('#selector', 'suite=ui');
    await page.press('#selector', 'Enter');
    await page.waitForSelector(`#jobs tr[data-name="${name}"]`);
    await page.screenshot({ path: join(SHOTS, 'list.png'), fullPage: true });
  });

  it('the timeline has one bar per pod attempt, coloured by how it ended, per completion index', async () => {
    const name = `${PREFIX}-indexed`;
    // Index 1 fails every time: two attempts (backoffLimitPerIndex 1), the others succeed.
    const manifest = writeManifest(
      job(name, {
        script:
          'echo "index $JOB_COMPLETION_INDEX starting"; sleep 1; [ "$JOB_COMPLETION_INDEX" != 1 ] || { echo "index 1 fails" >&2; exit 1; }; echo done',
        spec: '  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n  backoffLimitPerIndex: 1\n  activeDeadlineSeconds: 60\n',
      }),
    );
    const outcome = await tjob(['run', '--backoff', '1s', manifest], stateDir);
    assert.equal(outcome.code, 1, outcome.stderr);
    await page.goto(`${base}/job/${name}`);
    await page.waitForSelector('#timeline svg g.pod');
    const bars = await page.$$eval('#timeline svg g.pod', (gs) =>
      gs.map((g) => ({
        phase: g.getAttribute('data-phase'),
        fills: [...g.querySelectorAll('rect')].map((r) => r.getAttribute('fill')),
      })),
    );
    const stored = await new FileStore(stateDir).loadJob(name);
    assert.equal(bars.length, stored!.pods.length, 'one bar per pod');
    assert.deepEqual(bars.map((b) => b.phase).sort(), ['Failed', 'Failed', 'Succeeded', 'Succeeded']);
    for (const b of bars)
      assert.equal(
        b.fills.at(-1),
        b.phase === 'Failed' ? COLORS.failed : COLORS.succeeded,
        JSON.stringify(b),
      );
    const rows = await page.$$eval('#timeline svg text', (ts) => ts.map((t) => t.textContent));
    assert.deepEqual(
      rows.filter((t) => t?.startsWith('index ')),
      ['index 0', 'index 1', 'index 2'],
    );
    assert.equal(
      await page.locator('#timeline svg rect.seg-backoff').count(),
      1,
      'the backoff gap of index 1',
    );
    assert.equal(await page.locator('#timeline svg g.deadline').count(), 1);
    assert.ok((await page.locator('#timeline svg g.marker').count()) >= 1, 'the Failed condition');
    await page.screenshot({ path: join(SHOTS, 'job.png'), fullPage: true });
  });

  it('logs follow a running pod, with Secrets masked', async () => {
    const name = `${PREFIX}-logs`;
    const secret = `apiVersion: v1
kind: Secret
metadata: {name: ${name}-creds}
stringData: {password: hunter2-sesame}
---
`;
    const manifest = writeManifest(
      job(name, {
        extra: secret,
        script: 'echo "password is $PASSWORD"; for i in 1 2 3 4 5 6; do echo line$i; sleep 0.5; done',
      }).replace(
        '        command:',
        `        env:\n        - name: PASSWORD\n          valueFrom:\n            secretKeyRef: {name: ${name}-creds, key: password}\n        command:`,
      ),
    );
    const run = tjob(['run', manifest], stateDir);
    await page.goto(`${base}/job/${name}`);
    await page.waitForSelector('#log-lines:has-text("line1")', { timeout: 60_000 });
    const early = (await page.textContent('#log-lines')) ?? '';
    assert.ok(!early.includes('line6'), 'the first lines shown while the pod runs');
    await page.waitForSelector('#log-lines:has-text("line6")', { timeout: 30_000 });
    const text = (await page.textContent('#log-lines')) ?? '';
    assert.match(text, /password is \*\*\*/);
    assert.ok(!text.includes('hunter2-sesame'), 'the Secret never reaches the page');
    assert.equal(text.match(/line\d/g)?.length, 6, 'each line once');
    assert.equal((await run).code, 0);
  });

  it('the CronJob page shows its slots: on time, and skipped by Forbid', async () => {
    const name = `${PREFIX}-cron`;
    const manifest = writeManifest(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "@every 2s"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: busybox
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "sleep 2"]
`);
    // A job created at a slot runs past the next one (skipped by Forbid) and is complete, its pod's
    // containers removed, well before the one after (a job created then is on time): a pod of 3 s
    // ended too near that slot, and the job created late (a new slot's job waits for Complete).
    const daemon = start(['cron', 'start', manifest], stateDir);
    try {
      await page.goto(`${base}/cronjob/${name}`);
      await page.waitForSelector('svg.slots g.slot-on-time', { timeout: 30_000 });
      await page.waitForSelector('svg.slots g.slot-skipped', { timeout: 30_000 });
      await until(async () => (await page.locator('svg.slots g.slot-on-time').count()) >= 2, 30_000);
      assert.ok((await page.locator('#next-runs li').count()) >= 1);
      await page.screenshot({ path: join(SHOTS, 'cronjob.png'), fullPage: true });
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
    }
  });
});
