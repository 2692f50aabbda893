import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector } from '../../../src/cli/label-selector.js';
import { UsageError } from '../../../src/api/errors.js';

const labels = { app: 'web', tier: 'front', env: 'prod', n: '5' };

describe('label selector', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['missing in (db)', false],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['app=web,tier=front,!legacy', true],
    ['app=web,tier=back', false],
    [' app = web , env in ( prod , dev ) ', true],
    ['n>3', true],
    ['n<3', false],
    ['example.com/team!=x', true],
    ['app=', false],
  ];
  for (const [sel, want] of cases) {
    it(`"${sel}" → ${want}`, () => assert.equal(parseSelector(sel).matches(labels), want));
  }

  const bad: [string, RegExp][] = [
    ['app in web', /found 'web', expected: '\('/],
    ['app in ()', /values set can't be empty/],
    ['app=web,', /found end of string, expected: identifier after ','/],
    ['=web', /found '=', expected: !, identifier/],
    ['app=web tier', /found 'tier', expected: ',' or end of string/],
    ['app=we b', /found 'b'/],
    ['-bad=x', /key "-bad"/],
    ['app=has space!', /found|value/],
    ['n>x', /must be an integer/],
    ['a/b/c', /at most one "\/"/],
    ['app ~ x', /value "~"|found/],
  ];
  for (const [sel, want] of bad) {
    it(`rejects "${sel}"`, () => {
      assert.throws(
        () => parseSelector(sel),
        (e: unknown) => e instanceof UsageError && e.exitCode === 2 && want.test(e.message),
      );
    });
  }
});
