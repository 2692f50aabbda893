// Defaulted CronJob objects and the jobs they own, for engine tests of the cron daemon's parts.

import { randomUUID } from 'node:crypto';
import type { CronJob, CronJobSpec, Job, JobCondition, JobStatus } from '../../src/api/k8s.js';
import { jobFromTemplate, jobNameForSlot } from '../../src/controller/cron/index.js';
import { jobAsCreated } from '../../src/engine/job-creation.js';
import { defaultCronJob, defaultJob } from '../../src/manifest/index.js';

/** A CronJob every five minutes running `true` in busybox; `uid` as the store would give it. */
export function testCronJob(name: string, spec: Partial<CronJobSpec> = {}, uid?: string): CronJob {
  const cj = defaultCronJob({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [
                { name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['true'] },
              ],
            },
          },
        },
      },
      ...spec,
    },
  });
  if (uid !== undefined) cj.metadata.uid = uid;
  return cj;
}

/** The job the CronJob creates for `slot`, as stored on creation at the slot (empty status). */
export function childJob(cronJob: CronJob, slot: string): Job & { status: JobStatus } {
  const at = new Date(slot);
  const name = jobNameForSlot(cronJob.metadata.name, at);
  return jobAsCreated(defaultJob(jobFromTemplate(cronJob, name, at)), randomUUID(), at);
}

/** The job finished (`Complete` or `Failed`) at `at`, as the job controller records it. */
export function finished<J extends Job>(
  job: J,
  type: 'Complete' | 'Failed',
  at: string,
): J & { status: JobStatus } {
  const condition = {
    type,
    status: 'True',
    reason: type,
    message: '',
    lastTransitionTime: at,
  } as JobCondition;
  return { ...job, status: { ...(job.status ?? {}), conditions: [condition] } };
}
