import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  complete,
  failed,
  harness,
  leaseHeldElsewhere,
  log,
  pod,
  storeJob,
  tjob,
  watchOnlyClock,
} from './helpers.js';
import { SystemClock } from '../../../src/runtime/system-clock.js';
import { FileStore } from '../../../src/state/file-store.js';
import { FakeRuntime } from '../../support/fake-runtime.js';
import { FileCronStore } from '../../../src/state/cron-store.js';
import { defaultCronJob } from '../../../src/manifest/index.js';
import { processStartTime } from '../../../src/state/process-identity.js';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../support/wait-for.js';

describe('tjob wait', () => {
  it('prints condition met for a condition that holds (case-insensitive)', async () => {
    const h = harness();
    await storeJob(h, { name: 'a', status: { succeeded: 1, conditions: complete() } });
    assert.equal(await tjob(h, 'wait', 'job/a', '--for=condition=complete'), 0);
    assert.equal(h.out(), 'job.batch/a condition met\n');
  });

  it('times out with kubectl message, exit 1', async () => {
    const h = harness({ clock: new SystemClock() });
    await storeJob(h, { name: 'a', status: { active: 1 } });
    const t0 = Date.now();
    assert.equal(await tjob(h, 'wait', 'job/a', '--for=condition=Complete', '--timeout=300ms'), 1);
    assert.ok(Date.now() - t0 >= 250);
    assert.equal(h.err(), 'error: timed out waiting for the condition on jobs/a\n');
    const z = harness();
    await storeJob(z, { name: 'a', status: {} });
    assert.equal(await tjob(z, 'wait', 'job', 'a', '--for=condition=Complete', '--timeout=0'), 1);
  });

  it('sees a condition that appears while waiting', async () => {
    const clock = new SystemClock();
    let polls = 0;
    const h = harness({
      clock: { now: () => clock.now(), sleep: (ms, signal) => (polls++, clock.sleep(ms, signal)) },
    });
    await storeJob(h, { name: 'a', status: { active: 1 } });
    const waiting = tjob(h, 'wait', 'job/a', '--for=condition=Complete', '--timeout=10s');
    await waitFor(() => polls > 0, { what: 'wait to have looked at the job once and be waiting' });
    await h.store.commitJob('a', { status: { succeeded: 1, conditions: complete() } });
    assert.equal(await waiting, 0);
    assert.equal(h.out(), 'job.batch/a condition met\n');
  });

  it('--for=finished: 0 for Complete, 1 for Failed with the reason on stderr', async () => {
    const h = harness();
    await storeJob(h, { name: 'ok', status: { conditions: complete() } });
    await storeJob(h, { name: 'bad', status: { conditions: failed() } });
    assert.equal(await tjob(h, 'wait', 'job/ok', '--for=finished'), 0);
    assert.equal(h.out(), 'job.batch/ok condition met\n');
    assert.equal(await tjob(h, 'wait', 'job/bad', '--for=finished'), 1);
    assert.match(
      h.err(),
      /^error: job\.batch\/bad failed: BackoffLimitExceeded: Job has reached the specified backoff limit\n$/,
    );
  });

  it('NotFound for a missing job; --for=delete succeeds once it is gone', async () => {
    const h = harness();
    assert.equal(await tjob(h, 'wait', 'job/nope', '--for=condition=Complete'), 1);
    assert.equal(h.err(), 'Error from server (NotFound): jobs.batch "nope" not found\n');
    const d = harness();
    assert.equal(await tjob(d, 'wait', 'job/nope', '--for=delete'), 0);
    const u = harness();
    assert.equal(await tjob(u, 'wait', 'job/x', '--for=ready'), 2);
    assert.match(u.err(), /unrecognized condition: "ready"/);
  });
});

