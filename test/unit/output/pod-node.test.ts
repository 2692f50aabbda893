// A pod's node (spec.nodeName), where the runtime has several nodes (Swarm): in the Pod object,
// the NODE column of `get pods -o wide`, and `describe pod` (kubectl: `<nodeName>/<hostIP>`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { describePod } from '../../../src/output/describe.js';
import { podObject } from '../../../src/output/objects.js';
import { podCells } from '../../../src/output/printers.js';
import { podRecord, testJob } from '../../support/jobs.js';

const now = new Date('2026-01-01T00:10:00Z');
const o = { now };

describe("a pod's node", () => {
  it('is spec.nodeName, the NODE column and the Node line when the runtime placed it', () => {
    const record = podRecord('p-1', 'Succeeded');
    record.observation.nodeName = 'tjn2';
    const pod = podObject(testJob('p'), record);
    assert.equal(pod.spec.nodeName, 'tjn2');
    assert.equal(podCells(pod, now, true)[6], 'tjn2');
    assert.match(describePod(pod, [], o), /^Node:\s+tjn2\/$/m);
  });

  it('is absent, <none>, on one engine', () => {
    const pod = podObject(testJob('p'), podRecord('p-1', 'Succeeded'));
    assert.equal(pod.spec.nodeName, undefined);
    assert.equal(podCells(pod, now, true)[6], '<none>');
    assert.match(describePod(pod, [], o), /^Node:\s+<none>$/m);
  });
});
