// A clock that moves only when the test says so. Pending sleeps resolve in due-time order.

import type { Clock } from '../../src/ports/clock.js';

interface Timer {
  due: number;
  seq: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { due: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** The time of the next pending timer, if any. */
  nextDue(): number | undefined {
    return this.timers.reduce<number | undefined>(
      (m, x) => (m === undefined || x.due < m ? x.due : m),
      undefined,
    );
  }

  /** Moves time forward by ms, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await settle();
      const next = this.timers
        .filter((x) => x.due <= target)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.t = Math.max(this.t, next.due);
      this.timers = this.timers.filter((x) => x !== next);
      next.resolve();
    }
    this.t = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
