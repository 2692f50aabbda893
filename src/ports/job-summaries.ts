// What a listing of jobs needs (`tjob get jobs`, the CronJob controller's view of its children):
// the Job objects, without reading every job's pods and events.

import type { Job, JobStatus } from '../api/k8s.js';

/** The Job object (metadata, spec, status), without pods or events. */
export interface JobSummary {
  job: Job & { status: JobStatus };
}

export interface JobSummaries {
  /** Every job's object (name order), without reading pods and events where the store can. */
  listJobSummaries(): Promise<JobSummary[]>;
  loadJobSummary(name: string): Promise<JobSummary | undefined>;
}
