// The pod's conditions and their transition times on a fake clock (pod-conditions.ts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { rfc3339 } from '../../../../src/controller/job/conditions.js';
import { PodConditions } from '../../../../src/runtime/kubelet/pod-conditions.js';
import { FakeClock } from '../../../support/fake-clock.js';

function onFakeClock() {
  const clock = new FakeClock('2026-01-01T00:00:00Z');
  return { clock, c: new PodConditions(() => rfc3339(clock.now())) };
}

describe('pod conditions', () => {
  it('keeps a condition time until its status changes', async () => {
    const { clock, c } = onFakeClock();
    const at = (list: ReturnType<typeof c.placed>) =>
      list.map((x) => [x.type, x.status, x.reason ?? '', (x.lastTransitionTime ?? '').slice(-9)].join(' '));
    // Each step: time passed, what placed() is given, the conditions then (type status reason time).
    const steps: [number, Parameters<typeof c.placed>, string[]][] = [
      [
        0,
        [false, false, 'Pending'],
        [
          'PodScheduled True  00:00:00Z',
          'Initialized False  00:00:00Z',
          'ContainersReady False ContainersNotReady 00:00:00Z',
          'Ready False ContainersNotReady 00:00:00Z',
        ],
      ],
      [
        5000,
        [true, true, 'Running'],
        [
          'PodScheduled True  00:00:00Z',
          'Initialized True  00:00:05Z',
          'ContainersReady True  00:00:05Z',
          'Ready True  00:00:05Z',
        ],
      ],
      [
        5000,
        [true, false, 'Succeeded'],
        [
          'PodScheduled True  00:00:00Z',
          'Initialized True  00:00:05Z',
          'ContainersReady False ContainersNotReady 00:00:10Z',
          'Ready False PodCompleted 00:00:10Z',
        ],
      ],
    ];
    for (const [ms, args, want] of steps) {
      await clock.advance(ms);
      assert.deepEqual(at(c.placed(...args)), want);
    }
  });

  it('reports an unschedulable pod with PodScheduled False alone, its time kept', async () => {
    const { clock, c } = onFakeClock();
    const first = c.unschedulable('persistentvolumeclaim "data" not found');
    await clock.advance(3000);
    assert.deepEqual(c.unschedulable('persistentvolumeclaim "data" not found'), first);
    assert.deepEqual(first, [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: 'persistentvolumeclaim "data" not found',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
    // Placed: PodScheduled turns True now.
    assert.equal(c.placed(false, false, 'Pending')[0]?.lastTransitionTime, '2026-01-01T00:00:03Z');
  });
});
