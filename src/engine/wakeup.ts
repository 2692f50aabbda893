// Wakes a controller loop when something happened (a pod changed) or a timer is due, whichever
// comes first. Notifications that arrive while the loop is busy are not lost.

import type { Clock } from '../ports/clock.js';

export class Wakeup {
  private pending = false;
  private waiter: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  notify(): void {
    this.pending = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Waits until notified or `ms` passed (forever when undefined), or the signal aborts. */
  async wait(ms: number | undefined, signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted) {
      this.pending = false;
      return;
    }
    const timer = new AbortController();
    const onAbort = () => timer.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const notified = new Promise<void>((resolve) => (this.waiter = resolve));
    const sleeping =
      ms === undefined ? new Promise<void>(() => undefined) : this.clock.sleep(ms, timer.signal);
    const aborted = new Promise<void>((resolve) => timer.signal.addEventListener('abort', () => resolve()));
    try {
      await Promise.race([notified, sleeping, aborted]);
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', onAbort);
      this.waiter = undefined;
      this.pending = false;
    }
  }
}
