// Time, injected: the system clock in production, a fake one in tests.

export interface Clock {
  now(): Date;
  /** Resolves after ms, or early (without error) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
