// Driving a Job through the engine's JobRunner on a real runtime, in-process, with a state
// directory of its own: the same job on the Docker engine and on a Swarm cluster, compared by the
// status fields a user reads.

import { randomUUID } from 'node:crypto';

import Docker from 'dockerode';

import type { Job, JobStatus } from '../../src/api/k8s.js';
import type { JobEnvironment } from '../../src/api/pod.js';
import { JobRunner, type RunEnd } from '../../src/engine/job-runner.js';
import type { StoredJob } from '../../src/ports/job-records.js';
import type { PodRuntime } from '../../src/ports/pod-runtime.js';
import { DockerRuntime } from '../../src/runtime/docker/docker-runtime.js';
import { SwarmRuntime } from '../../src/runtime/swarm/swarm-runtime.js';
import { SystemClock } from '../../src/runtime/system-clock.js';
import { FileStore } from '../../src/state/file-store.js';
import { tempDir } from './jobs.js';
import { testRunnerOptions } from './runner-options.js';

/** Pod re-creation back-off short enough for real runs (the controller's rule, a smaller base). */
export const quickRunnerOptions = { ...testRunnerOptions, backoffBaseMs: 1000, backoffCapMs: 4000 };

const runtimeBackoff = { restartBackoffBaseMs: 1000, restartBackoffCapMs: 4000 };

export function swarmRuntime(socketPath: string): SwarmRuntime {
  return new SwarmRuntime({ docker: new Docker({ socketPath }), ...runtimeBackoff });
}

export function dockerRuntime(): DockerRuntime {
  return new DockerRuntime({ workDir: tempDir('tjob-swarm-cmp-'), ...runtimeBackoff });
}

export interface JobRun {
  end: RunEnd;
  state: StoredJob;
  store: FileStore;
}

/**
 * Creates the job in a new state directory (or `root`) and runs it to its end; `config`: the
 * ConfigMaps and Secrets its pods see (none by default).
 */
export async function runJob(
  runtime: PodRuntime,
  job: Job,
  root = tempDir('tjob-swarm-state-'),
  config?: JobEnvironment,
): Promise<JobRun> {
  const store = new FileStore(root);
  await store.init();
  if (!(await store.loadJob(job.metadata.name)))
    await store.createJob({ ...job, status: {} }, config && { ...config, runtime: 'swarm' });
  const runner = new JobRunner({ store, runtime, clock: new SystemClock() }, job.metadata.name, {
    ...quickRunnerOptions,
    ...(config ? { config } : {}),
    newUid: randomUUID,
  });
  const { end, state } = await runner.run();
  return { end, state, store };
}

export type Projection = Pick<JobStatus, 'succeeded' | 'failed' | 'completedIndexes' | 'failedIndexes'> & {
  end?: string;
  message?: string;
};

/** What a user compares between two runs of one job: the counts, the indexes, how it ended. */
export function project(status: JobStatus): Projection {
  const end = status.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  return {
    succeeded: status.succeeded ?? 0,
    failed: status.failed ?? 0,
    completedIndexes: status.completedIndexes ?? '',
    failedIndexes: status.failedIndexes ?? '',
    ...(end ? { end: `${end.type}/${end.reason ?? ''}` } : {}),
    ...(end?.message ? { message: end.message } : {}),
  };
}
