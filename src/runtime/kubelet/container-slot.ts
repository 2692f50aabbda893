// One container of the pod as the kubelet tracks it across its runs: which part of the pod it is,
// where it is in its life, and what the runtime last reported of it. Runtime-independent: a
// runtime keeps its own handles (container ids, log streams) beside it.

import type { Container, ContainerStateTerminated, ContainerStatus } from '../../api/k8s.js';

/** An init container runs to completion; a sidecar is an init container with restartPolicy Always. */
export type Role = 'init' | 'sidecar' | 'app';

/**
 * idle      no container for the current attempt (not reached yet, or waiting to be made again)
 * starting  the runtime is creating/starting it
 * running   started; its exit is awaited
 * exiting   it died: the runtime is reading its final state and the end of its logs
 * exited    terminated (its status holds the exit code)
 * backoff   exited and waiting for the restart delay
 */
export type SlotPhase = 'idle' | 'starting' | 'running' | 'exiting' | 'exited' | 'backoff';

/** Why a container that has no running container is waiting, and the kubelet's words for it. */
export interface Waiting {
  reason: string;
  message?: string;
}

export interface ContainerSlot {
  readonly role: Role;
  readonly spec: Container;
  phase: SlotPhase;
  /** Which run of the container; equals its restartCount. */
  attempt: number;
  /** Consecutive restarts, for the backoff delay (reset after a stable run). */
  backoffSteps: number;
  /** The runtime has a container for the current attempt (a launch of it again is a restart). */
  created: boolean;
  /** The runtime reported an OOM kill of the current container. */
  oomKilled: boolean;
  /** A stop was requested for the current container. */
  stopping: boolean;
  /** The current container's status as the runtime last reported it. */
  status?: ContainerStatus;
  /** The previous run's end (lastState). */
  lastTerminated?: ContainerStateTerminated;
  /** The CrashLoopBackOff message while in backoff. */
  backoffMessage?: string;
  /** The runtime could not make the container: CreateContainerError, with these words. */
  createError?: string;
  /**
   * The runtime cannot make the container yet and will try again (the engine went away; later
   * an image pull backing off): the waiting state shown while idle, until it is made.
   */
  waiting?: Waiting;
}

export function newSlot(role: Role, spec: Container): ContainerSlot {
  return {
    role,
    spec,
    phase: 'idle',
    attempt: 0,
    backoffSteps: 0,
    created: false,
    oomKilled: false,
    stopping: false,
  };
}

/** The pod's containers in the kubelet's order: init containers (and sidecars), then apps. */
export function slotsOf(spec: { initContainers?: Container[]; containers: Container[] }): {
  initSlots: ContainerSlot[];
  appSlots: ContainerSlot[];
} {
  return {
    initSlots: (spec.initContainers ?? []).map((c) =>
      newSlot(c.restartPolicy === 'Always' ? 'sidecar' : 'init', c),
    ),
    appSlots: spec.containers.map((c) => newSlot('app', c)),
  };
}

export function exitCodeOf(slot: ContainerSlot): number | undefined {
  return slot.status?.state.terminated?.exitCode;
}

/** A container of the current attempt is being made, runs, or its end is being read. */
export function isActive(slot: ContainerSlot): boolean {
  return slot.phase === 'starting' || slot.phase === 'running' || slot.phase === 'exiting';
}

/**
 * The reason of a terminated container (toKubeContainerStatus and the CRI's reasons,
 * pkg/kubelet/kuberuntime/kuberuntime_container.go): OOMKilled, else Completed or Error.
 */
export function terminatedReason(exitCode: number, oomKilled: boolean): string {
  return oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
}
