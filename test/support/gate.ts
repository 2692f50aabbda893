// Holding a store call half-way, to test what happens while it is in flight (a stop while a lease
// is being taken, how many starts run at once).

import type { StateStore } from '../../src/ports/state-store.js';

/**
 * Makes every `acquireJobLease` of the store wait until `open()`. `asked` lists the jobs whose
 * lease was asked for, in order, as the calls came.
 */
export function holdLeases(store: Pick<StateStore, 'acquireJobLease'>): {
  asked: string[];
  open: () => void;
} {
  const asked: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const acquire = store.acquireJobLease.bind(store);
  store.acquireJobLease = async (job, command) => {
    asked.push(job);
    await gate;
    return acquire(job, command);
  };
  return { asked, open };
}
