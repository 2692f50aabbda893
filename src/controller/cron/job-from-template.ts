// The Job a CronJob creates (docs/cronjob.md §4, Kubernetes getJobFromTemplate2): template labels and
// annotations (not the CronJob's own), the scheduled-timestamp annotation in the CronJob's zone,
// a controller owner reference, and a deep copy of the template's spec.

import type { CronJob, Job, Labels } from '../../api/k8s.js';
import { CronJobScheduledTimestampAnnotation } from '../../api/labels.js';
import { CronJobNameLabel, rfc3339InZone } from './naming.js';

/** kubectl's mark on jobs made with `create job --from=cronjob/…`; tjob's `cron trigger` sets it too. */
export const InstantiateAnnotation = 'cronjob.kubernetes.io/instantiate';

/**
 * A Job from the CronJob's template. With `scheduledTime` it is the controller's job for that
 * slot (annotation `batch.kubernetes.io/cronjob-scheduled-timestamp`, rendered in `spec.timeZone`,
 * UTC when unset, as Kubernetes does); without, a manual run (`tjob cron trigger`, annotated
 * `cronjob.kubernetes.io/instantiate: manual` as kubectl does).
 */
export function jobFromTemplate(cronJob: CronJob, name: string, scheduledTime?: Date): Job {
  const template = cronJob.spec.jobTemplate;
  const labels: Labels = { ...(template.metadata?.labels ?? {}), [CronJobNameLabel]: cronJob.metadata.name };
  const annotations: Labels = { ...(template.metadata?.annotations ?? {}) };
  if (scheduledTime !== undefined) {
    annotations[CronJobScheduledTimestampAnnotation] = rfc3339InZone(
      scheduledTime,
      cronJob.spec.timeZone ?? 'UTC',
    );
  } else {
    annotations[InstantiateAnnotation] = 'manual';
  }
  const owner: Record<string, unknown> = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    name: cronJob.metadata.name,
    controller: true,
    blockOwnerDeletion: true,
  };
  if (cronJob.metadata.uid !== undefined) owner.uid = cronJob.metadata.uid;
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels, annotations, ownerReferences: [owner] },
    spec: structuredClone(template.spec),
  };
  if (cronJob.metadata.namespace !== undefined) job.metadata.namespace = cronJob.metadata.namespace;
  return job;
}
