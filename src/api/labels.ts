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
