// The cron daemon's job index (an informer cache by owning CronJob) on the memory store: what a
// relist reads, which children are read again, and how deletions are hidden until they complete.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobIndex } from '../../../src/engine/job-index.js';
import { MemoryStore } from '../../support/memory-store.js';
import { childJob, finished, testCronJob } from '../../support/cron-jobs.js';
import { testJob } from '../../support/jobs.js';

const cj = testCronJob('cj', {}, 'uid-cj');
const other = testCronJob('other', {}, 'uid-other');

async function indexed(...jobs: ReturnType<typeof childJob>[]) {
  const store = new MemoryStore();
  for (const j of jobs) await store.createJob(j);
  const index = new JobIndex(store);
  await index.relist();
  return { store, index };
}

const names = (summaries: { job: { metadata: { name: string } } }[]) =>
  summaries.map((s) => s.job.metadata.name).sort();
const nowhere = () => false;

describe('JobIndex', () => {
  it("lists a CronJob's children by controller reference, or by label when there is none", async () => {
    const byRef = childJob(cj, '2024-01-01T10:00:00Z');
    const byLabel = childJob(cj, '2024-01-01T10:05:00Z');
    delete byLabel.metadata.ownerReferences;
    const notOurs = childJob(other, '2024-01-01T10:00:00Z');
    const byHand = { ...testJob('by-hand'), status: {} };
    const { index } = await indexed(byRef, byLabel, notOurs, byHand);
    assert.deepEqual(names(await index.children('cj', nowhere)), names([{ job: byRef }, { job: byLabel }]));
    assert.deepEqual(names(await index.children('other', nowhere)), [notOurs.metadata.name]);
    assert.equal(index.all().length, 4);
  });

  it('reads an unfinished child not driven here again, and drops one that is gone', async () => {
    const running = childJob(cj, '2024-01-01T10:00:00Z');
    const gone = childJob(cj, '2024-01-01T10:05:00Z');
    const { store, index } = await indexed(running, gone);
    // Another process finishes one and deletes the other.
    const done = finished(running, 'Complete', '2024-01-01T10:00:30Z');
    await store.commitJob(running.metadata.name, { status: done.status });
    await store.deleteJob(gone.metadata.name);
    const children = await index.children('cj', nowhere);
    assert.deepEqual(names(children), [running.metadata.name]);
    assert.equal(children[0]!.job.status.conditions?.[0]?.type, 'Complete');
    assert.equal(index.all().length, 1);
  });

  it('a child driven here is taken from the index as this process last saw it', async () => {
    const running = childJob(cj, '2024-01-01T10:00:00Z');
    const { store, index } = await indexed(running);
    await store.deleteJob(running.metadata.name);
    const children = await index.children('cj', (job) => job === running.metadata.name);
    assert.deepEqual(names(children), [running.metadata.name]);
  });

  it('a finished child is not read again', async () => {
    const done = finished(childJob(cj, '2024-01-01T10:00:00Z'), 'Failed', '2024-01-01T10:01:00Z');
    const { store, index } = await indexed(done);
    await store.deleteJob(done.metadata.name);
    assert.deepEqual(names(await index.children('cj', nowhere)), [done.metadata.name]);
  });

  it('put and remove keep the children current without a relist', async () => {
    const { index } = await indexed();
    const created = childJob(cj, '2024-01-01T10:00:00Z');
    index.put({ job: created });
    assert.deepEqual(names(await index.children('cj', () => true)), [created.metadata.name]);
    index.remove(created.metadata.name);
    assert.deepEqual(await index.children('cj', () => true), []);
    assert.deepEqual(index.all(), []);
  });

  it('a job being deleted is hidden until a relist finds it gone; a failed deletion shows it again', async () => {
    const a = childJob(cj, '2024-01-01T10:00:00Z');
    const b = childJob(cj, '2024-01-01T10:05:00Z');
    const { store, index } = await indexed(a, b);
    index.markDeleting(a);
    index.markDeleting(b);
    assert.deepEqual(await index.children('cj', () => true), []);
    assert.ok(index.isDeleting(a));
    // b's deletion failed.
    index.unmarkDeleting(b);
    assert.deepEqual(names(await index.children('cj', () => true)), [b.metadata.name]);
    // a's runner is still stopping it: a relist keeps it hidden.
    await index.relist();
    assert.ok(index.isDeleting(a));
    assert.deepEqual(names(await index.children('cj', () => true)), [b.metadata.name]);
    // Gone, then created again under its name (another uid): the new one is seen.
    await store.deleteJob(a.metadata.name);
    await index.relist();
    assert.equal(index.isDeleting(a), false);
    const again = childJob(cj, '2024-01-01T10:00:00Z');
    await store.createJob(again);
    await index.relist();
    assert.deepEqual(names(await index.children('cj', () => true)), names([{ job: again }, { job: b }]));
  });

  it('the deletion mark goes with the job: one created again under its name is not hidden', async () => {
    const a = childJob(cj, '2024-01-01T10:00:00Z');
    const { index } = await indexed(a);
    index.markDeleting(a);
    index.remove(a.metadata.name);
    const again = childJob(cj, '2024-01-01T10:00:00Z');
    index.put({ job: again });
    assert.equal(index.isDeleting(a), false);
    assert.deepEqual(names(await index.children('cj', () => true)), [again.metadata.name]);
  });
});
