// docs/cronjob.md §8.3: Kubernetes' TestControllerV2SyncCronJob table at absolute times, and the
// function-level vectors of §3.10 (TestMostRecentScheduleTime, TestNextScheduleTimeDuration,
// TestNextScheduleTime). Fixture: T = 2016-05-19T10:00:00Z (a Thursday), zone UTC.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, CronJobSpec, Job } from '../../../../src/api/k8s.js';
import {
  jobFromTemplate,
  jobNameForSlot,
  mostRecentScheduleTime,
  nextScheduleDelay,
  syncCronJob,
  type SyncCronJobInput,
} from '../../../../src/controller/cron/index.js';
import { parseStoredSchedule } from '../../../../src/schedule/index.js';

const T = Date.parse('2016-05-19T10:00:00Z');
const min = 60_000;
const hour = 3_600_000;
const at = (offsetMs: number): string => new Date(T + offsetMs).toISOString();
const topOfTheHour = at(0);
const justBeforeThePriorHour = at(-61 * min); // 08:59
const justAfterThePriorHour = at(-59 * min); // 09:01
const justBeforeTheHour = at(-min); // 09:59
const justAfterTheHour = at(min); // 10:01
const justBeforeTheNextHour = at(59 * min); // 10:59
const weekAfterTheHour = at(7 * 24 * hour); // 05-26 10:00

const shortDead = 10;
const mediumDead = 2 * 3600;
const longDead = 1_000_000;

interface Row {
  policy?: 'Allow' | 'Forbid' | 'Replace';
  schedule?: string;
  timeZone?: string;
  suspend?: boolean;
  deadline?: number;
  ranPreviously?: boolean;
  stillActive?: boolean;
  cronjobCreationTime?: string;
  lastScheduleTime?: string;
  jobCreationTime?: string;
  now: string;
  jobPresentInCJActiveStatus?: boolean;
  jobStillNotFoundInLister?: boolean;
  failures?: SyncCronJobInput['failures'];
  /** Expectations. */
  create?: string;
  active: number;
  events?: string[];
  requeue?: number;
  error?: boolean;
  statusChanged?: boolean;
}

function cronJob(r: Row): CronJob {
  const spec: CronJobSpec = {
    schedule: r.schedule ?? '0 * * * ?',
    concurrencyPolicy: r.policy ?? 'Allow',
    suspend: r.suspend ?? false,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    jobTemplate: {
      metadata: { labels: { a: 'b' }, annotations: { x: 'y' } },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    },
  };
  if (r.timeZone !== undefined) spec.timeZone = r.timeZone;
  if (r.deadline !== undefined) spec.startingDeadlineSeconds = r.deadline;
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'mycronjob', namespace: 'snazzycats', uid: '1a2b3c', labels: { cj: 'own' } },
    spec,
    status: {},
  };
}

/** The K8s test's setup: a previous job (active or completed 10 s after its creation). */
function input(r: Row): SyncCronJobInput {
  const cj = cronJob(r);
  const jobs: Job[] = [];
  if (r.ranPreviously) {
    cj.metadata.creationTimestamp = r.cronjobCreationTime ?? justBeforeThePriorHour;
    cj.status = { lastScheduleTime: r.lastScheduleTime ?? justAfterThePriorHour };
    const created = new Date(r.jobCreationTime ?? justAfterThePriorHour);
    const job = jobFromTemplate(cj, jobNameForSlot('mycronjob', created), created);
    job.metadata.uid = '1234';
    job.metadata.creationTimestamp = created.toISOString();
    const ref = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      name: job.metadata.name,
      namespace: 'snazzycats',
      uid: '1234',
    };
    if (r.stillActive) {
      if (r.jobPresentInCJActiveStatus !== false) cj.status.active = [ref];
      if (!r.jobStillNotFoundInLister) jobs.push(job);
    } else {
      job.status = {
        completionTime: new Date(created.getTime() + 10_000).toISOString(),
        conditions: [{ type: 'Complete', status: 'True' }],
      };
      jobs.push(job);
    }
  } else {
    cj.metadata.creationTimestamp = r.cronjobCreationTime ?? justBeforeTheHour;
  }
  const i: SyncCronJobInput = {
    cronJob: cj,
    jobs,
    now: new Date(r.now),
    timeZone: 'UTC',
    newJobUid: 'new-uid',
  };
  if (r.failures !== undefined) i.failures = r.failures;
  return i;
}

