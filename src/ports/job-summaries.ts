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

/**
 * What every listing of jobs reads of each job, as plain values: its name, whether it has finished,
 * when its TTL runs out, and the cells of its `get jobs` row that do not depend on the time. A
 * function of the brief (jobRow, src/state/job-row.ts), which a store may keep at hand instead of
 * parsing 10,000 briefs: a table, the TTL sweep and the deletion check read no more than this.
 */
export interface JobRow extends JobRowText {
  readonly name: string;
  /** It has a true Complete or Failed condition (finishedOutcome). */
  readonly finished: boolean;
  /** When its TTL runs out, ms since the epoch (ttlExpiry); undefined when it never does. */
  readonly ttlExpiry: number | undefined;
}

/** printJob's cells as far as they do not depend on the time (jobRowText in src/output/printers.ts). */
export interface JobRowText {
  /** STATUS. */
  readonly status: string;
  /** COMPLETIONS. */
  readonly completions: string;
  /** DURATION of a job that has completed ('' when it has not started); see runningSince. */
  readonly duration: string;
  /** The start of a job still running (its DURATION is the time since). */
  readonly runningSince: string | undefined;
  /** Its creation (AGE is the time since; NaN: none, or not a time). */
  readonly createdMs: number;
}

/** The Job object (metadata, spec, status), without pods or events. */
export interface JobSummary {
  /** The whole object; a store may read it only when it is asked for. */
  readonly job: Job & { status: JobStatus };
  /** What a listing reads of it, kept at hand by the store (absent: the object itself, see briefOf). */
  readonly brief?: JobBrief;
  /** Its row, kept at hand by the store (absent: computed from the brief, see rowOf in src/state/job-row.ts). */
  readonly row?: JobRow;
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
