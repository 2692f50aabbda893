// When a warm sandbox pays (docs/warm-sandboxes.md#when-it-pays). A sandbox prepared for the pod
// that replaces an active one is engine work done ahead of need: it pays when it is ready by the
// time that pod ends, and costs when the engine is still making it then. Measured on Docker 20.10
// here, a chain of `true` pods (each ends ~70 ms after its start) finished no sooner with
// sandboxes than without, and an ideal client preparing two ahead was slower than plain bridge
// starts: the preparation ran into the next start. Pods of seconds gain the whole difference
// between a bridge start and a joined one.
//
// How long an active pod will still run is not known; how long it has run is. A pod that has run
// for t has, as often as not, about t still to go (a duration's remaining life grows with its age
// for the heavy-tailed run times of batch work), so a sandbox is prepared for a pod's successor
// once that pod has run for as long as a preparation takes here.

/** When no preparation has been timed yet (an adopted job's pods were launched elsewhere). */
export const DefaultPreparationMs = 1000;

export interface SandboxLead {
  /** How many of the active pods have run long enough for their successor's sandbox. */
  count: number;
  /** When the next active pod becomes long enough, if one will. */
  recheckInMs?: number;
}

/**
 * `runningForMs`: for each active pod whose containers run, how long they have; `preparationMs`:
 * what preparing a sandbox takes on this engine (the runtime's measure), undefined before any.
 */
export function sandboxLead(runningForMs: readonly number[], preparationMs: number | undefined): SandboxLead {
  const needed = Math.max(0, preparationMs ?? DefaultPreparationMs);
  let count = 0;
  let recheckInMs: number | undefined;
  for (const t of runningForMs) {
    if (t >= needed) count++;
    else recheckInMs = Math.min(recheckInMs ?? Infinity, Math.ceil(needed - t));
  }
  return recheckInMs === undefined ? { count } : { count, recheckInMs };
}
