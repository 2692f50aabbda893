// A Swarm pod's volumes as mounts of its services. An emptyDir lives as long as its pod on the
// pod's node and is shared by all of the pod's containers, surviving their restarts
// (pkg/volume/emptydir/empty_dir.go; "emptyDir" in the Kubernetes volumes concepts page). On Swarm
// each container run is a service of its own, so an emptyDir is a named volume of the local driver
// that every service of the pod mounts: the pod's node makes it with the pod's first service that
// mounts it (every later service is pinned to that node) and keeps it when a service goes.
// configMap and secret volumes are Swarm configs and secrets (config-files.ts); hostPath is a bind
// of the node's path; other kinds are refused before the pod starts (swarm-support.ts).

import type { PodPlan } from '../../api/pod.js';
import { memoryToBytes } from '../docker/quantity.js';
import type { PodVolumeMount } from '../docker/volumes.js';
import { memoryEmptyDirIsTmpfs } from './swarm-support.js';

/**
 * The node's volume of the pod's emptyDir: the pod's name and the volume's, as the claim of a
 * generic ephemeral volume is named (`<pod>-<volume>`, ephemeral.VolumeClaimName), and the start
 * of the pod's uid, so that the pods of two state directories with the same job name never share
 * one. Pod and volume names are DNS labels and subdomains: a valid volume name
 * (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`).
 */
export function emptyDirVolumeName(plan: Pick<PodPlan, 'name' | 'uid'>, volumeName: string): string {
  return `${plan.name}-${volumeName}-${plan.uid.slice(0, 8)}`;
}

/** Whether the pod has an emptyDir that becomes a volume of the node (one to remove with it). */
export function hasEmptyDirVolume(plan: PodPlan): boolean {
  return Object.values(podVolumeMounts(plan)).some((m) => m.kind === 'volume');
}

/**
 * How each of the pod's volumes is mounted by its services: emptyDir as the pod's named volume
 * (medium Memory as a tmpfs of its one container's run where that is exact: see
 * memoryEmptyDirIsTmpfs), hostPath as a bind of the node's path.
 */
export function podVolumeMounts(plan: PodPlan): Record<string, PodVolumeMount> {
  const out: Record<string, PodVolumeMount> = {};
  for (const v of plan.spec.volumes ?? []) {
    if (v.configMap || v.secret) continue;
    if (v.hostPath) out[v.name] = { kind: 'bind', source: v.hostPath.path };
    else if (v.emptyDir?.medium === 'Memory' && memoryEmptyDirIsTmpfs(plan.spec, v.name)) {
      const size = v.emptyDir.sizeLimit;
      out[v.name] =
        size !== undefined && size !== ''
          ? { kind: 'tmpfs', sizeBytes: memoryToBytes(size) }
          : { kind: 'tmpfs' };
    } else if (v.emptyDir || Object.keys(v).length === 1)
      // A volume of no kind is an emptyDir (SetDefaults_Volume, pkg/apis/core/v1/defaults.go).
      // Mounted whole (subPath is refused), so its mountpoint on the node is never needed.
      out[v.name] = { kind: 'volume', name: emptyDirVolumeName(plan, v.name), mountpoint: '' };
  }
  return out;
}
