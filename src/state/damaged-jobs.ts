// One damaged job must not hide the others from a listing: it is left out, and the store's
// `onDamaged` says so, once per job (the whole records and the summaries share this).

import { StateError } from '../api/errors.js';

export class DamagedJobs {
  private readonly reported = new Set<string>();

  constructor(private readonly onDamaged?: (err: StateError) => void) {}

  /** Use as the `catch` of one job's read in a listing: a StateError leaves it out, others throw. */
  leaveOut(name: string, err: unknown): undefined {
    if (!(err instanceof StateError)) throw err;
    if (!this.reported.has(name)) {
      this.reported.add(name);
      this.onDamaged?.(err);
    }
    return undefined;
  }
}
