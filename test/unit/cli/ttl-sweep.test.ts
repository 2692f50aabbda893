import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileStore } from '../../../src/state/file-store.js';
import { sweepExpiredJobs } from '../../../src/cli/ttl-sweep.js';
import type { JobStatus } from '../../../src/api/k8s.js';
import { podRecord, tempDir, testJob } from '../../support/jobs.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeRuntime } from '../../support/fake-runtime.js';

const done = (at: string): JobStatus => ({
  startTime: '2026-01-01T00:00:00Z',
  completionTime: at,
  succeeded: 1,
  conditions: [
    { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'm', lastTransitionTime: at },
  ],
});

describe('ttlSecondsAfterFinished (deviation 3)', () => {
  it('the next command deletes expired finished jobs, and only those', async () => {
    const store = new FileStore(tempDir());
    await store.createJob({ ...testJob('expired', { ttlSecondsAfterFinished: 10 }), status: {} });
    await store.commitJob('expired', { status: done('2026-01-01T00:01:00Z') });
    await store.createJob({ ...testJob('young', { ttlSecondsAfterFinished: 600 }), status: {} });
    await store.commitJob('young', { status: done('2026-01-01T00:01:00Z') });
    await store.createJob({ ...testJob('forever'), status: {} });
    await store.commitJob('forever', { status: done('2026-01-01T00:01:00Z') });
    await store.createJob({ ...testJob('running', { ttlSecondsAfterFinished: 0 }), status: {} });
    const deleted = await sweepExpiredJobs(store, new Date('2026-01-01T00:02:00Z'));
    assert.deepEqual(deleted, ['expired']);
    assert.deepEqual(
      (await store.listJobs()).map((s) => s.job.metadata.name),
      ['forever', 'running', 'young'],
    );
  });

  it('an expired job whose containers are still there goes through its runtime, whose warnings are passed on', async () => {
    const store = new FileStore(tempDir());
    const clock = new FakeClock();
    const runtime = new FakeRuntime(clock, () => ({ exitCode: 0, runMs: 0 }));
    runtime.warnOnRemoval = 'its emptyDir volumes stay on node w2';
    await store.createJob({ ...testJob('kept', { ttlSecondsAfterFinished: 10 }), status: {} });
    await store.commitJob('kept', {
      status: done('2026-01-01T00:01:00Z'),
      pods: [podRecord('kept-aaaaa', 'Succeeded')],
    });
    const warnings: string[] = [];
    const deleted = await sweepExpiredJobs(
      store,
      new Date('2026-01-01T00:02:00Z'),
      async () => runtime,
      undefined,
      (m) => warnings.push(m),
    );
    assert.deepEqual(deleted, ['kept']);
    assert.deepEqual(runtime.removed, ['kept-aaaaa']);
    assert.deepEqual(warnings, ['its emptyDir volumes stay on node w2 (kept-aaaaa)']);
  });
});
