// CronJobs in the state directory: apply's created/configured/unchanged, spec and status written
// by different processes without losing either, folded events, the daemon's lease, pokes, watch.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { CronJob } from '../../../src/api/k8s.js';
import { defaultCronJob } from '../../../src/manifest/index.js';
import { FileCronStore } from '../../../src/state/cron-store.js';
import { FileStore } from '../../../src/state/file-store.js';
import type { StoredEvent } from '../../../src/ports/state-store.js';
import { tempDir } from '../../support/jobs.js';
import { waitFor } from '../../support/wait-for.js';

function cj(schedule = '*/5 * * * *', extra: Partial<CronJob['spec']> = {}): CronJob {
  return defaultCronJob({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', labels: { team: 'a' } },
    spec: {
      schedule,
      jobTemplate: {
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } },
        },
      },
      ...extra,
    },
  });
}

const at = new Date('2024-01-01T10:00:00Z');
let uids = 0;
const newUid = () => `uid-${++uids}`;

function event(reason: string, message: string, t: string): StoredEvent {
  return {
    type: 'Normal',
    reason,
    message,
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    source: 'cronjob-controller',
    involvedObject: 'CronJob/cj',
  };
}

describe('FileCronStore', () => {
  it('says created, unchanged, configured as kubectl apply does, keeping uid, creation time and status', async () => {
    const s = new FileCronStore(tempDir());
    assert.equal(await s.saveCronJob(cj(), at, newUid), 'created');
    const first = (await s.loadCronJob('cj'))!;
    assert.equal(first.metadata.creationTimestamp, '2024-01-01T10:00:00Z');
    assert.equal(first.metadata.generation, 1);
    assert.ok(
      await s.commitCronJobStatus('cj', first.metadata.uid, { lastScheduleTime: '2024-01-01T10:05:00Z' }),
    );
    assert.equal(await s.saveCronJob(cj(), new Date('2024-01-02T00:00:00Z'), newUid), 'unchanged');
    assert.equal(
      await s.saveCronJob(cj('0 * * * *'), new Date('2024-01-02T00:00:00Z'), newUid),
      'configured',
    );
    const after = (await s.loadCronJob('cj'))!;
    assert.equal(after.spec.schedule, '0 * * * *');
    assert.equal(after.metadata.uid, first.metadata.uid);
    assert.equal(after.metadata.creationTimestamp, '2024-01-01T10:00:00Z');
    assert.equal(after.metadata.generation, 2);
    assert.deepEqual(after.status, { lastScheduleTime: '2024-01-01T10:05:00Z' });
    // `get cronjobs` reads the same files through FileStore.
    const viaFileStore = await new FileStore(s.root).listCronJobs();
    assert.deepEqual(viaFileStore, [after]);
  });

  it('updateCronJob changes the stored object in one locked read-modify-write', async () => {
    const s = new FileCronStore(tempDir());
    assert.equal(await s.updateCronJob('cj', (c) => c, at), undefined, 'none stored');
    await s.saveCronJob(cj(), at, newUid);
    const uid = (await s.loadCronJob('cj'))!.metadata.uid;
    // An apply that arrives while the update reads its object waits for it, so the update cannot
    // write back the schedule it read over the applied one (it did when suspend loaded, then saved).
    let applied: Promise<unknown> | undefined;
    const outcome = await s.updateCronJob(
      'cj',
      (c) => {
        applied = s.saveCronJob(cj('0 * * * *', { suspend: true }), at, newUid);
        return { ...c, spec: { ...c.spec, suspend: true } };
      },
      at,
    );
    await applied;
    assert.equal(outcome, 'configured');
    const after = (await s.loadCronJob('cj'))!;
    assert.equal(after.spec.schedule, '0 * * * *', 'the apply is kept');
    assert.equal(after.spec.suspend, true);
    assert.equal(after.metadata.uid, uid);
    assert.equal(after.metadata.generation, 3);
  });

  it('writes status only onto the CronJob it was computed for', async () => {
    const s = new FileCronStore(tempDir());
    await s.saveCronJob(cj(), at, newUid);
    const uid = (await s.loadCronJob('cj'))!.metadata.uid;
    assert.equal(await s.commitCronJobStatus('cj', 'another-uid', { active: [] }), false);
    assert.equal(await s.deleteCronJob('cj'), true);
    assert.equal(await s.commitCronJobStatus('cj', uid, { active: [] }), false);
    assert.equal(await s.loadCronJob('cj'), undefined);
    assert.equal(await s.deleteCronJob('cj'), false);
  });

  it('loses neither spec nor status when apply and the daemon write at the same time', async () => {
    const s = new FileCronStore(tempDir());
    await s.saveCronJob(cj(), at, newUid);
    const uid = (await s.loadCronJob('cj'))!.metadata.uid;
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(s.saveCronJob(cj(`${i} * * * *`), at, newUid));
      writes.push(
        s.commitCronJobStatus('cj', uid, {
          lastScheduleTime: `2024-01-01T10:${String(i).padStart(2, '0')}:00Z`,
        }),
      );
    }
    await Promise.all(writes);
    const final = (await s.loadCronJob('cj'))!;
    // Whichever write came last, neither kind undid the other: the spec is one of the applied
    // ones (a status write did not put back an older spec) and the status survived every apply.
    assert.notEqual(final.spec.schedule, '*/5 * * * *');
    assert.match(final.status?.lastScheduleTime ?? '', /^2024-01-01T10:\d\d:00Z$/);
    assert.equal(final.metadata.uid, uid);
  });

  it('folds repeated events into one with a count, ordered by the latest occurrence', async () => {
    const s = new FileCronStore(tempDir());
    await s.appendCronJobEvents('cj', [event('JobAlreadyActive', 'busy', '2024-01-01T10:05:00Z')]);
    await s.appendCronJobEvents('cj', [
      event('SuccessfulCreate', 'Created job cj-1', '2024-01-01T10:06:00Z'),
    ]);
    await s.appendCronJobEvents('cj', [event('JobAlreadyActive', 'busy', '2024-01-01T10:10:00Z')]);
    const events = await s.listCronJobEvents('cj');
    assert.deepEqual(
      events.map((e) => [e.reason, e.count, e.firstTimestamp, e.lastTimestamp]),
      [
        ['SuccessfulCreate', 1, '2024-01-01T10:06:00Z', '2024-01-01T10:06:00Z'],
        ['JobAlreadyActive', 2, '2024-01-01T10:05:00Z', '2024-01-01T10:10:00Z'],
      ],
    );
    assert.deepEqual(await s.listCronJobEvents('other'), []);
  });

  it('gives the daemon lease to one live process at a time and takes it over from a dead one', async () => {
    const root = tempDir();
    const s = new FileCronStore(root);
    // A process that exits at once leaves a lease behind.
    const child = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `import { FileCronStore } from ${JSON.stringify(new URL('../../../src/state/cron-store.js', import.meta.url).href)};
       const l = await new FileCronStore(${JSON.stringify(root)}).acquireDaemonLease('child');
       console.log(l.holder ? 'took' : 'refused');`,
    ]);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise((r) => child.on('close', r));
    assert.equal(out.trim(), 'took');
    const lease = await s.acquireDaemonLease('test');
    assert.ok('renew' in lease, 'a dead holder’s lease is taken over');
    assert.equal((await s.daemonLeaseHolder())?.pid, process.pid);
    await lease.release();
    assert.equal(await s.daemonLeaseHolder(), undefined);
  });

  it('reports pokes once and calls the watcher on changes', async () => {
    const s = new FileCronStore(tempDir());
    let changes = 0;
    const stop = s.watchCronJobs(() => changes++);
    // The watch is armed asynchronously, and a change made before it is armed is not reported:
    // poke until the watcher is told (a watch that never works fails with the timeout).
    await waitFor(
      async () => {
        await s.pokeDaemon('cj');
        return changes > 0;
      },
      { what: 'the watcher to be told of a poke', interval: 50 },
    );
    const before = changes;
    await s.saveCronJob(cj(), at, newUid);
    await waitFor(() => changes > before, { what: 'the watcher to be told of a saved CronJob' });
    stop();
    assert.deepEqual(await s.takePokes(), ['cj']);
    assert.deepEqual(await s.takePokes(), []);
    assert.deepEqual(
      (await s.listCronJobs()).map((c) => c.metadata.name),
      ['cj'],
    );
  });
});
