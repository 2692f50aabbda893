import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultPreparationMs, sandboxLead, type SandboxLead } from '../../../src/engine/sandbox-timing.js';

describe('sandboxLead: a successor’s sandbox once its predecessor has run as long as a preparation takes', () => {
  const rows: [string, number[], number | undefined, SandboxLead][] = [
    ['no active pod runs', [], 400, { count: 0 }],
    ['a pod just started: look again when it has run 400 ms', [0], 400, { count: 0, recheckInMs: 400 }],
    ['a pod that has run exactly as long', [400], 400, { count: 1 }],
    ['a pod that has run longer', [5000], 400, { count: 1 }],
    [
      'two long, one short: two, and when the third will be',
      [900, 450, 100],
      400,
      { count: 2, recheckInMs: 300 },
    ],
    ['the soonest of several short ones', [10, 250, 120], 400, { count: 0, recheckInMs: 150 }],
    ['fractions round up (never a recheck too early)', [399.5], 400, { count: 0, recheckInMs: 1 }],
    ['not timed yet: a second', [999], undefined, { count: 0, recheckInMs: 1 }],
    ['not timed yet, a pod of a second', [DefaultPreparationMs], undefined, { count: 1 }],
  ];
  for (const [name, runningFor, prep, want] of rows)
    it(name, () => assert.deepEqual(sandboxLead(runningFor, prep), want));
});
