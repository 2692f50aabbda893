// The jobs as the cron daemon knows them, by the CronJob that owns them: Kubernetes' job informer
// cache. The CronJob controller reads a CronJob's jobs from its job lister, never from the API
// server (pkg/controller/cronjob/cronjob_controllerv2.go, getJobsToBeReconciled: every job whose
// controller reference names the CronJob). Here the index is read whole at the daemon's start and
// at every rescan (a relist: an apply, a delete, a poke), and kept current in between by the
// daemon's own creations, its runners' changes and its deletions. Reading every job at every pass
// cost seconds per slot with hundreds of CronJobs.
//
// A job whose deletion was asked is hidden from then on: Kubernetes' background deletion removes
// the object at once and its pods after, so the controller never lists it again; here the job's
// runner may still take its pods' grace period to remove it.

import type { Job } from '../api/k8s.js';
import { isFinished, parentCronJobName } from '../controller/cron/index.js';
import type { JobSummary, StateStore } from '../ports/state-store.js';

/** What names a job across a deletion and a re-creation under its name: its uid (its name without one). */
function identity(job: Job): string {
  return job.metadata.uid ?? job.metadata.name;
}

export class JobIndex {
  private readonly jobs = new Map<string, JobSummary>();
  /** The names in `jobs` by parent CronJob. */
  private readonly childrenOf = new Map<string, Set<string>>();
  /** The identities of the jobs whose deletion was asked. */
  private readonly deleting = new Set<string>();

  constructor(private readonly store: Pick<StateStore, 'listJobSummaries' | 'loadJobSummary'>) {}

  /** Reads every job again. A deletion that has completed no longer needs hiding. */
  async relist(): Promise<void> {
    const all = await this.store.listJobSummaries();
    this.jobs.clear();
    this.childrenOf.clear();
    for (const s of all) this.put(s);
    const present = new Set(all.map((s) => identity(s.job)));
    for (const id of [...this.deleting]) if (!present.has(id)) this.deleting.delete(id);
  }

  /** Every job in the index, those being deleted too. */
  all(): JobSummary['job'][] {
    return [...this.jobs.values()].map((s) => s.job);
  }

  /** The job as created or changed (by this process). */
  put(s: JobSummary): void {
    const name = s.job.metadata.name;
    this.jobs.set(name, { job: s.job });
    const parent = parentCronJobName(s.job);
    if (parent === undefined) return;
    let names = this.childrenOf.get(parent);
    if (!names) this.childrenOf.set(parent, (names = new Set()));
    names.add(name);
  }

  /** The job is gone (its deletion is complete). */
  remove(name: string): void {
    const s = this.jobs.get(name);
    if (!s) return;
    this.jobs.delete(name);
    const parent = parentCronJobName(s.job);
    if (parent !== undefined) this.childrenOf.get(parent)?.delete(name);
    this.deleting.delete(identity(s.job));
  }

  /** Its deletion was asked: hidden from `children` until it is gone (or the deletion failed). */
  markDeleting(job: Job): void {
    this.deleting.add(identity(job));
  }

  /** Its deletion failed: it is seen again. */
  unmarkDeleting(job: Job): void {
    this.deleting.delete(identity(job));
  }

  isDeleting(job: Job): boolean {
    return this.deleting.has(identity(job));
  }

  /**
   * A CronJob's children, without those being deleted. A child that is unfinished and not driven
   * in this process (`drivenHere`) changes without this process seeing it: that one is read again
   * (and dropped when it is gone).
   */
  async children(cronJob: string, drivenHere: (job: string) => boolean): Promise<JobSummary[]> {
    const out: JobSummary[] = [];
    for (const jobName of [...(this.childrenOf.get(cronJob) ?? [])]) {
      let s = this.jobs.get(jobName);
      if (!s) continue;
      if (!isFinished(s.job) && !drivenHere(jobName)) {
        const fresh = await this.store.loadJobSummary(jobName);
        if (!fresh) {
          this.remove(jobName);
          continue;
        }
        this.put(fresh);
        s = fresh;
      }
      if (this.isDeleting(s.job)) continue;
      out.push(s);
    }
    return out;
  }
}
