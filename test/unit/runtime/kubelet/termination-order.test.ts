// The sidecars' turns to stop and the grace each gets (termination-order.ts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { newSlot, type SlotPhase } from '../../../../src/runtime/kubelet/container-slot.js';
import { graceNow, sidecarsToStop } from '../../../../src/runtime/kubelet/termination-order.js';

describe('termination order', () => {
  it('gives a late container what is left of the grace period, at least 2s unless forced', () => {
    const table: [number, number, { left: number; grace: number }][] = [
      [30, 0, { left: 30, grace: 30 }],
      [30, 12_500, { left: 18, grace: 18 }],
      [30, 29_000, { left: 1, grace: 2 }],
      [30, 45_000, { left: -15, grace: 2 }],
      [1, 0, { left: 1, grace: 1 }],
      [0, 0, { left: 0, grace: 0 }],
    ];
    for (const [pod, waited, want] of table)
      assert.deepEqual(graceNow(pod, waited), want, `${pod}s after ${waited}ms`);
  });

  it('stops a sidecar once the apps and the sidecars declared after it have ended', () => {
    const slots = (phases: Record<string, SlotPhase>) => {
      const init = [
        newSlot('sidecar', { name: 's1' }),
        newSlot('init', { name: 'i' }),
        newSlot('sidecar', { name: 's2' }),
      ];
      const apps = [newSlot('app', { name: 'a' })];
      for (const s of [...init, ...apps]) s.phase = phases[s.spec.name] ?? 'exited';
      return { init, apps };
    };
    const table: [string, Record<string, SlotPhase>, number, string[], boolean][] = [
      ['the app runs: none yet', { s1: 'running', s2: 'running', a: 'running' }, 30, [], true],
      ['the app ended: the last sidecar', { s1: 'running', s2: 'running' }, 30, ['s2'], true],
      ['the last ended: the first', { s1: 'running' }, 30, ['s2', 's1'], true],
      ['the last being read: still waiting', { s1: 'running', s2: 'exiting' }, 30, ['s2'], true],
      ['all ended', {}, 30, ['s2', 's1'], false],
      ['grace over: all at once', { s1: 'running', s2: 'running', a: 'running' }, 0, ['s2', 's1'], false],
    ];
    for (const [name, phases, left, want, waiting] of table) {
      const { init, apps } = slots(phases);
      const turn = sidecarsToStop(init, apps, left);
      assert.deepEqual(
        turn.now.map((s) => s.spec.name),
        want,
        name,
      );
      assert.equal(turn.waiting, waiting, `${name}: waiting`);
    }
  });
});