const A = 'Allow';
const F = 'Forbid';
const R = 'Replace';
const every = '@every 1h';

const rows: Record<string, Row> = {
  'never ran, not valid schedule, A': {
    schedule: 'obvious error schedule',
    now: justBeforeTheHour,
    active: 0,
    events: ['Warning/UnparseableSchedule'],
  },
  'never ran, not valid time zone, A': {
    timeZone: 'bad-time-zone',
    now: justBeforeTheHour,
    active: 0,
    events: ['Warning/UnknownTimeZone'],
  },
  'never ran, is time in zone, but TZ is also set in schedule': {
    schedule: 'TZ=UTC 0 * * * ?',
    timeZone: 'America/New_York',
    now: justAfterTheHour,
    create: 'mycronjob-24394200',
    active: 1,
    events: ['Warning/UnsupportedSchedule', 'Normal/SuccessfulCreate'],
    requeue: 59 * min + 100,
  },
  'never ran, not time in zone': {
    timeZone: 'America/New_York',
    now: justBeforeTheHour,
    active: 0,
    requeue: min + 100,
  },
  'never ran, is time in zone': {
    timeZone: 'America/New_York',
    now: justAfterTheHour,
    create: 'mycronjob-24394200',
    active: 1,
    events: ['Normal/SuccessfulCreate'],
    requeue: 59 * min + 100,
  },
  'never ran, is time, suspended': { suspend: true, now: justAfterTheHour, active: 0 },
  'never ran, is time, past deadline (deviation: MissSchedule)': {
    deadline: shortDead,
    now: at(12 * min),
    active: 0,
    events: ['Warning/MissSchedule'],
    requeue: 48 * min + 100,
  },
  'never ran, is time, not past deadline': {
    deadline: longDead,
    now: justAfterTheHour,
    create: 'mycronjob-24394200',
    active: 1,
    events: ['Normal/SuccessfulCreate'],
    requeue: 59 * min + 100,
  },
  'prev ran but done, is time, suspended': {
    suspend: true,
    ranPreviously: true,
    now: justAfterTheHour,
    active: 0,
    statusChanged: true,
  },
  'prev ran but done, is time, past deadline (deviation: MissSchedule)': {
    deadline: shortDead,
    ranPreviously: true,
    now: justAfterTheHour,
    active: 0,
    events: ['Warning/MissSchedule'],
    requeue: 59 * min + 100,
    statusChanged: true,
  },
  'prev ran but done, is time, create job failed (already exists), adopted, A': {
    ranPreviously: true,
    now: justAfterTheHour,
    failures: {
      create: {
        alreadyExists: (() => {
          const owner = cronJob({ now: justAfterTheHour, active: 0 });
          const j = jobFromTemplate(owner, 'mycronjob-24394200', new Date(topOfTheHour));
          j.metadata.uid = 'existing';
          return j;
        })(),
      },
    },
    active: 1,
    events: [],
    requeue: 59 * min + 100,
    statusChanged: true,
  },
  'still active, is time, A': {
    policy: A,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    create: 'mycronjob-24394200',
    active: 2,
    events: ['Normal/SuccessfulCreate'],
    requeue: 59 * min + 100,
  },
  'still active, is time, F': {
    policy: F,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    active: 1,
    events: ['Normal/JobAlreadyActive'],
    requeue: 59 * min + 100,
  },
  'still active, is time, R': {
    policy: R,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    create: 'mycronjob-24394200',
    active: 1,
    events: ['Normal/SuccessfulDelete', 'Normal/SuccessfulCreate'],
    requeue: 59 * min + 100,
  },
  'still active, is time, delete failed, R (the pure analogue of "get job failed")': {
    policy: R,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    failures: { delete: { 'mycronjob-24394141': 'etcd is down' } },
    active: 1,
    events: ['Warning/FailedDelete'],
    error: true,
  },
  'still active, is time, suspended': {
    suspend: true,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    active: 1,
    events: [],
  },
  'still active, is time, past deadline (deviation: MissSchedule)': {
    deadline: shortDead,
    ranPreviously: true,
    stillActive: true,
    now: justAfterTheHour,
    active: 1,
    events: ['Warning/MissSchedule'],
    requeue: 59 * min + 100,
  },
  'this ran but done, time drifted back, F': {
    policy: F,
    ranPreviously: true,
    jobCreationTime: justAfterTheHour,
    now: justBeforeTheHour,
    active: 0,
    events: [],
    requeue: min + 100,
  },
  'with @every schedule, never ran, not time': {
    schedule: every,
    cronjobCreationTime: justBeforeTheHour,
    now: topOfTheHour,
    active: 0,
    requeue: 59 * min + 100,
  },
  'with @every schedule, never ran, is time': {
    schedule: every,
    cronjobCreationTime: justBeforeThePriorHour,
    now: justBeforeTheHour,
    create: 'mycronjob-24394199',
    active: 1,
    events: ['Normal/SuccessfulCreate'],
    requeue: hour + 100,
  },
  'with @every schedule, never ran, is time, past deadline (deviation: MissSchedule)': {
    schedule: every,
    deadline: shortDead,
    cronjobCreationTime: justBeforeThePriorHour,
    now: at(-min + 11_000),
    active: 0,
    events: ['Warning/MissSchedule'],
    requeue: hour - 11_000 + 100,
  },
  'with @every schedule, never ran, is time, not past deadline': {
    schedule: every,
    deadline: longDead,
    cronjobCreationTime: justBeforeThePriorHour,
    now: at(-min + 9_000),
    create: 'mycronjob-24394199',
    active: 1,
    events: ['Normal/SuccessfulCreate'],
    requeue: hour - 9_000 + 100,
  },
  'with @every schedule, prev ran but done, not time': {
    schedule: every,
    ranPreviously: true,
    cronjobCreationTime: justBeforeThePriorHour,
    jobCreationTime: justBeforeThePriorHour,
    lastScheduleTime: justBeforeTheHour,
    now: topOfTheHour,
    active: 0,
    requeue: 59 * min + 100,
    statusChanged: true,
  },
  'with @every schedule, prev ran but done, is time': {
    schedule: every,
    ranPreviously: true,
    cronjobCreationTime: justBeforeThePriorHour,
    jobCreationTime: justBeforeThePriorHour,
    lastScheduleTime: justBeforeTheHour,
    now: at(hour),
    create: 'mycronjob-24394259',
    active: 1,
    events: ['Normal/SuccessfulCreate'],
    requeue: 59 * min + 100,
    statusChanged: true,
  },
  'with @every schedule, prev ran but done, is time, past deadline (deviation: MissSchedule)': {
    schedule: every,
    deadline: shortDead,
    ranPreviously: true,
    cronjobCreationTime: justBeforeThePriorHour,
    jobCreationTime: justBeforeThePriorHour,
    lastScheduleTime: justBeforeTheHour,
    now: at(59 * min + 11_000),
    active: 0,
    events: ['Warning/MissSchedule'],
    requeue: hour - 11_000 + 100,
    statusChanged: true,
  },
  'with @every schedule, still active, not time': {
    schedule: every,
    ranPreviously: true,
    stillActive: true,
    cronjobCreationTime: justBeforeThePriorHour,
    jobCreationTime: justBeforeTheHour,
    lastScheduleTime: justBeforeTheHour,
    now: topOfTheHour,
    active: 1,
    requeue: 59 * min + 100,
  },
  'with @every schedule, still active, is time': {
    schedule: every,
    ranPreviously: true,
    stillActive: true,
    cronjobCreationTime: justBeforeThePriorHour,
    jobCreationTime: justBeforeThePriorHour,
    lastScheduleTime: justBeforeThePriorHour,
    now: justAfterTheHour,
    create: 'mycronjob-24394199',
    active: 2,
    events: ['Normal/SuccessfulCreate'],
    requeue: 58 * min + 100,
  },
  'with @every schedule, still active, is time, past deadline (deviation: MissSchedule)': {
    schedule: every,
    deadline: shortDead,
    ranPreviously: true,
    stillActive: true,
    cronjobCreationTime: justBeforeThePriorHour,
    jobCreationTime: justBeforeTheHour,
    lastScheduleTime: justBeforeTheHour,
    now: new Date(Date.parse(justBeforeTheNextHour) + 11_000).toISOString(),
    active: 1,
    events: ['Warning/MissSchedule'],
    requeue: hour - 11_000 + 100,
  },
  'with @every schedule, still active, is time, not past deadline': {
    schedule: every,
    deadline: longDead,
    ranPreviously: true,
    stillActive: true,
    cronjobCreationTime: justBeforeThePriorHour,
    jobCreationTime: justBeforeTheHour,
    lastScheduleTime: justBeforeTheHour,
    now: new Date(Date.parse(justBeforeTheNextHour) + 9_000).toISOString(),
    create: 'mycronjob-24394259',
    active: 2,
    events: ['Normal/SuccessfulCreate'],
    requeue: hour - 9_000 + 100,
  },
  'with @every schedule, prev ran but done, long overdue, no deadline': {
    schedule: every,
    ranPreviously: true,
    cronjobCreationTime: justAfterThePriorHour,
    lastScheduleTime: justAfterTheHour,
    jobCreationTime: justAfterThePriorHour,
    now: weekAfterTheHour,
    create: 'mycronjob-24404221',
    active: 1,
    events: ['Warning/TooManyMissedTimes', 'Normal/SuccessfulCreate'],
    requeue: min + 100,
    statusChanged: true,
  },
  'with @every schedule, prev ran but done, long overdue, past deadline (deviation: MissSchedule)': {
    schedule: every,
    deadline: shortDead,
    ranPreviously: true,
    cronjobCreationTime: justAfterThePriorHour,
    lastScheduleTime: justAfterTheHour,
    jobCreationTime: justAfterThePriorHour,
    now: new Date(Date.parse(weekAfterTheHour) + min + 11_000).toISOString(),
    active: 0,
    events: ['Warning/MissSchedule'],
    requeue: hour - 11_000 + 100,
    statusChanged: true,
  },
};

