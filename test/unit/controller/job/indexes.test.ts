// The § numbers in the test names are sections of docs/job.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  firstPendingIndexes,
  formatIndexes,
  isValidIndex,
  parseIndexes,
} from '../../../../src/controller/job/indexes.js';

describe('formatIndexes (§5.3)', () => {
  const cases: [number[], string][] = [
    [[], ''],
    [[0], '0'],
    [[0, 1], '0,1'],
    [[0, 1, 2], '0-2'],
    [[0, 1, 2, 3], '0-3'],
    [[1, 3, 4, 5, 7], '1,3-5,7'],
    [[2, 4, 5, 7, 8, 9], '2,4,5,7-9'],
    [[0, 2, 4, 5, 6, 10, 11], '0,2,4-6,10,11'],
  ];
  for (const [set, want] of cases) {
    it(`${JSON.stringify(set)} → "${want}"`, () => assert.equal(formatIndexes(set), want));
  }
});

describe('parseIndexes (§5.3)', () => {
  const cases: [string, number, number[]][] = [
    ['', 5, []],
    ['1,3-5,7', 10, [1, 3, 4, 5, 7]],
    ['0-3', 2, [0, 1]],
    ['7,8', 5, []],
    ['1,x,3', 5, [1, 3]],
    ['1-x,2', 5, [2]],
    ['3-1', 5, []],
    ['0,1', 5, [0, 1]],
  ];
  for (const [text, completions, want] of cases) {
    it(`"${text}" with completions ${completions}`, () =>
      assert.deepEqual(parseIndexes(text, completions), want));
  }
  it('round-trips', () => assert.equal(formatIndexes(parseIndexes('0,2,4-6,9', 10)), '0,2,4-6,9'));
});

describe('firstPendingIndexes (§5.2)', () => {
  it('lowest first: parallelism 2, completions 5', () => {
    assert.deepEqual(firstPendingIndexes(2, 5, new Set()), [0, 1]);
  });
  it('some running and completed (unit "indexed job some running and completed pods")', () => {
    assert.deepEqual(firstPendingIndexes(6, 20, new Set([0, 3, 2, 4, 5, 7, 8, 9])), [1, 6, 10, 11, 12, 13]);
  });
  it('stops at completions', () => assert.deepEqual(firstPendingIndexes(5, 3, new Set([1])), [0, 2]));
});

describe('isValidIndex', () => {
  it('accepts 0..completions-1 only', () => {
    assert.deepEqual(
      [undefined, -1, 0, 2, 3, 1.5].map((i) => isValidIndex(i, 3)),
      [false, false, true, true, false, false],
    );
  });
});
