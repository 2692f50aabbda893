// What the API server does to a Job it creates, in one place for every path that creates one
// (`tjob run`, `tjob apply`, the cron daemon, `tjob cron trigger`). As
// pkg/registry/batch/job/strategy.go (PrepareForCreate, generateSelectorIfNeeded) and
// staging/src/k8s.io/apiserver/pkg/registry/rest/create.go (BeforeCreate: uid, creationTimestamp):
// the uid, the generated selector and the controller-uid/job-name labels of its pods, the
// creation time, and an empty status.

import type { Job, JobStatus } from '../api/k8s.js';
import { rfc3339 } from '../api/time.js';
import { withGeneratedSelector } from '../manifest/index.js';

/**
 * The defaulted `job` as stored on creation at `now` with `uid`. The selector step is idempotent:
 * a job the manifest loader already gave its selector (for validation) keeps it when `uid` is
 * the one it was given.
 */
export function jobAsCreated(job: Job, uid: string, now: Date): Job & { status: JobStatus } {
  const created = withGeneratedSelector(job, uid);
  created.metadata.creationTimestamp = rfc3339(now);
  return { ...created, status: {} };
}
