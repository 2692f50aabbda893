// robfig Next() vectors (docs/cronjob.md §9.1, §9.2, §2.2), with cron-parser as an oracle for the
// vectors where it agrees with robfig (UTC, no DST, no robfig/cron-parser differences).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronExpressionParser } from 'cron-parser';
import { parseSchedule, type Schedule } from '../../../src/schedule/index.js';

function sched(expr: string): Schedule {
  const r = parseSchedule(expr);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.schedule;
}

function iso(d: Date | undefined): string | undefined {
  return d?.toISOString();
}

/** The first `n` activations after `from`, as ISO UTC strings. */
function seq(expr: string, zone: string, from: string, n: number): (string | undefined)[] {
  const s = sched(expr);
  const out: (string | undefined)[] = [];
  let t: Date | undefined = new Date(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = s.next(t, zone);
    out.push(iso(t));
  }
  return out;
}

const utc = (s: string): string => new Date(s).toISOString();

describe('robfig TestNext vectors (§9.1)', () => {
  const NY = 'America/New_York';
  const rows: [string, string, string, string | undefined][] = [
    ['30 2 11 Mar ?', NY, '2012-03-11T00:00:00-05:00', '2013-03-11T02:30:00-04:00'],
    ['0 * * * ?', NY, '2012-03-11T00:00:00-05:00', '2012-03-11T01:00:00-05:00'],
    ['0 * * * ?', NY, '2012-03-11T01:00:00-05:00', '2012-03-11T03:00:00-04:00'],
    ['0 1 * * ?', NY, '2012-03-11T01:00:00-05:00', '2012-03-12T01:00:00-04:00'],
    ['0 2 * * ?', NY, '2012-03-11T00:00:00-05:00', '2012-03-12T02:00:00-04:00'],
    ['30 2 04 Nov ?', NY, '2012-11-04T00:00:00-04:00', '2012-11-04T02:30:00-05:00'],
    ['30 1 04 Nov ?', NY, '2012-11-04T01:45:00-04:00', '2012-11-04T01:30:00-05:00'],
    ['0 * * * ?', NY, '2012-11-04T01:00:00-04:00', '2012-11-04T01:00:00-05:00'],
    ['0 1 * * ?', NY, '2012-11-04T00:00:00-04:00', '2012-11-04T01:00:00-04:00'],
    ['0 1 * * ?', NY, '2012-11-04T01:00:00-04:00', '2012-11-04T01:00:00-05:00'],
    ['0 1 * * ?', NY, '2012-11-04T01:00:00-05:00', '2012-11-05T01:00:00-05:00'],
    ['0 2 * * ?', NY, '2012-11-04T00:00:00-04:00', '2012-11-04T02:00:00-05:00'],
    ['0 3 * * ?', NY, '2012-11-04T00:00:00-04:00', '2012-11-04T03:00:00-05:00'],
    ['0 3 3 * ?', NY, '2012-11-04T00:00:00-04:00', '2012-12-03T03:00:00-05:00'],
    ['0 9 10 * ?', 'America/Sao_Paulo', '2018-10-17T05:00:00-04:00', '2018-11-10T09:00:00-02:00'],
    ['0 9 22 * ?', 'America/Sao_Paulo', '2018-02-14T05:00:00-05:00', '2018-02-22T09:00:00-03:00'],
    ['0 0 30 Feb ?', 'UTC', '2012-07-09T23:35:00Z', undefined],
    ['0 0 31 Apr ?', 'UTC', '2012-07-09T23:35:00Z', undefined],
    ['20-35/15 * * * *', 'UTC', '2012-07-09T15:45:00Z', '2012-07-09T16:20:00Z'],
    ['0 0 * Feb Mon/2', 'UTC', '2012-07-09T23:35:00Z', '2013-02-01T00:00:00Z'],
    ['0 0 29 Feb ?', 'UTC', '2012-07-09T23:35:00Z', '2016-02-29T00:00:00Z'],
    ['0 0 */5 Apr,Aug,Oct Mon', 'UTC', '2012-07-09T23:35:00Z', '2012-08-01T00:00:00Z'],
    ['0 0 */5 Oct Mon', 'UTC', '2012-07-09T23:35:00Z', '2012-10-01T00:00:00Z'],
    ['0 0 * Feb Mon', 'UTC', '2012-07-09T23:35:00Z', '2013-02-04T00:00:00Z'],
  ];
  for (const [expr, zone, from, want] of rows) {
    it(`${expr} (${zone}) after ${from} → ${want ?? 'no time'}`, () => {
      assert.equal(iso(sched(expr).next(new Date(from), zone)), want === undefined ? undefined : utc(want));
    });
  }
});

