// Races and kill -9 on the real engine. Races: two `tjob run` of one job (one drives, one follows),
// a run and a `tjob delete` at once, two `tjob cron start` daemons. Kills: SIGKILL of `tjob run`,
// of the `run -d` controller (its pid from jobs/<name>/lease.json) and of the cron daemon at
// random moments, a few times each; after each, the job is resumed and checked: nothing lost,
// nothing counted twice, no container tjob does not know of. TJOB_FAULT_ITERATIONS sets how many.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { newStateDir, start, tjob, writeManifest } from '../cli/tjob-cli.js';
import {
  checkFinishedJob,
  containersOfUid,
  docker,
  countedPods,
  jobYaml,
  removeContainersLabelled,
  runningPod,
  waitFor,
} from './fault-kit.js';

const P = `itfrk${process.pid}`;
const ITER = Number(process.env.TJOB_FAULT_ITERATIONS ?? '2');
const dirs: string[] = [];
const names: string[] = [];
after(() => {
  for (const n of names) removeContainersLabelled(`io.tjob.job=${n}`);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function stateDir(): string {
  const d = newStateDir();
  dirs.push(d);
  return d;
}
/** True while the process runs; a zombie (killed, not yet reaped) has stopped running. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A seeded PRNG (mulberry32): the kill moments are reproducible from the seed printed.
const seed = Number(process.env.TJOB_FAULT_SEED ?? Date.now() % 100000);
let a = seed;
function random(): number {
  a = (a + 0x6d2b79f5) | 0;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

describe('races', { concurrency: true }, () => {
  it('two tjob run of one job: one drives, one follows, both end with the outcome', async () => {
    const dir = stateDir();
    const name = `${P}-two`;
    names.push(name);
    const file = writeManifest(jobYaml(name, { completions: 2 }));
    const [x, y] = await Promise.all([tjob(['run', file], dir), tjob(['run', file], dir)]);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(y.code, 0, y.stderr);
    const following = [x, y].filter((o) => /is driven by another tjob .*: following it/.test(o.stderr));
    assert.equal(following.length, 1, x.stderr + y.stderr);
    await checkFinishedJob(dir, name, 2);
  });

  it('tjob run and tjob delete at once: the job goes, with its containers', async () => {
    const dir = stateDir();
    const name = `${P}-del`;
    names.push(name);
    const file = writeManifest(jobYaml(name, { completions: 3, script: 'sleep 30' }));
    const run = start(['run', file], dir);
    await waitFor('a running pod', () => runningPod(dir, name), 90_000);
    const uid = (await new FileStore(dir).loadJob(name))!.job.metadata.uid!;
    const del = await tjob(['delete', 'job', name], dir);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, new RegExp(`job.batch "${name}" deleted`));
    const out = await run.done;
    assert.match(out.stderr, new RegExp(`job.batch/${name} was deleted`));
    assert.equal(existsSync(join(dir, 'jobs', name)), false);
    assert.deepEqual(containersOfUid(uid), []);
  });

  it('two tjob cron start: the second exits 1 naming the first pid', async () => {
    const dir = stateDir();
    const first = start(['cron', 'start'], dir);
    await waitFor('the first daemon', () => existsSync(join(dir, 'cronjobs')) || undefined, 30_000).catch(
      () => undefined,
    );
    await waitFor(
      'the first daemon to hold the scheduler lease',
      () => existsSync(join(dir, 'cron-daemon.lease.json')) || undefined,
      30_000,
    );
    const second = await tjob(['cron', 'start'], dir);
    first.child.kill('SIGTERM');
    const f = await first.done;
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`pid ${first.child.pid}`));
    assert.equal(f.code, 143, f.stderr);
  });
});

async function finished(dir: string, name: string): Promise<boolean> {
  const s = await new FileStore(dir).loadJob(name);
  return (s?.job.status.conditions ?? []).some((c) => c.type === 'Complete' || c.type === 'Failed');
}

/** Invariants that hold at any moment, finished or not. */
async function checkAnyMoment(dir: string, name: string): Promise<void> {
  const s = await new FileStore(dir).loadJob(name);
  if (!s) return;
  const pods = countedPods(s);
  const succeeded = pods.filter((p) => p.observation.phase === 'Succeeded').length;
  assert.equal(s.job.status.succeeded ?? 0, Math.min(succeeded, s.job.status.succeeded ?? 0));
  assert.ok(succeeded <= (s.job.spec.completions ?? 1), `${name}: ${succeeded} pods succeeded`);
  const known = new Set(s.pods.map((p) => p.name));
  // A sandbox prepared for the next pod has no record until that pod is created
  // (docs/warm-sandboxes.md); once the job is finished none is left (checkFinishedJob).
  const uid = s.job.metadata.uid ?? '';
  const prepared = new Set(
    docker([
      'ps',
      '-a',
      '--filter',
      `label=io.tjob.job-uid=${uid}`,
      '--filter',
      'label=io.tjob.prepared=true',
      '--format',
      '{{.Names}}',
    ])
      .split('\n')
      .filter(Boolean),
  );
  for (const c of containersOfUid(uid))
    assert.ok(known.has(c.pod) || prepared.has(c.name), `unknown ${c.name}`);
}

describe('kill -9 at random moments', { concurrency: true }, () => {
  it(`of tjob run, ${ITER} times, then the same run again`, { timeout: 300_000 }, async () => {
    const figures: string[] = [];
    for (let i = 0; i < ITER; i++) {
      const dir = stateDir();
      const name = `${P}-run${i}`;
      names.push(name);
      const file = writeManifest(
        jobYaml(name, { completions: 3, parallelism: 2, script: 'sleep 1; echo done' }),
      );
      const run = start(['run', file, '--backoff', '1s'], dir);
      const at = Math.round(500 + random() * 3500);
      await sleep(at); // the instant of the kill: the scenario
      run.child.kill('SIGKILL');
      await run.done;
      await checkAnyMoment(dir, name);
      // Unless it had finished before the kill, the same run finishes it.
      const again = (await finished(dir, name))
        ? { code: 0, stderr: '' }
        : await tjob(['run', file, '--backoff', '1s'], dir);
      assert.equal(again.code, 0, again.stderr);
      const { pods, failed } = await checkFinishedJob(dir, name, 3);
      figures.push(`${at}ms:${pods}p/${failed}f`);
    }
    console.log(`FIGURES kill-run seed ${seed}: ${figures.join(' ')}`);
  });

  it(`of the run -d controller, ${ITER} times, then tjob run adopts`, { timeout: 300_000 }, async () => {
    const figures: string[] = [];
    for (let i = 0; i < ITER; i++) {
      const dir = stateDir();
      const name = `${P}-ctl${i}`;
      names.push(name);
      const file = writeManifest(
        jobYaml(name, { completions: 3, parallelism: 2, script: 'sleep 1; echo done' }),
      );
      const d = await tjob(['run', '-d', file, '--backoff', '1s'], dir);
      assert.equal(d.code, 0, d.stderr);
      const lease = JSON.parse(readFileSync(join(dir, 'jobs', name, 'lease.json'), 'utf8')) as {
        pid: number;
      };
      const at = Math.round(random() * 3000);
      await sleep(at); // the instant of the kill: the scenario
      try {
        process.kill(lease.pid, 'SIGKILL');
      } catch {
        // it had finished already
      }
      await waitFor('the killed controller to be gone', () => !isAlive(lease.pid) || undefined, 30_000);
      await checkAnyMoment(dir, name);
      // Unless it had finished before the kill, the same run finishes it.
      const again = (await finished(dir, name))
        ? { code: 0, stderr: '' }
        : await tjob(['run', file, '--backoff', '1s'], dir);
      assert.equal(again.code, 0, again.stderr);
      const { pods, failed } = await checkFinishedJob(dir, name, 3);
      figures.push(`${at}ms:${pods}p/${failed}f`);
    }
    console.log(`FIGURES kill-controller seed ${seed}: ${figures.join(' ')}`);
  });

  it(
    `of the cron daemon, ${ITER + 1} times, then a last daemon finishes its jobs`,
    { timeout: 300_000 },
    async () => {
      const dir = stateDir();
      const cj = `${P}-cron`;
      const file = writeManifest(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${cj}
spec:
  schedule: "@every 2s"
  concurrencyPolicy: Allow
  successfulJobsHistoryLimit: 100
  jobTemplate:
    spec:
      completions: 2
      template:
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - {name: main, image: busybox, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "sleep 1"]}
`);
      assert.equal((await tjob(['apply', '-f', file], dir)).code, 0);
      const kills: number[] = [];
      for (let i = 0; i <= ITER; i++) {
        const d = start(['cron', 'start'], dir);
        // Counted from the scheduler's start (a loaded machine takes seconds to get there), past
        // one slot at least: the instant of the kill is the scenario.
        await new Promise<void>((resolve) => {
          let said = '';
          d.child.stderr!.on('data', (b: Buffer) => {
            said += b.toString();
            if (/scheduler \(pid \d+\) started/.test(said)) resolve();
          });
          void d.done.then(() => resolve());
        });
        const at = Math.round(2500 + random() * 2000);
        await sleep(at);
        d.child.kill('SIGKILL');
        await d.done;
        kills.push(at);
      }
      // A last daemon adopts the unfinished jobs; stop it once every job has finished.
      await tjob(['cron', 'suspend', cj], dir);
      const last = start(['cron', 'start'], dir);
      const store = new FileStore(dir);
      await waitFor(
        'every job finished',
        async () =>
          (await store.listJobs()).every((s) =>
            (s.job.status.conditions ?? []).some((c) => c.type === 'Complete'),
          ) || undefined,
        120_000,
      );
      last.child.kill('SIGTERM');
      await last.done;
      const jobs = await store.listJobs();
      names.push(...jobs.map((s) => s.job.metadata.name));
      assert.ok(jobs.length >= 2, `${jobs.length} jobs`);
      let pods = 0;
      for (const s of jobs) pods += (await checkFinishedJob(dir, s.job.metadata.name, 2)).pods;
      console.log(
        `FIGURES kill-cron seed ${seed}: kills at ${kills.join(',')}ms, ${jobs.length} jobs, ${pods} pods`,
      );
    },
  );
});
