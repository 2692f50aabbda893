// docs/cronjob.md §8.2 fake-clock scenarios S01–S37, absolute times. Where tjob deliberately deviates
// (deviation 5 in docs/deviations.md: exact missed-slot computation, MissSchedule events, immediate effect of
// schedule edits, a wake-up after a foreign name collision), the test says so in its name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sim, hms } from './sim.js';
import { syncCronJob } from '../../../../src/controller/cron/index.js';
import type { CronJob, Job } from '../../../../src/api/k8s.js';

const D = '2024-01-01T';
const t = (hm: string, day = D): string => `${day}${hm}Z`;
/** Job name for a slot on 2024-01-01 (10:00 = cj-28401720). */
const cj = (hm: string): string => `cj-${Math.floor(Date.parse(t(hm)) / 60_000)}`;
const delays = (s: Sim): string[] => s.wakeups.map((w) => `${hms(w.at)} ${w.delayMs ?? '-'}`);

describe('§8.2 scenarios', () => {
  it('S01 basic cadence: four jobs, SawCompletedJob 30 s after each, 4th success deletes the oldest', () => {
    const s = new Sim({ spec: { schedule: '*/5 * * * *' }, created: t('09:58:00') }).runUntil(t('10:16:00'));
    assert.equal(s.wakeups[0]?.delayMs, 120_100);
    assert.deepEqual(s.lines(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:00:30.1 SawCompletedJob ${cj('10:00')}`,
      `10:05:00.1 SuccessfulCreate ${cj('10:05')}`,
      `10:05:30.1 SawCompletedJob ${cj('10:05')}`,
      `10:10:00.1 SuccessfulCreate ${cj('10:10')}`,
      `10:10:30.1 SawCompletedJob ${cj('10:10')}`,
      `10:15:00.1 SuccessfulCreate ${cj('10:15')}`,
      `10:15:30.1 SuccessfulDelete ${cj('10:00')}`,
      `10:15:30.1 SawCompletedJob ${cj('10:15')}`,
    ]);
    assert.equal(cj('10:00'), 'cj-28401720');
    assert.equal(s.cronJob.status?.lastScheduleTime, '2024-01-01T10:15:00Z');
    assert.equal(s.cronJob.status?.lastSuccessfulTime, '2024-01-01T10:15:30.100Z');
    assert.deepEqual([...s.jobs.keys()], [cj('10:05'), cj('10:10'), cj('10:15')]);
  });

  const downAfterFirst = (sds?: number): Sim =>
    new Sim({
      spec: { schedule: '*/5 * * * *', ...(sds !== undefined ? { startingDeadlineSeconds: sds } : {}) },
      created: t('09:58:00'),
      down: [[t('10:00:30'), t('10:17:00')]],
    }).runUntil(t('10:20:30'));

  it('S02 down 10:00:30→10:17, SDS 200: one job for 10:15 at 10:17, then 10:20', () => {
    const s = downAfterFirst(200);
    assert.deepEqual(s.lines(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:17:00 SawCompletedJob ${cj('10:00')}`,
      `10:17:00 SuccessfulCreate ${cj('10:15')}`,
      `10:17:30 SawCompletedJob ${cj('10:15')}`,
      `10:20:00.1 SuccessfulCreate ${cj('10:20')}`,
    ]);
    assert.equal(cj('10:15'), 'cj-28401735');
    assert.ok(delays(s).includes('10:17:00 180100'));
  });

  it('S03 same with SDS 100: nothing at 10:17 (deviation: MissSchedule for 10:15), first job 10:20', () => {
    const s = downAfterFirst(100);
    assert.deepEqual(s.lines(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:17:00 SawCompletedJob ${cj('10:00')}`,
      `10:17:00 MissSchedule`,
      `10:20:00.1 SuccessfulCreate ${cj('10:20')}`,
    ]);
    assert.equal(s.log[2]?.message, 'Missed scheduled time to start a job: Mon, 01 Jan 2024 10:15:00 +0000');
    assert.ok(delays(s).includes('10:17:00 180100'));
  });

  it('S04 same without SDS: 10:15 at 10:17, then 10:20', () => {
    const s = downAfterFirst();
    assert.deepEqual(s.created(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:17:00 SuccessfulCreate ${cj('10:15')}`,
      `10:20:00.1 SuccessfulCreate ${cj('10:20')}`,
    ]);
  });

  it('S05 down a week, hourly, no SDS: TooManyMissedTimes, then the latest slot only', () => {
    const s = new Sim({
      spec: { schedule: '0 * * * *' },
      created: '2016-05-19T08:00:00Z',
      status: { lastScheduleTime: '2016-05-19T09:00:00Z' },
      down: [['2016-05-19T08:00:00Z', '2016-05-26T10:00:05Z']],
    }).runUntil('2016-05-26T10:00:05Z');
    assert.deepEqual(s.lines(), ['10:00:05 TooManyMissedTimes', '10:00:05 SuccessfulCreate cj-24404280']);
    assert.equal(s.wakeups[0]?.delayMs, 59 * 60_000 + 55_100);
  });

  it('S06 down a week, hourly, SDS 3600: the 10:00 slot 20 min late, no warning', () => {
    const s = new Sim({
      spec: { schedule: '0 * * * *', startingDeadlineSeconds: 3600 },
      created: '2016-05-19T08:00:00Z',
      status: { lastScheduleTime: '2016-05-19T09:00:00Z' },
      down: [['2016-05-19T08:00:00Z', '2016-05-26T10:20:00Z']],
    }).runUntil('2016-05-26T10:20:00Z');
    assert.deepEqual(s.lines(), ['10:20:00 SuccessfulCreate cj-24404280']);
    assert.equal(s.wakeups[0]?.delayMs, 40 * 60_000 + 100);
  });

  it('S07 late start inside a long deadline', () => {
    const s = new Sim({
      spec: { schedule: '0 * * * *', startingDeadlineSeconds: 3600 },
      created: t('08:00:00'),
      status: { lastScheduleTime: t('09:00:00') },
      down: [[t('08:00:00'), t('10:45:00')]],
    }).runUntil(t('11:00:00.1'));
    assert.deepEqual(s.created(), [
      '10:45:00 SuccessfulCreate cj-28401720',
      '11:00:00.1 SuccessfulCreate cj-28401780',
    ]);
    assert.equal(s.wakeups[0]?.delayMs, 15 * 60_000 + 100);
  });

  const sevenMinutes = (): { ms: number } => ({ ms: 7 * 60_000 });

  it('S08 Forbid, 7-minute jobs, no SDS: skipped slots start late when the job ends', () => {
    const s = new Sim({
      spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid' },
      created: t('09:58:00'),
      run: sevenMinutes,
    }).runUntil(t('10:20:30'));
    assert.deepEqual(s.lines(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:05:00.1 JobAlreadyActive`,
      `10:07:00.1 SawCompletedJob ${cj('10:00')}`,
      `10:07:00.1 SuccessfulCreate ${cj('10:05')}`,
      `10:10:00.1 JobAlreadyActive`,
      `10:14:00.1 SawCompletedJob ${cj('10:05')}`,
      `10:14:00.1 SuccessfulCreate ${cj('10:10')}`,
      `10:15:00.1 JobAlreadyActive`,
      `10:20:00.1 JobAlreadyActive`,
    ]);
  });

  it('S09 Forbid, 7-minute jobs, SDS 60: skipped slots lapse (deviation: MissSchedule)', () => {
    const s = new Sim({
      spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 60 },
      created: t('09:58:00'),
      run: sevenMinutes,
    }).runUntil(t('10:20:30'));
    assert.deepEqual(s.lines(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:05:00.1 JobAlreadyActive`,
      `10:07:00.1 SawCompletedJob ${cj('10:00')}`,
      `10:07:00.1 MissSchedule`,
      `10:10:00.1 SuccessfulCreate ${cj('10:10')}`,
      `10:15:00.1 JobAlreadyActive`,
      `10:17:00.1 SawCompletedJob ${cj('10:10')}`,
      `10:17:00.1 MissSchedule`,
      `10:20:00.1 SuccessfulCreate ${cj('10:20')}`,
    ]);
  });

  it('S10 Allow, 7-minute jobs overlap', () => {
    const s = new Sim({
      spec: { schedule: '*/5 * * * *' },
      created: t('09:58:00'),
      run: sevenMinutes,
    }).runUntil(t('10:10:30'));
    assert.deepEqual(s.created(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:05:00.1 SuccessfulCreate ${cj('10:05')}`,
      `10:10:00.1 SuccessfulCreate ${cj('10:10')}`,
    ]);
    assert.deepEqual(
      s.cronJob.status?.active?.map((a) => a.name),
      [cj('10:05'), cj('10:10')],
    );
  });

  it('S11 Replace, 7-minute jobs: delete then create, one active', () => {
    const s = new Sim({
      spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Replace' },
      created: t('09:58:00'),
      run: sevenMinutes,
    }).runUntil(t('10:10:30'));
    assert.deepEqual(s.lines(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:05:00.1 SuccessfulDelete ${cj('10:00')}`,
      `10:05:00.1 SuccessfulCreate ${cj('10:05')}`,
      `10:10:00.1 SuccessfulDelete ${cj('10:05')}`,
      `10:10:00.1 SuccessfulCreate ${cj('10:10')}`,
    ]);
    assert.deepEqual(s.results.at(-1)?.delete, [
      { name: cj('10:05'), uid: `uid-${cj('10:05')}`, reason: 'Replace' },
    ]);
    assert.ok(s.results.every((r) => (r.status.active ?? []).length <= 1));
    assert.equal(s.cronJob.status?.lastSuccessfulTime, undefined);
  });

  it('S12 Replace, 1-minute jobs: nothing to delete', () => {
    const s = new Sim({
      spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Replace' },
      created: t('09:58:00'),
      run: () => ({ ms: 60_000 }),
    }).runUntil(t('10:05:30'));
    assert.deepEqual(s.lines(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:01:00.1 SawCompletedJob ${cj('10:00')}`,
      `10:05:00.1 SuccessfulCreate ${cj('10:05')}`,
    ]);
  });

  it('S13 history: successful limit 3', () => {
    const s = new Sim({
      spec: { schedule: '* * * * *' },
      created: t('09:59:30'),
      run: () => ({ ms: 10_000 }),
    }).runUntil(t('10:05:30'));
    assert.deepEqual(
      s.lines((e) => e.reason === 'SuccessfulDelete'),
      [
        `10:03:10.1 SuccessfulDelete ${cj('10:00')}`,
        `10:04:10.1 SuccessfulDelete ${cj('10:01')}`,
        `10:05:10.1 SuccessfulDelete ${cj('10:02')}`,
      ],
    );
    assert.deepEqual([...s.jobs.keys()], [cj('10:03'), cj('10:04'), cj('10:05')]);
  });

  it('S14 history: failed limit 1', () => {
    const s = new Sim({
      spec: { schedule: '* * * * *' },
      created: t('09:59:30'),
      run: () => ({ ms: 10_000, succeed: false }),
    }).runUntil(t('10:03:30'));
    assert.deepEqual(
      s.lines((e) => e.reason === 'SuccessfulDelete'),
      [
        `10:01:10.1 SuccessfulDelete ${cj('10:00')}`,
        `10:02:10.1 SuccessfulDelete ${cj('10:01')}`,
        `10:03:10.1 SuccessfulDelete ${cj('10:02')}`,
      ],
    );
    assert.deepEqual([...s.jobs.keys()], [cj('10:03')]);
    assert.equal(s.cronJob.status?.lastSuccessfulTime, undefined);
    assert.match(s.log.find((e) => e.reason === 'SawCompletedJob')?.message ?? '', /condition: Failed$/);
  });

  it('S15 successfulJobsHistoryLimit 0: deleted in the sync that sees it finish, no SawCompletedJob', () => {
    const s = new Sim({
      spec: { schedule: '* * * * *', successfulJobsHistoryLimit: 0 },
      created: t('09:59:30'),
      run: () => ({ ms: 10_000 }),
    }).runUntil(t('10:01:30'));
    assert.deepEqual(s.lines(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:00:10.1 SuccessfulDelete ${cj('10:00')}`,
      `10:01:00.1 SuccessfulCreate ${cj('10:01')}`,
      `10:01:10.1 SuccessfulDelete ${cj('10:01')}`,
    ]);
    assert.equal(s.cronJob.status?.lastSuccessfulTime, '2024-01-01T10:01:10.100Z');
  });

  it('S16 created exactly on a slot: that slot does not run', () => {
    const s = new Sim({ spec: { schedule: '*/5 * * * *' }, created: t('10:05:00.000') }).runUntil(
      t('10:10:01'),
    );
    assert.deepEqual(s.created(), [`10:10:00.1 SuccessfulCreate ${cj('10:10')}`]);
  });

  it('S17 @every 1h from creation', () => {
    const s = new Sim({ spec: { schedule: '@every 1h' }, created: t('09:59:00') }).runUntil(t('12:00:00'));
    assert.deepEqual(s.created(), [
      '10:59:00.1 SuccessfulCreate cj-28401779',
      '11:59:00.1 SuccessfulCreate cj-28401839',
    ]);
  });

  it('S18 @every 1h with SDS 10 never runs (deviation: MissSchedule each slot, plus a warning)', () => {
    const s = new Sim({
      spec: { schedule: '@every 1h', startingDeadlineSeconds: 10 },
      created: t('09:59:00'),
    }).runUntil(t('12:00:00'));
    assert.deepEqual(s.lines(), ['10:59:00.1 MissSchedule', '11:59:00.1 MissSchedule']);
    assert.deepEqual(
      s.wakeups.map((w) => hms(w.at)),
      ['09:59:00', '10:59:00.1', '11:59:00.1'],
    );
    assert.match(s.results[0]?.warnings[0] ?? '', /shorter than the @every interval/);
  });

  it('S19 @every 1h after downtime: the latest point of the original grid', () => {
    const s = new Sim({
      spec: { schedule: '@every 1h' },
      created: t('09:00:00'),
      status: { lastScheduleTime: t('10:59:00') },
      down: [[t('09:00:00'), t('14:30:00')]],
    }).runUntil(t('15:00:00'));
    assert.deepEqual(s.created(), [
      '14:30:00 SuccessfulCreate cj-28401959',
      '14:59:00.1 SuccessfulCreate cj-28402019',
    ]);
    assert.equal(s.wakeups[0]?.delayMs, 29 * 60_000 + 100);
  });

  it('S20 never-firing schedule: InvalidSchedule, no job, no wake-up', () => {
    const s = new Sim({ spec: { schedule: '59 23 31 2 *' }, created: t('10:00:00') }).runUntil(t('12:00:00'));
    assert.deepEqual(s.lines(), ['10:00:00 InvalidSchedule']);
    assert.equal(
      s.log[0]?.message,
      'invalid schedule: 59 23 31 2 * : time difference between two schedules is less than 1 second',
    );
    assert.deepEqual(s.wakeups, [{ at: t('10:00:00.000'), delayMs: undefined }]);
  });

  it('S21 SDS 0 never runs, wakes every minute (deviation: MissSchedule per slot)', () => {
    const s = new Sim({
      spec: { schedule: '* * * * *', startingDeadlineSeconds: 0 },
      created: t('09:59:30'),
    }).runUntil(t('10:02:30'));
    assert.deepEqual(s.lines(), [
      '10:00:00.1 MissSchedule',
      '10:01:00.1 MissSchedule',
      '10:02:00.1 MissSchedule',
    ]);
    assert.deepEqual(
      s.wakeups.map((w) => w.delayMs),
      [30_100, 60_000, 60_000, 60_000],
    );
    assert.match(s.results[0]?.warnings[0] ?? '', /startingDeadlineSeconds is 0/);
  });

  it('S22 deadline boundary: 10:00:09.9 starts, 10:00:10.0 does not', () => {
    const first = (at: string): Sim =>
      new Sim({
        spec: { schedule: '0 * * * *', startingDeadlineSeconds: 10 },
        created: t('09:30:00'),
        down: [[t('09:30:00'), at]],
      }).runUntil(at);
    assert.deepEqual(first(t('10:00:09.900')).created(), ['10:00:09.9 SuccessfulCreate cj-28401720']);
    const late = first(t('10:00:10.000'));
    assert.deepEqual(late.lines(), ['10:00:10 MissSchedule']);
    assert.equal(late.wakeups[0]?.delayMs, 60 * 60_000 - 10_000 + 100);
  });

  it('S23 the 100-miss boundary', () => {
    const restart = (at: string): Sim =>
      new Sim({
        spec: { schedule: '* * * * *' },
        created: t('09:00:00'),
        status: { lastScheduleTime: t('10:00:00') },
        down: [[t('09:00:00'), at]],
      }).runUntil(at);
    assert.deepEqual(restart(t('11:40:59')).lines(), ['11:40:59 SuccessfulCreate cj-28401820']);
    assert.deepEqual(restart(t('11:41:00')).lines(), [
      '11:41:00 TooManyMissedTimes',
      '11:41:00 SuccessfulCreate cj-28401821',
    ]);
    const s = restart(t('11:40:59')).runUntil(t('11:41:00.1'));
    assert.deepEqual(s.created().at(-1), '11:41:00.1 SuccessfulCreate cj-28401821');
  });

  it('S24 schedule edit takes effect at once (deviation): the new 10:15 slot runs at 10:20', () => {
    const s = new Sim({
      spec: { schedule: '0 * * * *' },
      created: t('09:00:00'),
      status: { lastScheduleTime: t('10:00:00') },
      down: [[t('09:00:00'), t('10:00:30')]],
    });
    s.edit(t('10:20:00'), (c) => {
      c.spec.schedule = '*/15 * * * *';
    });
    s.runUntil(t('10:45:30'));
    assert.deepEqual(s.created(), [
      `10:20:00 SuccessfulCreate ${cj('10:15')}`,
      `10:30:00.1 SuccessfulCreate ${cj('10:30')}`,
      `10:45:00.1 SuccessfulCreate ${cj('10:45')}`,
    ]);
  });

  it('S24 Kubernetes reading (delayed wake-up only): next wake-up at 10:30:00.1, 10:15 never runs', () => {
    const s = new Sim({
      spec: { schedule: '0 * * * *' },
      created: t('09:00:00'),
      status: { lastScheduleTime: t('10:00:00') },
      down: [[t('09:00:00'), t('10:00:30')]],
    });
    // Kubernetes' update handler: no sync, a wake-up at nextScheduleDelay of the new spec.
    s.edit(
      t('10:20:00'),
      (c) => {
        c.spec.schedule = '*/15 * * * *';
      },
      'delayed',
    );
    s.runUntil(t('10:45:30'));
    assert.deepEqual(s.created(), [
      `10:30:00.1 SuccessfulCreate ${cj('10:30')}`,
      `10:45:00.1 SuccessfulCreate ${cj('10:45')}`,
    ]);
  });

  it('S25 suspend then unsuspend, no SDS: the slot missed while suspended runs at once', () => {
    const s = new Sim({ spec: { schedule: '*/5 * * * *' }, created: t('09:58:00') });
    s.edit(t('10:02:00'), (c) => {
      c.spec.suspend = true;
    });
    s.edit(t('10:13:00'), (c) => {
      c.spec.suspend = false;
    });
    s.runUntil(t('10:15:00.1'));
    assert.deepEqual(s.created(), [
      `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
      `10:13:00 SuccessfulCreate ${cj('10:10')}`,
      `10:15:00.1 SuccessfulCreate ${cj('10:15')}`,
    ]);
    // Suspended syncs set no wake-up.
    assert.ok(
      s.wakeups
        .filter((w) => hms(w.at) === '10:02:00' || hms(w.at) === '10:05:00.1')
        .every((w) => w.delayMs === undefined),
    );
  });

  it('S25 with SDS 60: nothing at 10:13 (deviation: MissSchedule), next job 10:15', () => {
    const s = new Sim({
      spec: { schedule: '*/5 * * * *', startingDeadlineSeconds: 60 },
      created: t('09:58:00'),
    });
    s.edit(t('10:02:00'), (c) => {
      c.spec.suspend = true;
    });
    s.edit(t('10:13:00'), (c) => {
      c.spec.suspend = false;
    });
    s.runUntil(t('10:15:00.1'));
    assert.deepEqual(
      s.lines((e) => e.reason !== 'SawCompletedJob'),
      [
        `10:00:00.1 SuccessfulCreate ${cj('10:00')}`,
        `10:13:00 MissSchedule`,
        `10:15:00.1 SuccessfulCreate ${cj('10:15')}`,
      ],
    );
  });

  it('S26 Forbid, restart while a job still runs', () => {
    const s = new Sim({
      spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid' },
      created: t('09:00:00'),
      status: {
        lastScheduleTime: t('10:00:00'),
        active: [{ kind: 'Job', name: cj('10:00'), uid: `uid-${cj('10:00')}` }],
      },
      down: [[t('09:00:00'), t('10:12:00')]],
    });
    s.addJob(cj('10:00'), t('10:00:00.100'), { ms: 17 * 60_000 + 59_900 });
    s.runUntil(t('10:20:00.1'));
    assert.deepEqual(s.lines(), [
      `10:12:00 JobAlreadyActive`,
      `10:15:00.1 JobAlreadyActive`,
      `10:18:00 SawCompletedJob ${cj('10:00')}`,
      `10:18:00 SuccessfulCreate ${cj('10:15')}`,
      `10:18:30 SawCompletedJob ${cj('10:15')}`,
      `10:20:00.1 SuccessfulCreate ${cj('10:20')}`,
    ]);
  });

  const crashWindow = (restart: string): Sim => {
    const s = new Sim({
      spec: { schedule: '*/5 * * * *' },
      created: t('09:00:00'),
      status: { lastScheduleTime: t('10:00:00'), active: [] },
      down: [[t('09:00:00'), restart]],
    });
    s.addJob(cj('10:05'), t('10:05:00.100'), { ms: 3_600_000 });
    return s.runUntil(restart);
  };

  it('S27 crash window: the job for the due slot is adopted, not duplicated', () => {
    const s = crashWindow(t('10:06:00'));
    assert.deepEqual(s.lines(), [`10:06:00 UnexpectedJob ${cj('10:05')}`]);
    assert.equal(s.results[0]?.adopt, cj('10:05'));
    assert.equal(s.results[0]?.create, undefined);
    assert.deepEqual(
      s.cronJob.status?.active?.map((a) => a.name),
      [cj('10:05')],
    );
    assert.equal(s.cronJob.status?.lastScheduleTime, t('10:05:00'));
    assert.equal(s.wakeups[0]?.delayMs, 4 * 60_000 + 100);
  });

  it('S28 crash window, restart later: the newer slot is created, the old job stays outside active', () => {
    const s = crashWindow(t('10:12:00'));
    assert.deepEqual(s.lines(), [
      `10:12:00 UnexpectedJob ${cj('10:05')}`,
      `10:12:00 SuccessfulCreate ${cj('10:10')}`,
    ]);
    assert.deepEqual(
      s.cronJob.status?.active?.map((a) => a.name),
      [cj('10:10')],
    );
  });

  it('S29 time zone across spring forward', () => {
    const s = new Sim({
      spec: { schedule: '0 9 * * *', timeZone: 'America/New_York' },
      created: '2024-03-08T00:00:00Z',
    }).runUntil('2024-03-11T14:00:00Z');
    assert.deepEqual(
      s.log.filter((e) => e.reason === 'SuccessfulCreate').map((e) => `${e.at} ${e.job}`),
      [
        '2024-03-08T14:00:00.100Z cj-28498440',
        '2024-03-09T14:00:00.100Z cj-28499880',
        '2024-03-10T13:00:00.100Z cj-28501260',
        '2024-03-11T13:00:00.100Z cj-28502700',
      ],
    );
    const after0309 = s.wakeups.find((w) => w.at === '2024-03-09T14:00:00.100Z');
    assert.equal(after0309?.delayMs, 23 * 3_600_000);
  });

  it('S30 fall back: 01:30 runs twice, annotations carry both offsets', () => {
    const s = new Sim({
      spec: { schedule: '30 1 * * *', timeZone: 'America/New_York' },
      created: '2024-11-02T12:00:00Z',
    }).runUntil('2024-11-04T07:00:00Z');
    const creates = s.results.filter((r) => r.create !== undefined).map((r) => r.create as Job);
    assert.deepEqual(
      creates.map((j) => [
        j.metadata.name,
        j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      ]),
      [
        ['cj-28843530', '2024-11-03T01:30:00-04:00'],
        ['cj-28843590', '2024-11-03T01:30:00-05:00'],
        ['cj-28845030', '2024-11-04T01:30:00-05:00'],
      ],
    );
    assert.deepEqual(
      s.log.filter((e) => e.reason === 'SuccessfulCreate').map((e) => e.at),
      ['2024-11-03T05:30:00.100Z', '2024-11-03T06:30:00.100Z', '2024-11-04T06:30:00.100Z'],
    );
    assert.equal(s.wakeups.find((w) => w.at === '2024-11-03T05:30:00.100Z')?.delayMs, 3_600_000);
  });

  it('S30 variant: Europe/Berlin 02:00 on 2023-10-29 runs twice', () => {
    const s = new Sim({
      spec: { schedule: '0 2 * * *', timeZone: 'Europe/Berlin' },
      created: '2023-10-28T12:00:00Z',
    }).runUntil('2023-10-30T02:00:00Z');
    assert.deepEqual(
      s.log.filter((e) => e.reason === 'SuccessfulCreate').map((e) => `${e.at} ${e.job}`),
      [
        '2023-10-29T00:00:00.100Z cj-28308960',
        '2023-10-29T01:00:00.100Z cj-28309020',
        '2023-10-30T01:00:00.100Z cj-28310460',
      ],
    );
  });

  it('S31 spring forward: 02:30 is skipped on 2024-03-10', () => {
    const s = new Sim({
      spec: { schedule: '30 2 * * *', timeZone: 'America/New_York' },
      created: '2024-03-09T12:00:00Z',
    }).runUntil('2024-03-12T00:00:00Z');
    assert.equal(s.wakeups[0]?.delayMs, 42 * 3_600_000 + 30 * 60_000 + 100);
    assert.deepEqual(
      s.log.filter((e) => e.reason === 'SuccessfulCreate').map((e) => `${e.at} ${e.job}`),
      ['2024-03-11T06:30:00.100Z cj-28502310'],
    );
  });

  const irregular = (restart: string): Sim =>
    new Sim({
      spec: { schedule: '30 10,11,12 * * 1-5' },
      created: '2016-05-19T09:00:00Z',
      status: { lastScheduleTime: '2016-05-19T10:30:00Z' },
      down: [['2016-05-19T09:00:00Z', restart]],
    }).runUntil(restart);

  it('S32 irregular schedule computed exactly (deviation): Friday 12:30 runs at 16:30', () => {
    const s = irregular('2016-05-20T16:30:00Z');
    assert.deepEqual(s.lines(), ['16:30:00 SuccessfulCreate cj-24395790']);
    assert.equal(s.wakeups[0]?.delayMs, 66 * 3_600_000 + 100);
    s.runUntil('2016-05-23T10:30:00.1Z');
    assert.deepEqual(s.created().at(-1), '10:30:00.1 SuccessfulCreate cj-24399990');
  });

  it('S32 control cases', () => {
    const thu = irregular('2016-05-19T12:45:00Z');
    assert.deepEqual(thu.lines(), ['12:45:00 SuccessfulCreate cj-24394350']);
    assert.equal(thu.wakeups[0]?.delayMs, 21 * 3_600_000 + 45 * 60_000 + 100);
    assert.deepEqual(irregular('2016-05-20T10:45:00Z').lines(), ['10:45:00 SuccessfulCreate cj-24395670']);
  });

  it('S33 weekly, long gap', () => {
    const s = new Sim({
      spec: { schedule: '0 12 * * 4' },
      created: '2016-05-01T00:00:00Z',
      status: { lastScheduleTime: '2016-05-19T12:00:00Z' },
      down: [['2016-05-01T00:00:00Z', '2016-06-07T11:30:00Z']],
    }).runUntil('2016-06-07T11:30:00Z');
    assert.deepEqual(s.lines(), ['11:30:00 SuccessfulCreate cj-24414480']);
    assert.equal(s.wakeups[0]?.delayMs, 48 * 3_600_000 + 30 * 60_000 + 100);
  });

  it('S34 created long before first seen: the latest slot at once, no warning at 72 misses', () => {
    const s = new Sim({
      spec: { schedule: '0 * * * *' },
      created: '2024-01-01T00:00:00Z',
      down: [['2024-01-01T00:00:00Z', '2024-01-04T00:30:00Z']],
    }).runUntil('2024-01-04T01:00:00.1Z');
    assert.deepEqual(s.created(), [
      '00:30:00 SuccessfulCreate cj-28405440',
      '01:00:00.1 SuccessfulCreate cj-28405500',
    ]);
    assert.ok(!s.log.some((e) => e.reason === 'TooManyMissedTimes'));
  });

  it('S37 Forbid, every minute, job runs 2 h: JobAlreadyActive, then TooManyMissedTimes from the 101st', () => {
    const s = new Sim({
      spec: { schedule: '* * * * *', concurrencyPolicy: 'Forbid' },
      created: t('09:59:30'),
      run: () => ({ ms: 2 * 3_600_000 }),
    }).runUntil(t('12:00:00.1'));
    const lines = s.lines();
    const active = lines.filter((l) => l.endsWith('JobAlreadyActive'));
    const tooMany = lines.filter((l) => l.endsWith('TooManyMissedTimes'));
    assert.equal(active.length, 119);
    assert.equal(active[0], '10:01:00.1 JobAlreadyActive');
    assert.equal(active[99], '11:40:00.1 JobAlreadyActive');
    assert.deepEqual(tooMany[0], '11:41:00.1 TooManyMissedTimes');
    assert.equal(tooMany.length, 20);
    assert.deepEqual(lines.slice(-3), [
      `12:00:00.1 SawCompletedJob ${cj('10:00')}`,
      '12:00:00.1 TooManyMissedTimes',
      '12:00:00.1 SuccessfulCreate cj-28401840',
    ]);
  });
});

// ---- S35, S36: failures reported back to the pure controller ----

function hourly(extra: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2024-01-01T08:00:00Z' },
    spec: {
      schedule: '0 * * * ?',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...extra,
    },
    status,
  };
}

function finishedJob(name: string, started: string, owner = 'cj-uid'): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      uid: `uid-${name}`,
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: owner, controller: true },
      ],
    },
    spec: { template: { spec: { containers: [] } } },
    status: {
      startTime: started,
      completionTime: started,
      conditions: [{ type: 'Complete', status: 'True' }],
    },
  };
}

describe('§8.2 S35/S36: failures', () => {
  const jobs = [finishedJob('a', t('08:59:00')), finishedJob('b', t('09:59:00'))];
  const base = {
    cronJob: hourly({ successfulJobsHistoryLimit: 1 }, { lastScheduleTime: t('09:00:00') }),
    jobs,
    now: new Date(t('10:01:00')),
    timeZone: 'UTC',
  };

  it('S35 cleanup still runs when the create fails', () => {
    const first = syncCronJob(base);
    assert.deepEqual(first.delete, [{ name: 'a', uid: 'uid-a', reason: 'HistoryLimit' }]);
    assert.equal(first.create?.metadata.name, 'cj-28401720');
    const failed = syncCronJob({ ...base, failures: { create: { error: 'Internal error occurred' } } });
    assert.deepEqual(failed.delete, [{ name: 'a', uid: 'uid-a', reason: 'HistoryLimit' }]);
    assert.equal(failed.create, undefined);
    assert.equal(failed.error, 'Internal error occurred');
    assert.equal(failed.requeueAfterMs, undefined);
    assert.deepEqual(
      failed.events.map((e) => `${e.type}/${e.reason}: ${e.message}`),
      [
        'Normal/SuccessfulDelete: Deleted job a',
        'Warning/FailedCreate: Error creating job: Internal error occurred',
      ],
    );
    assert.equal(failed.status.lastScheduleTime, t('09:00:00'));
    assert.equal(failed.status.lastSuccessfulTime, t('09:59:00'));
  });

  it('S35 counter-case: limit 2 with one finished job deletes nothing', () => {
    const r = syncCronJob({
      ...base,
      cronJob: hourly({ successfulJobsHistoryLimit: 2 }),
      jobs: [jobs[0] as Job],
    });
    assert.deepEqual(r.delete, []);
  });

  it('a history deletion that fails: FailedDelete, and the others go on', () => {
    const r = syncCronJob({
      ...base,
      cronJob: hourly({ successfulJobsHistoryLimit: 0 }, { lastScheduleTime: t('10:00:00') }),
      failures: { delete: { a: 'boom' } },
    });
    assert.deepEqual(
      r.events.map((e) => `${e.reason}: ${e.message}`),
      ['FailedDelete: Deleted job: boom', 'SuccessfulDelete: Deleted job b'],
    );
  });

  it('S36 a foreign job holds the slot name: no status change, no event (deviation: still wake at the next slot)', () => {
    const foreign = finishedJob('cj-28401720', t('10:00:00'), 'someone-else');
    const r = syncCronJob({
      ...base,
      cronJob: hourly({}, { lastScheduleTime: t('09:00:00') }),
      jobs: [],
      failures: { create: { alreadyExists: foreign } },
    });
    assert.deepEqual(r.events, []);
    assert.equal(r.statusChanged, false);
    assert.equal(r.create, undefined);
    assert.equal(r.requeueAfterMs, 59 * 60_000 + 100);
  });
});