for (const p of [A, F, R] as const) {
  rows[`never ran, not time, ${p}`] = {
    policy: p,
    now: justBeforeTheHour,
    active: 0,
    events: [],
    requeue: min + 100,
  };
  rows[`never ran, is time, ${p}`] = {
    policy: p,
    now: justAfterTheHour,
    create: 'mycronjob-24394200',
    active: 1,
    events: ['Normal/SuccessfulCreate'],
    requeue: 59 * min + 100,
  };
  rows[`prev ran but done, not time, ${p}`] = {
    policy: p,
    ranPreviously: true,
    now: justBeforeTheHour,
    active: 0,
    events: [],
    requeue: min + 100,
    statusChanged: true,
  };
  rows[`prev ran but done, is time, ${p}`] = {
    policy: p,
    ranPreviously: true,
    now: justAfterTheHour,
    create: 'mycronjob-24394200',
    active: 1,
    events: ['Normal/SuccessfulCreate'],
    requeue: 59 * min + 100,
  };
  rows[`still active, not time, ${p}`] = {
    policy: p,
    ranPreviously: true,
    stillActive: true,
    now: justBeforeTheHour,
    active: 1,
    events: [],
    requeue: min + 100,
  };
  for (const [label, deadline] of [
    ['not past deadline', longDead],
    ['no deadline', undefined],
  ] as const) {
    rows[`prev ran but done, long overdue, ${label}, ${p}`] = {
      policy: p,
      ranPreviously: true,
      now: weekAfterTheHour,
      ...(deadline !== undefined ? { deadline } : {}),
      create: 'mycronjob-24404280',
      active: 1,
      events: ['Warning/TooManyMissedTimes', 'Normal/SuccessfulCreate'],
      requeue: hour + 100,
    };
  }
  for (const [label, deadline] of [
    ['past medium deadline', mediumDead],
    ['past short deadline', shortDead],
  ] as const) {
    rows[`prev ran but done, long overdue, ${label}, ${p}`] = {
      policy: p,
      ranPreviously: true,
      now: weekAfterTheHour,
      deadline,
      create: 'mycronjob-24404280',
      active: 1,
      events: ['Normal/SuccessfulCreate'],
      requeue: hour + 100,
    };
  }
  rows[`this started but went missing, not past deadline, ${p}`] = {
    policy: p,
    deadline: longDead,
    ranPreviously: true,
    stillActive: true,
    jobCreationTime: at(100),
    now: at(min + 100),
    active: 1,
    events: [],
    requeue: hour - min - 100 + 100,
  };
  rows[`this started but is not present in cronjob active list, not past deadline, ${p}`] = {
    policy: p,
    deadline: longDead,
    ranPreviously: true,
    stillActive: true,
    jobCreationTime: at(100),
    now: at(min + 100),
    jobPresentInCJActiveStatus: false,
    active: 1,
    events: ['Warning/UnexpectedJob'],
    requeue: hour - min - 100 + 100,
  };
}

