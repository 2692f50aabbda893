// The § numbers in the test names are sections of docs/job.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  newBackoffRecord,
  remainingBackoffMs,
  remainingForFailuresMs,
} from '../../../../src/controller/job/backoff.js';
import { T0, at, pod } from './builders.js';

const opts = { backoffBaseMs: 10_000, backoffCapMs: 600_000 };

describe('remainingForFailuresMs (§3.4 table)', () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [6, 320_000],
    [7, 600_000],
    [9, 600_000],
  ];
  for (const [n, want] of cases) {
    it(`${n} failures → ${want} ms right after the failure`, () => {
      assert.equal(remainingForFailuresMs(n, T0, T0, opts), want);
    });
  }
  it('counts down from the last failure', () => {
    assert.equal(remainingForFailuresMs(2, T0, at(15), opts), 5_000);
    assert.equal(remainingForFailuresMs(2, T0, at(20), opts), 0);
    assert.equal(remainingForFailuresMs(2, T0, at(25), opts), 0);
  });
  it('a small base and cap (--backoff)', () => {
    assert.equal(remainingForFailuresMs(5, T0, T0, { backoffBaseMs: 100, backoffCapMs: 1000 }), 1000);
    assert.equal(remainingForFailuresMs(3, T0, T0, { backoffBaseMs: 100, backoffCapMs: 1000 }), 400);
  });
  it('record form', () => {
    assert.equal(
      remainingBackoffMs({ failuresAfterLastSuccess: 1, lastFailureTime: at(5).toISOString() }, at(8), opts),
      7_000,
    );
    assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: 0 }, at(8), opts), 0);
  });
});

describe('newBackoffRecord (§3.4 update rule)', () => {
  const f = (name: string, s: number) => pod(name).failed(s).build();
  const ok = (name: string, s: number) => pod(name).succeeded(s).build();
  it('no new pods: unchanged', () => {
    const old = { failuresAfterLastSuccess: 2, lastFailureTime: at(3).toISOString() };
    assert.deepEqual(newBackoffRecord(old, [], [], at(9)), old);
  });
  it('failures add up; last failure time is the latest', () => {
    const got = newBackoffRecord(
      { failuresAfterLastSuccess: 1, lastFailureTime: at(0).toISOString() },
      [],
      [f('b', 7), f('a', 5)],
      at(9),
    );
    assert.deepEqual(got, { failuresAfterLastSuccess: 3, lastFailureTime: at(7).toISOString() });
  });
  it('a success resets', () => {
    assert.deepEqual(
      newBackoffRecord(
        { failuresAfterLastSuccess: 4, lastFailureTime: at(0).toISOString() },
        [ok('s', 5)],
        [],
        at(9),
      ),
      {
        failuresAfterLastSuccess: 0,
      },
    );
  });
  it('a success keeps only the failures after it', () => {
    const got = newBackoffRecord(
      { failuresAfterLastSuccess: 4 },
      [ok('s', 5)],
      [f('a', 3), f('b', 6), f('c', 8)],
      at(9),
    );
    assert.deepEqual(got, { failuresAfterLastSuccess: 2, lastFailureTime: at(8).toISOString() });
  });
  it('a terminating pod without finish time counts from its deletion request', () => {
    const got = newBackoffRecord(
      { failuresAfterLastSuccess: 0 },
      [],
      [pod('t').terminating(4).build()],
      at(9),
    );
    assert.deepEqual(got, { failuresAfterLastSuccess: 1, lastFailureTime: at(4).toISOString() });
  });
});
