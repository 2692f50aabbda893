// The Kubernetes objects `get -o json|yaml` prints, built from the state directory's records as the
// API server would serve them: a batch/v1 Job (defaulted spec, status with omitempty rules), and
// v1 Pods with the Job controller's labels, annotations, finalizer and owner reference.

import type { Container, CronJob, Job, JobStatus, ObjectMeta, PodSpec, PodStatus } from '../api/k8s.js';
import { JobCompletionIndexAnnotation } from '../api/labels.js';
import type { PodRecord } from '../api/pod.js';
import type { JobBrief } from '../ports/job-summaries.js';
import { rfc3339 } from '../api/time.js';
import { DefaultTerminationGracePeriodSeconds, defaultPodOnlyFields } from '../manifest/pod-defaults.js';

export const DEFAULT_NAMESPACE = 'default';
const JobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface PodObject {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta & {
    name: string;
    ownerReferences?: OwnerReference[];
    finalizers?: string[];
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
  };
  spec: PodSpec;
  status: PodStatus & { qosClass?: string };
}

export type JobObject = Job & { status: JobStatus };

/** The Job as `kubectl get job -o json` shows it. */
export function jobObject(job: Job): JobObject {
  const metadata: JobObject['metadata'] = { ...structuredClone(job.metadata) };
  metadata.namespace ??= DEFAULT_NAMESPACE;
  const labels = jobLabels(job);
  if (labels) metadata.labels = { ...labels };
  else delete metadata.labels;
  if (isEmpty(metadata.annotations)) delete metadata.annotations;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: structuredClone(job.spec),
    status: jobStatusObject(job.status),
  };
}

/** The Job's labels as the API serves them (the object's own, not a copy); undefined when none. */
export function jobLabels(job: JobBrief): Job['metadata']['labels'] {
  // SetDefaults_Job (pkg/apis/batch/v1/defaults.go): a Job without labels takes its pod template's.
  if (!isEmpty(job.metadata.labels)) return job.metadata.labels;
  const templateLabels = job.spec.template.metadata?.labels;
  return isEmpty(templateLabels) ? undefined : templateLabels;
}

/** batch/v1 JobStatus with the API's omitempty rules (counts omitted at 0; ready/terminating kept). */
export function jobStatusObject(status: JobStatus | undefined): JobStatus {
  const s = status ?? {};
  const out: JobStatus = {};
  if (s.conditions && s.conditions.length > 0) out.conditions = structuredClone(s.conditions);
  if (s.startTime) out.startTime = s.startTime;
  if (s.completionTime) out.completionTime = s.completionTime;
  if (s.active) out.active = s.active;
  if (s.succeeded) out.succeeded = s.succeeded;
  if (s.failed) out.failed = s.failed;
  if (s.terminating !== undefined) out.terminating = s.terminating;
  if (s.ready !== undefined) out.ready = s.ready;
  if (s.completedIndexes) out.completedIndexes = s.completedIndexes;
  if (s.failedIndexes !== undefined) out.failedIndexes = s.failedIndexes;
  if (Object.keys(s).length > 0) {
    const u: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
    if (s.uncountedTerminatedPods?.succeeded?.length) u.succeeded = [...s.uncountedTerminatedPods.succeeded];
    if (s.uncountedTerminatedPods?.failed?.length) u.failed = [...s.uncountedTerminatedPods.failed];
    out.uncountedTerminatedPods = u;
  }
  return out;
}

/** A recorded pod attempt as a v1 Pod. */
export function podObject(job: Job, record: PodRecord): PodObject {
  const obs = record.observation;
  const template = job.spec.template.spec;
  const terminal = obs.phase === 'Succeeded' || obs.phase === 'Failed';
  const grace = template.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;

  const metadata: PodObject['metadata'] = {
    name: record.name,
    generateName:
      record.index !== undefined ? `${job.metadata.name}-${record.index}-` : `${job.metadata.name}-`,
    namespace: job.metadata.namespace ?? DEFAULT_NAMESPACE,
    uid: record.uid,
    creationTimestamp: rfc3339(new Date(record.createdAt)),
    labels: { ...record.labels },
    ownerReferences: [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: job.metadata.name,
        uid: job.metadata.uid ?? '',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  };
  if (!isEmpty(record.annotations)) metadata.annotations = { ...record.annotations };
  if (record.tracked) metadata.finalizers = [JobTrackingFinalizer];
  if (record.deletionRequestedAt) {
    metadata.deletionTimestamp = rfc3339(new Date(Date.parse(record.deletionRequestedAt) + grace * 1000));
    metadata.deletionGracePeriodSeconds = grace;
  } else if (obs.terminating && !terminal) {
    metadata.deletionGracePeriodSeconds = grace;
  }

  // The pod gets the Pod-only defaults (SetDefaults_Pod) over its template's.
  const spec: PodSpec = defaultPodOnlyFields(template);
  spec.hostname = record.hostname;
  // The scheduler's choice, where the runtime has several nodes (Swarm).
  if (obs.nodeName !== undefined) spec.nodeName = obs.nodeName;
  if (record.index !== undefined) {
    // The Job controller injects the index into every container of an Indexed job's pods.
    const inject = (c: Container) => {
      if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) return;
      c.env = [
        ...(c.env ?? []),
        {
          name: 'JOB_COMPLETION_INDEX',
          valueFrom: {
            fieldRef: {
              apiVersion: 'v1',
              fieldPath: `metadata.annotations['${JobCompletionIndexAnnotation}']`,
            },
          },
        },
      ];
    };
    spec.containers.forEach(inject);
    spec.initContainers?.forEach(inject);
  }

  const status: PodObject['status'] = { phase: obs.phase };
  if (obs.conditions && obs.conditions.length > 0) status.conditions = structuredClone(obs.conditions);
  if (obs.reason) status.reason = obs.reason;
  if (obs.message) status.message = obs.message;
  if (obs.startTime) status.startTime = obs.startTime;
  if (obs.initContainerStatuses.length > 0)
    status.initContainerStatuses = structuredClone(obs.initContainerStatuses);
  if (obs.containerStatuses.length > 0) status.containerStatuses = structuredClone(obs.containerStatuses);
  status.qosClass = qosClass(spec);

  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status };
}

/** The CronJob as stored, with the namespace the API server would fill in. */
export function cronJobObject(cronJob: CronJob): CronJob {
  const out = structuredClone(cronJob);
  out.metadata.namespace ??= DEFAULT_NAMESPACE;
  out.status ??= {};
  return out;
}

/** v1 PodQOSClass from the containers' requests and limits. */
export function qosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    if (Object.keys(limits).length > 0 || Object.keys(requests).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      const limit = limits[r];
      const request = requests[r] ?? limit;
      if (limit === undefined || String(request) !== String(limit)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function isEmpty(m: Record<string, string> | undefined): boolean {
  return !m || Object.keys(m).length === 0;
}
