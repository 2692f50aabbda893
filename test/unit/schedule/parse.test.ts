// docs/cronjob.md §9.3 acceptance vectors, robfig's error texts, the API server's TZ rule, and the
// quirks tjob rejects (deviation 5, docs/deviations.md). Bare § numbers are docs/cronjob.md's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, parseStoredSchedule } from '../../../src/schedule/index.js';
import { parseGoDuration, formatGoDuration } from '../../../src/schedule/go-duration.js';

describe('parseSchedule accepts what Kubernetes accepts (§9.3)', () => {
  const accepted = [
    '* * * * *',
    '0 * * * ?',
    '? ? ? ? ?',
    '0 0 * * MON-FRI',
    '0 0 1 JAN,jul *',
    '0 0 * * sun',
    '0 0 * * Sun-Sat',
    '5/15 * * * *',
    '0-59/60 * * * *',
    '05 * * * *',
    '  0   0 * * *  ',
    '0\t0 * * *',
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@every 1h30m',
    '@every 90s',
    '@every 0s',
    '@every -1h',
    '0 0 31 2 *',
    '59 23 31 2 *',
    '0 0 30 2 1',
    '1,1 * * * *',
    '0-10,5 * * * *',
    '*,5 * * * *',
  ];
  for (const expr of accepted) {
    it(JSON.stringify(expr), () => {
      const r = parseSchedule(expr);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.schedule.source, expr);
    });
  }
});

