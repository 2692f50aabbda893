// The pod's conditions and their transition times on a fake clock (pod-conditions.ts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { PodConditions } from '../../../../src/runtime/kubelet/pod-conditions.js';
import { FakeClock } from '../../../support/fake-clock.js';

describe('pod conditions', () => {
  it('keeps a condition time until its status changes', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const c = new PodConditions(() =>
      clock
        .now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z'),
    );
    const at = (list: ReturnType<typeof c.placed>) =>
      Object.fromEntries(
        list.map((x) => [x.type, `${x.status} ${x.reason ?? ''} ${x.lastTransitionTime}`.replace('  ', ' ')]),
      );
    assert.deepEqual(at(c.placed(false, false, 'Pending')), {
      PodScheduled: 'True 2026-01-01T00:00:00Z',
      Initialized: 'False 2026-01-01T00:00:00Z',
      ContainersReady: 'False ContainersNotReady 2026-01-01T00:00:00Z',
      Ready: 'False ContainersNotReady 2026-01-01T00:00:00Z',
    });
    await clock.advance(5000);
    assert.deepEqual(at(c.placed(true, true, 'Running')), {
      PodScheduled: 'True 2026-01-01T00:00:00Z',
      Initialized: 'True 2026-01-01T00:00:05Z',
      ContainersReady: 'True 2026-01-01T00:00:05Z',
      Ready: 'True 2026-01-01T00:00:05Z',
    });
    await clock.advance(5000);
    assert.deepEqual(at(c.placed(true, false, 'Succeeded')), {
      PodScheduled: 'True 2026-01-01T00:00:00Z',
      Initialized: 'True 2026-01-01T00:00:05Z',
      ContainersReady: 'False ContainersNotReady 2026-01-01T00:00:10Z',
      Ready: 'False PodCompleted 2026-01-01T00:00:10Z',
    });
  });

  it('reports an unschedulable pod with PodScheduled False alone, its time kept', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const c = new PodConditions(() =>
      clock
        .now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z'),
    );
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
