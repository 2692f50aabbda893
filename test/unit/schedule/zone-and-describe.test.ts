// Time-zone names (docs/cronjob.md §1.3), describeSchedule, and nextRuns' daylight-saving notes
// (deviation 6 in docs/deviations.md, `tjob cron next`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeSchedule,
  isValidTimeZone,
  localTimeZone,
  nextRuns,
  parseSchedule,
  type Schedule,
} from '../../../src/schedule/index.js';
import { offsetAt } from '../../../src/schedule/zone.js';

function sched(expr: string): Schedule {
  const r = parseSchedule(expr);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.schedule;
}

describe('isValidTimeZone: Go LoadLocation, case-sensitive, plus the API server rules', () => {
  for (const z of [
    'UTC',
    'America/New_York',
    'US/Eastern',
    'EST5EDT',
    'Etc/GMT+5',
    'Europe/Berlin',
    'Asia/Calcutta',
  ]) {
    it(`accepts ${z}`, () => assert.equal(isValidTimeZone(z), true));
  }
  for (const z of [
    'america/new_york',
    'utc',
    'us/eastern',
    'Local',
    'local',
    '',
    'Foo/Bar',
    '../etc',
    '-UTC',
    'America/Very_Long_Name_Here',
  ]) {
    it(`rejects ${JSON.stringify(z)}`, () => assert.equal(isValidTimeZone(z), false));
  }
  it('localTimeZone is a zone Intl knows', () => {
    assert.ok(offsetAt(0, localTimeZone()) !== undefined);
  });
  it('offsets', () => {
    assert.equal(offsetAt(Date.parse('2024-07-01T00:00:00Z'), 'America/New_York'), -4 * 3_600_000);
    assert.equal(offsetAt(Date.parse('2024-01-01T00:00:00Z'), 'Asia/Kolkata'), 5.5 * 3_600_000);
  });
});

describe('describeSchedule', () => {
  const rows: [string, string][] = [
    ['* * * * *', 'every minute'],
    ['*/5 * * * *', 'every 5 minutes'],
    ['0 * * * *', 'every hour'],
    ['@hourly', 'every hour'],
    ['15,45 * * * *', 'every hour at minutes 15 and 45'],
    ['0 */6 * * *', 'every 6 hours at minute 0'],
    ['30 2 * * *', 'at 02:30 every day'],
    ['@daily', 'at 00:00 every day'],
    ['30 2 * * 1', 'at 02:30 on Monday'],
    ['0 9 * * MON-FRI', 'at 09:00 on Monday through Friday'],
    ['0 0 13 * FRI', 'at 00:00 on day 13 of the month or on Friday'],
    ['0 0 1 1 *', 'at 00:00 on day 1 of the month in January'],
    ['0 0 * * */1', 'at 00:00 every day'],
    ['@every 1h30m', 'every 1h30m0s (from the last run, or from creation)'],
    ['0 0 * * 7', 'invalid schedule: end of range (7) above maximum (6): 7'],
  ];
  for (const [expr, want] of rows) {
    it(`${expr} → ${want}`, () => assert.equal(describeSchedule(expr), want));
  }
});

describe('nextRuns flags daylight-saving changes (§2.3, §9.2)', () => {
  it('America/New_York 2024-03-10: 02:30 does not exist, so no run that day', () => {
    const runs = nextRuns(sched('30 2 * * *'), new Date('2024-03-08T12:00:00Z'), 'America/New_York', 3);
    assert.deepEqual(
      runs.map((r) => r.time.toISOString()),
      ['2024-03-09T07:30:00.000Z', '2024-03-11T06:30:00.000Z', '2024-03-12T06:30:00.000Z'],
    );
    assert.equal(runs[0]?.note, undefined);
    assert.match(
      runs[1]?.note ?? '',
      /2024-03-10 02:30 does not exist in America\/New_York \(clocks jump from 02:00 to 03:00\)/,
    );
    assert.match(runs[1]?.note ?? '', /Kubernetes does not run/);
    assert.equal(runs[2]?.note, undefined);
  });
  it('America/New_York 2024-11-03: 01:30 occurs twice, and runs twice', () => {
    const runs = nextRuns(sched('30 1 * * *'), new Date('2024-11-02T12:00:00Z'), 'America/New_York', 3);
    assert.deepEqual(
      runs.map((r) => r.time.toISOString()),
      ['2024-11-03T05:30:00.000Z', '2024-11-03T06:30:00.000Z', '2024-11-04T06:30:00.000Z'],
    );
    assert.match(
      runs[0]?.note ?? '',
      /2024-11-03 01:30 occurs twice .*Kubernetes runs at both; this is the first/,
    );
    assert.match(runs[1]?.note ?? '', /2024-11-03 01:30 occurs twice .*this is the second/);
    assert.equal(runs[2]?.note, undefined);
  });
  it('a schedule whose times are never in the gap gets no note', () => {
    const runs = nextRuns(sched('0 9 * * *'), new Date('2024-03-09T15:00:00Z'), 'America/New_York', 3);
    assert.ok(runs.every((r) => r.note === undefined));
  });
  it('@every ignores the zone and has no notes', () => {
    const runs = nextRuns(sched('@every 1h'), new Date('2024-03-10T06:30:00Z'), 'America/New_York', 2);
    assert.deepEqual(
      runs.map((r) => [r.time.toISOString(), r.note]),
      [
        ['2024-03-10T07:30:00.000Z', undefined],
        ['2024-03-10T08:30:00.000Z', undefined],
      ],
    );
  });
  it('stops at a schedule that never fires', () => {
    assert.deepEqual(nextRuns(sched('0 0 30 2 *'), new Date('2024-01-01T00:00:00Z'), 'UTC', 3), []);
  });
});