describe('parseSchedule rejects what Kubernetes rejects, with robfig/API-server messages (§9.3, §1.3)', () => {
  const rejected: [string, string][] = [
    ['0 0 * * 7', 'end of range (7) above maximum (6): 7'],
    ['0 0 * * 0-7', 'end of range (7) above maximum (6): 0-7'],
    ['0 0 L * *', 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
    ['0 0 15W * *', 'failed to parse int from 15W: strconv.Atoi: parsing "15W": invalid syntax'],
    ['0 0 * * 1#2', 'failed to parse int from 1#2: strconv.Atoi: parsing "1#2": invalid syntax'],
    ['0 0 * * 5L', 'failed to parse int from 5L: strconv.Atoi: parsing "5L": invalid syntax'],
    ['0 0 0 * * *', 'expected exactly 5 fields, found 6: [0 0 0 * * *]'],
    ['0 0 * *', 'expected exactly 5 fields, found 4: [0 0 * *]'],
    ['@reboot', 'unrecognized descriptor: @reboot'],
    ['@minutely', 'unrecognized descriptor: @minutely'],
    ['@weekdays', 'unrecognized descriptor: @weekdays'],
    ['@DAILY', 'unrecognized descriptor: @DAILY'],
    ['@daily ', 'unrecognized descriptor: @daily '],
    [' @daily', 'expected exactly 5 fields, found 1: [@daily]'],
    ['10-5 * * * *', 'beginning of range (10) beyond end of range (5): 10-5'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['0 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['0 0 32 * *', 'end of range (32) above maximum (31): 32'],
    ['0 0 * 13 *', 'end of range (13) above maximum (12): 13'],
    ['0 0 * 0 *', 'beginning of range (0) below minimum (1): 0'],
    ['H * * * *', 'failed to parse int from H: strconv.Atoi: parsing "H": invalid syntax'],
    ['* * * * MONDAY', 'failed to parse int from MONDAY: strconv.Atoi: parsing "MONDAY": invalid syntax'],
    ['-1 * * * *', 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['1/2/3 * * * *', 'too many slashes: 1/2/3'],
    ['5-* * * * *', 'failed to parse int from *: strconv.Atoi: parsing "*": invalid syntax'],
    ['MON * * * *', 'failed to parse int from MON: strconv.Atoi: parsing "MON": invalid syntax'],
    ['0 0 * * SAT-SUN', 'beginning of range (6) beyond end of range (0): SAT-SUN'],
    ['0 0 * JAN *x', 'failed to parse int from *x: strconv.Atoi: parsing "*x": invalid syntax'],
    ['', 'empty spec string'],
    ['@every 1d', 'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"'],
    ['@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"'],
    ['@every ', 'failed to parse duration @every : time: invalid duration ""'],
    ['@every', 'unrecognized descriptor: @every'],
    ['TZ=UTC 0 * * * *', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    ['CRON_TZ=Europe/Berlin 0 * * * *', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
  ];
  for (const [expr, message] of rejected) {
    it(JSON.stringify(expr), () => {
      const r = parseSchedule(expr);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error, message);
    });
  }
});

describe('robfig quirks tjob rejects with a clear message (cli.md deviation 5)', () => {
  const quirks: [string, RegExp][] = [
    [
      '1,,2 * * * *',
      /empty item in the minute list: 1,,2 \(Kubernetes would read it as "1,2"; tjob rejects it\)/,
    ],
    [
      ', * * * *',
      /empty item in the minute list: , \(Kubernetes would accept it and never run; tjob rejects it\)/,
    ],
    ['0 0 * * 1,', /empty item in the day-of-week list: 1,/],
    ['+5 * * * *', /explicit "\+" sign not allowed: \+5 \(Kubernetes would read it as 5/],
    ['*/+5 * * * *', /explicit "\+" sign not allowed: \*\/\+5/],
    ['*-5 * * * *', /"\*" cannot start a range: \*-5 \(Kubernetes would read it as "\*"; tjob rejects it\)/],
    ['0 ?-3 * * *', /"\?" cannot start a range: \?-3/],
  ];
  for (const [expr, message] of quirks) {
    it(JSON.stringify(expr), () => {
      const r = parseSchedule(expr);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, message);
    });
  }
});

describe('the controller reads legacy TZ= schedules (§3.4 step 3)', () => {
  it('TZ=UTC prefix parses with its location', () => {
    const r = parseStoredSchedule('TZ=UTC 0 * * * ?');
    assert.ok(r.ok);
    assert.equal(r.schedule.location, 'UTC');
  });
  it('CRON_TZ with a zone', () => {
    const r = parseStoredSchedule('CRON_TZ=America/New_York 30 1 * * *');
    assert.ok(r.ok);
    assert.equal(r.schedule.location, 'America/New_York');
    assert.equal(
      r.schedule.next(new Date('2024-11-02T12:00:00Z'), 'Europe/Berlin')?.toISOString(),
      '2024-11-03T05:30:00.000Z',
    );
  });
  it('a bad location is an error', () => {
    const r = parseStoredSchedule('TZ=Mars/Olympus 0 * * * *');
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, /^provided bad location Mars\/Olympus: unknown time zone Mars\/Olympus/);
  });
});

describe('@every intervals (§2.4)', () => {
  const cases: [string, number][] = [
    ['@every 1h30m', 5_400_000],
    ['@every 90s', 90_000],
    ['@every 1.5h', 5_400_000],
    ['@every 0s', 1000],
    ['@every -1h', 1000],
    ['@every 1500ms', 1000],
    ['@every 2.9s', 2000],
    ['@every 1m0.5s', 60_000],
  ];
  for (const [expr, ms] of cases) {
    it(`${expr} → ${ms} ms`, () => {
      const r = parseSchedule(expr);
      assert.ok(r.ok);
      assert.equal(r.schedule.every, ms);
    });
  }
  it('Go duration syntax and errors', () => {
    assert.deepEqual(parseGoDuration('1h30m'), { ok: true, ns: 5_400_000_000_000n });
    assert.deepEqual(parseGoDuration('0'), { ok: true, ns: 0n });
    assert.deepEqual(parseGoDuration('-1.5h'), { ok: true, ns: -5_400_000_000_000n });
    assert.deepEqual(parseGoDuration('1µs'), { ok: true, ns: 1000n });
    assert.deepEqual(parseGoDuration('.s'), { ok: false, error: 'time: invalid duration ".s"' });
    assert.deepEqual(parseGoDuration('1h 30m'), {
      ok: false,
      error: 'time: unknown unit "h " in duration "1h 30m"',
    });
    assert.deepEqual(parseGoDuration('9999999999h'), {
      ok: false,
      error: 'time: invalid duration "9999999999h"',
    });
    assert.equal(formatGoDuration(5_400_000_000_000n), '1h30m0s');
    assert.equal(formatGoDuration(90_000_000_000n), '1m30s');
    assert.equal(formatGoDuration(1_500_000_000n), '1.5s');
  });
});
