// The pod's phase from its containers (pod-phase.ts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { PodPhase } from '../../../../src/api/k8s.js';
import {
  newSlot,
  type ContainerSlot,
  type SlotPhase,
} from '../../../../src/runtime/kubelet/container-slot.js';
import { podPhase, type PhaseInput } from '../../../../src/runtime/kubelet/pod-phase.js';

function slot(
  role: 'init' | 'sidecar' | 'app',
  phase: SlotPhase,
  exitCode?: number,
  attempt = 0,
): ContainerSlot {
  const s = newSlot(role, { name: `${role}-${phase}` });
  s.phase = phase;
  s.attempt = attempt;
  if (exitCode !== undefined)
    s.status = {
      name: s.spec.name,
      state: { terminated: { exitCode } },
      ready: false,
      restartCount: 0,
      image: '',
    };
  return s;
}

const base: PhaseInput = {
  failed: false,
  initDone: true,
  deleting: false,
  restartable: false,
  initSlots: [],
  appSlots: [],
};

describe('pod phase', () => {
  const table: [string, Partial<PhaseInput>, PodPhase][] = [
    ['an app being made', { appSlots: [slot('app', 'starting')] }, 'Pending'],
    ['an app running', { appSlots: [slot('app', 'running')] }, 'Running'],
    ['all apps exited 0', { appSlots: [slot('app', 'exited', 0), slot('app', 'exited', 0)] }, 'Succeeded'],
    ['one app failed, Never', { appSlots: [slot('app', 'exited', 0), slot('app', 'exited', 1)] }, 'Failed'],
    ['one app failed, OnFailure', { restartable: true, appSlots: [slot('app', 'exited', 1)] }, 'Running'],
    ['an app in backoff', { restartable: true, appSlots: [slot('app', 'backoff', 1, 1)] }, 'Running'],
    [
      'waiting to be made again after a restart',
      { restartable: true, appSlots: [slot('app', 'idle', undefined, 2)] },
      'Running',
    ],
    [
      'an app ended while another runs',
      { appSlots: [slot('app', 'exited', 1), slot('app', 'running')] },
      'Running',
    ],
    [
      'apps done, a sidecar still stopping',
      { initSlots: [slot('sidecar', 'running')], appSlots: [slot('app', 'exited', 0)] },
      'Running',
    ],
    [
      'apps done, the sidecar stopped with 143',
      { initSlots: [slot('sidecar', 'exited', 143)], appSlots: [slot('app', 'exited', 0)] },
      'Succeeded',
    ],
    [
      'init running',
      { initDone: false, initSlots: [slot('init', 'running')], appSlots: [slot('app', 'idle')] },
      'Pending',
    ],
    [
      'deleted during init, nothing active',
      {
        initDone: false,
        deleting: true,
        initSlots: [slot('init', 'exited', 137)],
        appSlots: [slot('app', 'idle')],
      },
      'Failed',
    ],
    [
      'deleted during init, init still stopping',
      {
        initDone: false,
        deleting: true,
        initSlots: [slot('init', 'running')],
        appSlots: [slot('app', 'idle')],
      },
      'Pending',
    ],
    [
      'deleted, OnFailure, app stopped',
      { deleting: true, restartable: true, appSlots: [slot('app', 'exited', 143)] },
      'Failed',
    ],
    [
      'deleted before an app was made',
      { deleting: true, appSlots: [slot('app', 'exited', 0), slot('app', 'idle')] },
      'Failed',
    ],
    ['failed by the kubelet', { failed: true, appSlots: [slot('app', 'running')] }, 'Failed'],
  ];
  for (const [name, input, want] of table) {
    it(name, () => assert.equal(podPhase({ ...base, ...input }), want));
  }
});
