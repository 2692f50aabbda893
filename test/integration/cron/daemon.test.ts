// `tjob cron start` on the real engine with `@every 2s` schedules: Allow (overlap, history limit,
// lateness of each create against its slot), Forbid, Replace, suspend by re-applying the file to a
// running daemon, a second daemon refused, and a SIGKILLed daemon whose running job the next
// daemon adopts. The scenarios run side by side, each with its own state directory.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { FileStore } from '../../../src/state/file-store.js';
import { FileCronStore } from '../../../src/state/cron-store.js';
import { listKind } from '../../../src/cli/listed-objects.js';
import {
  newStateDir,
  type Outcome,
  removeContainersWithPrefix,
  start,
  tjob,
  until,
  writeManifest,
} from '../cli/tjob-cli.js';

const PREFIX = `itcron${process.pid}`;
const daemons: ChildProcess[] = [];

function cronJob(
  name: string,
  o: { policy?: string; script: string; suspend?: boolean; keepSucceeded?: number; grace?: number },
): string {
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "@every 2s"
  concurrencyPolicy: ${o.policy ?? 'Allow'}
  suspend: ${o.suspend ?? false}
  successfulJobsHistoryLimit: ${o.keepSucceeded ?? 3}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: ${o.grace ?? 2}
          containers:
          - name: main
            image: busybox
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", ${JSON.stringify(o.script)}]
`;
}

const printed = new WeakMap<ChildProcess, string>();

function daemon(stateDir: string, files: string[] = []) {
  const d = start(['cron', 'start', ...files], stateDir);
  daemons.push(d.child);
  printed.set(d.child, '');
  d.child.stderr!.on('data', (b: Buffer) => printed.set(d.child, printed.get(d.child)! + b.toString()));
  return d;
}

/** What a running daemon printed on stderr so far. */
async function peek(d: { child: ChildProcess }): Promise<string> {
  return printed.get(d.child) ?? '';
}

/** `created for <slot> (+0.123s)` lines of a daemon's stderr, as [job, lateness ms]. */
function creations(stderr: string): { job: string; lateMs: number }[] {
  const out: { job: string; lateMs: number }[] = [];
  for (const m of stderr.matchAll(/job\.batch\/(\S+) created for \S+ \(\+(\d+\.\d+)s\)/g)) {
    out.push({ job: m[1]!, lateMs: Math.round(Number(m[2]) * 1000) });
  }
  return out;
}

async function jobsOf(stateDir: string) {
  return (await new FileStore(stateDir).listJobs()).map((s) => ({
    name: s.job.metadata.name,
    created: Date.parse(s.job.metadata.creationTimestamp ?? ''),
    finished: s.job.status.completionTime,
    succeeded: s.job.status.succeeded ?? 0,
    pods: s.pods.length,
    running: s.pods.some((p) => p.observation.phase === 'Running'),
  }));
}

async function stopped(
  d: { child: ChildProcess; done: Promise<Outcome> },
  signal: NodeJS.Signals = 'SIGTERM',
) {
  d.child.kill(signal);
  return d.done;
}

after(() => {
  for (const c of daemons) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeContainersWithPrefix(PREFIX);
});

describe('tjob cron start on Docker (@every 2s)', { concurrency: true }, () => {
  it('Allow: a job per slot, overlapping, each before the next slot; history limit prunes', async () => {
    const dir = newStateDir();
    const name = `${PREFIX}-allow`;
    const d = daemon(dir, [writeManifest(cronJob(name, { script: 'echo tick; sleep 3', keepSucceeded: 1 }))]);
    await until(async () => creations(await peek(d)).length >= 5, 20_000);
    // Jobs run 3 s on a 2 s schedule: they overlap, and the history limit keeps the newest success
    // only (between a job's end and the next sync there may briefly be two). Waited for once it
    // has pruned: on a busy engine the first success can be seen before a second one exists.
    await until(async () => /SuccessfulDelete: Deleted job/.test(await peek(d)), 40_000);
    await until(async () => {
      const succeeded = (await jobsOf(dir)).filter((j) => j.succeeded === 1);
      return succeeded.length === 1;
    }, 20_000);
    const out = await stopped(d);
    assert.equal(out.code, 143, out.stderr);
    const made = creations(out.stderr);
    // One job per slot, 2 s apart (names carry the slot in seconds, deviation 5).
    const slots = made.map((m) => Number(m.job.slice(name.length + 1)));
    for (let i = 1; i < slots.length; i++)
      assert.equal(slots[i]! - slots[i - 1]!, 2, made.map((m) => m.job).join());
    // Each slot's own job, before the next slot (how late within it is the bench's cron scenario).
    for (const m of made) assert.ok(m.lateMs < 2000, `${m.job} created ${m.lateMs} ms after its slot`);
    assert.match(out.stdout, new RegExp(`\\[${name}-\\d+-\\w+/main\\] tick`));
    assert.match(out.stderr, /SuccessfulDelete: Deleted job/);
    const cj = await new FileCronStore(dir).loadCronJob(name);
    assert.ok(cj?.status?.lastScheduleTime);
    process.stderr.write(`# cron Allow lateness (ms): ${made.map((m) => m.lateMs).join(' ')}\n`);
  });

  it('Forbid: never two at once; a skipped slot starts when the running job ends', async () => {
    const dir = newStateDir();
    const name = `${PREFIX}-forbid`;
    const d = daemon(dir, [writeManifest(cronJob(name, { policy: 'Forbid', script: 'sleep 3' }))]);
    // Three jobs one after the other: 3 s each plus their pods' starts, slow on a busy engine.
    await until(async () => creations(await peek(d)).length >= 3, 60_000);
    const out = await stopped(d);
    assert.match(out.stderr, /JobAlreadyActive: Not starting job because prior execution is running/);
    const jobs = (await jobsOf(dir)).sort((a, b) => a.created - b.created);
    for (let i = 1; i < jobs.length; i++) {
      const prev = jobs[i - 1]!;
      assert.ok(
        prev.finished !== undefined && Date.parse(prev.finished) <= jobs[i]!.created,
        JSON.stringify(jobs),
      );
    }
  });

  it('Replace: each slot deletes the running job and starts a new one', async () => {
    const dir = newStateDir();
    const name = `${PREFIX}-replace`;
    const d = daemon(dir, [
      writeManifest(cronJob(name, { policy: 'Replace', script: 'sleep 60', grace: 1 })),
    ]);
    // What `tjob get jobs` lists, looked at every 100 ms: never the replaced job beside its
    // replacement (deleted first, its pods terminate in the background).
    const overlaps: string[][] = [];
    let looking = true;
    const looker = (async () => {
      while (looking) {
        const listed = (await listKind(new FileStore(dir), 'jobs')).map((l) => l.name);
        if (listed.length > 1) overlaps.push(listed);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await until(async () => creations(await peek(d)).length >= 3, 30_000);
    looking = false;
    await looker;
    assert.deepEqual(overlaps, []);
    // A replaced job's record and containers are gone once its pods stopped.
    const first = creations(await peek(d))[0]!.job;
    await until(async () => !(await jobsOf(dir)).some((j) => j.name === first), 30_000);
    const out = await stopped(d);
    assert.match(out.stderr, /SuccessfulDelete: Deleted job/);
    const made = creations(out.stderr).map((m) => m.job);
    const left = (await jobsOf(dir)).map((j) => j.name);
    assert.ok(made.includes(left[0]!), `${left} among ${made}`);
    const containers = execFileSync('docker', [
      'ps',
      '-a',
      '--filter',
      `label=io.tjob.job=${made[0]}`,
      '-q',
    ]).toString();
    assert.equal(containers.trim(), '');
  });

  it('re-applying the file with suspend: true stops new runs; false starts them again', async () => {
    const dir = newStateDir();
    const name = `${PREFIX}-suspend`;
    const file = writeManifest(cronJob(name, { script: 'true' }));
    const d = daemon(dir, [file]);
    await until(async () => creations(await peek(d)).length >= 1, 10_000);
    const suspended = writeManifest(cronJob(name, { script: 'true', suspend: true }));
    const applied = await tjob(['apply', '-f', suspended], dir);
    assert.equal(applied.stdout, `cronjob.batch/${name} configured\n`);
    // Noticed within a second: allow one slot in flight, then nothing for 4 s (two slots). Both
    // gaps are the scenario: a suspended CronJob is seen by nothing happening.
    await new Promise((r) => setTimeout(r, 1000));
    const before = creations(await peek(d)).length;
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(creations(await peek(d)).length, before);
    assert.equal((await tjob(['apply', '-f', file], dir)).stdout, `cronjob.batch/${name} configured\n`);
    await until(async () => creations(await peek(d)).length > before, 4_000);
    const out = await stopped(d, 'SIGINT');
    assert.equal(out.code, 130);
  });

  it('tjob suspend cronjob reaches a running daemon at once; get shows SUSPEND True; resume runs again', async () => {
    const dir = newStateDir();
    const name = `${PREFIX}-cmdsusp`;
    const d = daemon(dir, [writeManifest(cronJob(name, { script: 'true' }))]);
    await until(async () => creations(await peek(d)).length >= 1, 10_000);
    const susp = await tjob(['suspend', 'cronjob', name], dir);
    assert.equal(susp.code, 0, susp.stderr);
    assert.equal(susp.stdout, `cronjob.batch/${name} suspended\n`);
    const got = await tjob(['get', 'cronjobs', name], dir);
    assert.match(got.stdout, new RegExp(`^${name}\\s+@every 2s\\s+\\S+\\s+True\\s`, 'm'), got.stdout);
    // Noticed within a second: allow one slot in flight, then nothing for 4 s.
    await new Promise((r) => setTimeout(r, 1000));
    const before = creations(await peek(d)).length;
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(creations(await peek(d)).length, before);
    const res = await tjob(['resume', 'cronjob', name], dir);
    assert.equal(res.stdout, `cronjob.batch/${name} resumed\n`);
    assert.equal(res.stderr, '', 'a scheduler is running: no hint');
    // Runs again (the slot missed while suspended starts at once: no startingDeadlineSeconds).
    await until(async () => creations(await peek(d)).length > before, 4_000);
    const out = await stopped(d, 'SIGINT');
    assert.equal(out.code, 130);
  });

  it('SIGTERM stops the daemon gracefully: the job is not suspended, its container goes on, the next daemon finishes it', async () => {
    const dir = newStateDir();
    const name = `${PREFIX}-graceful`;
    const file = writeManifest(cronJob(name, { policy: 'Forbid', script: 'sleep 5; echo finished' }));
    const first = daemon(dir, [file]);
    await until(async () => creations(await peek(first)).length >= 1, 10_000);
    const job = creations(await peek(first))[0]!.job;
    await until(async () => (await jobsOf(dir)).some((j) => j.name === job && j.running), 30_000);
    const out = await stopped(first, 'SIGTERM');
    assert.equal(out.code, 143);
    assert.match(out.stderr, /scheduler stopped \(SIGTERM\)/);
    const state = await new FileStore(dir).loadJob(job);
    assert.equal(state?.job.spec.suspend, false);
    assert.equal(await new FileStore(dir).jobLeaseHolder(job), undefined);
    const running = execFileSync('docker', ['ps', '--filter', `label=io.tjob.job=${job}`, '-q']).toString();
    assert.notEqual(running.trim(), '', 'the pod goes on without the daemon');
    const second = daemon(dir);
    await until(async () => (await jobsOf(dir)).find((j) => j.name === job)?.succeeded === 1, 15_000);
    const end = await stopped(second, 'SIGINT');
    assert.equal(end.code, 130);
    assert.match(end.stdout, new RegExp(`\\[${job}-\\w+/main\\] finished`));
  });

  it('a SIGKILLed daemon leaves its job running; the next one adopts it and counts it once', async () => {
    const dir = newStateDir();
    const name = `${PREFIX}-restart`;
    const file = writeManifest(cronJob(name, { policy: 'Forbid', script: 'echo begin; sleep 5; echo end' }));
    const first = daemon(dir, [file]);
    await until(async () => creations(await peek(first)).length >= 1, 10_000);
    const job = creations(await peek(first))[0]!.job;
    await until(async () => (await jobsOf(dir)).some((j) => j.name === job && j.running), 30_000);
    first.child.kill('SIGKILL');
    await first.done;
    const running = execFileSync('docker', ['ps', '--filter', `label=io.tjob.job=${job}`, '-q']).toString();
    assert.notEqual(running.trim(), '', 'the pod goes on without the daemon');

    // The first's lease died with it: a new daemon starts, and one more is refused.
    const second = daemon(dir);
    await until(async () => (await peek(second)).includes('scheduler (pid'), 10_000);
    const refused = await tjob(['cron', 'start'], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`already running .*pid ${second.child.pid}`));
    await until(async () => (await jobsOf(dir)).find((j) => j.name === job)?.succeeded === 1, 15_000);
    const out = await stopped(second);
    assert.match(out.stderr, new RegExp(`job.batch/${job}: taken over`));
    const adopted = (await jobsOf(dir)).find((j) => j.name === job)!;
    assert.equal(adopted.pods, 1, 'the adopted pod was not started again');
    assert.equal(adopted.succeeded, 1);
    // The slot of the adopted job was not created a second time.
    assert.equal(creations(out.stderr).filter((m) => m.job === job).length, 0);
  });
});
