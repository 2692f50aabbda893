// Deviations 5 and 6 (docs/deviations.md) as they touch the controller, plus naming (docs/cronjob.md §4) and the manual trigger.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sim } from './sim.js';
import type { CronJob, Job } from '../../../../src/api/k8s.js';
import {
  isChildOf,
  isControlledBy,
  jobFromTemplate,
  jobNameForSlot,
  manualTriggerPlan,
  ownerCronJobRef,
  rfc3339InZone,
  syncCronJob,
} from '../../../../src/controller/cron/index.js';

const base = (spec: Partial<CronJob['spec']> = {}): CronJob => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'cj', uid: 'u1', creationTimestamp: '2024-01-01T09:00:00Z' },
  spec: {
    schedule: '30 1 * * *',
    concurrencyPolicy: 'Allow',
    suspend: false,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
    ...spec,
  },
  status: {},
});

describe('deviation 5: @every under a minute runs every slot, jobs named in seconds', () => {
  it('@every 30s: two jobs per minute, named by the second', () => {
    const s = new Sim({
      spec: { schedule: '@every 30s' },
      created: '2024-01-01T10:00:00Z',
      run: () => ({ ms: 5000 }),
    });
    s.runUntil('2024-01-01T10:01:30.5Z');
    assert.deepEqual(
      s.log.filter((e) => e.reason === 'SuccessfulCreate').map((e) => `${e.at} ${e.job}`),
      [
        '2024-01-01T10:00:30.100Z cj-1704103230',
        '2024-01-01T10:01:00.100Z cj-1704103260',
        '2024-01-01T10:01:30.100Z cj-1704103290',
      ],
    );
  });
  it('names: minutes for cron and @every ≥ 1 min, seconds below', () => {
    const slot = new Date('2024-01-01T10:00:00Z');
    assert.equal(jobNameForSlot('cj', slot), 'cj-28401720');
    assert.equal(jobNameForSlot('cj', slot, 60_000), 'cj-28401720');
    assert.equal(jobNameForSlot('cj', slot, 59_000), 'cj-1704103200');
    assert.equal(jobNameForSlot('mycronjob', new Date('2016-05-26T10:00:00Z')), 'mycronjob-24404280');
  });
});

describe('deviation 6: no timeZone means the machine zone the caller passes; DST as Kubernetes', () => {
  it('evaluates in the passed zone, annotates in UTC (as Kubernetes does for an unset timeZone)', () => {
    const cj = base();
    const r = syncCronJob({
      cronJob: cj,
      jobs: [],
      now: new Date('2024-11-03T06:30:00.100Z'),
      timeZone: 'America/New_York',
    });
    assert.equal(r.create?.metadata.name, 'cj-28843590');
    assert.equal(
      r.create?.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      '2024-11-03T06:30:00Z',
    );
  });
  it('spec.timeZone wins over the passed zone and is used for the annotation', () => {
    const cj = base({ timeZone: 'Europe/Rome', schedule: '0 12 * * *' });
    const r = syncCronJob({
      cronJob: cj,
      jobs: [],
      now: new Date('2016-05-19T10:00:00.100Z'),
      timeZone: 'UTC',
    });
    cj.metadata.creationTimestamp = '2016-05-19T09:00:00Z';
    const r2 = syncCronJob({
      cronJob: cj,
      jobs: [],
      now: new Date('2016-05-19T10:00:00.100Z'),
      timeZone: 'UTC',
    });
    assert.equal(r.create, undefined); // created 2024: nothing due in 2016
    assert.equal(
      r2.create?.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      '2016-05-19T12:00:00+02:00',
    );
  });
  it('RFC 3339 in a zone, as Go formats it', () => {
    assert.equal(
      rfc3339InZone(new Date('2024-11-03T05:30:00Z'), 'America/New_York'),
      '2024-11-03T01:30:00-04:00',
    );
    assert.equal(
      rfc3339InZone(new Date('2024-11-03T06:30:00Z'), 'America/New_York'),
      '2024-11-03T01:30:00-05:00',
    );
    assert.equal(rfc3339InZone(new Date('2024-11-03T05:30:00Z'), 'UTC'), '2024-11-03T05:30:00Z');
    assert.equal(rfc3339InZone(new Date('2024-01-01T00:00:00Z'), 'Europe/London'), '2024-01-01T00:00:00Z');
    assert.equal(
      rfc3339InZone(new Date('2024-01-01T00:00:00Z'), 'Asia/Kolkata'),
      '2024-01-01T05:30:00+05:30',
    );
  });
});

