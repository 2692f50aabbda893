import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { FileStore } from '../../../src/state/file-store.js';
import { ConflictError, StateError } from '../../../src/api/errors.js';
import type { JobStatus } from '../../../src/api/k8s.js';
import { podRecord, tempDir, testJob } from '../../support/jobs.js';
import { waitFor } from '../../support/wait-for.js';

const pod = podRecord;

async function newStoreWithJob(name = 'j') {
  const root = tempDir();
  const store = new FileStore(root);
  await store.createJob({ ...testJob(name), status: {} as JobStatus });
  return { root, store };
}

describe('FileStore', () => {
  it('gives requests made in one millisecond in the order they were made (past ten of them)', async () => {
    const { store } = await newStoreWithJob();
    const realNow = Date.now;
    const frozen = realNow();
    Date.now = () => frozen;
    try {
      for (let i = 0; i < 12; i++) await store.requestJobChange('j', { from: `request ${i}`, suspend: true });
    } finally {
      Date.now = realNow;
    }
    const pending = await store.pendingJobRequests('j');
    assert.deepEqual(
      pending.map((r) => r.from),
      Array.from({ length: 12 }, (_, i) => `request ${i}`),
    );
  });

  it('keeps the state private to the user', async () => {
    const { root } = await newStoreWithJob();
    assert.equal(statSync(root).mode & 0o777, 0o700);
    assert.equal(statSync(join(root, 'jobs', 'j', 'journal.jsonl')).mode & 0o777, 0o600);
  });

  it('folds changes back: status, pods replaced by name, events aggregated', async () => {
    const { root, store } = await newStoreWithJob();
    await store.commitJob('j', { pods: [pod('a'), pod('b')] });
    await store.commitJob('j', { pods: [pod('a', 'Succeeded')], status: { succeeded: 1 } });
    const ev = {
      type: 'Normal' as const,
      reason: 'R',
      message: 'm',
      firstTimestamp: 't1',
      lastTimestamp: 't1',
      count: 1,
      source: 'job-controller',
      involvedObject: 'Job/j',
    };
    await store.commitJob('j', { events: [ev] });
    await store.commitJob('j', { events: [{ ...ev, lastTimestamp: 't2' }] });
    const fresh = await new FileStore(root).loadJob('j');
    assert.deepEqual(
      fresh?.pods.map((p) => [p.name, p.observation.phase]),
      [
        ['a', 'Succeeded'],
        ['b', 'Running'],
      ],
    );
    assert.equal(fresh?.job.status.succeeded, 1);
    assert.equal(fresh?.events.length, 1);
    assert.equal(fresh?.events[0]?.count, 2);
    assert.equal(fresh?.events[0]?.lastTimestamp, 't2');
  });

  it('appends one line per change, whatever the number of pods', async () => {
    const { root, store } = await newStoreWithJob();
    const many = Array.from({ length: 2000 }, (_, i) => pod(`p${i}`));
    await store.commitJob('j', { pods: many });
    const path = join(root, 'jobs', 'j', 'journal.jsonl');
    const before = statSync(path).size;
    await store.commitJob('j', { pods: [pod('p7', 'Succeeded')] });
    const grown = statSync(path).size - before;
    assert.ok(grown < 1000, `one change appended ${grown} bytes`);
  });

  it('drops a line torn by a crash and goes on from there', async () => {
    const { root, store } = await newStoreWithJob();
    await store.commitJob('j', { status: { active: 1 } });
    const path = join(root, 'jobs', 'j', 'journal.jsonl');
    appendFileSync(path, '{"v":1,"change":{"status":{"act');
    const reopened = new FileStore(root);
    assert.equal((await reopened.loadJob('j'))?.job.status.active, 1);
    await reopened.commitJob('j', { status: { active: 2 } });
    assert.equal((await new FileStore(root).loadJob('j'))?.job.status.active, 2);
    assert.ok(
      readFileSync(path, 'utf8')
        .split('\n')
        .every((l) => l === '' || JSON.parse(l)),
    );
  });

  it('names the damaged file and the way out, and leaves other jobs readable', async () => {
    const root = tempDir();
    const store = new FileStore(root);
    await store.createJob({ ...testJob('good'), status: {} as JobStatus });
    await store.createJob({ ...testJob('bad'), status: {} as JobStatus });
    await store.commitJob('bad', { status: { active: 1 } });
    const path = join(root, 'jobs', 'bad', 'journal.jsonl');
    writeFileSync(path, 'garbage\n' + readFileSync(path, 'utf8'));
    const fresh = new FileStore(root);
    await assert.rejects(fresh.loadJob('bad'), (err: unknown) => {
      assert.ok(err instanceof StateError);
      assert.match(err.message, /journal\.jsonl line 1: not valid JSON/);
      assert.match(err.hint ?? '', /tjob delete job bad/);
      return true;
    });
    assert.ok(await fresh.loadJob('good'));
  });

  it('refuses to create a job that exists', async () => {
    const { store } = await newStoreWithJob('dup');
    await assert.rejects(store.createJob({ ...testJob('dup'), status: {} as JobStatus }), /already exists/);
  });

  it('of many stores creating one job at once, exactly one succeeds and the others conflict', async () => {
    for (let round = 0; round < 5; round++) {
      const root = tempDir();
      const stores = Array.from({ length: 6 }, () => new FileStore(root));
      const results = await Promise.allSettled(
        stores.map((s, i) =>
          s.createJob(
            { ...testJob('race'), status: {} as JobStatus },
            { configMaps: { [`cm${i}`]: {} }, secrets: {} },
          ),
        ),
      );
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(won.length, 1, JSON.stringify(results));
      for (const r of results) {
        if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError, String(r.reason));
      }
      // The job on disk is the winner's, config and journal together; nothing is left aside.
      assert.deepEqual(await new FileStore(root).loadJobConfig('race'), {
        configMaps: { [`cm${won[0]}`]: {} },
        secrets: {},
      });
      assert.deepEqual(readdirSync(join(root, 'jobs')), ['race']);
    }
  });

  it('a job created here and driven by another process is read from disk, not from memory', async () => {
    const { root, store: creator } = await newStoreWithJob('shared');
    const driver = new FileStore(root);
    const lease = await driver.acquireJobLease('shared', 'test');
    assert.ok('renew' in lease);
    await driver.commitJob('shared', { pods: [pod('shared-a', 'Succeeded')] });
    // The creator follows the job (the driver's lease) and then takes it over: it sees the pod.
    assert.deepEqual(
      (await creator.loadJob('shared'))?.pods.map((p) => p.name),
      ['shared-a'],
    );
    assert.equal((await creator.loadJobSummary('shared'))?.job.metadata.name, 'shared');
    await lease.release();
    const taken = await creator.acquireJobLease('shared', 'test');
    assert.ok('renew' in taken);
    await creator.commitJob('shared', { pods: [pod('shared-b')] });
    assert.deepEqual(
      (await creator.loadJob('shared'))?.pods.map((p) => p.name),
      ['shared-a', 'shared-b'],
    );
    assert.deepEqual(
      (await new FileStore(root).loadJob('shared'))?.pods.map((p) => p.name),
      ['shared-a', 'shared-b'],
    );
    await taken.release();
  });

  it('stores no config file for a job created with no ConfigMaps or Secrets, and reads none back', async () => {
    const { root, store } = await newStoreWithJob('bare');
    assert.deepEqual(readdirSync(join(root, 'jobs', 'bare')).sort(), ['journal.jsonl', 'summary.json']);
    assert.deepEqual(await store.loadJobConfig('bare'), { configMaps: {}, secrets: {} });
  });

  it('creates a job over the debris of a deleted one, and sweeps what killed processes left', async () => {
    const root = tempDir();
    const store = new FileStore(root);
    await store.init();
    // A deleted job's late log lines recreate its directory, without a journal.
    mkdirSync(join(root, 'jobs', 'old', 'logs', 'p'), { recursive: true });
    writeFileSync(join(root, 'jobs', 'old', 'logs', 'p', 'c.log'), 'x\n');
    const config = { configMaps: { cm: { k: 'v' } }, secrets: {} };
    await store.createJob({ ...testJob('old'), status: {} as JobStatus }, config);
    assert.ok(await new FileStore(root).loadJob('old'));
    assert.deepEqual(readdirSync(join(root, 'jobs', 'old')).sort(), [
      'config.json',
      'journal.jsonl',
      'summary.json',
    ]);
    assert.deepEqual(await new FileStore(root).loadJobConfig('old'), config);
    // A creation and a deletion interrupted by kill -9 (a pid that no longer runs) are swept.
    const dead = spawnSync('true').pid;
    mkdirSync(join(root, 'jobs', `.creating-x-${dead}-0`));
    mkdirSync(join(root, 'jobs', `.deleted-y-${dead}-1700000000000`));
    mkdirSync(join(root, 'jobs', `.creating-z-${process.pid}-0`)); // a live one is left alone
    mkdirSync(join(root, 'jobs', `.creating-w-${dead}-2`)); // and a recent one
    const longAgo = new Date(Date.now() - 3_600_000);
    for (const n of [`.creating-x-${dead}-0`, `.deleted-y-${dead}-1700000000000`])
      utimesSync(join(root, 'jobs', n), longAgo, longAgo);
    // Swept by the next process that creates a job; commands that only read do not pay for it.
    const reader = new FileStore(root);
    await reader.listJobs();
    assert.equal(readdirSync(join(root, 'jobs')).length, 5);
    await reader.createJob({ ...testJob('new'), status: {} as JobStatus });
    assert.deepEqual(readdirSync(join(root, 'jobs')).sort(), [
      `.creating-w-${dead}-2`,
      `.creating-z-${process.pid}-0`,
      'new',
      'old',
    ]);
  });

  it("a request left before its job's watch was armed is reported to the watcher", async () => {
    const { root, store } = await newStoreWithJob('req');
    // Another process asks, between the controller's first look and its watch being armed.
    await new FileStore(root).requestJobChange('req', { from: 'test', suspend: true });
    let changes = 0;
    const stop = store.watchJobRequests('req', () => changes++);
    try {
      await waitFor(() => changes > 0, { what: 'the watcher to be told of the earlier request' });
      assert.equal((await store.pendingJobRequests('req')).length, 1);
    } finally {
      stop();
    }
  });

  it('gives the lease to one process at a time and takes it over from a dead holder', async () => {
    const { root, store } = await newStoreWithJob();
    const lease = await store.acquireJobLease('j', 'test');
    assert.ok('renew' in lease);
    // A dead holder: a pid that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(
      join(root, 'jobs', 'j', 'lease.json'),
      JSON.stringify({ pid: dead, processStart: '1', command: 'tjob run', heartbeat: '' }),
    );
    const again = await new FileStore(root).acquireJobLease('j', 'test');
    assert.ok('renew' in again, "a dead holder's lease is taken over");
    // A live holder (pid 1 here stands for another live process).
    writeFileSync(
      join(root, 'jobs', 'j', 'lease.json'),
      JSON.stringify({ pid: 1, processStart: '', command: 'tjob run -d', heartbeat: '' }),
    );
    const refused = await new FileStore(root).acquireJobLease('j', 'test');
    assert.ok(!('renew' in refused));
    assert.equal(refused.pid, 1);
  });

  it('keeps each run of a container apart; a log recorded whole earlier reads first', async () => {
    const root = tempDir();
    const store = new FileStore(root);
    await store.createJob({ ...testJob('r'), status: {} as JobStatus });
    const at = (text: string) => [{ time: '2026-01-01T00:00:00Z', stream: 'stdout' as const, text }];
    assert.deepEqual(await store.logRuns('r', 'p', 'c'), []);
    await store.appendLogs('r', 'p', 'c', at('run 0'));
    await store.appendLogs('r', 'p', 'c', at('run 10'), 10);
    await store.appendLogs('r', 'p', 'c', at('run 2'), 2);
    assert.deepEqual(await store.logRuns('r', 'p', 'c'), [0, 2, 10]);
    assert.deepEqual(
      (await store.readLogs('r', 'p', 'c', 2)).map((l) => l.text),
      ['run 2'],
    );
    assert.deepEqual(await store.readLogs('r', 'p', 'c', 1), []);
    writeFileSync(join(root, 'jobs', 'r', 'logs', 'p', 'c.log'), '2026-01-01T00:00:00Z O before\n');
    assert.deepEqual(
      (await store.readLogs('r', 'p', 'c')).map((l) => l.text),
      ['before', 'run 0', 'run 2', 'run 10'],
    );
  });

  it('records logs with their stream and time, capped with a marker', async () => {
    const root = tempDir();
    const store = new FileStore(root, { logCapBytes: 200 });
    await store.createJob({ ...testJob('l'), status: {} as JobStatus });
    const lines = Array.from({ length: 10 }, (_, i) => ({
      time: '2026-01-01T00:00:00.000000000Z',
      stream: 'stdout' as const,
      text: `line ${i}`,
    }));
    await store.appendLogs('l', 'p', 'c', [{ time: 't', stream: 'stderr', text: 'to stderr' }]);
    await store.appendLogs('l', 'p', 'c', lines);
    const got = await store.readLogs('l', 'p', 'c');
    assert.deepEqual(got[0], { time: 't', stream: 'stderr', text: 'to stderr' });
    assert.match(got[got.length - 1]!.text, /log truncated/);
    assert.ok(got.length < 12);
  });
});
