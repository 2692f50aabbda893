import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from '../../../src/api/k8s.js';
import {
  canPrepareSandbox,
  SandboxStartTimes,
  sandboxRoom,
} from '../../../src/runtime/docker/warm-sandbox.js';
import { LaunchGate } from '../../../src/runtime/docker/launch-gate.js';

describe('sandboxRoom: prepare sandboxes only while the engine is not kept busy', () => {
  const rows: [string, { active: number; waiting: number }, number, number][] = [
    ['idle engine', { active: 0, waiting: 0 }, 8, 2],
    ['one launch in flight (a chain: the pod just created)', { active: 1, waiting: 0 }, 8, 1],
    ['two in flight (pods started at once: busy)', { active: 2, waiting: 0 }, 8, 0],
    ['launches queued at the gate', { active: 1, waiting: 3 }, 8, 0],
    ['a gate of one', { active: 0, waiting: 0 }, 1, 1],
    ['a gate of one, in use', { active: 1, waiting: 0 }, 1, 0],
  ];
  for (const [name, load, limit, want] of rows) {
    it(name, () => assert.equal(sandboxRoom(load, limit), want));
  }

  it('follows a real gate as launches enter and leave', async () => {
    const gate = new LaunchGate(2);
    const a = (await gate.enter())!;
    assert.equal(sandboxRoom(gate.load, gate.limit), 1);
    const b = (await gate.enter())!;
    const queued = gate.enter();
    assert.equal(sandboxRoom(gate.load, gate.limit), 0);
    a();
    (await queued)!();
    b();
    assert.equal(sandboxRoom(gate.load, gate.limit), 2);
  });
});

describe('canPrepareSandbox', () => {
  const base: PodSpec = { containers: [{ name: 'main', image: 'busybox' }] };
  const rows: [string, PodSpec, boolean][] = [
    ['a plain pod', base, true],
    ['hostNetwork: untouched', { ...base, hostNetwork: true }, false],
    ['shareProcessNamespace: the app stays PID 1', { ...base, shareProcessNamespace: true }, false],
    ['hostIPC is fine (the sandbox takes the host IPC)', { ...base, hostIPC: true }, true],
  ];
  for (const [name, spec, want] of rows) it(name, () => assert.equal(canPrepareSandbox(spec), want));
});

describe('SandboxStartTimes: what a preparation takes here, following a changing machine', () => {
  it('is unknown before any, the first measure after one, then a weighted mean', () => {
    const t = new SandboxStartTimes();
    assert.equal(t.typicalMs, undefined);
    t.add(400);
    assert.equal(t.typicalMs, 400);
    t.add(1400); // the machine got busy: the estimate moves by 0.3 of the difference
    assert.equal(t.typicalMs, 700);
    for (let i = 0; i < 20; i++) t.add(1400);
    assert.ok(t.typicalMs! > 1390 && t.typicalMs! <= 1400, String(t.typicalMs));
  });
});
