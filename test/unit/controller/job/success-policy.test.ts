// The § numbers in the test names are sections of docs/job.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SuccessPolicyRule } from '../../../../src/api/k8s.js';
import { matchSuccessPolicy } from '../../../../src/controller/job/success-policy.js';
import { job } from './builders.js';

const spec = (rules: SuccessPolicyRule[]) =>
  job({ completionMode: 'Indexed', completions: 5, parallelism: 5, successPolicy: { rules } }).spec;

describe('matchSuccessPolicy (§5.5)', () => {
  const cases: [string, SuccessPolicyRule[], number[], string | undefined][] = [
    ['nothing succeeded', [{ succeededCount: 0 }], [], undefined],
    ['succeededIndexes all done', [{ succeededIndexes: '0,2-3' }], [0, 2, 3], 'Matched rules at index 0'],
    ['succeededIndexes partly done', [{ succeededIndexes: '0,2-3' }], [0, 3], undefined],
    ['succeededCount reached', [{ succeededCount: 2 }], [1, 4], 'Matched rules at index 0'],
    ['succeededCount not reached', [{ succeededCount: 3 }], [1, 4], undefined],
    ['both: count inside the set', [{ succeededIndexes: '0-2', succeededCount: 2 }], [0, 4], undefined],
    [
      'both: count inside the set reached',
      [{ succeededIndexes: '0-2', succeededCount: 2 }],
      [0, 2, 4],
      'Matched rules at index 0',
    ],
    [
      'second rule matches',
      [{ succeededIndexes: '4' }, { succeededCount: 1 }],
      [0],
      'Matched rules at index 1',
    ],
    [
      'first satisfied rule wins',
      [{ succeededCount: 1 }, { succeededIndexes: '0' }],
      [0],
      'Matched rules at index 0',
    ],
  ];
  for (const [name, rules, done, want] of cases) {
    it(name, () => assert.equal(matchSuccessPolicy(spec(rules), 5, new Set(done)), want));
  }
  it('no policy', () => assert.equal(matchSuccessPolicy(job().spec, 5, new Set([0])), undefined));
});
