import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileStore } from '../../../src/state/file-store.js';
import { sweepExpiredJobs } from '../../../src/cli/ttl-sweep.js';
import type { JobStatus } from '../../../src/api/k8s.js';
import { tempDir, testJob } from '../../support/jobs.js';

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
});
