// The restart backoff's arithmetic: immediate first restart, doubling from the base, the cap,
// and the reset after a stable run (restart-backoff.ts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  backoffStepsAfter,
  crashLoopMessage,
  restartDelayMs,
} from '../../../../src/runtime/kubelet/restart-backoff.js';

describe('restart backoff', () => {
  it('is 0 for the first restart, then doubles from the base up to the cap', () => {
    const table: [number, number][] = [
      [0, 0],
      [1, 10_000],
      [2, 20_000],
      [3, 40_000],
      [4, 80_000],
      [5, 160_000],
      [6, 300_000],
      [7, 300_000],
      [40, 300_000],
    ];
    for (const [step, want] of table)
      assert.equal(restartDelayMs(step, 10_000, 300_000), want, `step ${step}`);
  });

  it('starts again after a run of 10 minutes, not after a shorter one', () => {
    const run = (startedAt: string | undefined, finishedAt: string | undefined) => ({
      exitCode: 1,
      ...(startedAt ? { startedAt } : {}),
      ...(finishedAt ? { finishedAt } : {}),
    });
    const table: [string, Parameters<typeof backoffStepsAfter>[1], number][] = [
      ['9m59s', run('2026-01-01T00:00:00Z', '2026-01-01T00:09:59Z'), 4],
      ['10m', run('2026-01-01T00:00:00Z', '2026-01-01T00:10:00Z'), 0],
      ['an hour', run('2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z'), 0],
      ['no start time', run(undefined, '2026-01-01T01:00:00Z'), 4],
      ['no exit', undefined, 4],
    ];
    for (const [name, exit, want] of table) assert.equal(backoffStepsAfter(4, exit), want, name);
  });

  it('words the CrashLoopBackOff message as the kubelet does', () => {
    assert.equal(
      crashLoopMessage(10_000, 'main', 'p'),
      'back-off 10s restarting failed container=main pod=p',
    );
    assert.equal(
      crashLoopMessage(300_000, 'main', 'p'),
      'back-off 5m0s restarting failed container=main pod=p',
    );
    assert.equal(crashLoopMessage(500, 'main', 'p'), 'back-off 500ms restarting failed container=main pod=p');
  });
});
