// The cron daemon's job control on the memory store, a fake clock and the fake runtime: jobs are
// created as the API server stores them (with the pass's ConfigMaps), and deleted in the
// background: by their runner when some process drives them, here when nobody does.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConflictError } from '../../../src/api/errors.js';
import type { ConfigMap } from '../../../src/api/k8s.js';
import { jobFromTemplate } from '../../../src/controller/cron/index.js';
import { CronJobControl } from '../../../src/engine/job-control.js';
import { deleteJobEverywhere } from '../../../src/engine/job-deletion.js';
import { JobIndex } from '../../../src/engine/job-index.js';
import { RunnerPool } from '../../../src/engine/runner-pool.js';
import type { StoredJob } from '../../../src/ports/state-store.js';
import { testBackoff } from '../../support/runner-options.js';
import { FakeClock, settle } from '../../support/fake-clock.js';
import { FakeRuntime } from '../../support/fake-runtime.js';
import { MemoryStore } from '../../support/memory-store.js';
import { childJob, finished, testCronJob } from '../../support/cron-jobs.js';
import { waitFor } from '../../support/wait-for.js';

const cj = testCronJob('cj', {}, 'uid-cj');
const NOW = new Date('2024-01-01T10:00:00.100Z');

function harness() {
  const clock = new FakeClock(NOW);
  const store = new MemoryStore();
  const runtime = new FakeRuntime(clock, () => ({ exitCode: 0, runMs: 10 * 60_000 }));
  const index = new JobIndex(store);
  const runners = new RunnerPool(
    { store, runtime, clock, newUid: randomUUID, random: Math.random },
    { ...testBackoff, command: 'test daemon' },
    index,
  );
  const undriven: string[] = [];
  let failUndriven: Error | undefined;
  const control = new CronJobControl({
    store,
    index,
    runners,
    deleteUndrivenJob: async (state: StoredJob) => {
      undriven.push(state.job.metadata.name);
      if (failUndriven) throw failUndriven;
      await deleteJobEverywhere(state, store, runtime);
    },
    command: 'test daemon',
  });
  return {
    clock,
    store,
    runtime,
    index,
    runners,
    control,
    undriven,
    failNext: (e: Error) => (failUndriven = e),
  };
}

/** The 10:00 job of the CronJob, stored and in the index. */
async function storedChild(h: ReturnType<typeof harness>) {
  const job = childJob(cj, '2024-01-01T10:00:00Z');
  await h.store.createJob(job);
  await h.index.relist();
  return { job, name: job.metadata.name };
}

const configMap = (value: string): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings' },
  data: { mode: value },
});

