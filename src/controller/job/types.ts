// The contract of the pure Job controller: syncJob(input) → result. No I/O, no clock.

import type { Job, JobStatus, PodCondition } from '../../api/k8s.js';
import type { PodDeletionReason } from '../../api/pod.js';

/** A pod as the controller sees it (derived by the engine from its PodRecord). */
export interface PodView {
  name: string;
  /** Parsed completion index; undefined when missing or not a number (Indexed jobs delete such pods). */
  index?: number;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** Deletion requested and not terminal yet. */
  terminating: boolean;
  ready: boolean;
  /** Not yet counted in status (still "has the job-tracking finalizer"). */
  tracked: boolean;
  createdAt: Date;
  startedAt?: Date;
  /** Latest container finishedAt; the backoff is timed from it. */
  finishedAt?: Date;
  /** When deletion was requested (optional; the backoff falls back to it when finishedAt is unknown). */
  deletionRequestedAt?: Date;
  /** Sum of restartCount over init and app containers. */
  restartCount: number;
  /** Terminated containers, app containers first, for podFailurePolicy onExitCodes. */
  terminatedContainers: { name: string; init: boolean; exitCode: number }[];
  conditions: PodCondition[];
  /** Annotations of backoffLimitPerIndex mode. */
  indexFailureCount?: number;
  indexIgnoredFailureCount?: number;
  /** Seconds since the pod became ready (deletion preference), when ready. */
  readySince?: Date;
}

/** The job-level recreation backoff record (docs/job.md §3.4). */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: string;
}

export interface SyncOptions {
  /** Pod-recreation backoff base and cap (defaults 10 s and 10 min; `--backoff`, `--max-backoff`). */
  backoffBaseMs: number;
  backoffCapMs: number;
}

export type JobAction =
  | {
      type: 'createPod';
      index?: number;
      /** Annotation values for backoffLimitPerIndex mode. */
      indexFailureCount?: number;
      indexIgnoredFailureCount?: number;
    }
  | {
      type: 'deletePod';
      name: string;
      /** Why: excess pods and suspension are not failures; a finishing job's pods are. */
      reason: PodDeletionReason;
    };

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface SyncInput {
  job: Job;
  pods: PodView[];
  backoff: BackoffRecord;
  now: Date;
  options: SyncOptions;
  /**
   * What the engine has still to release of pods whose outcome is recorded: finished pods'
   * containers, sandboxes prepared for pods that will not come. While it is above 0 the job gets
   * its interim condition (SuccessCriteriaMet, FailureTarget) but not Complete or Failed, as
   * upstream's enactJobFinished waits until no terminated pod still holds its tracking finalizer
   * (pkg/controller/job/job_controller.go): a finished job has nothing left on the engine, and a
   * process killed before the release leaves an unfinished job, which the next run adopts.
   */
  releasesPending?: number;
}

export interface SyncResult {
  status: JobStatus;
  actions: JobAction[];
  backoff: BackoffRecord;
  /** Pods whose outcome this status now includes: their records lose `tracked`. */
  untrack: string[];
  events: JobEvent[];
  /** Look again after this many ms at the latest (deadline, backoff expiry). */
  requeueAfterMs?: number;
  /**
   * The job would finish now but for `releasesPending`: release, then sync again (which adds
   * Complete or Failed).
   */
  awaitingReleases?: true;
}
