// Orphan collection as Kubernetes' garbage collector decides it (isDangling: owner not found, or
// found with another uid), and the collection pass the cron daemon runs at every rescan.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from '../../../src/api/k8s.js';
import { collectOrphans, orphanedJobs } from '../../../src/engine/orphan-collection.js';
import { MemoryStore } from '../../support/memory-store.js';
import { childJob, testCronJob } from '../../support/cron-jobs.js';
import { testJob } from '../../support/jobs.js';

const SLOT = '2024-01-01T10:00:00Z';

describe('orphanedJobs', () => {
  const a = testCronJob('a', {}, 'uid-a');
  const cases: { name: string; job: Job; cronJobs: CronJob[]; orphan: boolean }[] = [
    { name: 'owner present, same uid', job: childJob(a, SLOT), cronJobs: [a], orphan: false },
    { name: 'owner gone', job: childJob(a, SLOT), cronJobs: [], orphan: true },
    {
      name: 'owner re-created under its name (another uid)',
      job: childJob(a, SLOT),
      cronJobs: [testCronJob('a', {}, 'uid-a2')],
      orphan: true,
    },
    {
      name: 'reference without a uid: matched by name',
      job: childJob(testCronJob('a'), SLOT),
      cronJobs: [a],
      orphan: false,
    },
    {
      name: 'owner stored without a uid: matched by name',
      job: childJob(a, SLOT),
      cronJobs: [testCronJob('a')],
      orphan: false,
    },
    { name: 'a job nobody owns', job: testJob('by-hand'), cronJobs: [], orphan: false },
    {
      name: 'labelled only, no controller reference (never a dependent)',
      job: (() => {
        const j = childJob(a, SLOT);
        delete j.metadata.ownerReferences;
        return j;
      })(),
      cronJobs: [],
      orphan: false,
    },
    {
      name: 'owner reference that is not the controller',
      job: (() => {
        const j = childJob(a, SLOT);
        (j.metadata.ownerReferences as { controller?: boolean }[])[0]!.controller = false;
        return j;
      })(),
      cronJobs: [],
      orphan: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        orphanedJobs([c.job], c.cronJobs).map((j) => j.metadata.name),
        c.orphan ? [c.job.metadata.name] : [],
      );
    });
  }
});

describe('collectOrphans', () => {
  it('deletes the orphans not being deleted, and a failure does not stop the others', async () => {
    const store = new MemoryStore();
    const gone = testCronJob('gone', {}, 'uid-gone');
    const kept = testCronJob('kept', {}, 'uid-kept');
    const jobs = [
      childJob(gone, '2024-01-01T10:00:00Z'),
      childJob(gone, '2024-01-01T10:05:00Z'),
      childJob(gone, '2024-01-01T10:10:00Z'),
      childJob(kept, '2024-01-01T10:00:00Z'),
    ];
    for (const j of jobs) await store.createJob(j);
    const [failing, deleting, collected, owned] = jobs.map((j) => j.metadata.name);
    const warnings: string[] = [];
    const asked: string[] = [];
    await collectOrphans(jobs, [kept], {
      isDeleting: (job) => job.metadata.name === deleting,
      deleteJob: async (name) => {
        asked.push(name);
        if (name === failing) throw new Error('engine says no');
        await store.deleteJob(name);
      },
      warning: (m) => warnings.push(m),
    });
    assert.deepEqual(asked, [failing, collected]);
    assert.deepEqual(warnings, [`deleting job ${failing} of a deleted cronjob: engine says no`]);
    assert.deepEqual(
      (await store.listJobSummaries()).map((s) => s.job.metadata.name).sort(),
      [failing, deleting, owned].sort(),
    );
  });
});
