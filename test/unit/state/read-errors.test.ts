// Reads of the state directory fail closed: only a missing file means "nothing there". A file
// that cannot be read (EACCES, EIO; EISDIR and ENOTDIR here, since tests run as root, whom a mode
// of 000 does not stop) is a StateError naming it with a hint, never an empty answer: an empty
// answer would drop a request, hide logs, or let a second controller take a live lease.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateError } from '../../../src/api/errors.js';
import { defaultCronJob } from '../../../src/manifest/index.js';
import { FileCronStore } from '../../../src/state/cron-store.js';
import { FileStore } from '../../../src/state/file-store.js';
import { tempDir, testJob } from '../../support/jobs.js';

/** Asserts that `p` rejects with a StateError naming `path`, with a hint. */
async function failsNaming(p: Promise<unknown>, path: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StateError, `a StateError, not ${String(err)}`);
    assert.ok(err.message.includes(path), `${err.message} names ${path}`);
    assert.ok(err.hint, 'with a hint');
    return true;
  });
}

async function storeWithJob(name = 'j') {
  const dir = tempDir('tjob-read-errors-');
  const store = new FileStore(dir);
  await store.createJob({ ...testJob(name), status: {} });
  return { dir, store, jobDir: join(dir, 'jobs', name) };
}

describe('store reads that fail are errors, not "nothing there"', () => {
  it('logs', async () => {
    const { store, jobDir } = await storeWithJob();
    assert.deepEqual(await store.readLogs('j', 'j-aaaaa', 'main'), [], 'no log yet: none');
    const path = join(jobDir, 'logs', 'j-aaaaa', 'main.log');
    mkdirSync(path, { recursive: true });
    await failsNaming(store.readLogs('j', 'j-aaaaa', 'main'), path);
  });

  it('requests to a job controller', async () => {
    const { store, jobDir } = await storeWithJob();
    assert.deepEqual(await store.pendingJobRequests('j'), []);
    writeFileSync(join(jobDir, 'requests'), 'not a directory');
    await failsNaming(store.pendingJobRequests('j'), join(jobDir, 'requests'));
    const other = await storeWithJob();
    const req = await other.store.requestJobChange('j', { delete: true, from: 'test' });
    // One request unreadable: an error, and the others are not dropped meanwhile.
    const unreadable = join(other.jobDir, 'requests', '0-unreadable.json');
    mkdirSync(unreadable);
    await failsNaming(other.store.pendingJobRequests('j'), unreadable);
    rmSync(unreadable, { recursive: true });
    assert.deepEqual(
      (await other.store.pendingJobRequests('j')).map((r) => r.id),
      [req.id],
    );
  });

  it('ConfigMaps and Secrets stored by apply', async () => {
    const { dir, store } = await storeWithJob();
    assert.deepEqual(await store.listConfigObjects(), []);
    writeFileSync(join(dir, 'config'), 'not a directory');
    await failsNaming(store.listConfigObjects(), join(dir, 'config'));
  });

  it('the journal of a damaged job, salvaged by delete', async () => {
    const { store, jobDir } = await storeWithJob();
    rmSync(join(jobDir, 'journal.jsonl'));
    mkdirSync(join(jobDir, 'journal.jsonl'));
    await failsNaming(store.salvageJob('j'), join(jobDir, 'journal.jsonl'));
  });

  it('a job lease: not taken over when it cannot be read or names no holder', async () => {
    const { store, jobDir } = await storeWithJob();
    const path = join(jobDir, 'lease.json');
    mkdirSync(path);
    await failsNaming(store.acquireJobLease('j', 'test'), path);
    await failsNaming(store.jobLeaseHolder('j'), path);
    const d = await storeWithJob();
    writeFileSync(join(d.jobDir, 'lease.json'), '{"pid": ');
    await failsNaming(d.store.acquireJobLease('j', 'test'), join(d.jobDir, 'lease.json'));
  });

  it('CronJobs, their events and the lock of their files', async () => {
    const dir = tempDir('tjob-read-errors-');
    const cron = new FileCronStore(dir);
    assert.deepEqual(await cron.listCronJobs(), []);
    assert.deepEqual(await cron.listCronJobEvents('cj'), []);
    assert.deepEqual(await cron.takePokes(), []);
    writeFileSync(join(dir, 'cronjobs'), 'not a directory');
    await failsNaming(cron.listCronJobs(), join(dir, 'cronjobs'));
    await failsNaming(cron.takePokes(), join(dir, 'cronjobs'));
    mkdirSync(join(dir, 'cronjob-events', 'cj.jsonl'), { recursive: true });
    await failsNaming(cron.listCronJobEvents('cj'), join(dir, 'cronjob-events', 'cj.jsonl'));

    const locked = tempDir('tjob-read-errors-');
    mkdirSync(join(locked, 'cronjobs.lock'));
    const cj = defaultCronJob({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj' },
      spec: {
        schedule: '* * * * *',
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'm', image: 'busybox' }] } } } },
      },
    });
    await failsNaming(
      new FileCronStore(locked).saveCronJob(cj, new Date(), () => 'uid'),
      join(locked, 'cronjobs.lock'),
    );
  });
});