describe('§8.3 Kubernetes TestControllerV2SyncCronJob, absolute times', () => {
  for (const [name, r] of Object.entries(rows)) {
    it(name, () => {
      const res = syncCronJob(input(r));
      assert.equal(res.create?.metadata.name, r.create);
      assert.equal((res.status.active ?? []).length, r.active, 'active');
      if (r.events !== undefined) {
        assert.deepEqual(
          res.events.map((e) => `${e.type}/${e.reason}`),
          r.events,
        );
      } else {
        assert.ok(res.events.every((e) => e.type === 'Normal'));
      }
      assert.equal(res.requeueAfterMs, r.requeue, 'requeue');
      assert.equal(res.error !== undefined, r.error ?? false, 'error');
      if (r.statusChanged !== undefined) assert.equal(res.statusChanged, r.statusChanged, 'statusChanged');
      if (r.create !== undefined) {
        assert.equal(res.status.lastScheduleTime, res.scheduledTime?.toISOString().replace('.000Z', 'Z'));
        assert.equal(res.status.active?.at(-1)?.uid, 'new-uid');
      }
    });
  }

  it('the created job: template labels and annotations, not the CronJob own ones; owner; spec copy', () => {
    const res = syncCronJob(input(rows['never ran, is time, Allow'] as Row));
    const job = res.create as Job;
    assert.deepEqual(job.metadata.labels, { a: 'b', 'io.tjob.cronjob': 'mycronjob' });
    assert.deepEqual(job.metadata.annotations, {
      x: 'y',
      'batch.kubernetes.io/cronjob-scheduled-timestamp': '2016-05-19T10:00:00Z',
    });
    assert.deepEqual(job.metadata.ownerReferences, [
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        name: 'mycronjob',
        controller: true,
        blockOwnerDeletion: true,
        uid: '1a2b3c',
      },
    ]);
    assert.equal(job.metadata.namespace, 'snazzycats');
    assert.deepEqual(job.spec, cronJob({ now: '', active: 0 }).spec.jobTemplate.spec);
    assert.deepEqual(res.status.active, [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: 'mycronjob-24394200',
        namespace: 'snazzycats',
        uid: 'new-uid',
      },
    ]);
  });

  it('the exact event messages', () => {
    const msg = (r: Row): string[] => syncCronJob(input(r)).events.map((e) => e.message);
    assert.deepEqual(msg(rows['never ran, not valid schedule, A'] as Row), [
      'unparseable schedule: "obvious error schedule" : expected exactly 5 fields, found 3: [obvious error schedule]',
    ]);
    assert.deepEqual(msg(rows['never ran, not valid time zone, A'] as Row), [
      'invalid timeZone: "bad-time-zone": unknown time zone bad-time-zone',
    ]);
    assert.deepEqual(msg(rows['still active, is time, F'] as Row), [
      'Not starting job because prior execution is running and concurrency policy is Forbid',
    ]);
    assert.deepEqual(msg(rows['still active, is time, R'] as Row), [
      'Deleted job mycronjob-24394141',
      'Created job mycronjob-24394200',
    ]);
    assert.deepEqual(msg(rows['prev ran but done, long overdue, no deadline, Allow'] as Row), [
      'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      'Created job mycronjob-24404280',
    ]);
    assert.deepEqual(msg(rows['never ran, is time in zone, but TZ is also set in schedule'] as Row), [
      'CRON_TZ or TZ used in schedule "TZ=UTC 0 * * * ?" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details',
      'Created job mycronjob-24394200',
    ]);
    const replaceFailed = syncCronJob(
      input(rows['still active, is time, delete failed, R (the pure analogue of "get job failed")'] as Row),
    );
    assert.equal(replaceFailed.error, 'could not replace job snazzycats/mycronjob-24394141');
    assert.deepEqual(replaceFailed.events[0]?.message, 'Deleted job: etcd is down');
  });

  it('finished active job: SawCompletedJob names the condition, lastSuccessfulTime set', () => {
    const i = input({ ranPreviously: true, now: justBeforeTheHour, active: 0 });
    i.cronJob.status = {
      ...i.cronJob.status,
      active: [{ kind: 'Job', name: 'mycronjob-24394141', uid: '1234' }],
    };
    const res = syncCronJob(i);
    assert.deepEqual(res.events, [
      {
        type: 'Normal',
        reason: 'SawCompletedJob',
        message: 'Saw completed job: mycronjob-24394141, condition: Complete',
      },
    ]);
    assert.equal(res.status.lastSuccessfulTime, '2016-05-19T09:01:10.000Z');
  });

  it('an active entry whose job is gone: MissingJob, removed', () => {
    const i = input({
      ranPreviously: true,
      stillActive: true,
      jobStillNotFoundInLister: true,
      now: justBeforeTheHour,
      active: 0,
    });
    const res = syncCronJob(i);
    assert.deepEqual(res.events, [
      { type: 'Normal', reason: 'MissingJob', message: 'Active job went missing: mycronjob-24394141' },
    ]);
    assert.deepEqual(res.status.active, []);
  });

  it('a CronJob being deleted: status only', () => {
    const i = input({ now: justAfterTheHour, active: 0 });
    i.cronJob.metadata.deletionTimestamp = justAfterTheHour;
    const res = syncCronJob(i);
    assert.equal(res.create, undefined);
    assert.equal(res.requeueAfterMs, undefined);
  });
});