describe('CronJobControl.createJob', () => {
  it("stores the job as the API server creates it, with the pass's ConfigMaps, and indexes it", async () => {
    const h = harness();
    await h.store.saveConfigObject(configMap('fast'));
    const uid = randomUUID();
    await h.control.createJob(jobFromTemplate(cj, 'cj-1', NOW), uid, NOW);
    const stored = (await h.store.loadJob('cj-1'))!.job;
    assert.equal(stored.metadata.uid, uid);
    assert.equal(stored.metadata.creationTimestamp, '2024-01-01T10:00:00Z');
    assert.equal(stored.spec.backoffLimit, 6, 'defaulted');
    assert.equal(stored.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid'], uid);
    assert.deepEqual(stored.status, {});
    assert.deepEqual((await h.store.loadJobConfig('cj-1')).configMaps, { settings: { mode: 'fast' } });
    assert.deepEqual(
      (await h.index.children('cj', () => true)).map((s) => s.job.metadata.name),
      ['cj-1'],
    );
  });

  it('reads the ConfigMaps once per pass', async () => {
    const h = harness();
    await h.store.saveConfigObject(configMap('fast'));
    await h.control.createJob(jobFromTemplate(cj, 'cj-1', NOW), randomUUID(), NOW);
    await h.store.saveConfigObject(configMap('slow'));
    await h.control.createJob(jobFromTemplate(cj, 'cj-2', NOW), randomUUID(), NOW);
    h.control.newPass();
    await h.control.createJob(jobFromTemplate(cj, 'cj-3', NOW), randomUUID(), NOW);
    const modes = await Promise.all(
      ['cj-1', 'cj-2', 'cj-3'].map(async (n) => (await h.store.loadJobConfig(n)).configMaps.settings?.mode),
    );
    assert.deepEqual(modes, ['fast', 'fast', 'slow']);
  });

  it("a name taken is the API server's AlreadyExists (ConflictError)", async () => {
    const h = harness();
    await h.control.createJob(jobFromTemplate(cj, 'cj-1', NOW), randomUUID(), NOW);
    await assert.rejects(
      h.control.createJob(jobFromTemplate(cj, 'cj-1', NOW), randomUUID(), NOW),
      ConflictError,
    );
  });
});

describe('CronJobControl.deleteJob', () => {
  it('a job nobody drives is removed here: its pods stopped and removed, its records gone', async () => {
    const h = harness();
    const { name } = await storedChild(h);
    // A daemon drove it and stopped: its pod goes on, nobody holds its lease.
    await h.runners.drive(name, false, 'cj');
    await waitFor(() => h.runtime.running() === 1, { what: 'the pod to run' });
    await h.runners.leaveAll();
    await h.control.deleteJob(name);
    assert.deepEqual(h.undriven, [name]);
    assert.equal(h.runtime.deleted.length, 1);
    assert.equal(h.runtime.removed.length, 1);
    assert.equal(await h.store.loadJob(name), undefined);
    assert.deepEqual(h.index.all(), []);
  });

  it('a job another process drives is asked to delete itself, and hidden from the controller', async () => {
    const h = harness();
    const { job, name } = await storedChild(h);
    await h.store.acquireJobLease(name, 'tjob run (pid 7)');
    await h.control.deleteJob(name);
    assert.deepEqual(h.undriven, []);
    assert.deepEqual(
      (await h.store.pendingJobRequests(name)).map((r) => [r.delete, r.from]),
      [[true, 'test daemon']],
    );
    assert.ok(await h.store.loadJob(name), 'its runner removes it');
    assert.ok(h.index.isDeleting(job));
    assert.deepEqual(await h.index.children('cj', () => false), []);
  });

  it('a finished job is removed here, once its runner is done with it (no request to anybody)', async () => {
    const h = harness();
    const job = finished(childJob(cj, '2024-01-01T10:00:00Z'), 'Complete', '2024-01-01T10:00:30Z');
    const name = job.metadata.name;
    await h.store.createJob(job);
    await h.store.acquireJobLease(name, 'tjob run (pid 7)');
    const order: string[] = [];
    let endRunner!: () => void;
    const runnerEnds = new Promise<void>((r) => (endRunner = r));
    const control = new CronJobControl({
      store: h.store,
      index: h.index,
      runners: {
        isDriving: () => true,
        runnerDone: async () => {
          await runnerEnds;
          order.push('runner done');
        },
      },
      deleteUndrivenJob: async (state) => {
        order.push('removed');
        await h.store.deleteJob(state.job.metadata.name);
      },
      command: 'test daemon',
    });
    const deleting = control.deleteJob(name);
    await settle(5);
    assert.deepEqual(order, []);
    endRunner();
    await deleting;
    assert.deepEqual(order, ['runner done', 'removed']);
    assert.deepEqual(await h.store.pendingJobRequests(name), []);
    assert.equal(await h.store.loadJob(name), undefined);
  });

  it('a failed removal is thrown and the job is seen again', async () => {
    const h = harness();
    const { job } = await storedChild(h);
    h.failNext(new Error('engine says no'));
    await assert.rejects(h.control.deleteJob(job.metadata.name), /engine says no/);
    assert.equal(h.index.isDeleting(job), false);
    assert.equal((await h.index.children('cj', () => false)).length, 1);
  });

  it('a job already gone is no error, and leaves the index', async () => {
    const h = harness();
    const job = childJob(cj, '2024-01-01T10:00:00Z');
    h.index.put({ job });
    await h.control.deleteJob(job.metadata.name);
    assert.deepEqual(h.index.all(), []);
    assert.deepEqual(h.undriven, []);
  });
});
