// The § numbers in the test names are sections of docs/job.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  activePodsForRemoval,
  compareForRemoval,
  wantActive,
} from '../../../../src/controller/job/manage-pods.js';
import { job, pod } from './builders.js';

describe('wantActive (§2.5)', () => {
  const cases: [string, Parameters<typeof job>[0], number, number, number][] = [
    ['fixed: min(remaining, parallelism)', { parallelism: 2, completions: 5 }, 0, 1, 2],
    ['fixed: remaining below parallelism', { parallelism: 5, completions: 2 }, 0, 0, 2],
    ['fixed: done', { parallelism: 2, completions: 2 }, 1, 3, 0],
    ['parallelism 0', { parallelism: 0, completions: 1 }, 0, 0, 0],
    ['work queue before a success', { parallelism: 3 }, 1, 0, 3],
    ['work queue after a success keeps what runs', { parallelism: 3 }, 2, 1, 2],
  ];
  for (const [name, setup, active, succeeded, want] of cases) {
    it(name, () => assert.equal(wantActive(job(setup), active, succeeded), want));
  }
});

describe('deletion preference (§2.5)', () => {
  it('orders least valuable first', () => {
    const pods = [
      pod('old-ready-long').ready(0).created(0).build(),
      pod('pending').pending().build(),
      pod('running-not-ready').build(),
      pod('ready-short').ready(50).build(),
      pod('restarts').restarts(3).build(),
      pod('newer').created(10).build(),
    ];
    const order = [...pods].sort(compareForRemoval).map((p) => p.name);
    assert.deepEqual(order, [
      'pending',
      'restarts',
      'newer',
      'running-not-ready',
      'ready-short',
      'old-ready-long',
    ]);
  });
  it('indexed: invalid and duplicated indexes first, keeping the most advanced of a duplicate', () => {
    const j = job({ completionMode: 'Indexed', completions: 3, parallelism: 3 });
    const got = activePodsForRemoval(
      j,
      [
        pod('a0').index(0).ready(0).build(),
        pod('b0').index(0).pending().build(),
        pod('none').build(),
        pod('big').index(7).build(),
        pod('c1').index(1).build(),
      ],
      0,
    ).map((r) => `${r.pod.name}:${r.reason}`);
    assert.deepEqual(got, ['none:InvalidIndex', 'big:InvalidIndex', 'b0:DuplicateIndex']);
  });
  it('adds excess pods after the index removals', () => {
    const j = job({ completionMode: 'Indexed', completions: 3, parallelism: 3 });
    const got = activePodsForRemoval(
      j,
      [pod('a').index(0).ready(0).build(), pod('b').index(1).build(), pod('x').build()],
      2,
    );
    assert.deepEqual(
      got.map((r) => `${r.pod.name}:${r.reason}`),
      ['x:InvalidIndex', 'b:Excess'],
    );
  });
});