// ---- §3.10 function-level vectors ----

function cjFor(schedule: string, created: number, last?: number, sds?: number): CronJob {
  const c = cronJob({ schedule, now: '', active: 0, ...(sds !== undefined ? { deadline: sds } : {}) });
  c.metadata.creationTimestamp = new Date(created).toISOString();
  if (last !== undefined) c.status = { lastScheduleTime: new Date(last).toISOString() };
  return c;
}

function sched(expr: string) {
  const p = parseStoredSchedule(expr);
  assert.ok(p.ok);
  return p.schedule;
}

describe('§3.10 TestMostRecentScheduleTime', () => {
  const rows: [
    string,
    string,
    number,
    number | undefined,
    number | undefined,
    number,
    boolean,
    number,
    number | undefined,
    string,
    boolean?,
  ][] = [
    // name, schedule, created, last, sds, now, useDeadline, → earliest, recent, missed, error
    [
      'now before next schedule',
      '0 * * * *',
      T,
      undefined,
      undefined,
      T + 30_000,
      false,
      T,
      undefined,
      'none',
    ],
    [
      'now just after next schedule',
      '0 * * * *',
      T,
      undefined,
      undefined,
      T + 61 * min,
      false,
      T,
      T + hour,
      'none',
    ],
    [
      'missed 5 schedules',
      '0 * * * *',
      T + 10_000,
      undefined,
      undefined,
      T + 301 * min,
      false,
      T + 10_000,
      T + 300 * min,
      'few',
    ],
    [
      'complex schedule',
      '30 6-16/4 * * 1-5',
      T,
      T + 30 * min,
      undefined,
      T + 24 * hour + 31 * min,
      false,
      T + 30 * min,
      T + 24 * hour + 30 * min,
      'few',
    ],
    [
      'another complex schedule (exact: Fri 12:30, where Kubernetes finds none)',
      '30 10,11,12 * * 1-5',
      T,
      T + 30 * min,
      undefined,
      T + 30 * hour + 30 * min,
      false,
      T + 30 * min,
      T + 26 * hour + 30 * min,
      'few',
    ],
    [
      'complex schedule with longer diff between executions',
      '30 6-16/4 * * 1-5',
      T,
      T + 30 * min,
      undefined,
      T + 96 * hour + 31 * min,
      false,
      T + 30 * min,
      T + 96 * hour + 30 * min,
      'few',
    ],
    [
      'complex schedule with shorter diff between executions',
      '30 6-16/4 * * 1-5',
      T,
      undefined,
      undefined,
      T + 24 * hour + 31 * min,
      false,
      T,
      T + 24 * hour + 30 * min,
      'few',
    ],
    [
      '@every schedule',
      '@every 1h',
      T - 59 * min,
      T + min,
      10,
      T + 7 * 24 * hour,
      false,
      T + min,
      T + 6 * 24 * hour + 23 * hour + min,
      'many',
    ],
    [
      'rogue cronjob',
      '59 23 31 2 *',
      T + 10_000,
      undefined,
      undefined,
      T + hour,
      false,
      T + 10_000,
      undefined,
      'none',
      true,
    ],
    [
      'earliestTime being CreationTimestamp and LastScheduleTime',
      '0 * * * *',
      T,
      T,
      undefined,
      T + 30_000,
      false,
      T,
      undefined,
      'none',
    ],
    [
      'earliestTime being LastScheduleTime',
      '*/5 * * * *',
      T,
      T + 30 * min,
      undefined,
      T + 31 * min,
      false,
      T + 30 * min,
      undefined,
      'none',
    ],
    [
      'earliestTime being LastScheduleTime (within StartingDeadlineSeconds)',
      '*/5 * * * *',
      T,
      T + 30 * min,
      60,
      T + 31 * min,
      false,
      T + 30 * min,
      undefined,
      'none',
    ],
    [
      'earliestTime being LastScheduleTime (outside StartingDeadlineSeconds)',
      '*/5 * * * *',
      T,
      T + 30 * min,
      60,
      T + 32 * min,
      true,
      T + 31 * min,
      undefined,
      'none',
    ],
  ];
  for (const [name, expr, created, last, sds, now, useDeadline, earliest, recent, missed, error] of rows) {
    it(name, () => {
      const m = mostRecentScheduleTime(
        cjFor(expr, created, last, sds),
        new Date(now),
        sched(expr),
        'UTC',
        useDeadline,
      );
      assert.equal(m.earliest.getTime(), earliest);
      assert.equal(m.recent?.getTime(), recent);
      assert.equal(m.missed, missed);
      assert.equal(m.error !== undefined, error ?? false);
    });
  }
});

