import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapLimit } from '../../../src/api/map-limit.js';

// A task's work: one turn of the timer queue, so tasks overlap (the scenario, not a wait).
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('mapLimit', () => {
  it('keeps the order of the items, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
    assert.equal(most, 2);
  });

  it('takes no further item once stopped; what was taken finishes', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const out = await mapLimit(
      [1, 2, 3, 4, 5],
      1,
      async (n) => {
        seen.push(n);
        if (n === 2) stop.abort();
        await tick();
        return n;
      },
      stop.signal,
    );
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(out.slice(0, 2), [1, 2]);
    assert.equal(out[2], undefined);
  });
});
