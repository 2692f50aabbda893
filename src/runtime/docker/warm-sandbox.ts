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
