// Claims as Docker named volumes (api/claims.ts): a stored claim's bound volume, created on the
// engine when a pod first mounts it and kept until the claim is deleted; a generic ephemeral
// volume's per-pod volume, labelled with its pod and removed with it (removeEphemeralVolumes).

import type Docker from 'dockerode';

import { claimVolumeName } from '../../api/claims.js';
import type { PersistentVolumeClaim } from '../../api/k8s.js';
import { TjobLabel, TjobManagedByValue } from '../../api/labels.js';
import type { PodPlan } from '../../api/pod.js';
import { isNotFound } from './docker-errors.js';
import type { NamedVolumes } from './volumes.js';

export type ClaimLookup = (name: string) => Promise<PersistentVolumeClaim | undefined>;

/** The label that names the claim a volume belongs to. */
export const ClaimLabel = 'io.tjob.claim';

export function namedVolumes(
  docker: Docker,
  plan: PodPlan,
  lookup: ClaimLookup | undefined,
  instanceLabels: Record<string, string>,
): NamedVolumes {
  const ensure = async (name: string, labels: Record<string, string>) => {
    // Creating a volume that exists returns it (the engine's create is idempotent).
    await docker.createVolume({
      Name: name,
      Labels: { ...instanceLabels, [TjobLabel.managedBy]: TjobManagedByValue, ...labels },
    });
    const info = (await docker.getVolume(name).inspect()) as { Mountpoint: string };
    return { name, mountpoint: info.Mountpoint };
  };
  return {
    async claim(claimName) {
      const pvc = lookup ? await lookup(claimName) : undefined;
      if (!pvc?.metadata.uid) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
      return ensure(pvc.spec.volumeName ?? claimVolumeName(pvc.metadata.uid), { [ClaimLabel]: claimName });
    },
    async ephemeral(volumeName) {
      // The claim of an ephemeral volume is named `<pod>-<volume>` (ephemeral.VolumeClaimName); the
      // pod uid keeps two state directories' pods of the same name apart.
      return ensure(`${plan.name}-${volumeName}-${plan.uid.slice(0, 8)}`, {
        [ClaimLabel]: `${plan.name}-${volumeName}`,
        [TjobLabel.jobUid]: plan.jobUid,
        [TjobLabel.pod]: plan.name,
        [TjobLabel.podUid]: plan.uid,
      });
    },
  };
}

/** Removes the pod's ephemeral volumes (after its containers are gone). */
export async function removeEphemeralVolumes(docker: Docker, jobUid: string, podName: string): Promise<void> {
  const { Volumes } = await docker.listVolumes({
    filters: {
      label: [
        `${TjobLabel.managedBy}=${TjobManagedByValue}`,
        `${TjobLabel.jobUid}=${jobUid}`,
        `${TjobLabel.pod}=${podName}`,
      ],
    },
  });
  for (const v of Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }
}

/** Removes a claim's volume; a volume already gone is fine. */
export async function removeClaimVolume(docker: Docker, name: string): Promise<void> {
  await docker
    .getVolume(name)
    .remove()
    .catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
}
