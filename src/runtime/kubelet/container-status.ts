// A container's status as the kubelet reports it, from where the kubelet is with it: waiting
// (PodInitializing before its turn, ContainerCreating while it is made or the runtime's words for
// why it cannot be yet, CrashLoopBackOff, CreateContainerError), running or terminated
// (toKubeContainerStatus, pkg/kubelet/kuberuntime/kuberuntime_container.go;
// convertToAPIContainerStatuses, pkg/kubelet/kubelet_pods.go).

import type { ContainerStateTerminated, ContainerStatus } from '../../api/k8s.js';
import type { ContainerSlot } from './container-slot.js';

export function containerStatusOf(slot: ContainerSlot): ContainerStatus {
  const base = {
    name: slot.spec.name,
    ready: false,
    restartCount: slot.attempt,
    image: slot.spec.image ?? '',
  };
  const last = slot.lastTerminated ? { lastState: { terminated: slot.lastTerminated } } : {};
  switch (slot.phase) {
    case 'idle':
      if (slot.createError !== undefined) {
        return {
          ...base,
          ...last,
          state: { waiting: { reason: 'CreateContainerError', message: slot.createError } },
        };
      }
      if (slot.waiting !== undefined)
        return { ...base, ...last, state: { waiting: { ...slot.waiting } }, started: false };
      return { ...base, ...last, state: { waiting: { reason: 'PodInitializing' } }, started: false };
    case 'starting':
      return { ...base, ...last, state: { waiting: { reason: 'ContainerCreating' } }, started: false };
    case 'backoff': {
      // The run that just ended is the last state until the next one starts.
      const prev = slot.status?.state.terminated;
      const lastState = prev ? { lastState: { terminated: prev } } : last;
      const waiting: { reason: string; message?: string } = { reason: 'CrashLoopBackOff' };
      if (slot.backoffMessage !== undefined) waiting.message = slot.backoffMessage;
      return { ...base, ...lastState, state: { waiting }, started: false };
    }
    default:
      if (!slot.status) return { ...base, ...last, state: { waiting: { reason: 'ContainerCreating' } } };
      // An exiting container is still shown running until its final state is read.
      return { ...slot.status, restartCount: slot.attempt };
  }
}

/** The status of a container that disappeared from the runtime behind the kubelet's back. */
export function lostContainerStatus(
  slot: ContainerSlot,
  finishedAt: string,
  containerID: string | undefined,
): ContainerStatus {
  const terminated: ContainerStateTerminated = {
    exitCode: 137,
    reason: 'ContainerLost',
    message: 'the container disappeared from the engine',
    finishedAt,
  };
  if (containerID !== undefined) terminated.containerID = containerID;
  return {
    name: slot.spec.name,
    state: { terminated },
    ready: false,
    restartCount: slot.attempt,
    image: slot.spec.image ?? '',
  };
}
