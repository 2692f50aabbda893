// How the cron daemon creates and deletes jobs: the CronJob controller's job control
// (pkg/controller/cronjob/injection.go, realJobControl: CreateJob, GetJob, DeleteJob), with the
// state directory as the API server. Every change is also made in the daemon's job index, as an
// informer would soon see it.

import type { Job } from '../api/k8s.js';
import { isFinished } from '../controller/cron/index.js';
import { defaultJob } from '../manifest/index.js';
import type { RuntimeKind } from '../ports/pod-runtime.js';
import type { StateStore, StoredJob } from '../ports/state-store.js';
import { jobAsCreated } from './job-creation.js';
import type { JobIndex } from './job-index.js';
import { storedConfigData } from './pod-plan.js';
import type { RunnerPool } from './runner-pool.js';

export interface CronJobControlDeps {
  store: StateStore;
  index: Pick<JobIndex, 'put' | 'remove' | 'markDeleting' | 'unmarkDeleting'>;
  runners: Pick<RunnerPool, 'isDriving' | 'runnerDone'>;
  /** Removes a job that no process drives: its containers, records and logs. */
  deleteUndrivenJob(state: StoredJob): Promise<void>;
  /** Names this process in the requests it leaves (`tjob cron start (pid 42)`). */
  command: string;
  /** The Docker network the pods of the jobs it creates join (`tjob cron start --network`). */
  network?: string;
  /** The runtime the jobs it creates run on (`tjob cron start --runtime`); absent: Docker. */
  runtime?: RuntimeKind;
}

export class CronJobControl {
  /** The ConfigMaps and Secrets new jobs snapshot, read once per pass of the daemon's loop. */
  private configSnapshot: ReturnType<typeof storedConfigData> | undefined;

  constructor(private readonly deps: CronJobControlDeps) {}

  /** A new pass: the next creation reads the ConfigMaps and Secrets again. */
  newPass(): void {
    this.configSnapshot = undefined;
  }

  async loadJob(name: string): Promise<StoredJob | undefined> {
    return this.deps.store.loadJob(name);
  }

  /**
   * Stores the job the controller made from the template as the API server creates it (defaulted,
   * with `uid`, its generated selector, `now` as creationTimestamp). A name already taken is the
   * store's ConflictError (the API server's AlreadyExists).
   */
  async createJob(fromTemplate: Job, uid: string, now: Date): Promise<void> {
    const stored = jobAsCreated(defaultJob(fromTemplate), uid, now);
    this.configSnapshot ??= storedConfigData(this.deps.store);
    const config = await this.configSnapshot;
    const { network, runtime } = this.deps;
    await this.deps.store.createJob(stored, {
      ...config,
      ...(network === undefined ? {} : { network }),
      ...(runtime === undefined ? {} : { runtime }),
    });
    this.deps.index.put({ job: stored });
  }

  /**
   * Deletes a job with background propagation (DeleteJob's policy): the job is gone for the
   * controller at once, its pods go after. A job some process drives is asked to delete itself
   * (its runner stops the pods within their grace period and removes everything); one that nobody
   * drives is removed here. A job already gone is no error.
   */
  async deleteJob(name: string): Promise<void> {
    const { store, index, runners } = this.deps;
    const state = await store.loadJob(name);
    if (!state) {
      index.remove(name);
      return;
    }
    if (isFinished(state.job)) {
      // Its runner is done with it (or about to be): nothing to stop, remove it here.
      await runners.runnerDone(name);
    }
    const holder = isFinished(state.job)
      ? false
      : runners.isDriving(name) || (await store.jobLeaseHolder(name)) !== undefined;
    if (holder) {
      await store.requestJobChange(name, { delete: true, from: this.deps.command });
      index.markDeleting(state.job);
      return;
    }
    index.markDeleting(state.job);
    try {
      await this.deps.deleteUndrivenJob(state);
    } catch (err) {
      index.unmarkDeleting(state.job);
      throw err;
    }
    index.remove(name);
  }
}