describe('§3.10 TestNextScheduleTimeDuration (100 ms pad included)', () => {
  const rows: [string, string, number, number | undefined, number, number][] = [
    [
      'complex schedule skipping weekend',
      '30 6-16/4 * * 1-5',
      T,
      T + 30 * min,
      T + 24 * hour + 31 * min,
      3 * hour + 59 * min + 100,
    ],
    [
      'another complex schedule skipping weekend',
      '30 10,11,12 * * 1-5',
      T,
      T + 30 * min,
      T + 30 * hour + 30 * min,
      66 * hour + 100,
    ],
    [
      'once a week cronjob, missed two runs',
      '0 12 * * 4',
      T,
      T + 2 * hour,
      T + 19 * 24 * hour + hour + 30 * min,
      48 * hour + 30 * min + 100,
    ],
    ['no previous run of a cronjob', '0 12 * * 5', T, undefined, T + 6 * hour, 20 * hour + 100],
  ];
  for (const [name, expr, created, last, now, delay] of rows) {
    it(name, () => {
      assert.equal(nextScheduleDelay(cjFor(expr, created, last), new Date(now), sched(expr), 'UTC'), delay);
    });
  }
});

describe('§3.10 TestNextScheduleTime (0 * * * ?, useDeadline)', () => {
  const T1 = T;
  const T2 = T + hour;
  const rows: [
    string,
    number,
    number | undefined,
    number | undefined,
    number,
    number | undefined,
    boolean?,
  ][] = [
    ['created T1−10m, now T1−7m', T1 - 10 * min, undefined, undefined, T1 - 7 * min, undefined],
    ['created T1−10m, now T1+2s', T1 - 10 * min, undefined, undefined, T1 + 2000, T1],
    ['last T1, now T1+2m', T1 - 10 * min, T1, undefined, T1 + 2 * min, undefined],
    ['last T1, now T2+5m', T1 - 10 * min, T1, undefined, T2 + 5 * min, T2],
    ['last T1−1h, now T2+5m', T1 - 10 * min, T1 - hour, undefined, T2 + 5 * min, T2],
    [
      'last T1−1h, now T2+10d: a slot (plus TooManyMissedTimes)',
      T1 - 10 * min,
      T1 - hour,
      undefined,
      T2 + 10 * 24 * hour,
      T2 + 10 * 24 * hour,
    ],
    ['same with SDS 7200', T1 - 10 * min, T1 - hour, 7200, T2 + 10 * 24 * hour, T2 + 10 * 24 * hour],
  ];
  for (const [name, created, last, sds, now, want] of rows) {
    it(name, () => {
      const m = mostRecentScheduleTime(
        cjFor('0 * * * ?', created, last, sds),
        new Date(now),
        sched('0 * * * ?'),
        'UTC',
        true,
      );
      assert.equal(m.recent?.getTime(), want);
    });
  }
  it('rogue schedule: no slot and an error', () => {
    const m = mostRecentScheduleTime(
      cjFor('59 23 31 2 *', T1 + 10_000),
      new Date(T + hour),
      sched('59 23 31 2 *'),
      'UTC',
      true,
    );
    assert.equal(m.recent, undefined);
    assert.equal(m.error, 'time difference between two schedules is less than 1 second');
  });
});