describe('children and the manual trigger', () => {
  const child = (name: string, finished: boolean, owner = 'u1'): Job => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, ownerReferences: [{ kind: 'CronJob', name: 'cj', uid: owner, controller: true }] },
    spec: { template: { spec: { containers: [] } } },
    status: finished ? { conditions: [{ type: 'Complete', status: 'True' }] } : { active: 1 },
  });

  it('isChildOf compares the owner name only; isControlledBy the uid too', () => {
    const j = child('x', false, 'other-uid');
    assert.equal(isChildOf(j, 'cj'), true);
    assert.equal(isControlledBy(j, base()), false);
    assert.equal(isControlledBy(child('y', false), base()), true);
  });

  it('ownerCronJobRef reads the controller reference only: kind CronJob, with its uid; no label fallback', () => {
    assert.deepEqual(ownerCronJobRef(child('x', false, 'u1')), { name: 'cj', uid: 'u1' });
    const withMetadata = (metadata: Job['metadata']): Job => ({ ...child(metadata.name, false), metadata });
    const labelled = withMetadata({ name: 'l', labels: { 'io.tjob.cronjob': 'cj' } });
    assert.equal(ownerCronJobRef(labelled), undefined);
    const notController = withMetadata({
      name: 'n',
      ownerReferences: [{ kind: 'CronJob', name: 'cj', uid: 'u', controller: false }],
    });
    assert.equal(ownerCronJobRef(notController), undefined);
    const otherKind = withMetadata({
      name: 'o',
      ownerReferences: [{ kind: 'ReplicaSet', name: 'cj', uid: 'u', controller: true }],
    });
    assert.equal(ownerCronJobRef(otherKind), undefined);
  });

  it('jobFromTemplate without a slot is a manual run (kubectl create job --from)', () => {
    const job = jobFromTemplate(base(), 'cj-manual-abcde');
    assert.equal(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], undefined);
    assert.equal(job.metadata.labels?.['io.tjob.cronjob'], 'cj');
  });

  it('manualTriggerPlan applies the policy', () => {
    const jobs = [child('a', true), child('b', false)];
    assert.deepEqual(manualTriggerPlan(base(), jobs), { ok: true, delete: [] });
    assert.deepEqual(manualTriggerPlan(base({ concurrencyPolicy: 'Replace' }), jobs), {
      ok: true,
      delete: ['b'],
    });
    const forbid = manualTriggerPlan(base({ concurrencyPolicy: 'Forbid' }), jobs);
    assert.equal(forbid.ok, false);
    assert.deepEqual(manualTriggerPlan(base({ concurrencyPolicy: 'Forbid' }), [child('a', true)]), {
      ok: true,
      delete: [],
    });
  });

  it('a manual job shows up as UnexpectedJob while it runs (as in Kubernetes), and does not block Forbid', () => {
    const cj = base({ schedule: '0 * * * *', concurrencyPolicy: 'Forbid' });
    const manual = jobFromTemplate(cj, 'cj-manual-abcde');
    const r = syncCronJob({
      cronJob: cj,
      jobs: [manual],
      now: new Date('2024-01-01T10:00:00.100Z'),
      timeZone: 'UTC',
    });
    assert.deepEqual(
      r.events.map((e) => e.reason),
      ['UnexpectedJob', 'SuccessfulCreate'],
    );
  });
});
