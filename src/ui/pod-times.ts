// When a pod's containers got going: the earliest start of its app containers (running now,
// terminated, or before a restart). A pod's own startTime is when the kubelet took it on (before
// any image or container work), so the time a pod spent getting ready is up to this moment.

import type { PodObservation } from '../api/pod.js';

export function containersStartedAt(o: PodObservation): number | undefined {
  let first: number | undefined;
  for (const c of o.containerStatuses) {
    for (const at of [
      c.state.running?.startedAt,
      c.state.terminated?.startedAt,
      c.lastState?.terminated?.startedAt,
    ]) {
      const t = at ? Date.parse(at) : NaN;
      if (Number.isFinite(t) && (first === undefined || t < first)) first = t;
    }
  }
  return first;
}
