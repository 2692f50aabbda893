// The cron daemon's work queue on a fake clock: which CronJobs are due, edits noticed, back-off.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronQueue } from '../../../src/engine/cron-queue.js';
import { FakeClock } from '../../support/fake-clock.js';
import { testCronJob } from '../../support/cron-jobs.js';

const T0 = '2024-01-01T10:00:00Z';
const at = (offsetMs: number) => Date.parse(T0) + offsetMs;

function queueOf(...names: string[]) {
  const clock = new FakeClock(T0);
  const queue = new CronQueue(clock);
  queue.update(names.map((n) => testCronJob(n, {}, `uid-${n}`)));
  return { clock, queue };
}

const dueNames = (queue: CronQueue, now: number) => queue.due(now).map((k) => k.name);

describe('CronQueue', () => {
  it('a new CronJob is due at once; taken, it is due again only when its sync says', () => {
    const { queue } = queueOf('a', 'b');
    assert.deepEqual(dueNames(queue, at(0)), ['a', 'b']);
    for (const key of queue.due(at(0))) queue.take(key);
    assert.deepEqual(dueNames(queue, at(0)), []);
    assert.equal(queue.anyDirty(), false);
    assert.equal(queue.nextDelay(at(0)), undefined);
  });

  it('re-reading an unchanged CronJob keeps its schedule; an edit makes it due and resets its back-off', () => {
    const { queue } = queueOf('a');
    const [key] = queue.due(at(0));
    queue.take(key!);
    queue.requeueAt(key!, at(60_000));
    queue.retryLater(key!);
    queue.requeueAt(key!, at(60_000));
    const withStatus = testCronJob('a', {}, 'uid-a');
    withStatus.status = { lastScheduleTime: T0 };
    queue.update([withStatus]);
    assert.deepEqual(dueNames(queue, at(0)), []);
    assert.equal(key!.cronJob.status?.lastScheduleTime, T0, 'the CronJob as last read');
    assert.equal(key!.backoffMs, 1000);
    queue.update([testCronJob('a', { schedule: '*/10 * * * *' }, 'uid-a')]);
    assert.deepEqual(dueNames(queue, at(0)), ['a']);
    assert.equal(key!.backoffMs, undefined);
    // Deleted and applied again (another uid) is an edit too.
    queue.take(key!);
    queue.update([testCronJob('a', { schedule: '*/10 * * * *' }, 'uid-a2')]);
    assert.deepEqual(dueNames(queue, at(0)), ['a']);
  });

  it('a removed CronJob is dropped; a poke for one not stored does nothing', () => {
    const { queue } = queueOf('a', 'b');
    queue.update([testCronJob('b', {}, 'uid-b')]);
    queue.markDirty('a');
    assert.deepEqual(dueNames(queue, at(0)), ['b']);
  });

  it('due at its time; the wait is until the first due time', () => {
    const { queue } = queueOf('a', 'b', 'c');
    const [a, b, c] = queue.due(at(0));
    for (const k of [a!, b!, c!]) queue.take(k);
    queue.requeueAt(a!, at(300_000));
    queue.requeueAt(b!, at(60_000), undefined, at(120_000));
    queue.requeueAt(c!);
    assert.equal(queue.nextDelay(at(0)), 60_000);
    assert.deepEqual(dueNames(queue, at(59_999)), []);
    assert.deepEqual(dueNames(queue, at(60_000)), ['b']);
    assert.equal(queue.nextDelay(at(90_000)), 0, 'overdue: at once');
    queue.take(b!);
    assert.equal(queue.nextDelay(at(90_000)), 210_000);
    queue.take(a!);
    assert.equal(queue.nextDelay(at(90_000)), undefined, 'nothing due: wait for a change');
    queue.markDirty('c');
    assert.ok(queue.anyDirty());
    assert.deepEqual(dueNames(queue, at(90_000)), ['c']);
  });

  it('a failing sync is retried after 1 s, doubling to 5 min; a success starts over', async () => {
    const { clock, queue } = queueOf('a');
    const [key] = queue.due(at(0));
    const delays: number[] = [];
    for (let i = 0; i < 11; i++) delays.push(queue.retryLater(key!) - clock.now().getTime());
    assert.deepEqual(
      delays,
      [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000],
    );
    assert.equal(key!.dueAt, clock.now().getTime() + 300_000);
    await clock.advance(5000);
    queue.forget(key!);
    assert.equal(queue.retryLater(key!), at(5000 + 1000));
  });
});
