// Waiting for the thing itself (a status, a file, a call, a log line) instead of sleeping and
// hoping it happened: the test goes on the moment it holds, and a timeout names what never came.

export interface WaitForOptions {
  /** What is awaited, for the failure message: "the job's lease to be released". */
  what: string;
  /** Generous by default: on a loaded machine only a hang should reach it. */
  timeout?: number;
  /** How often the predicate is asked, in ms. */
  interval?: number;
}

/**
 * Resolves with the predicate's first truthy value; rejects after `timeout` ms with a message
 * naming what was awaited (and the predicate's last error, if it threw).
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { what, timeout = 20_000, interval = 5 }: WaitForOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError ? ` (last attempt: ${(lastError as Error).message ?? String(lastError)})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
