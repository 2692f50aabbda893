// `tjob suspend|resume cronjob NAME` (cli.md): spec.suspend of the stored CronJob, shown by
// `get cronjobs`; unknown names are NotFound; the same command still takes jobs.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { defaultCronJob } from '../../../src/manifest/index.js';
import { FileCronStore } from '../../../src/state/cron-store.js';
import { waitFor } from '../../support/wait-for.js';
import { harness, leaseHeldElsewhere, storeJob, tjob, watchOnlyClock, type Harness } from './helpers.js';

async function storeCronJob(h: Harness, name: string): Promise<FileCronStore> {
  const cronStore = new FileCronStore(h.dir);
  await cronStore.saveCronJob(
    defaultCronJob({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name },
      spec: {
        schedule: '*/5 * * * *',
        timeZone: 'UTC',
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
            },
          },
        },
      },
    }),
    new Date('2026-01-01T00:00:00Z'),
    randomUUID,
  );
  return cronStore;
}

function suspendColumn(table: string, name: string): string | undefined {
  const [header, ...rows] = table.trimEnd().split('\n');
  const at = header!.indexOf('SUSPEND');
  const row = rows.find((r) => r.startsWith(`${name} `));
  return row?.slice(at).split(/\s+/)[0];
}

describe('tjob suspend|resume cronjob', () => {
  it('suspend sets spec.suspend of the stored CronJob; get cronjobs shows SUSPEND True', async () => {
    const h = harness();
    const cronStore = await storeCronJob(h, 'nightly');
    assert.equal(await tjob(h, 'suspend', 'cronjob', 'nightly'), 0, h.err());
    assert.equal(h.out(), 'cronjob.batch/nightly suspended\n');
    const stored = await cronStore.loadCronJob('nightly');
    assert.equal(stored?.spec.suspend, true);
    assert.equal(stored?.metadata.generation, 2);

    const listed = harness();
    assert.equal(await tjob({ ...listed, dir: h.dir }, 'get', 'cronjobs'), 0);
    assert.equal(suspendColumn(listed.out(), 'nightly'), 'True');
  });

  it('resume (cj/NAME form) clears it and says when no scheduler runs', async () => {
    const h = harness();
    const cronStore = await storeCronJob(h, 'nightly');
    assert.equal(await tjob(h, 'suspend', 'cronjobs', 'nightly'), 0, h.err());
    assert.equal(await tjob(h, 'resume', 'cj/nightly'), 0, h.err());
    assert.equal(h.out(), 'cronjob.batch/nightly suspended\ncronjob.batch/nightly resumed\n');
    assert.equal((await cronStore.loadCronJob('nightly'))?.spec.suspend, false);
    assert.match(h.err(), /No scheduler is running for .*: `tjob cron start` runs the CronJobs' schedules/);
    assert.equal(await tjob(h, 'resume', 'cronjob', 'nightly'), 0);
    assert.match(h.out(), /cronjob\.batch\/nightly already resumed\n$/);
  });

  it('an unknown CronJob is NotFound (exit 1); the others are still changed', async () => {
    const h = harness();
    const cronStore = await storeCronJob(h, 'nightly');
    assert.equal(await tjob(h, 'suspend', 'cronjob', 'nope', 'nightly'), 1);
    assert.equal(h.err(), 'Error from server (NotFound): cronjobs.batch "nope" not found\n');
    assert.equal(h.out(), 'cronjob.batch/nightly suspended\n');
    assert.equal((await cronStore.loadCronJob('nightly'))?.spec.suspend, true);
  });

  it('a kind without names, or another kind, is a usage error (exit 2)', async () => {
    const h = harness();
    assert.equal(await tjob(h, 'suspend', 'cronjob'), 2);
    assert.match(h.err(), /a cronjob name is required/);
    assert.equal(await tjob(h, 'suspend', 'pod', 'x'), 2);
    assert.match(h.err(), /the server doesn't have a resource type "pod"/);
  });

  it('a missing job is still NotFound', async () => {
    const h = harness();
    assert.equal(await tjob(h, 'resume', 'job/ghost'), 1);
    assert.equal(h.err(), 'Error from server (NotFound): jobs.batch "ghost" not found\n');
  });
});

describe('tjob suspend|resume job', () => {
  it('asks the process that drives the job and returns once it has taken the change', async () => {
    const h = harness({ clock: watchOnlyClock() });
    await storeJob(h, { name: 'busy', status: { active: 1 } });
    await leaseHeldElsewhere(h, 'busy');
    // The "controller": applies the request it finds, as a runner does.
    const controller = (async () => {
      const [request] = await waitFor(
        async () => {
          const pending = await h.store.pendingJobRequests('busy');
          return pending.length > 0 ? pending : undefined;
        },
        { what: "tjob suspend's request" },
      );
      // Later than the command's first look: it is waiting when the change comes.
      await new Promise((r) => setTimeout(r, 200));
      const stored = await h.store.loadJob('busy');
      await h.store.commitJob('busy', { spec: { ...stored!.job.spec, suspend: request!.suspend } });
      await h.store.completeJobRequest('busy', request!.id);
      return request!;
    })();
    assert.equal(await tjob(h, 'suspend', 'job', 'busy'), 0, h.err());
    assert.match((await controller).from, /^tjob suspend \(pid \d+\)$/);
    assert.equal(h.out(), 'job.batch/busy suspended\n');
    assert.equal((await h.store.loadJob('busy'))?.job.spec.suspend, true);
  });
});
