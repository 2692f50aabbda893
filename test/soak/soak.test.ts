// Long runs (`npm run test:soak`, ~17 min; not part of `npm test`): 50 jobs at once in one
// `tjob run --items`, then a cron daemon with 500 CronJobs for TJOB_SOAK_MINUTES (default 15),
// each with a history limit of 1, so that from the second third on the daemon deletes as many
// jobs as it creates and memory must level off.
// Both processes carry a probe (probe.ts, loaded with --import) that samples RSS, heap, open file
// descriptors, active resources and process listeners; the test checks they stay flat, that
// nothing is missed or done twice (every slot's job created once, each with exactly one pod that
// succeeded) and that no container is left behind. Figures are printed for RELIABILITY.md.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../src/state/file-store.js';
import {
  containersWithPrefix,
  newStateDir,
  removeContainersWithPrefix,
  start,
  tjob,
  until,
  writeManifest,
} from '../integration/cli/tjob-cli.js';

const PREFIX = `soak${process.pid}`;
const PROBE = join(import.meta.dirname, 'probe.js');
const MINUTES = Number(process.env.TJOB_SOAK_MINUTES ?? '15');
const dirs: string[] = [];

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  fds: number;
  resources: number;
  listeners: number;
}

function samples(file: string): Sample[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Sample);
  } catch {
    return [];
  }
}

const mb = (n: number) => Math.round(n / 1024 / 1024);

function summary(name: string, s: Sample[]): Record<string, unknown> {
  const field = (k: keyof Sample) => s.map((x) => x[k]);
  const span = (k: keyof Sample) => `${Math.min(...field(k))}..${Math.max(...field(k))}`;
  return {
    name,
    samples: s.length,
    rssMB: `${mb(Math.min(...field('rss')))}..${mb(Math.max(...field('rss')))}`,
    heapMB: `${mb(Math.min(...field('heapUsed')))}..${mb(Math.max(...field('heapUsed')))}`,
    fds: span('fds'),
    resources: span('resources'),
    listeners: span('listeners'),
  };
}

