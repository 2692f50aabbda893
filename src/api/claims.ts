// PersistentVolumeClaims on one node. tjob is the claim's provisioner: a stored claim is bound at
// once to a Docker named volume (the "PV"), named `pvc-<claim uid>` as dynamically provisioned
// volumes are; the volume outlives the pods that mount it, until the claim is deleted. A generic
// ephemeral volume is a claim made for one pod (`<pod>-<volume>`) and removed with it.

import type { PersistentVolumeClaim, Volume } from './k8s.js';
import type { PodRecord } from './pod.js';

/** The finalizer that keeps a claim while a pod uses it (pkg/controller/volume/pvcprotection). */
export const PVCProtectionFinalizer = 'kubernetes.io/pvc-protection';

/** The Docker volume of a claim. */
export function claimVolumeName(uid: string): string {
  return `pvc-${uid}`;
}

/** The claim as stored: identity, the pvc-protection finalizer, bound to its volume. */
export function boundClaim(pvc: PersistentVolumeClaim, now: Date, uid: string): PersistentVolumeClaim {
  const out = structuredClone(pvc);
  out.metadata.uid = uid;
  out.metadata.creationTimestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
  out.metadata.finalizers = [PVCProtectionFinalizer];
  out.spec.volumeName = claimVolumeName(uid);
  const storage = pvc.spec.resources?.requests?.['storage'];
  out.status = {
    phase: 'Bound',
    accessModes: [...(pvc.spec.accessModes ?? [])],
    ...(storage !== undefined ? { capacity: { storage } } : {}),
  };
  return out;
}

/** Same spec as stored, but for what binding filled in. */
export function sameClaimSpec(stored: PersistentVolumeClaim, incoming: PersistentVolumeClaim): boolean {
  const a = { ...stored.spec, volumeName: undefined, resources: undefined };
  const b = { ...incoming.spec, volumeName: undefined, resources: undefined };
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sortKeys(x)]),
    );
  return v;
}

/** The claims a pod spec mounts by name (persistentVolumeClaim volumes). */
export function claimNamesOf(volumes: Volume[] | undefined): string[] {
  const names: string[] = [];
  for (const v of volumes ?? []) {
    const src = v['persistentVolumeClaim'] as { claimName?: string } | undefined;
    if (src?.claimName) names.push(src.claimName);
  }
  return names;
}

/**
 * Whether a pod blocks the deletion of its claims (pvcprotection's podUsesPVC): it was scheduled
 * and has not terminated, or its containers are still on the engine.
 */
export function podHoldsClaims(record: PodRecord): boolean {
  if (record.removed === true) return false;
  const obs = record.observation;
  const unscheduled = obs.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return false;
  return obs.phase !== 'Succeeded' && obs.phase !== 'Failed';
}

/**
 * Why a pod cannot be scheduled for its claims (the volumebinding plugin's PreFilter), in the
 * scheduler's words: `persistentvolumeclaim "NAME" not found`, or `... is being deleted`.
 */
export function unschedulableClaim(
  claimNames: string[],
  lookup: (name: string) => PersistentVolumeClaim | undefined,
): string | undefined {
  for (const name of claimNames) {
    const pvc = lookup(name);
    if (!pvc) return `persistentvolumeclaim "${name}" not found`;
    if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
  }
  return undefined;
}

/**
 * The scheduler's FitError message for a PreFilter rejection on a 1-node cluster
 * (pkg/scheduler/framework/types.go: NoNodeAvailableMsg, then the plugin's reason, then
 * preemption's).
 */
export function unschedulableMessage(reason: string): string {
  return `0/1 nodes are available: ${reason}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
}
