// The stored objects of one kind as `get`, `describe` and shell completion list them: name, labels,
// the API object and its table row.

import { mapLimit } from '../api/map-limit.js';
import type { Labels } from '../api/k8s.js';
import type { ClaimStore } from '../ports/claims.js';
import type { JobRecords, StoredJob } from '../ports/job-records.js';
import type { JobRequestMailbox } from '../ports/job-requests.js';
import { briefOf, type JobRow, type JobSummaries, type JobSummary } from '../ports/job-summaries.js';
import type { StateStore } from '../ports/state-store.js';
import { cronJobObject, jobLabels, jobObject, podObject } from '../output/objects.js';
import {
  claimCells,
  cronJobCells,
  jobRowCells,
  jobWideCells,
  podCells,
  type Kind,
} from '../output/printers.js';
import { rowOf } from '../state/job-row.js';

/** kubectl's line when a listing is empty (on stderr). */
export const NO_RESOURCES = 'No resources found in default namespace.\n';

/**
 * Whether the job's deletion was asked of the process that drives it. Such a job is gone, as
 * after Kubernetes' background deletion (the CronJob controller's Replace, `kubectl delete`): the
 * object goes at once, its pods terminate in the background (and stay under `get pods` until then).
 * Only an unfinished job's deletion waits for its controller (a finished one has no pods to stop):
 * the caller asks this of unfinished jobs only.
 */
async function deletionAsked(
  store: Pick<JobRequestMailbox, 'pendingJobRequests'>,
  name: string,
): Promise<boolean> {
  return (await store.pendingJobRequests(name)).some((r) => r.delete === true);
}

/** One object as `get` lists it. */
export interface Listed {
  kind: Kind;
  name: string;
  labels: Labels | undefined;
  object: unknown;
  cells(now: Date, wide: boolean): string[];
}

/**
 * A job as `get` lists it. The name, the filters and the row read the row a store keeps
 * (JobRow); the labels and `-o wide`'s cells its brief, and the API object (the whole job, a copy
 * with defaults) is made only for the formats that print it (on 10,000 jobs that is most of a
 * listing's time). A class: no closures per job.
 */
class ListedJob implements Listed {
  readonly kind = 'jobs';
  readonly name: string;
  private made: ReturnType<typeof jobObject> | undefined;

  constructor(
    private readonly summary: JobSummary,
    private readonly row: JobRow,
  ) {
    this.name = row.name;
  }

  /** Whether it has finished (a finished job's deletion waits for no controller: deletionAsked). */
  get finished(): boolean {
    return this.row.finished;
  }

  get labels(): Labels | undefined {
    return jobLabels(briefOf(this.summary));
  }

  get object(): unknown {
    return (this.made ??= jobObject(this.summary.job));
  }

  cells(now: Date, wide: boolean): string[] {
    const cells = jobRowCells(this.name, this.row, now);
    if (wide) cells.push(...jobWideCells(briefOf(this.summary)));
    return cells;
  }
}

/** What listing every kind reads. */
export type ListingStore = JobRecords &
  JobSummaries &
  JobRequestMailbox &
  Pick<ClaimStore, 'listClaims'> &
  Pick<StateStore, 'listCronJobs'>;

/**
 * The stored objects of `kind`. `jobFilter`: the pods of these jobs only; `summaries`: the jobs as
 * the caller has just listed them (else they are listed here).
 */
export async function listKind(
  store: ListingStore,
  kind: Kind,
  jobFilter?: StoredJob[],
  summaries?: JobSummary[],
): Promise<Listed[]> {
  if (kind === 'jobs') {
    // Summaries: a listing of jobs reads no pod records (1,000 jobs answer in well under a second).
    const all = (summaries ?? (await store.listJobSummaries())).map((s) => new ListedJob(s, rowOf(s)));
    // Only unfinished jobs can be gone this way (deletionAsked): the others read no requests.
    const unfinished = all.filter((j) => !j.finished);
    const asked = await mapLimit(unfinished, 16, (j) => deletionAsked(store, j.name));
    const deleted = new Set(unfinished.filter((_, i) => asked[i]));
    return deleted.size ? all.filter((j) => !deleted.has(j)) : all;
  }
  if (kind === 'pods') {
    const out: Listed[] = [];
    for (const s of jobFilter ?? (await store.listJobs())) {
      for (const record of s.pods) {
        const object = podObject(s.job, record);
        out.push({
          kind,
          name: record.name,
          labels: object.metadata.labels,
          object,
          cells: (now, wide) => podCells(object, now, wide),
        });
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  if (kind === 'persistentvolumeclaims') {
    return (await store.listClaims()).map((pvc) => ({
      kind,
      name: pvc.metadata.name,
      labels: pvc.metadata.labels,
      object: pvc,
      cells: (now: Date, wide: boolean) => claimCells(pvc, now, wide),
    }));
  }
  return (await store.listCronJobs())
    .map((cj) => {
      const object = cronJobObject(cj);
      return {
        kind,
        name: object.metadata.name,
        labels: object.metadata.labels,
        object,
        cells: (now: Date, wide: boolean) => cronJobCells(object, now, wide),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