/** Tests begun and not (yet) passed. */
let failed = 0;
after(() => {
  removeContainersWithPrefix(PREFIX);
  // A failed soak leaves its state directories to look at.
  if (failed > 0) console.log(`SOAK state kept in ${dirs.join(' ')}`);
  else for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const probeEnv = (file: string, ms: number) => ({
  NODE_OPTIONS: `--import=${PROBE}`,
  TJOB_SOAK_PROBE: file,
  TJOB_SOAK_PROBE_MS: String(ms),
});

describe('soak', { concurrency: false }, () => {
  it('runs 50 jobs at once in one tjob run', { timeout: 10 * 60_000 }, async () => {
    failed++;
    const state = newStateDir();
    dirs.push(state);
    const probe = join(state, 'probe-run.jsonl');
    const file = writeManifest(`apiVersion: batch/v1
kind: Job
metadata:
  name: ${PREFIX}-$ITEM
spec:
  completions: 2
  parallelism: 1
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo item $ITEM on $HOSTNAME; sleep 1"]
`);
    const items = Array.from({ length: 50 }, (_, i) => `i${i}`).join(',');
    const t0 = Date.now();
    const out = await tjob(['run', file, '--items', items], state, probeEnv(probe, 1000));
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(out.code, 0, out.stderr.slice(-3000));
    const jobs = await new FileStore(state).listJobs();
    assert.equal(jobs.length, 50);
    for (const j of jobs) {
      assert.equal(j.job.status.succeeded, 2, j.job.metadata.name);
      assert.equal(j.job.status.failed ?? 0, 0, j.job.metadata.name);
      assert.equal(j.pods.length, 2, `${j.job.metadata.name}: one pod record per pod created`);
    }
    assert.equal(out.stdout.split('\n').filter((l) => / item i\d+ on /.test(l)).length, 100);
    assert.deepEqual(containersWithPrefix(PREFIX), []);
    const s = samples(probe);
    const fig = { ...summary('run --items x50', s), seconds, pods: 100 };
    console.log(`SOAK ${JSON.stringify(fig)}`);
    assert.ok(s.length > 3);
    // After the run every job's handles are closed: the last sample is near the first.
    assert.ok(Math.max(...s.map((x) => x.fds)) < 200, 'fds bounded');
    failed--;
  });

  it(
    `keeps 500 CronJobs on schedule for ${MINUTES} minutes`,
    { timeout: (MINUTES + 8) * 60_000 },
    async () => {
      failed++;
      const state = newStateDir();
      dirs.push(state);
      const probe = join(state, 'probe-cron.jsonl');
      const n = 500;
      // Each CronJob fires once every 5 minutes, at minute i % 5: 100 jobs a minute in all; each
      // keeps one finished job, so every run after the first deletes the one before.
      const docs = Array.from(
        { length: n },
        (_, i) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${PREFIX}-c${i}
spec:
  schedule: "${i % 5}-59/5 * * * *"
  timeZone: Etc/UTC
  successfulJobsHistoryLimit: 1
  failedJobsHistoryLimit: 1
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
            command: ["true"]
`,
      );
      const file = join(state, 'cronjobs.yaml');
      writeFileSync(file, docs.join('---\n'));
      const applied = await tjob(['apply', '-f', file], state);
      assert.equal(applied.code, 0, applied.stderr);
      const d = start(['cron', 'start'], state, probeEnv(probe, 5000));
      let stderr = '';
      d.child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      const startedAt = Date.now();
      await new Promise((r) => setTimeout(r, MINUTES * 60_000));
      const stoppedAt = Date.now();
      d.child.kill('SIGTERM');
      const out = await d.done;
      assert.equal(out.code, 143, stderr.slice(-3000));

      // Every slot in (start, stop - 40 s] had its job created, once; nothing else but slots at
      // the very end. (Earlier jobs are gone by now: the history limit deleted them.)
      const expected = new Set<string>();
      const late = new Set<string>();
      const firstMinute = Math.floor(startedAt / 60_000) + 1;
      for (let m = firstMinute; m * 60_000 <= stoppedAt; m++) {
        for (let i = 0; i < n; i++) {
          if (m % 5 !== i % 5) continue;
          const name = `${PREFIX}-c${i}-${m}`;
          if (m * 60_000 <= stoppedAt - 40_000) expected.add(name);
          else late.add(name);
        }
      }
      const creates = [...stderr.matchAll(/job\.batch\/(\S+) created for/g)].map((m) => m[1]!);
      assert.equal(new Set(creates).size, creates.length, 'no job created twice');
      const missing = [...expected].filter((x) => !creates.includes(x));
      const extra = creates.filter((x) => !expected.has(x) && !late.has(x));
      const names = readdirSync(join(state, 'jobs')).filter((x) => !x.startsWith('.'));
      console.log(
        `SOAK-JOBS ${JSON.stringify({ created: creates.length, stored: names.length, expected: expected.size, missing, extra })}`,
      );
      assert.deepEqual(missing, [], 'every slot has its job');
      assert.deepEqual(extra, [], 'no job for a slot that did not come');
      const store = new FileStore(state);
      let pods = 0;
      let unfinished = 0;
      const failedReasons: Record<string, number> = {};
      const doubled: string[] = [];
      const perCronJob = new Map<string, number>();
      for (const name of names) {
        const j = (await store.loadJob(name))!;
        const owner = name.replace(/-\d+$/, '');
        perCronJob.set(owner, (perCronJob.get(owner) ?? 0) + 1);
        pods += j.pods.length;
        // A pod that failed (e.g. a create the loaded engine timed out) is retried; never two successes.
        const succeededPods = j.pods.filter((p) => p.observation.phase === 'Succeeded').length;
        if (succeededPods > 1 || (j.job.status.succeeded ?? 0) > 1) doubled.push(name);
        for (const p of j.pods.filter((x) => x.observation.phase === 'Failed')) {
          const why = `${p.observation.reason ?? 'Error'}${p.observation.message ? `: ${p.observation.message.replace(/\S*soak\d+\S*/g, 'POD').slice(0, 120)}` : ''}`;
          failedReasons[why] = (failedReasons[why] ?? 0) + 1;
        }
        if (expected.has(name) && j.job.status.succeeded !== 1) unfinished++;
      }
      console.log(`SOAK-PODS ${JSON.stringify({ pods, unfinished, failedReasons, doubled })}`);
      assert.deepEqual(doubled, [], 'no job succeeded twice');
      // History limit 1: one finished job per CronJob, and at most one more still running.
      assert.ok(Math.max(...perCronJob.values()) <= 2, 'the history limit holds');
      // A job that started in the last seconds may still run when the daemon stops.
      assert.ok(unfinished <= 100, `${unfinished} expected jobs did not succeed`);

      const s = samples(probe);
      assert.ok(s.length > 10);
      // Heap, minute by minute (averaged: one sample is wherever the GC cycle happens to be).
      const buckets: number[][] = [];
      for (const x of s) {
        const m = Math.max(0, Math.floor((x.t - startedAt) / 60_000));
        (buckets[m] ??= []).push(x.heapUsed);
      }
      const heapMinutes = Array.from(buckets, (xs) =>
        xs ? mb(xs.reduce((a, b) => a + b, 0) / xs.length) : 0,
      );
      console.log(`SOAK-HEAP-BY-MINUTE ${JSON.stringify(heapMinutes)}`);
      // Flat: compare the first and the last quarter once warmed up (the first minute excluded).
      const warm = s.filter((x) => x.t > startedAt + 90_000);
      const q = Math.max(1, Math.floor(warm.length / 4));
      const avg = (xs: Sample[], k: keyof Sample) => xs.reduce((a, x) => a + x[k], 0) / xs.length;
      const early = warm.slice(0, q);
      const lateS = warm.slice(-q);
      const fig = {
        ...summary(`cron daemon x${n}`, s),
        minutes: MINUTES,
        jobs: names.length,
        expectedJobs: expected.size,
        pods,
        unfinishedAtStop: unfinished,
        rssEarlyMB: mb(avg(early, 'rss')),
        rssLateMB: mb(avg(lateS, 'rss')),
        heapEarlyMB: mb(avg(early, 'heapUsed')),
        heapMidMB: mb(avg(warm.slice(-2 * q, -q), 'heapUsed')),
        heapLateMB: mb(avg(lateS, 'heapUsed')),
        fdsEarly: Math.round(avg(early, 'fds')),
        fdsLate: Math.round(avg(lateS, 'fds')),
        listenersEarly: Math.round(avg(early, 'listeners')),
        listenersLate: Math.round(avg(lateS, 'listeners')),
      };
      console.log(`SOAK ${JSON.stringify(fig)}`);
      assert.ok(fig.rssLateMB <= fig.rssEarlyMB * 1.3 + 30, 'RSS flat');
      // Once the history limit deletes as many jobs as are created, the heap stops growing.
      assert.ok(fig.heapLateMB <= fig.heapMidMB * 1.15 + 5, 'heap levels off');
      assert.ok(fig.fdsLate <= fig.fdsEarly + 20, 'no leaked file descriptors');
      assert.ok(fig.listenersLate <= fig.listenersEarly + 5, 'no leaked process listeners');
      await until(() => true);
      failed--;
    },
  );
});
