// `tjob run`'s progress lines for the kubelet's events about a pod (run-printer.ts): a warning
// (an image that cannot be pulled) is printed under the pod's name, masked; the Normal ones that
// recur at every sync (Pulling, BackOff) are left to `describe pod`.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { RunPrinter } from '../../../src/cli/run-printer.js';
import { event } from './helpers.js';

function printer() {
  let err = '';
  const p = new RunPrinter({
    stdout: { write: () => true },
    stderr: { write: (s) => ((err += s), true) },
    colorStdout: false,
    colorStderr: false,
    live: false,
    quiet: false,
    showLogs: true,
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  return { p, err: () => err };
}

describe("tjob run prints the kubelet's pod events", () => {
  it('warnings under pod/NAME, masked; Pulling and BackOff not', () => {
    const { p, err } = printer();
    p.setSecrets('j', ['tok-123']);
    p.event('j', event('Pulling', 'Pulling image "reg/app:1"', 'Pod/j-abcde'));
    p.event('j', { ...event('Failed', 'Failed to pull image "reg/app:1": denied tok-123', 'Pod/j-abcde') });
    p.event('j', event('BackOff', 'Back-off pulling image "reg/app:1"', 'Pod/j-abcde'));
    const lines = err().split('\n').filter(Boolean);
    assert.equal(lines.length, 1, err());
    assert.match(lines[0]!, /pod\/j-abcde: Failed: Failed to pull image "reg\/app:1": denied \*\*\*$/);
  });
});
