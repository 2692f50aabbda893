// The kubelet's termination ordering of native sidecars (KEP-753;
// pkg/kubelet/kuberuntime/kuberuntime_termination_order.go): app containers are stopped first; a
// sidecar is stopped once every app container and every sidecar declared after it have ended, or
// once the pod's grace period has run out. A container stopped late gets what is left of the grace
// period, at least minimumGracePeriodInSeconds (killContainer, kuberuntime_container.go).

import { isActive, type ContainerSlot } from './container-slot.js';

/** The shortest stop window the kubelet gives a container whose turn came late in the grace period. */
export const MIN_STOP_GRACE_SECONDS = 2;

/**
 * The grace period left after `waitedMs` of the pod's stop, and the grace a container stopped now
 * gets. A grace of 0 or 1 (a forced deletion) is not lengthened.
 */
export function graceNow(podGraceSeconds: number, waitedMs: number): { left: number; grace: number } {
  const left = podGraceSeconds - Math.floor(waitedMs / 1000);
  return { left, grace: Math.max(left, Math.min(MIN_STOP_GRACE_SECONDS, podGraceSeconds)) };
}

/**
 * The sidecars whose turn to stop has come (last declared first; those already ended included),
 * and whether a sidecar is still active within the grace period (then the grace period's end is a
 * moment to decide again).
 */
export function sidecarsToStop(
  initSlots: readonly ContainerSlot[],
  appSlots: readonly ContainerSlot[],
  graceLeftSeconds: number,
): { now: ContainerSlot[]; waiting: boolean } {
  let laterActive = appSlots.some(isActive);
  const now: ContainerSlot[] = [];
  for (const slot of [...initSlots].reverse()) {
    if (slot.role !== 'sidecar') continue;
    if (!laterActive || graceLeftSeconds <= 0) now.push(slot);
    if (isActive(slot)) laterActive = true;
  }
  return { now, waiting: laterActive && graceLeftSeconds > 0 };
}
