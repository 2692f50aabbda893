// Orphan collection: the jobs of a CronJob that is gone go with it, as Kubernetes' garbage
// collector removes a dependent whose owner no longer exists
// (pkg/controller/garbagecollector/garbagecollector.go). There, `attemptToDeleteItem` deletes an
// object none of whose owner references is "solid", and `isDangling` calls a reference dangling
// when its owner is not found or is found with another uid: a CronJob deleted and applied again
// under the same name does not own the jobs of the old one. The deletion propagates in the
// background (attemptToDeleteItem's default), which is how the cron daemon deletes any job.
//
// tjob's jobs have at most one owner, their CronJob, named in the controller reference
// (`ownerCronJobRef`); a job without one (run by hand, or from an old state directory that only
// labelled it) is nobody's dependent and is never collected. A reference or a CronJob stored
// without a uid is matched by name alone.

import type { CronJob, Job } from '../api/k8s.js';
import { ownerCronJobRef } from '../controller/cron/index.js';

/** The jobs whose owning CronJob is not among `cronJobs` (by name, then by uid where both have one). */
export function orphanedJobs<J extends Job>(jobs: Iterable<J>, cronJobs: readonly CronJob[]): J[] {
  const byName = new Map(cronJobs.map((c) => [c.metadata.name, c]));
  const out: J[] = [];
  for (const job of jobs) {
    const ref = ownerCronJobRef(job);
    if (!ref) continue;
    const owner = byName.get(ref.name);
    const dangling =
      !owner || (ref.uid !== undefined && owner.metadata.uid !== undefined && ref.uid !== owner.metadata.uid);
    if (dangling) out.push(job);
  }
  return out;
}

export interface OrphanCollector {
  /** Whether the job's deletion was already asked (it is on its way: not asked again). */
  isDeleting(job: Job): boolean;
  /** Deletes the job (background propagation). */
  deleteJob(name: string): Promise<void>;
  /** A deletion failed; the next collection tries again. */
  warning?(message: string): void;
}

/**
 * Deletes the orphans among `jobs`, one after the other. A failed deletion is a warning and does
 * not hold up the others (the garbage collector requeues the item; here the next rescan finds it).
 */
export async function collectOrphans(
  jobs: Iterable<Job>,
  cronJobs: readonly CronJob[],
  collector: OrphanCollector,
): Promise<void> {
  for (const job of orphanedJobs(jobs, cronJobs)) {
    if (collector.isDeleting(job)) continue;
    const name = job.metadata.name;
    await collector
      .deleteJob(name)
      .catch((err: Error) =>
        collector.warning?.(`deleting job ${name} of a deleted cronjob: ${err.message}`),
      );
  }
}
