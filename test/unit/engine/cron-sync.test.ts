// One CronJob sync carried out on the memory store at a fake clock's time: the create, Replace's
// deletions, and each failure fed back to the controller (FailedDelete, FailedCreate, a taken
// name adopted or left alone), with the events as the daemon records them.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError } from '../../../src/api/errors.js';
import type { CronJob, Job } from '../../../src/api/k8s.js';
import { cronJobEvents, syncAndCarryOut, type SyncJobControl } from '../../../src/engine/cron-sync.js';
import { jobAsCreated } from '../../../src/engine/job-creation.js';
import { defaultJob } from '../../../src/manifest/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryStore } from '../../support/memory-store.js';
import { childJob, testCronJob } from '../../support/cron-jobs.js';
import { testJob } from '../../support/jobs.js';

/** 10:00 in minutes since the epoch: the suffix of the 10:00 job. */
const M1000 = 28401720;
const SLOT_TIME = '2024-01-01T10:00:00.100Z';

function stored(spec: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob {
  const cj = testCronJob('cj', spec, 'uid-cj');
  cj.metadata.creationTimestamp = '2024-01-01T09:00:00Z';
  cj.status = status;
  return cj;
}

/** A job control on the memory store that records what it is asked, and fails when told to. */
function control(store: MemoryStore, clock: FakeClock) {
  const calls: string[] = [];
  const failDelete = new Map<string, Error>();
  let failCreate: Error | undefined;
  const c: SyncJobControl = {
    async deleteJob(name) {
      calls.push(`delete ${name}`);
      const e = failDelete.get(name);
      if (e) throw e;
      await store.deleteJob(name);
    },
    async createJob(fromTemplate: Job, uid, now) {
      calls.push(`create ${fromTemplate.metadata.name} at ${now.toISOString()}`);
      await clock.advance(20); // the write takes a while
      if (failCreate) throw failCreate;
      await store.createJob(jobAsCreated(defaultJob(fromTemplate), uid, now));
    },
    loadJob: (name) => store.loadJob(name),
  };
  return { c, calls, failDelete, failCreate: (e: Error) => (failCreate = e) };
}

async function sync(cronJob: CronJob, jobs: Job[], ctl: ReturnType<typeof control>, clock: FakeClock) {
  return syncAndCarryOut(
    { cronJob, jobs, now: clock.now(), timeZone: 'UTC', newJobUid: 'uid-new' },
    ctl.c,
    clock,
  );
}

/** A Replace CronJob whose 09:55 job is still running at the 10:00 slot. */
async function replacing() {
  const clock = new FakeClock(SLOT_TIME);
  const store = new MemoryStore();
  const cj = stored({ concurrencyPolicy: 'Replace' });
  const running = childJob(cj, '2024-01-01T09:55:00Z');
  await store.createJob(running);
  cj.status = { active: [{ kind: 'Job', name: running.metadata.name, uid: running.metadata.uid }] };
  return { clock, cj, running, ctl: control(store, clock) };
}

const reasons = (result: { events: { reason: string }[] }) => result.events.map((e) => e.reason);

describe('syncAndCarryOut', () => {
  it("creates the slot's job with the given uid, and says when it existed", async () => {
    const clock = new FakeClock(SLOT_TIME);
    const store = new MemoryStore();
    const ctl = control(store, clock);
    const { result, created } = await sync(stored(), [], ctl, clock);
    assert.deepEqual(ctl.calls, [`create cj-${M1000} at ${SLOT_TIME}`]);
    assert.deepEqual(created, {
      name: `cj-${M1000}`,
      scheduledTime: new Date('2024-01-01T10:00:00Z'),
      at: new Date('2024-01-01T10:00:00.120Z'),
    });
    assert.equal((await store.loadJob(`cj-${M1000}`))?.job.metadata.uid, 'uid-new');
    assert.deepEqual(reasons(result), ['SuccessfulCreate']);
    assert.deepEqual(
      result.status.active?.map((r) => [r.name, r.uid]),
      [[`cj-${M1000}`, 'uid-new']],
    );
  });

  it('Replace deletes the running job, then creates', async () => {
    const { clock, cj, running, ctl } = await replacing();
    const { result, created } = await sync(cj, [running], ctl, clock);
    assert.deepEqual(ctl.calls, [`delete ${running.metadata.name}`, `create cj-${M1000} at ${SLOT_TIME}`]);
    assert.equal(created?.name, `cj-${M1000}`);
    assert.deepEqual(reasons(result), ['SuccessfulDelete', 'SuccessfulCreate']);
  });

  it('Replace whose deletion fails creates nothing: FailedDelete, and an error to retry', async () => {
    const { clock, cj, running, ctl } = await replacing();
    ctl.failDelete.set(running.metadata.name, new Error('engine says no'));
    const { result, created } = await sync(cj, [running], ctl, clock);
    assert.deepEqual(ctl.calls, [`delete ${running.metadata.name}`]);
    assert.equal(created, undefined);
    assert.deepEqual(reasons(result), ['FailedDelete']);
    assert.equal(result.events[0]?.message, 'Deleted job: engine says no');
    assert.match(result.error ?? '', /could not replace job/);
    assert.deepEqual(
      result.status.active?.map((r) => r.name),
      [running.metadata.name],
    );
  });

  it('a failed create is FailedCreate and an error to retry; the slot is not recorded', async () => {
    const clock = new FakeClock(SLOT_TIME);
    const ctl = control(new MemoryStore(), clock);
    ctl.failCreate(new Error('no space left on device'));
    const { result, created } = await sync(stored(), [], ctl, clock);
    assert.equal(created, undefined);
    assert.deepEqual(reasons(result), ['FailedCreate']);
    assert.equal(result.error, 'no space left on device');
    assert.equal(result.status.lastScheduleTime, undefined);
  });

  it('a taken name whose job the CronJob controls is adopted (the crash between create and status write)', async () => {
    const clock = new FakeClock(SLOT_TIME);
    const store = new MemoryStore();
    const cj = stored();
    // Created by an earlier daemon, not yet in the job index this sync was given.
    await store.createJob(childJob(cj, '2024-01-01T10:00:00Z'));
    const ctl = control(store, clock);
    ctl.failCreate(new ConflictError(`jobs.batch "cj-${M1000}" already exists`));
    const { result, created } = await sync(cj, [], ctl, clock);
    assert.equal(created, undefined);
    assert.equal(result.adopt, `cj-${M1000}`);
    assert.equal(result.error, undefined);
    assert.equal(result.status.lastScheduleTime, '2024-01-01T10:00:00Z');
  });

  it('a taken name whose job another owner has is left alone, and the slot not recorded', async () => {
    const clock = new FakeClock(SLOT_TIME);
    const store = new MemoryStore();
    await store.createJob({ ...testJob(`cj-${M1000}`), status: {} });
    const ctl = control(store, clock);
    ctl.failCreate(new ConflictError(`jobs.batch "cj-${M1000}" already exists`));
    const { result, created } = await sync(stored(), [], ctl, clock);
    assert.equal(created, undefined);
    assert.equal(result.adopt, undefined);
    assert.equal(result.error, undefined);
    assert.equal(result.status.lastScheduleTime, undefined);
    assert.ok(result.requeueAfterMs !== undefined, 'wakes up at the next slot (deviation 5)');
  });

  it('a conflict whose job is gone by the time it is read is a FailedCreate', async () => {
    const clock = new FakeClock(SLOT_TIME);
    const ctl = control(new MemoryStore(), clock);
    ctl.failCreate(new ConflictError(`jobs.batch "cj-${M1000}" already exists`));
    const { result } = await sync(stored(), [], ctl, clock);
    assert.deepEqual(reasons(result), ['FailedCreate']);
    assert.equal(result.error, `jobs.batch "cj-${M1000}" already exists`);
  });
});

describe('cronJobEvents', () => {
  it("records the controller's events as the event recorder does", () => {
    const events = cronJobEvents(
      'cj',
      [{ type: 'Normal', reason: 'SuccessfulCreate', message: `Created job cj-${M1000}` }],
      new Date(SLOT_TIME),
    );
    assert.deepEqual(events, [
      {
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created job cj-${M1000}`,
        firstTimestamp: '2024-01-01T10:00:00Z',
        lastTimestamp: '2024-01-01T10:00:00Z',
        count: 1,
        source: 'cronjob-controller',
        involvedObject: 'CronJob/cj',
      },
    ]);
  });
});
