import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LaunchGate } from '../../../../src/runtime/docker/launch-gate.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('LaunchGate', () => {
  it('lets `limit` launches in at once and the next one in as each ends, in order', async () => {
    const gate = new LaunchGate(2);
    const entered: number[] = [];
    const releases: (() => void)[] = [];
    for (let i = 0; i < 5; i++) {
      void gate.enter().then((release) => {
        entered.push(i);
        releases.push(release!);
      });
    }
    await tick();
    assert.deepEqual(entered, [0, 1]);
    assert.deepEqual(gate.load, { active: 2, waiting: 3 });
    releases[0]!();
    releases[0]!(); // a second release of the same launch counts once
    await tick();
    assert.deepEqual(entered, [0, 1, 2]);
    releases[1]!();
    releases[2]!();
    await tick();
    assert.deepEqual(entered, [0, 1, 2, 3, 4]);
    assert.deepEqual(gate.load, { active: 2, waiting: 0 });
  });

  it('when closed, lets the waiting ones go with nothing to do, and later ones too', async () => {
    const gate = new LaunchGate(1);
    const first = await gate.enter();
    assert.ok(first);
    const waiting = gate.enter();
    gate.close();
    assert.equal(await waiting, undefined);
    assert.equal(await gate.enter(), undefined);
  });
});
