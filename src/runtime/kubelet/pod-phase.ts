// The pod's phase from its containers (getPhase, pkg/kubelet/kubelet_pods.go), for the restart
// policies a Job allows (Never, OnFailure).

import type { PodPhase } from '../../api/k8s.js';
import { exitCodeOf, isActive, type ContainerSlot } from './container-slot.js';

export interface PhaseInput {
  /** The kubelet failed the pod (deadline, a container that cannot be made, a lost container). */
  failed: boolean;
  /** Every init container has completed (sidecars: started). */
  initDone: boolean;
  /** A deletion stops the pod: a container that has not run counts as ended. */
  deleting: boolean;
  /** restartPolicy OnFailure (or Always): a failed container is restarted, not the pod's end. */
  restartable: boolean;
  initSlots: readonly ContainerSlot[];
  appSlots: readonly ContainerSlot[];
}

export function podPhase(pod: PhaseInput): PodPhase {
  if (pod.failed) return 'Failed';
  if (!pod.initDone) {
    // Stopped before its init containers completed: it will never run.
    if (pod.deleting && ![...pod.initSlots, ...pod.appSlots].some(isActive)) return 'Failed';
    return 'Pending';
  }
  const apps = pod.appSlots;
  const ended = (s: ContainerSlot): boolean => s.phase === 'exited' || (pod.deleting && s.phase === 'idle');
  // A sidecar still running (being stopped) keeps the pod Running; once stopped it does not count
  // towards the outcome.
  const sidecarActive = pod.initSlots.some((s) => s.role === 'sidecar' && isActive(s));
  if (apps.every(ended) && !sidecarActive) {
    if (apps.every((s) => s.phase === 'exited' && exitCodeOf(s) === 0)) return 'Succeeded';
    if (pod.deleting || !pod.restartable) return 'Failed';
  }
  const started =
    apps.some((s) => s.phase !== 'idle' && s.phase !== 'starting') || apps.some((s) => s.attempt > 0);
  return started ? 'Running' : 'Pending';
}
