// One pod attempt of a Job, as tjob records and observes it. A pod is a group of Docker
// containers (see docs/pod-on-docker.md); these records outlive the containers until the job is deleted.

import type { ConfigData } from './config-value.js';
import type { ContainerStatus, Labels, PodCondition, PodPhase, PodSpec } from './k8s.js';

/** What the runtime reports about a pod: the kubelet's view of its containers. */
export interface PodObservation {
  name: string;
  phase: PodPhase;
  /** Every app container is running (there are no probes). */
  ready: boolean;
  /** A graceful deletion was requested and the pod has not reached a terminal phase. */
  terminating: boolean;
  startTime?: string;
  /** The latest finishedAt of its containers, once the pod is terminal. */
  finishTime?: string;
  /** Pod-level reason, e.g. `DeadlineExceeded` (pod activeDeadlineSeconds) or `Evicted`. */
  reason?: string;
  message?: string;
  conditions?: PodCondition[];
  initContainerStatuses: ContainerStatus[];
  containerStatuses: ContainerStatus[];
  /** The node the pod runs on (`spec.nodeName`), when the runtime has several (Swarm). */
  nodeName?: string;
}

/** Everything tjob needs to create one pod: the job controller's decision, made concrete. */
export interface PodPlan {
  name: string;
  uid: string;
  namespace: string;
  jobName: string;
  jobUid: string;
  /** Completion index (Indexed jobs). */
  index?: number;
  labels: Labels;
  annotations: Labels;
  hostname: string;
  subdomain?: string;
  spec: PodSpec;
  /** ConfigMaps and Secrets visible to this pod, by name (base64 of the manifests decoded). */
  configMaps: ConfigData;
  secrets: ConfigData;
  /**
   * The user-defined Docker network the pod joins (`tjob run --network`), where it resolves the
   * other containers on that network by name, as a pod resolves Services; absent: the engine's
   * default bridge.
   */
  network?: string;
}

/** What a pod sees of the job it belongs to beyond its spec, captured when the job was created. */
export type JobEnvironment = Pick<PodPlan, 'configMaps' | 'secrets' | 'network'>;

/** Why the Job controller deletes a pod (its deletePod actions). */
export type PodDeletionReason =
  'Excess' | 'Suspended' | 'InvalidIndex' | 'DuplicateIndex' | 'JobFinished' | 'FailedIndex';

/** The stored record of a pod attempt. */
export interface PodRecord {
  name: string;
  uid: string;
  index?: number;
  createdAt: string;
  labels: Labels;
  annotations: Labels;
  hostname: string;
  /** Still carries Kubernetes' job-tracking finalizer: its outcome has not been counted yet. */
  tracked: boolean;
  /** When tjob asked for the pod to be deleted (graceful stop). */
  deletionRequestedAt?: string;
  /** Why the Job controller deleted it (a deletePod reason: Excess, Suspended, JobFinished...). */
  deletionReason?: PodDeletionReason;
  /** The containers are gone (removed after their status and logs were recorded). */
  removed?: boolean;
  observation: PodObservation;
}

/**
 * A record of a pod that never came to be: its creation failed (FailedCreate), or the process
 * died before starting it (NotStarted). It is no pod of the job (not counted, not listed in
 * reports); what its failed creation may have left on the engine is still removed.
 */
export function neverRan(r: PodRecord): boolean {
  return !r.tracked && (r.observation.reason === 'NotStarted' || r.observation.reason === 'FailedCreate');
}

/**
 * A Secret a pod names in `imagePullSecrets`, as a pull sees it: its name and decoded data (the
 * kubelet reads `.dockerconfigjson` or `.dockercfg` from it, src/runtime/registry/pull-secrets.ts).
 */
export interface PullSecret {
  name: string;
  data: ConfigData[string];
}

/**
 * The pull Secrets of a pod spec that exist in `secrets`, in the spec's order. A missing one is
 * left out, as the kubelet goes on without it ("Unable to retrieve some image pull secrets").
 */
export function pullSecretsOf(spec: PodSpec, secrets: ConfigData): PullSecret[] {
  const refs = (spec['imagePullSecrets'] as { name?: string }[] | undefined) ?? [];
  const out: PullSecret[] = [];
  for (const ref of refs) {
    const data = ref.name !== undefined ? secrets[ref.name] : undefined;
    if (data !== undefined && !out.some((s) => s.name === ref.name)) out.push({ name: ref.name!, data });
  }
  return out;
}
