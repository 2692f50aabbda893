// The § numbers in the test names are sections of docs/job.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureConditionStatus, isJobFinished, rfc3339 } from '../../../../src/controller/job/conditions.js';
import { at, job } from './builders.js';

describe('conditions (§6.2)', () => {
  it('rfc3339 drops milliseconds', () => {
    assert.equal(rfc3339(new Date('2026-01-01T00:00:00.999Z')), '2026-01-01T00:00:00Z');
  });
  it('a False condition is never added', () => {
    const r = ensureConditionStatus([], 'Suspended', 'False', 'JobResumed', 'Job resumed', at(0));
    assert.deepEqual(r, { list: [], changed: false });
  });
  it('adds a True condition with both timestamps', () => {
    const r = ensureConditionStatus([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', at(5));
    assert.equal(r.changed, true);
    assert.deepEqual(r.list, [
      {
        type: 'Suspended',
        status: 'True',
        reason: 'JobSuspended',
        message: 'Job suspended',
        lastProbeTime: '2026-01-01T00:00:05Z',
        lastTransitionTime: '2026-01-01T00:00:05Z',
      },
    ]);
  });
  it('rewrites only on a status/reason/message change', () => {
    const first = ensureConditionStatus([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', at(5)).list;
    const same = ensureConditionStatus(first, 'Suspended', 'True', 'JobSuspended', 'Job suspended', at(9));
    assert.equal(same.changed, false);
    assert.equal(same.list[0]?.lastTransitionTime, '2026-01-01T00:00:05Z');
    const flipped = ensureConditionStatus(first, 'Suspended', 'False', 'JobResumed', 'Job resumed', at(9));
    assert.equal(flipped.changed, true);
    assert.equal(flipped.list[0]?.status, 'False');
    assert.equal(flipped.list[0]?.lastTransitionTime, '2026-01-01T00:00:09Z');
  });
  it('finished = Complete or Failed True', () => {
    const c = (type: string, status: 'True' | 'False') => job({ status: { conditions: [{ type, status }] } });
    assert.deepEqual(
      [c('Complete', 'True'), c('Failed', 'True'), c('FailureTarget', 'True'), c('Complete', 'False')].map(
        isJobFinished,
      ),
      [true, true, false, false],
    );
  });
});
