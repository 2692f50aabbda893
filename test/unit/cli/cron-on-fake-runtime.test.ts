// `tjob apply` of a CronJob, then `tjob cron start`, in process on the fake runtime and a fake
// clock: the scheduler fires the slot at its time, drives the job to its end, records the
// CronJob's status, and stops on an interrupt (the same on real Docker: test/integration/cron).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileCronStore } from '../../../src/state/cron-store.js';
import { waitFor } from '../../support/wait-for.js';
import { cronJobManifest, fakeEngine } from './fake-engine.js';

/** 2024-01-01T10:00Z in minutes since the epoch: the suffix of that slot's job. */
const SLOT_1000 = 28401720;

describe('tjob apply and cron start on the fake runtime', { timeout: 120_000 }, () => {
  it('fires the slot on time, drives its job to the end, records the status, and stops on SIGINT with 130', async () => {
    const h = fakeEngine(
      () => ({ exitCode: 0, runMs: 20_000, logs: ['scheduled run'] }),
      '2024-01-01T09:59:30Z',
    );
    assert.equal(await h.run('apply', '-f', h.manifest(cronJobManifest)), 0, h.err());
    assert.match(h.out(), /^cronjob\.batch\/cj created$/m);
    assert.equal(h.runtime.created.length, 0, 'apply starts nothing');

    const { done } = h.start('cron', 'start');
    const job = `cj-${SLOT_1000}`;
    await waitFor(() => new RegExp(`^job\\.batch/${job} Complete\\b`, 'm').test(h.err()), {
      what: `the scheduler to report ${job} Complete`,
    });
    // The daemon syncs the CronJob again when its job ends: lastSuccessfulTime, as upstream.
    const cronStore = new FileCronStore(h.dir);
    const cj = await waitFor(
      async () => {
        const c = await cronStore.loadCronJob('cj');
        return c?.status?.lastSuccessfulTime ? c : undefined;
      },
      { what: "the CronJob's lastSuccessfulTime after its job ended" },
    );
    h.signal('SIGINT');
    assert.equal(await done, 130, h.err());

    const err = h.err();
    assert.match(err, /scheduler \(pid \d+\) started for .*: 1 cronjob, local zone /);
    // The first slot after 09:59:30 is 10:00; nothing ran before it.
    assert.match(
      err,
      new RegExp(
        `^[\\d:]+ cronjob/cj: job\\.batch/${job} created for 2024-01-01T10:00:00\\.000Z \\(\\+`,
        'm',
      ),
    );
    assert.match(h.out(), /scheduled run/);
    assert.match(err, /scheduler stopped \(SIGINT\)/);
    assert.equal(h.runtime.created[0]?.startsWith(`${job}-`), true, h.runtime.created.join(' '));

    const stored = await h.store.loadJob(job);
    assert.equal(stored?.job.status.succeeded, 1);
    assert.equal(
      stored?.job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      '2024-01-01T10:00:00Z',
    );
    assert.equal(cj.status?.lastScheduleTime, '2024-01-01T10:00:00Z');
    assert.deepEqual(cj.status?.active ?? [], []);
    // The daemon's lease is given back on the way out.
    assert.equal(await cronStore.daemonLeaseHolder(), undefined);
  });
});
