// The StateStore port's contract (src/ports/state-store.ts), one suite run against every
// implementation: the file store (the real one) and the memory store (the engine tests' double,
// which must behave like the real one or those tests prove nothing about tjob).
// What only the file store has (files, modes, torn lines, crashes, other processes) is tested in
// file-store.test.ts; this suite is what any caller of the port may rely on.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError } from '../../../src/api/errors.js';
import type { ConfigMap, JobStatus, Secret } from '../../../src/api/k8s.js';
import type { LogRecord, StateStore, StoredEvent } from '../../../src/ports/state-store.js';
import { podRecord, testJob } from '../../support/jobs.js';
import { waitFor } from '../../support/wait-for.js';

const pod = podRecord;

function event(reason: string, at: string): StoredEvent {
  return {
    type: 'Normal',
    reason,
    message: `${reason} happened`,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    source: 'job-controller',
    involvedObject: 'Job/j',
  };
}

function line(text: string, stream: LogRecord['stream'] = 'stdout'): LogRecord {
  return { time: '2026-01-01T00:00:01.000000000Z', stream, text };
}

const newJob = (name: string) => ({ ...testJob(name), status: {} as JobStatus });

function configMap(name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

function secret(name: string, data: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', data };
}

/** Registers the contract's tests for one implementation; `makeStore` gives an empty store. */
export function describeStateStoreContract(name: string, makeStore: () => StateStore): void {
  describe(`StateStore contract: ${name}`, () => {
    describe('jobs: JobLifecycle, JobRecords, JobSummaries', () => {
      it('stores a new job with an empty record: no pods, no events, no failures counted', async () => {
        const store = makeStore();
        const job = newJob('j');
        await store.createJob(job);
        const got = await store.loadJob('j');
        assert.deepEqual(got, {
          job,
          backoff: { failuresAfterLastSuccess: 0 },
          pods: [],
          events: [],
        });
      });

      it('refuses a second job of the same name with ConflictError, keeping the first', async () => {
        const store = makeStore();
        const first = newJob('dup');
        await store.createJob(first);
        await assert.rejects(store.createJob(newJob('dup')), (err: unknown) => {
          assert.ok(err instanceof ConflictError, String(err));
          assert.match(err.message, /jobs\.batch "dup" already exists/);
          return true;
        });
        assert.equal((await store.loadJob('dup'))?.job.metadata.uid, first.metadata.uid);
      });

      it('answers undefined for a job that does not exist', async () => {
        const store = makeStore();
        assert.equal(await store.loadJob('none'), undefined);
        assert.equal(await store.loadJobSummary('none'), undefined);
        assert.deepEqual(await store.listJobs(), []);
        assert.deepEqual(await store.listJobSummaries(), []);
      });

      it('lists jobs and their summaries in name order, whatever the order of creation', async () => {
        const store = makeStore();
        for (const n of ['b', 'c', 'a']) await store.createJob(newJob(n));
        assert.deepEqual(
          (await store.listJobs()).map((j) => j.job.metadata.name),
          ['a', 'b', 'c'],
        );
        assert.deepEqual(
          (await store.listJobSummaries()).map((s) => s.job.metadata.name),
          ['a', 'b', 'c'],
        );
      });

      it('folds commits: status and spec replaced, pods replaced by name in order, repeated events counted', async () => {
        const store = makeStore();
        const job = newJob('j');
        await store.createJob(job);
        await store.commitJob('j', { pods: [pod('a'), pod('b')], events: [event('Created', 't1')] });
        await store.commitJob('j', {
          status: { active: 1, succeeded: 1 },
          spec: { ...job.spec, suspend: true },
          backoff: { failuresAfterLastSuccess: 2 },
          pods: [pod('a', 'Succeeded'), pod('c')],
          events: [event('Created', 't2')],
        });
        await store.commitJob('j', { events: [event('Completed', 't3')] });
        const got = (await store.loadJob('j'))!;
        assert.deepEqual(got.job.status, { active: 1, succeeded: 1 });
        assert.equal(got.job.spec.suspend, true);
        assert.deepEqual(got.backoff, { failuresAfterLastSuccess: 2 });
        assert.deepEqual(
          got.pods.map((p) => [p.name, p.observation.phase]),
          [
            ['a', 'Succeeded'],
            ['b', 'Running'],
            ['c', 'Running'],
          ],
        );
        assert.deepEqual(
          got.events.map((e) => [e.reason, e.count, e.firstTimestamp, e.lastTimestamp]),
          [
            ['Created', 2, 't1', 't2'],
            ['Completed', 1, 't3', 't3'],
          ],
        );
      });

      it('the summaries show the latest committed status, without pods or events', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        await store.commitJob('j', { status: { active: 1 }, pods: [pod('a')] });
        await store.commitJob('j', { status: { succeeded: 1 } });
        const one = await store.loadJobSummary('j');
        assert.deepEqual(one?.job.status, { succeeded: 1 });
        assert.deepEqual(Object.keys(one ?? {}), ['job']);
        assert.deepEqual(
          (await store.listJobSummaries()).map((s) => s.job.status),
          [{ succeeded: 1 }],
        );
      });

      it('the summaries follow a change of spec as well as of status, and hand out copies', async () => {
        const store = makeStore();
        const job = newJob('j');
        await store.createJob(job);
        await store.commitJob('j', { spec: { ...job.spec, suspend: true }, status: { active: 0 } });
        assert.equal((await store.loadJobSummary('j'))?.job.spec.suspend, true);
        const listed = await store.listJobSummaries();
        assert.equal(listed[0]?.job.spec.suspend, true);
        listed[0]!.job.status.active = 5;
        listed[0]!.job.spec.suspend = false;
        assert.deepEqual(
          (await store.listJobSummaries()).map((s) => [s.job.spec.suspend, s.job.status.active]),
          [[true, 0]],
        );
      });

      it('what the lease holder commits is read back by it and by listings, during and after the lease', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        await store.createJob(newJob('k'));
        const lease = await store.acquireJobLease('j', 'contract');
        assert.ok('renew' in lease);
        await store.commitJob('j', { status: { active: 1 }, pods: [pod('a')] });
        const during = async () => {
          assert.deepEqual((await store.loadJob('j'))?.job.status, { active: 1 });
          assert.deepEqual(
            (await store.listJobs()).map((j) => [j.job.metadata.name, j.job.status, j.pods.length]),
            [
              ['j', { active: 1 }, 1],
              ['k', {}, 0],
            ],
          );
          assert.deepEqual((await store.loadJobSummary('j'))?.job.status, { active: 1 });
          assert.deepEqual(
            (await store.listJobSummaries()).map((s) => s.job.status),
            [{ active: 1 }, {}],
          );
        };
        await during();
        const listed = await store.listJobs();
        listed[0]!.job.status.active = 9;
        await lease.release();
        await during();
      });

      it('a commit to a job that does not exist fails and creates nothing', async () => {
        const store = makeStore();
        await assert.rejects(store.commitJob('none', { status: { active: 1 } }), /none/);
        assert.equal(await store.loadJob('none'), undefined);
      });

      it('hands out copies: changing what was given or read does not change what is stored', async () => {
        const store = makeStore();
        const job = newJob('j');
        await store.createJob(job);
        job.metadata.labels = { mutated: 'yes' };
        const change = { status: { active: 1 }, pods: [pod('a')] };
        await store.commitJob('j', change);
        change.status.active = 99;
        change.pods[0]!.observation.phase = 'Failed';
        const read = (await store.loadJob('j'))!;
        read.job.status.active = 42;
        read.pods[0]!.name = 'renamed';
        (await store.loadJobSummary('j'))!.job.status.active = 43;
        const again = (await store.loadJob('j'))!;
        assert.equal(again.job.metadata.labels?.mutated, undefined);
        assert.equal(again.job.status.active, 1);
        assert.deepEqual(
          again.pods.map((p) => [p.name, p.observation.phase]),
          [['a', 'Running']],
        );
        // Also while the job is leased (a store may keep the driven job in memory).
        const lease = await store.acquireJobLease('j', 'contract');
        assert.ok('renew' in lease);
        const leasedRead = (await store.loadJob('j'))!;
        leasedRead.job.status.active = 7;
        assert.equal((await store.loadJob('j'))?.job.status.active, 1);
        await lease.release();
      });

      it('deletes a job with everything it had: record, config, requests, logs; a name can then be reused', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'), { configMaps: { cm: { k: 'v' } }, secrets: {} });
        await store.commitJob('j', { pods: [pod('a')] });
        await store.requestJobChange('j', { suspend: true, from: 'contract' });
        await store.appendLogs('j', 'a', 'main', [line('before')]);
        await store.deleteJob('j');
        assert.equal(await store.loadJob('j'), undefined);
        assert.equal(await store.loadJobSummary('j'), undefined);
        assert.deepEqual(await store.listJobs(), []);
        assert.deepEqual(await store.listJobSummaries(), []);
        assert.deepEqual(await store.loadJobConfig('j'), { configMaps: {}, secrets: {} });
        assert.deepEqual(await store.pendingJobRequests('j'), []);
        assert.deepEqual(await store.readLogs('j', 'a', 'main'), []);
        const again = newJob('j');
        await store.createJob(again);
        const fresh = (await store.loadJob('j'))!;
        assert.equal(fresh.job.metadata.uid, again.metadata.uid);
        assert.deepEqual(fresh.pods, []);
      });

      it('a job deleted under its lease is gone with its lease; re-created, it has only what it was re-created with', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'), { configMaps: { cm: { k: 'v' } }, secrets: { s: { t: 'dA==' } } });
        const lease = await store.acquireJobLease('j', 'contract');
        assert.ok('renew' in lease);
        await store.commitJob('j', { status: { active: 1 }, pods: [pod('a')] });
        await store.deleteJob('j');
        assert.equal(await store.jobLeaseHolder('j'), undefined);
        await lease.release();
        await store.createJob(newJob('j'));
        assert.deepEqual(await store.loadJobConfig('j'), { configMaps: {}, secrets: {} });
        assert.deepEqual((await store.loadJob('j'))?.job.status, {});
        assert.deepEqual((await store.loadJobSummary('j'))?.job.status, {});
        assert.equal(await store.jobLeaseHolder('j'), undefined);
      });

      it('deleting a job that does not exist is no error', async () => {
        const store = makeStore();
        await store.deleteJob('none');
        await store.createJob(newJob('other'));
        await store.deleteJob('none');
        assert.deepEqual(
          (await store.listJobs()).map((j) => j.job.metadata.name),
          ['other'],
        );
      });
    });

    describe('config captured with a job: JobConfigs', () => {
      it('gives back the ConfigMap and Secret data a job was created with', async () => {
        const store = makeStore();
        const config = { configMaps: { cm: { a: '1' } }, secrets: { s: { b: 'Mg==' } } };
        await store.createJob(newJob('with'), config);
        await store.createJob(newJob('without'));
        assert.deepEqual(await store.loadJobConfig('with'), config);
        assert.deepEqual(await store.loadJobConfig('without'), { configMaps: {}, secrets: {} });
        assert.deepEqual(await store.loadJobConfig('none'), { configMaps: {}, secrets: {} });
      });
    });

    describe('leases: JobLeases', () => {
      it('gives this process the lease, names it as the holder, and forgets it once released', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        assert.equal(await store.jobLeaseHolder('j'), undefined);
        const lease = await store.acquireJobLease('j', 'tjob run');
        assert.ok('renew' in lease, 'a free lease is taken');
        assert.equal(lease.holder.pid, process.pid);
        assert.equal(lease.holder.command, 'tjob run');
        const holder = await store.jobLeaseHolder('j');
        assert.equal(holder?.pid, process.pid);
        assert.equal(holder?.command, 'tjob run');
        await lease.renew();
        assert.equal((await store.jobLeaseHolder('j'))?.pid, process.pid);
        await lease.release();
        assert.equal(await store.jobLeaseHolder('j'), undefined);
        const again = await store.acquireJobLease('j', 'tjob resume');
        assert.ok('renew' in again, 'a released lease is taken again');
        await again.release();
      });

      it('the process that holds a lease is given it again; released, nobody holds it', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        const first = await store.acquireJobLease('j', 'tjob run');
        assert.ok('renew' in first);
        const second = await store.acquireJobLease('j', 'tjob run');
        assert.ok('renew' in second, 'this process holds it: it is given again, not refused');
        assert.equal((await store.jobLeaseHolder('j'))?.pid, process.pid);
        await second.release();
        assert.equal(await store.jobLeaseHolder('j'), undefined);
      });

      it('leases are per job', async () => {
        const store = makeStore();
        await store.createJob(newJob('a'));
        await store.createJob(newJob('b'));
        const lease = await store.acquireJobLease('a', 'tjob run');
        assert.ok('renew' in lease);
        assert.equal(await store.jobLeaseHolder('b'), undefined);
        await lease.release();
      });
    });

    describe('requests to a job controller: JobRequestMailbox', () => {
      it('keeps requests oldest first with unique ids until each is completed', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        assert.deepEqual(await store.pendingJobRequests('j'), []);
        const r1 = await store.requestJobChange('j', { suspend: true, from: 'tjob suspend (pid 1)' });
        const r2 = await store.requestJobChange('j', { suspend: false, from: 'tjob resume (pid 2)' });
        assert.deepEqual(r1, { id: r1.id, suspend: true, from: 'tjob suspend (pid 1)' });
        assert.deepEqual(await store.pendingJobRequests('j'), [r1, r2]);
        await store.completeJobRequest('j', r1.id);
        // An id is never given twice, even after a request was completed.
        const r3 = await store.requestJobChange('j', { delete: true, from: 'tjob delete (pid 3)' });
        assert.notEqual(r3.id, r2.id);
        assert.deepEqual(await store.pendingJobRequests('j'), [r2, r3]);
        await store.completeJobRequest('j', 'no-such-id');
        await store.completeJobRequest('j', r2.id);
        await store.completeJobRequest('j', r3.id);
        assert.deepEqual(await store.pendingJobRequests('j'), []);
      });

      it('keeps many requests in the order they were made', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        const made = [];
        for (let i = 0; i < 12; i++) made.push(await store.requestJobChange('j', { from: `n${i}` }));
        assert.deepEqual(
          (await store.pendingJobRequests('j')).map((r) => r.from),
          made.map((r) => r.from),
        );
      });

      it('requests are per job', async () => {
        const store = makeStore();
        await store.createJob(newJob('a'));
        await store.createJob(newJob('b'));
        await store.requestJobChange('a', { suspend: true, from: 'x' });
        assert.deepEqual(await store.pendingJobRequests('b'), []);
      });

      it('tells a watcher of requests made after it started watching', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        let calls = 0;
        const stop = store.watchJobRequests('j', () => calls++);
        try {
          await store.requestJobChange('j', { suspend: true, from: 'contract' });
          await waitFor(() => calls > 0, { what: 'the watcher to be told of the request' });
        } finally {
          stop();
        }
      });

      it('tells a watcher of a request made before it started watching', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        await store.requestJobChange('j', { suspend: true, from: 'contract' });
        let calls = 0;
        const stop = store.watchJobRequests('j', () => calls++);
        try {
          await waitFor(() => calls > 0, { what: 'the watcher to be told of the earlier request' });
        } finally {
          stop();
        }
      });
    });

    describe('logs: PodLogs', () => {
      it('reads back what was appended, in order, with stream and time; nothing for unknown containers', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        await store.appendLogs('j', 'p', 'main', [line('one'), line('to stderr', 'stderr')]);
        await store.appendLogs('j', 'p', 'main', []);
        await store.appendLogs('j', 'p', 'main', [line('two')]);
        await store.appendLogs('j', 'p', 'side', [line('other container')]);
        assert.deepEqual(await store.readLogs('j', 'p', 'main'), [
          line('one'),
          line('to stderr', 'stderr'),
          line('two'),
        ]);
        assert.deepEqual(await store.readLogs('j', 'p', 'side'), [line('other container')]);
        assert.deepEqual(await store.readLogs('j', 'p', 'none'), []);
        assert.deepEqual(await store.logRuns('j', 'p', 'none'), []);
      });

      it('keeps each run of a container apart: one run, or every run in order', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        await store.appendLogs('j', 'p', 'main', [line('run 0')]);
        await store.appendLogs('j', 'p', 'main', [line('run 1')], 1);
        await store.appendLogs('j', 'p', 'main', [line('run 2, a')], 2);
        await store.appendLogs('j', 'p', 'main', [line('run 2, b')], 2);
        assert.deepEqual(await store.logRuns('j', 'p', 'main'), [0, 1, 2]);
        assert.deepEqual(await store.readLogs('j', 'p', 'main', 2), [line('run 2, a'), line('run 2, b')]);
        assert.deepEqual(await store.readLogs('j', 'p', 'main', 1), [line('run 1')]);
        assert.deepEqual(await store.readLogs('j', 'p', 'main', 7), []);
        assert.deepEqual(await store.readLogs('j', 'p', 'main'), [
          line('run 0'),
          line('run 1'),
          line('run 2, a'),
          line('run 2, b'),
        ]);
      });

      it('readLogsFrom: only what was appended since the position it gave', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        const first = await store.readLogsFrom('j', 'p', 'main', 0, 0);
        assert.deepEqual(first.lines, [], 'no log yet');
        await store.appendLogs('j', 'p', 'main', [line('one'), line('zwei – ü')]);
        const a = await store.readLogsFrom('j', 'p', 'main', 0, first.next);
        assert.deepEqual(a.lines, [line('one'), line('zwei – ü')]);
        assert.deepEqual((await store.readLogsFrom('j', 'p', 'main', 0, a.next)).lines, [], 'nothing new');
        await store.appendLogs('j', 'p', 'main', [line('three')]);
        await store.appendLogs('j', 'p', 'main', [line('run 1')], 1);
        const b = await store.readLogsFrom('j', 'p', 'main', 0, a.next);
        assert.deepEqual(b.lines, [line('three')], 'its own run only');
        assert.ok(b.next > a.next);
        assert.deepEqual((await store.readLogsFrom('j', 'p', 'main', 1, 0)).lines, [line('run 1')]);
        assert.deepEqual((await store.readLogsFrom('j', 'p', 'main', 'before-runs', 0)).lines, []);
      });

      it('keeps the logs of each job and each pod apart', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        await store.createJob(newJob('k'));
        await store.appendLogs('j', 'p', 'main', [line('j/p')]);
        await store.appendLogs('j', 'q', 'main', [line('j/q')]);
        await store.appendLogs('k', 'p', 'main', [line('k/p')]);
        assert.deepEqual(await store.readLogs('j', 'p', 'main'), [line('j/p')]);
        assert.deepEqual(await store.readLogs('j', 'q', 'main'), [line('j/q')]);
        assert.deepEqual(await store.readLogs('k', 'p', 'main'), [line('k/p')]);
        await store.deleteJob('j');
        assert.deepEqual(await store.readLogs('k', 'p', 'main'), [line('k/p')]);
      });

      it('a run that wrote nothing has no log', async () => {
        const store = makeStore();
        await store.createJob(newJob('j'));
        await store.appendLogs('j', 'p', 'main', [line('run 0')]);
        await store.appendLogs('j', 'p', 'main', [], 1);
        assert.deepEqual(await store.logRuns('j', 'p', 'main'), [0]);
      });
    });

    describe('ConfigMaps and Secrets stored by apply: ConfigObjectStore', () => {
      it('says created, unchanged, configured as kubectl apply does, and lists them by kind and name', async () => {
        const store = makeStore();
        assert.deepEqual(await store.listConfigObjects(), []);
        assert.equal(await store.saveConfigObject(configMap('settings', { a: '1' })), 'created');
        assert.equal(await store.saveConfigObject(secret('token', { t: 'eA==' })), 'created');
        assert.equal(await store.saveConfigObject(configMap('env', { b: '2' })), 'created');
        assert.equal(await store.saveConfigObject(configMap('settings', { a: '1' })), 'unchanged');
        assert.equal(await store.saveConfigObject(configMap('settings', { a: '2' })), 'configured');
        // A Secret and a ConfigMap of one name are two objects.
        assert.equal(await store.saveConfigObject(secret('settings', { s: 'eQ==' })), 'created');
        assert.deepEqual(await store.listConfigObjects(), [
          configMap('env', { b: '2' }),
          configMap('settings', { a: '2' }),
          secret('settings', { s: 'eQ==' }),
          secret('token', { t: 'eA==' }),
        ]);
      });

      it('keeps a copy of what was saved', async () => {
        const store = makeStore();
        const cm = configMap('c', { a: '1' });
        await store.saveConfigObject(cm);
        cm.data!.a = 'changed';
        const listed = await store.listConfigObjects();
        listed[0]!.data!.a = 'changed too';
        assert.deepEqual(await store.listConfigObjects(), [configMap('c', { a: '1' })]);
      });
    });

    describe('CronJobs', () => {
      it('a new store has none', async () => {
        assert.deepEqual(await makeStore().listCronJobs(), []);
      });
    });
  });
}