describe('tjob logs', () => {
  async function jobWithLogs() {
    const h = harness();
    await storeJob(h, {
      name: 'p',
      spec: { completions: 2, parallelism: 2 },
      status: { conditions: complete(), succeeded: 2 },
      pods: [
        pod('p-bbbbb', 'Succeeded', { createdAt: '2026-01-01T00:00:02.000Z' }),
        pod('p-aaaaa', 'Succeeded', { createdAt: '2026-01-01T00:00:01.000Z', restartCount: 1 }),
      ],
      logs: {
        'p-aaaaa/main': [log('2026-01-01T00:00:03.120000000Z', 'a1'), log('2026-01-01T00:00:04Z', 'a2')],
        'p-bbbbb/main': [log('2026-01-01T00:00:03.5Z', 'b1')],
      },
    });
    // p-aaaaa's container was restarted once: a3 is its second run's.
    await h.store.appendLogs('p', 'p-aaaaa', 'main', [log('2026-01-01T00:00:05Z', 'a3')], 1);
    return h;
  }

  it('prints every pod of a job in creation order, prefixed', async () => {
    const h = await jobWithLogs();
    assert.equal(await tjob(h, 'logs', 'p'), 0);
    assert.equal(h.out(), '[p-aaaaa/main] a3\n[p-bbbbb/main] b1\n');
  });

  it('--index: the pods of one completion index, unprefixed when it is one pod', async () => {
    const h = harness();
    await storeJob(h, {
      name: 'ix',
      spec: { completions: 3, parallelism: 3, completionMode: 'Indexed' },
      status: { conditions: complete(), succeeded: 3, completedIndexes: '0-2' },
      pods: [
        pod('ix-0-aaaaa', 'Succeeded', { index: 0 }),
        pod('ix-1-bbbbb', 'Failed', { index: 1, createdAt: '2026-01-01T00:00:01.100Z' }),
        pod('ix-1-ccccc', 'Succeeded', { index: 1, createdAt: '2026-01-01T00:00:01.200Z' }),
        pod('ix-2-ddddd', 'Succeeded', { index: 2 }),
      ],
      logs: {
        'ix-0-aaaaa/main': [log('2026-01-01T00:00:03Z', 'zero')],
        'ix-1-bbbbb/main': [log('2026-01-01T00:00:03Z', 'one, first try')],
        'ix-1-ccccc/main': [log('2026-01-01T00:00:04Z', 'one')],
        'ix-2-ddddd/main': [log('2026-01-01T00:00:03Z', 'two')],
      },
    });
    assert.equal(await tjob(h, 'logs', 'job/ix', '--index', '2'), 0);
    assert.equal(h.out(), 'two\n');
    // A retried index is two pods: prefixed, as any several pods are (out() accumulates).
    assert.equal(await tjob(h, 'logs', 'job/ix', '--index', '1'), 0);
    assert.equal(h.out(), 'two\n[ix-1-bbbbb/main] one, first try\n[ix-1-ccccc/main] one\n');
  });

  it('one pod without prefix; --previous; --timestamps; --tail', async () => {
    const h = await jobWithLogs();
    assert.equal(await tjob(h, 'logs', 'pod/p-aaaaa', '-p', '--timestamps'), 0);
    assert.equal(h.out(), '2026-01-01T00:00:03.12Z a1\n2026-01-01T00:00:04Z a2\n');
    const t = await jobWithLogs();
    assert.equal(await tjob(t, 'logs', 'p-aaaaa', '--previous', '--tail', '1'), 0);
    assert.equal(t.out(), 'a2\n');
    const n = await jobWithLogs();
    assert.equal(await tjob(n, 'logs', 'pod/p-bbbbb', '-p'), 1);
    assert.match(n.err(), /previous terminated container "main" in pod "p-bbbbb" not found/);
  });

  it('a log recorded whole by an earlier version is one run: shown as the current one', async () => {
    const h = harness();
    await storeJob(h, {
      name: 'old',
      pods: [pod('old-aaaaa', 'Succeeded', { restartCount: 2 })],
    });
    const dir = join(h.dir, 'jobs', 'old', 'logs', 'old-aaaaa');
    mkdirSync(dir, { recursive: true });
    const runs = [
      '2026-01-01T00:00:03Z O try 1',
      '2026-01-01T00:00:04Z O try 2',
      '2026-01-01T00:00:05Z E ok',
    ];
    writeFileSync(join(dir, 'main.log'), runs.map((l) => `${l}\n`).join(''));
    assert.equal(await tjob(h, 'logs', 'old'), 0);
    assert.equal(h.out(), 'try 1\ntry 2\nok\n');
    const p = harness();
    p.dir = h.dir;
    assert.equal(await tjob(p, 'logs', 'old', '-p'), 0);
    assert.equal(p.out(), '', 'no run before it can be told apart');
  });

  it('-f follows the current run and moves on to the next one when the container restarts', async () => {
    const h = harness({ clock: new SystemClock() });
    await storeJob(h, {
      name: 'r',
      status: { active: 1 },
      pods: [pod('r-aaaaa', 'Running')],
      logs: { 'r-aaaaa/main': [log('2026-01-01T00:00:03Z', 'first run')] },
    });
    const following = tjob(h, 'logs', 'r', '-f');
    await new Promise((r) => setTimeout(r, 100));
    // Restarted: the second run writes; the record says so a moment later.
    await h.store.appendLogs('r', 'r-aaaaa', 'main', [log('2026-01-01T00:00:05Z', 'second run')], 1);
    await new Promise((r) => setTimeout(r, 700));
    await h.store.commitJob('r', {
      pods: [pod('r-aaaaa', 'Succeeded', { restartCount: 1 })],
      status: { succeeded: 1, conditions: complete() },
    });
    assert.equal(await following, 0);
    assert.equal(h.out(), 'first run\nsecond run\n');
    const again = harness();
    again.dir = h.dir;
    assert.equal(await tjob(again, 'logs', 'r'), 0);
    assert.equal(again.out(), 'second run\n', 'the current run only');
  });

  it('NotFound for a missing job or pod, and for an unknown container', async () => {
    const h = await jobWithLogs();
    assert.equal(await tjob(h, 'logs', 'job/nope'), 1);
    assert.equal(h.err(), 'Error from server (NotFound): jobs.batch "nope" not found\n');
    const p = await jobWithLogs();
    assert.equal(await tjob(p, 'logs', 'pod/nope'), 1);
    assert.equal(p.err(), 'Error from server (NotFound): pods "nope" not found\n');
    const c = await jobWithLogs();
    assert.equal(await tjob(c, 'logs', 'p', '-c', 'nope'), 1);
    assert.match(c.err(), /container nope is not valid for job p/);
  });

  it('-f prints new lines and ends when the job has finished', async () => {
    const h = harness({ clock: new SystemClock() });
    await storeJob(h, {
      name: 'f',
      status: { active: 1 },
      pods: [pod('f-aaaaa', 'Running')],
      logs: { 'f-aaaaa/main': [log('2026-01-01T00:00:03Z', 'one')] },
    });
    const following = tjob(h, 'logs', 'f', '-f');
    await waitFor(() => h.out() === 'one\n', { what: 'logs -f to print the recorded line' });
    await h.store.appendLogs('f', 'f-aaaaa', 'main', [log('2026-01-01T00:00:04Z', 'two')]);
    await h.store.commitJob('f', { status: { succeeded: 1, conditions: complete() } });
    assert.equal(await following, 0);
    assert.equal(h.out(), 'one\ntwo\n');
    // Never restarted: no previous run (kubectl's words, naming the job's one pod).
    assert.equal(await tjob(h, 'logs', 'f', '-p'), 1);
    assert.match(h.err(), /previous terminated container "main" in pod "f-aaaaa" not found/);
  });
});

