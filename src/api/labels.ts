// Label and annotation keys: Kubernetes' own (on pods, as the Job controller sets them) and
// tjob's (on Docker containers, so a later process can find them again).

export const JobNameLabel = 'batch.kubernetes.io/job-name';
export const ControllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const LegacyJobNameLabel = 'job-name';
export const LegacyControllerUidLabel = 'controller-uid';
export const JobCompletionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';
export const JobIndexFailureCountAnnotation = 'batch.kubernetes.io/job-index-failure-count';
export const JobIndexIgnoredFailureCountAnnotation = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const CronJobScheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** Docker labels on every container tjob creates. */
export const TjobLabel = {
  managedBy: 'io.tjob.managed-by',
  job: 'io.tjob.job',
  jobUid: 'io.tjob.job-uid',
  pod: 'io.tjob.pod',
  podUid: 'io.tjob.pod-uid',
  container: 'io.tjob.container',
  /** init | sidecar | app | pause */
  role: 'io.tjob.role',
  index: 'io.tjob.completion-index',
  /** Which run of the container this is (OnFailure restarts in place create a new one). */
  attempt: 'io.tjob.attempt',
  /** On a pause container prepared before its pod was created (a warm sandbox): `true`. */
  prepared: 'io.tjob.prepared',
} as const;
export const TjobManagedByValue = 'tjob';

/** A pod as its labels name it. */
export interface LabelledPod {
  jobName: string;
  jobUid: string;
  name: string;
  uid: string;
  index?: number;
}

/**
 * The labels of what belongs to one pod (a Swarm pod's emptyDir volume): whose it is, the pod's
 * completion index. A runtime removes what carries them with the pod.
 */
export function tjobPodLabels(
  pod: LabelledPod,
  instanceLabels: Record<string, string>,
): Record<string, string> {
  const labels: Record<string, string> = {
    ...instanceLabels,
    [TjobLabel.managedBy]: TjobManagedByValue,
    [TjobLabel.job]: pod.jobName,
    [TjobLabel.jobUid]: pod.jobUid,
    [TjobLabel.pod]: pod.name,
    [TjobLabel.podUid]: pod.uid,
  };
  if (pod.index !== undefined) labels[TjobLabel.index] = String(pod.index);
  return labels;
}

/**
 * The labels of one container (or service) of a pod: the pod's, and which container, its role
 * and run. The Docker and Swarm runtimes find and adopt by them.
 */
export function tjobContainerLabels(
  pod: LabelledPod,
  instanceLabels: Record<string, string>,
  container: string,
  role: string,
  attempt: number,
): Record<string, string> {
  return {
    ...tjobPodLabels(pod, instanceLabels),
    [TjobLabel.container]: container,
    [TjobLabel.role]: role,
    [TjobLabel.attempt]: String(attempt),
  };
}