describe('2024 transitions and day rules (§9.2)', () => {
  const NY = 'America/New_York';
  const rows: [string, string, string, string[]][] = [
    ['30 2 * * *', NY, '2024-03-09T12:00:00Z', ['2024-03-11T06:30:00Z', '2024-03-12T06:30:00Z']],
    ['0 2 * * *', NY, '2024-03-09T12:00:00Z', ['2024-03-11T02:00:00-04:00']],
    [
      '30 1 * * *',
      NY,
      '2024-11-02T12:00:00Z',
      ['2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z', '2024-11-04T01:30:00-05:00'],
    ],
    [
      '0 * * * *',
      NY,
      '2024-03-10T05:30:00Z',
      ['2024-03-10T06:00:00Z', '2024-03-10T07:00:00Z', '2024-03-10T04:00:00-04:00'],
    ],
    [
      '0 * * * *',
      NY,
      '2024-11-03T04:30:00Z',
      [
        '2024-11-03T01:00:00-04:00',
        '2024-11-03T01:00:00-05:00',
        '2024-11-03T02:00:00-05:00',
        '2024-11-03T03:00:00-05:00',
      ],
    ],
    [
      '*/30 * * * *',
      NY,
      '2024-11-03T05:10:00Z',
      [
        '2024-11-03T01:30:00-04:00',
        '2024-11-03T01:00:00-05:00',
        '2024-11-03T01:30:00-05:00',
        '2024-11-03T02:00:00-05:00',
        '2024-11-03T02:30:00-05:00',
      ],
    ],
    [
      '0 9 * * *',
      NY,
      '2024-03-09T15:00:00Z',
      ['2024-03-10T13:00:00Z', '2024-03-11T13:00:00Z', '2024-03-12T13:00:00Z'],
    ],
    ['0 2 * * *', 'Europe/Berlin', '2024-03-30T12:00:00Z', ['2024-04-01T02:00:00+02:00']],
    [
      '0 2 * * *',
      'Europe/Berlin',
      '2024-10-26T12:00:00Z',
      ['2024-10-27T00:00:00Z', '2024-10-27T01:00:00Z', '2024-10-28T02:00:00+01:00'],
    ],
    [
      '30 2 * * *',
      'Europe/Berlin',
      '2024-10-26T12:00:00Z',
      ['2024-10-27T00:30:00Z', '2024-10-27T01:30:00Z', '2024-10-28T01:30:00Z'],
    ],
    [
      '0 0 * * *',
      'America/Santiago',
      '2024-09-06T12:00:00Z',
      ['2024-09-07T00:00:00-04:00', '2024-09-09T00:00:00-03:00'],
    ],
    ['30 0 * * *', 'America/Santiago', '2024-09-07T12:00:00Z', ['2024-09-09T00:30:00-03:00']],
    ['0 0 * * *', 'America/Sao_Paulo', '2018-11-03T12:00:00Z', ['2018-11-05T00:00:00-02:00']],
    ['0 0 * * MON-FRI', 'UTC', '2024-01-05T12:00:00Z', ['2024-01-08T00:00:00Z', '2024-01-09T00:00:00Z']],
    [
      '0 0 1 * MON',
      'UTC',
      '2024-01-01T00:00:00Z',
      [
        '2024-01-08T00:00:00Z',
        '2024-01-15T00:00:00Z',
        '2024-01-22T00:00:00Z',
        '2024-01-29T00:00:00Z',
        '2024-02-01T00:00:00Z',
      ],
    ],
    [
      '0 0 13 * FRI',
      'UTC',
      '2024-09-01T00:00:00Z',
      ['2024-09-06T00:00:00Z', '2024-09-13T00:00:00Z', '2024-09-20T00:00:00Z', '2024-09-27T00:00:00Z'],
    ],
    [
      '0 0 */2 * 1',
      'UTC',
      '2024-01-01T00:00:00Z',
      [
        '2024-01-03T00:00:00Z',
        '2024-01-05T00:00:00Z',
        '2024-01-07T00:00:00Z',
        '2024-01-08T00:00:00Z',
        '2024-01-09T00:00:00Z',
      ],
    ],
    ['0 0 */1 * 1', 'UTC', '2024-01-01T00:00:00Z', ['2024-01-08T00:00:00Z', '2024-01-15T00:00:00Z']],
    ['0 0 ? * 1', 'UTC', '2024-01-01T00:00:00Z', ['2024-01-08T00:00:00Z', '2024-01-15T00:00:00Z']],
    ['0 0 1-31 * 1', 'UTC', '2024-01-01T00:00:00Z', ['2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z']],
    ['0 0 30 2 1', 'UTC', '2024-01-01T00:00:00Z', ['2024-02-05T00:00:00Z', '2024-02-12T00:00:00Z']],
    [
      '0 0 * * 1/2',
      'UTC',
      '2024-01-01T00:00:00Z',
      ['2024-01-03T00:00:00Z', '2024-01-05T00:00:00Z', '2024-01-08T00:00:00Z', '2024-01-10T00:00:00Z'],
    ],
    [
      '0 0 31 * *',
      'UTC',
      '2024-01-31T00:00:00Z',
      ['2024-03-31T00:00:00Z', '2024-05-31T00:00:00Z', '2024-07-31T00:00:00Z'],
    ],
    ['0 0 29 2 *', 'UTC', '2024-03-01T00:00:00Z', ['2028-02-29T00:00:00Z']],
    ['@weekly', 'UTC', '2024-01-03T00:00:00Z', ['2024-01-07T00:00:00Z']],
    ['@monthly', 'UTC', '2024-01-15T00:00:00Z', ['2024-02-01T00:00:00Z']],
    ['@yearly', 'UTC', '2024-06-01T00:00:00Z', ['2025-01-01T00:00:00Z']],
    ['@annually', 'UTC', '2024-06-01T00:00:00Z', ['2025-01-01T00:00:00Z']],
    ['@daily', 'UTC', '2024-06-01T00:00:00Z', ['2024-06-02T00:00:00Z']],
    ['@midnight', 'UTC', '2024-06-01T00:00:00Z', ['2024-06-02T00:00:00Z']],
    ['@hourly', 'UTC', '2024-06-01T00:00:00Z', ['2024-06-01T01:00:00Z']],
    [
      '@every 1h30m',
      'America/New_York',
      '2024-01-01T10:17:42.900Z',
      ['2024-01-01T11:47:42Z', '2024-01-01T13:17:42Z'],
    ],
    [
      '5/15 * * * *',
      'UTC',
      '2024-01-01T10:00:00Z',
      ['2024-01-01T10:05:00Z', '2024-01-01T10:20:00Z', '2024-01-01T10:35:00Z', '2024-01-01T10:50:00Z'],
    ],
    ['*/5 * * * *', 'UTC', '2024-01-01T10:02:30.500Z', ['2024-01-01T10:05:00Z', '2024-01-01T10:10:00Z']],
    ['*/5 * * * *', 'UTC', '2024-01-01T10:05:00.000Z', ['2024-01-01T10:10:00Z']],
    ['* * * * *', 'UTC', '2024-01-01T10:00:59.999Z', ['2024-01-01T10:01:00Z']],
    ['0 0 * * *', 'Asia/Kolkata', '2024-01-01T00:00:00Z', ['2024-01-01T18:30:00Z']],
    ['0 12 * * *', 'Australia/Lord_Howe', '2024-04-06T12:00:00Z', ['2024-04-07T12:00:00+10:30']],
  ];
  for (const [expr, zone, from, want] of rows) {
    it(`${expr} (${zone}) after ${from}`, () => {
      assert.deepEqual(seq(expr, zone, from, want.length), want.map(utc));
    });
  }
  it('a schedule that never fires has no next time (5-year horizon)', () => {
    assert.equal(sched('59 23 31 2 *').next(new Date('2016-05-19T10:00:10Z'), 'UTC'), undefined);
  });
  it('an impossible schedule still has no next time in a DST zone', () => {
    assert.equal(sched('0 0 30 2 *').next(new Date('2024-01-01T00:00:00Z'), 'Europe/Berlin'), undefined);
  });
});