describe('tjob delete', () => {
  it('deletes finished jobs without the engine, NotFound for the missing, exit 1', async () => {
    const h = harness();
    await storeJob(h, {
      name: 'a',
      labels: { g: 'x' },
      pods: [{ ...pod('a-aaaaa', 'Succeeded'), removed: true }],
    });
    await storeJob(h, { name: 'b', labels: { g: 'y' } });
    assert.equal(await tjob(h, 'delete', 'job', 'nope', 'a'), 1);
    assert.equal(h.out(), 'job.batch "a" deleted\n');
    assert.equal(h.err(), 'Error from server (NotFound): jobs.batch "nope" not found\n');
    assert.equal(await new FileStore(h.dir).loadJob('a'), undefined);
    assert.ok(await new FileStore(h.dir).loadJob('b'));
  });

  it('a job removed by another process between its read and its lease is NotFound, not an error', async () => {
    const h = harness();
    await storeJob(h, { name: 'gone', pods: [{ ...pod('gone-aaaaa', 'Succeeded'), removed: true }] });
    const acquire = FileStore.prototype.acquireJobLease;
    // The job's scheduler removes it at that moment (its history limit).
    FileStore.prototype.acquireJobLease = function (name, command) {
      rmSync(join(h.dir, 'jobs', name), { recursive: true, force: true });
      return acquire.call(this, name, command);
    };
    try {
      assert.equal(await tjob(h, 'delete', 'job', 'gone'), 1);
    } finally {
      FileStore.prototype.acquireJobLease = acquire;
    }
    assert.equal(h.err(), 'Error from server (NotFound): jobs.batch "gone" not found\n');
    assert.equal(h.out(), '');
  });

  it('deletes by selector and --all', async () => {
    const h = harness();
    await storeJob(h, { name: 'a', labels: { g: 'x' } });
    await storeJob(h, { name: 'b', labels: { g: 'y' } });
    await storeJob(h, { name: 'c', labels: { g: 'y' } });
    assert.equal(await tjob(h, 'delete', 'jobs', '-l', 'g=y'), 0);
    assert.equal(h.out(), 'job.batch "b" deleted\njob.batch "c" deleted\n');
    assert.equal(await tjob(h, 'delete', 'job', '--all'), 0);
    assert.equal(h.out(), 'job.batch "b" deleted\njob.batch "c" deleted\njob.batch "a" deleted\n');
    assert.equal(await tjob(h, 'delete', 'job'), 2);
  });

  it('keeps a job whose pod could not be removed: names the pod and the engine error, exit 1; a retry deletes it', async () => {
    const h = harness();
    await storeJob(h, { name: 'a', pods: [pod('a-aaaaa', 'Running')] });
    await storeJob(h, { name: 'b', pods: [pod('b-bbbbb', 'Failed')] });
    const refused = new Set(['a-aaaaa']);
    const runtime = new (class extends FakeRuntime {
      override async removePod(uid: string, name: string): Promise<void> {
        if (refused.has(name)) throw new Error('Error response from daemon: container is paused');
        return super.removePod(uid, name);
      }
    })(h.ctx.clock, () => ({ exitCode: 0, runMs: 0 }));
    h.ctx.createRuntime = async () => runtime;
    assert.equal(await tjob(h, 'delete', 'job', 'a', 'b'), 1);
    assert.equal(h.out(), 'job.batch "b" deleted\n');
    assert.equal(
      h.err(),
      'error: job "a" is not deleted: pod a-aaaaa: Error response from daemon: container is paused\n' +
        'hint: its record is kept; once the container engine answers, run `tjob delete job a` again\n',
    );
    const kept = await new FileStore(h.dir).loadJob('a');
    assert.equal(kept?.pods[0]?.removed, undefined, 'its pod record still says its containers may be there');
    assert.equal(await new FileStore(h.dir).jobLeaseHolder('a'), undefined, 'and no lease is left on it');
    refused.clear();
    assert.equal(await tjob(h, 'delete', 'job', 'a'), 0);
    assert.deepEqual(runtime.removed, ['b-bbbbb', 'a-aaaaa']);
    assert.equal(await new FileStore(h.dir).loadJob('a'), undefined);
  });

  it("prints what the runtime warns about the job's pods while removing them (e.g. a Swarm worker's emptyDir)", async () => {
    const h = harness();
    await storeJob(h, { name: 'a', pods: [pod('a-aaaaa', 'Succeeded')] });
    const runtime = new FakeRuntime(h.ctx.clock, () => ({ exitCode: 0, runMs: 0 }));
    runtime.warnOnRemoval = 'its emptyDir volumes stay on node w2';
    h.ctx.createRuntime = async () => runtime;
    assert.equal(await tjob(h, 'delete', 'job', 'a'), 0);
    assert.equal(h.out(), 'job.batch "a" deleted\n');
    // Only this job's warning: the fake also warns for another job's uid.
    assert.equal(h.err(), 'Warning: its emptyDir volumes stay on node w2 (a-aaaaa)\n');
  });

  it('hands a job whose controller is running to that controller, and reports it deleted', async () => {
    const h = harness({ clock: watchOnlyClock() });
    await storeJob(h, { name: 'busy' });
    await leaseHeldElsewhere(h, 'busy');
    // The "controller": applies the delete request it finds.
    const controller = (async () => {
      const requests = await waitFor(
        async () => {
          const pending = await h.store.pendingJobRequests('busy');
          return pending.some((r) => r.delete) ? pending : undefined;
        },
        { what: "tjob delete's request" },
      );
      // Later than the command's first look: it is waiting when the change comes.
      await new Promise((r) => setTimeout(r, 200));
      await h.store.deleteJob('busy');
      return requests;
    })();
    assert.equal(await tjob(h, 'delete', 'job', 'busy'), 0);
    const requests = await controller;
    assert.match(requests[0]!.from, /^tjob delete \(pid \d+\)$/);
    assert.equal(h.out(), 'job.batch "busy" deleted\n');
    assert.equal(await h.store.loadJob('busy'), undefined);
  });

  it('deletes a cronjob whose job its scheduler removed meanwhile: the CronJob goes, exit 0, no NotFound', async () => {
    const h = harness({ clock: new SystemClock() });
    const cronStore = new FileCronStore(h.dir);
    const cj = defaultCronJob({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj' },
      spec: {
        schedule: '@every 2s',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent' }],
              },
            },
          },
        },
      },
    });
    await cronStore.saveCronJob(cj, new Date(), randomUUID);
    const owner = [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', controller: true }];
    for (const name of ['cj-1', 'cj-2'])
      await storeJob(h, { name, mutate: (job) => (job.metadata['ownerReferences'] = owner) });
    // cj-1 is driven by another process (the scheduler): simulate its lease with this parent's pid.
    const lease = await h.store.acquireJobLease('cj-1', 'tjob cron start');
    assert.ok('renew' in lease);
    const path = join(h.dir, 'jobs', 'cj-1', 'lease.json');
    const holder = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(
      path,
      JSON.stringify({ ...holder, pid: process.ppid, processStart: processStartTime(process.ppid) ?? '' }),
    );
    // The scheduler deletes cj-1 on request and, in the same pass, cj-2 by its history limit;
    // cj-2 first, so `delete` cannot reach it between the two (it waits for cj-1 to go).
    const scheduler = (async () => {
      for (;;) {
        if ((await h.store.pendingJobRequests('cj-1')).some((r) => r.delete)) {
          await h.store.deleteJob('cj-2');
          await h.store.deleteJob('cj-1');
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    assert.equal(await tjob(h, 'delete', 'cronjob', 'cj'), 0, h.err());
    await scheduler;
    assert.equal(h.err(), '');
    assert.equal(h.out(), 'job.batch "cj-1" deleted\ncronjob.batch "cj" deleted\n');
    assert.equal(await cronStore.loadCronJob('cj'), undefined);
  });
});
