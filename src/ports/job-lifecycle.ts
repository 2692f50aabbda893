// Jobs coming into and going out of the store: a job appears whole (its record and the config it
// captured) or not at all, and goes with everything it had (record, config, requests, logs, lease).

import type { Job, JobStatus } from '../api/k8s.js';
import type { JobConfigData } from './job-config.js';

export interface JobLifecycle {
  /**
   * Stores a new job with the ConfigMap and Secret data its pods will see (captured now, written
   * before the job becomes visible, so no crash leaves a job without it). Throws ConflictError if
   * a job of that name exists. Without `config`, its pods see no ConfigMaps or Secrets.
   */
  createJob(job: Job & { status: JobStatus }, config?: JobConfigData): Promise<void>;
  /** Removes the job and everything it had; a job that does not exist is no error. */
  deleteJob(name: string): Promise<void>;
}
