// A job's row (JobRow, src/ports/job-summaries.ts): what every listing of jobs reads of each job,
// computed from its brief. The summaries index (summary-index.ts) keeps it, so that a listing of
// 10,000 jobs reads a few short fields per job rather than parsing 10,000 briefs.

import { finishedOutcome } from '../engine/job-status.js';
import { ttlExpiry } from '../engine/ttl-after-finished.js';
import { jobRowText } from '../output/printers.js';
import { briefOf, type JobBrief, type JobRow, type JobSummary } from '../ports/job-summaries.js';

/** The job's row, from its brief (or the job itself). */
export function jobRow(job: JobBrief): JobRow {
  return {
    name: job.metadata.name,
    finished: finishedOutcome(job.status) !== undefined,
    ttlExpiry: ttlExpiry(job),
    ...jobRowText(job),
  };
}

/** The summary's row: the one its store kept, else computed from its brief. */
export function rowOf(summary: JobSummary): JobRow {
  return summary.row ?? jobRow(briefOf(summary));
}
