// Deleting a job: stop what still runs (grace period), remove its containers, then its records and
// logs. A pod whose containers could not be removed keeps the job's record, so a later delete (or
// run --replace) retries it instead of leaving containers nothing tracks (fail closed). Used by the
// runner driving the job (`tjob delete` of a running job) and for a job no process drives
// (`tjob delete`, `run --replace`, TTL expiry, the cron daemon's and `cron trigger`'s deletions).

import { DefaultTerminationGracePeriodSeconds } from '../manifest/pod-defaults.js';
import { PodsNotRemovedError } from '../api/errors.js';
import type { Job } from '../api/k8s.js';
import type { PodRecord } from '../api/pod.js';
import type { PodRuntime } from '../ports/pod-runtime.js';
import type { JobLifecycle } from '../ports/job-lifecycle.js';
import type { StoredJob } from '../ports/job-records.js';

export interface PodRemovalFailure {
  pod: string;
  message: string;
}

/** The pods that may still run: not removed, not finished. They are stopped before removal. */
export function podsToStop(pods: Iterable<PodRecord>): PodRecord[] {
  return [...pods].filter(
    (p) => !p.removed && p.observation.phase !== 'Succeeded' && p.observation.phase !== 'Failed',
  );
}

/** The pod's grace period (pkg/apis/core/v1/defaults.go: 30 s unless the template says). */
export function gracePeriodSeconds(job: Job): number {
  return job.spec.template.spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;
}

/**
 * Asks the runtime to stop each pod that may still run (SIGTERM, SIGKILL after the grace period).
 * A failed request is not fatal by itself: the removal that follows forces the stop.
 */
export async function stopPods(runtime: PodRuntime, job: Job, pods: Iterable<PodRecord>): Promise<void> {
  const uid = job.metadata.uid ?? '';
  const grace = gracePeriodSeconds(job);
  await Promise.all(
    podsToStop(pods).map((p) => runtime.deletePod(uid, p.name, grace).catch(() => undefined)),
  );
}

/** Removes the containers of every pod not removed yet: the ones removed, and those that failed. */
export async function removePods(
  runtime: PodRuntime,
  job: Job,
  pods: Iterable<PodRecord>,
): Promise<{ removed: PodRecord[]; failures: PodRemovalFailure[] }> {
  const uid = job.metadata.uid ?? '';
  const removed: PodRecord[] = [];
  const failures: PodRemovalFailure[] = [];
  await Promise.all(
    [...pods]
      .filter((p) => !p.removed)
      .map(async (p) => {
        try {
          await runtime.removePod(uid, p.name);
          removed.push({ ...p, removed: true });
        } catch (err) {
          failures.push({ pod: p.name, message: (err as Error).message });
        }
      }),
  );
  failures.sort((a, b) => a.pod.localeCompare(b.pod));
  return { removed, failures };
}

/**
 * Deletes a job no process drives: stops its pods, removes their containers, then its records.
 * Throws PodsNotRemovedError, naming each pod and the engine's error, when some could not go (the
 * record stays). What the runtime says about the job meanwhile (e.g. a Swarm pod's emptyDir left on
 * its node, and how to remove it) goes to `warn`, as a runner's observer shows it.
 */
export async function deleteJobEverywhere(
  state: StoredJob,
  store: JobLifecycle,
  runtime: PodRuntime,
  warn?: (message: string) => void,
): Promise<void> {
  const uid = state.job.metadata.uid ?? '';
  const unsubscribe = warn
    ? runtime.subscribe({
        onPod: () => undefined,
        onWarning: (jobUid, message) => {
          if (jobUid === uid) warn(message);
        },
      })
    : undefined;
  try {
    await stopPods(runtime, state.job, state.pods);
    const { failures } = await removePods(runtime, state.job, state.pods);
    if (failures.length > 0) throw new PodsNotRemovedError(state.job.metadata.name, failures);
    await store.deleteJob(state.job.metadata.name);
  } finally {
    unsubscribe?.();
  }
}