describe('previous(): the latest slot at or before a time', () => {
  const rows: [string, string, string, string | undefined][] = [
    ['*/5 * * * *', 'UTC', '2024-01-01T10:07:00Z', '2024-01-01T10:05:00Z'],
    ['*/5 * * * *', 'UTC', '2024-01-01T10:05:00Z', '2024-01-01T10:05:00Z'],
    ['30 10,11,12 * * 1-5', 'UTC', '2016-05-20T16:30:00Z', '2016-05-20T12:30:00Z'],
    ['30 1 * * *', 'America/New_York', '2024-11-03T07:00:00Z', '2024-11-03T06:30:00Z'],
    ['30 2 * * *', 'America/New_York', '2024-03-10T12:00:00Z', '2024-03-09T07:30:00Z'],
    ['0 0 30 2 *', 'UTC', '2024-01-01T00:00:00Z', undefined],
  ];
  for (const [expr, zone, at, want] of rows) {
    it(`${expr} (${zone}) at or before ${at}`, () => {
      assert.equal(iso(sched(expr).previous(new Date(at), zone)), want === undefined ? undefined : utc(want));
    });
  }
});

describe('cron-parser agrees where robfig and it share semantics (UTC, no DST)', () => {
  // A small deterministic generator of expressions inside the common ground: no `*/1`, no
  // day-of-week steps, no duplicates, restricted day-of-month ≤ 28.
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = <T>(xs: T[]): T => xs[rand(xs.length)] as T;
  const exprs: string[] = [];
  for (let i = 0; i < 60; i++) {
    const minute = pick(['*', '0', '*/5', '15,45', '10-20', '5/15', `${rand(60)}`]);
    const hour = pick(['*', '0', '*/3', '9-17', '6,18', `${rand(24)}`]);
    const dom = pick(['*', '*', '1', '*/2', '10-15', `${1 + rand(28)}`]);
    const month = pick(['*', '*', '1-6', 'jan,jul', `${1 + rand(12)}`, '*/4']);
    const dow = pick(['*', '*', 'MON-FRI', '0', '1,3,5', `${rand(7)}`]);
    exprs.push(`${minute} ${hour} ${dom} ${month} ${dow}`);
  }
  for (const expr of exprs) {
    it(expr, () => {
      const from = new Date(Date.UTC(2024, rand(12), 1 + rand(28), rand(24), rand(60), rand(60)));
      const ours = seq(expr, 'UTC', from.toISOString(), 5);
      const cp = CronExpressionParser.parse(expr, { currentDate: from, tz: 'UTC' });
      const theirs = [0, 1, 2, 3, 4].map(() => cp.next().toDate().toISOString());
      assert.deepEqual(ours, theirs);
    });
  }
});
