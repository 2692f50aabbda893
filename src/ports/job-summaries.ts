// What a listing of jobs needs (`tjob get jobs`, the CronJob controller's view of its children):
// the Job objects, without reading every job's pods and events.

import type { Container, Job, JobCondition, JobSpec, JobStatus, Labels } from '../api/k8s.js';

/**
 * The fields of a Job that a listing reads: `get jobs` columns (wide ones included), label
 * selection, whether and when it finished, its TTL. A Job is one; a store may keep no more than
 * this at hand for 10,000 jobs.
 */
export interface JobBrief {
  metadata: { name: string; labels?: Labels; creationTimestamp?: string; deletionTimestamp?: unknown };
  spec: Pick<JobSpec, 'completions' | 'parallelism' | 'ttlSecondsAfterFinished' | 'selector'> & {
    template: { metadata?: { labels?: Labels }; spec: { containers: Pick<Container, 'name' | 'image'>[] } };
  };
  status?: Pick<JobStatus, 'startTime' | 'completionTime' | 'succeeded'> & {
    conditions?: Pick<JobCondition, 'type' | 'status' | 'lastTransitionTime'>[];
  };
}

/** The Job object (metadata, spec, status), without pods or events. */
export interface JobSummary {
  /** The whole object; a store may read it only when it is asked for. */
  readonly job: Job & { status: JobStatus };
  /** What a listing reads of it, kept at hand by the store (absent: the object itself, see briefOf). */
  readonly brief?: JobBrief;
}

/** What a listing reads of a job: its brief, or the object itself. */
export function briefOf(summary: JobSummary): JobBrief {
  return summary.brief ?? summary.job;
}

export interface JobSummaries {
  /** Every job's object (name order), without reading pods and events where the store can. */
  listJobSummaries(): Promise<JobSummary[]>;
  loadJobSummary(name: string): Promise<JobSummary | undefined>;
}
