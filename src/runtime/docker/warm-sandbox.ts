// Which pods may have their sandbox prepared ahead of need (docs/warm-sandboxes.md). The kubelet
// makes a pod's sandbox first and its containers join it (SyncPod,
// pkg/kubelet/kuberuntime/kuberuntime_manager.go); tjob makes it before the pod exists, so that
// an exit's replacement only starts its containers. Creating the network namespace is most of a
// container start here; joining one is not.

import type { PodSpec } from '../../api/k8s.js';

/**
 * A host-network pod has no network namespace of its own to prepare (it stays as it is); a pod
 * sharing its PID namespace would get the pause container as its PID 1 where today a pod of one
 * container has its own: both are started as always.
 */
export function canPrepareSandbox(spec: PodSpec): boolean {
  return spec.hostNetwork !== true && spec.shareProcessNamespace !== true;
}

/** Launches in flight below which the engine counts as idle enough to prepare sandboxes. */
export const SandboxLaunchRoom = 2;

/**
 * How many sandboxes may be prepared now, from the launch gate's load. A sandbox is a second
 * container per pod: it pays while the engine idles between pods (a chain of pods, a few long
 * ones) and costs throughput once the engine is kept busy starting pods (pause + joined app took
 * 10.3 s where 40 bridge starts took 7.4 s, 4 at once, here). So none while a launch waits for
 * the gate, and only while fewer than SandboxLaunchRoom launches (sandboxes being prepared
 * included) are in flight.
 */
export function sandboxRoom(load: { active: number; waiting: number }, limit: number): number {
  if (load.waiting > 0) return 0;
  return Math.max(0, Math.min(limit, SandboxLaunchRoom) - load.active);
}

/**
 * What a sandbox's preparation takes here: the starts that made a network namespace (pause
 * containers, and the containers of pods without one), as the engine answered them lately (an
 * exponentially weighted mean, so a machine getting busier counts soon).
 */
export class SandboxStartTimes {
  private mean: number | undefined;

  /** Undefined until a pause container was made. */
  get typicalMs(): number | undefined {
    return this.mean === undefined ? undefined : Math.round(this.mean);
  }

  add(ms: number): void {
    this.mean = this.mean === undefined ? ms : this.mean + 0.3 * (ms - this.mean);
  }
}
