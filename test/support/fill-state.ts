// Fills a state directory through the FileStore API with finished jobs as a real run leaves them
// (a journal with the creation, one change per pod created, running and finished, and the final
// status), for measuring the read commands. Also runnable on its own:
//   node dist/test/support/fill-state.js DIR [JOBS] [PODS_PER_JOB] [BIG_JOB_PODS]

import { randomUUID } from 'node:crypto';
import type { JobStatus } from '../../src/api/k8s.js';
import type { PodRecord } from '../../src/api/pod.js';
import type { StoredEvent } from '../../src/ports/state-store.js';
import { FileStore } from '../../src/state/file-store.js';
import { testJob } from './jobs.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function event(reason: string, message: string, at: number, involved: string): StoredEvent {
  return {
    type: 'Normal',
    reason,
    message,
    firstTimestamp: iso(at),
    lastTimestamp: iso(at),
    count: 1,
    source: 'job-controller',
    involvedObject: involved,
  };
}

function pod(job: string, jobUid: string, i: number, at: number, phase: 'Running' | 'Succeeded'): PodRecord {
  const name = `${job}-${i.toString(36).padStart(5, '0')}`;
  const started = iso(at + 100);
  return {
    name,
    uid: `${jobUid.slice(0, 24)}${i.toString(16).padStart(12, '0')}`,
    createdAt: new Date(at).toISOString(),
    labels: {
      'batch.kubernetes.io/controller-uid': jobUid,
      'batch.kubernetes.io/job-name': job,
      'controller-uid': jobUid,
      'job-name': job,
    },
    annotations: {},
    hostname: name,
    tracked: phase !== 'Succeeded',
    removed: phase === 'Succeeded',
    observation: {
      name,
      phase,
      ready: phase === 'Running',
      terminating: false,
      startTime: started,
      ...(phase === 'Succeeded' ? { finishTime: iso(at + 2100) } : {}),
      initContainerStatuses: [],
      containerStatuses: [
        {
          name: 'main',
          image: 'busybox:latest',
          imageID: 'docker-pullable://busybox@sha256:0000',
          containerID: `docker://${'0'.repeat(52)}${i.toString(16).padStart(12, '0')}`,
          ready: phase === 'Running',
          started: phase === 'Running',
          restartCount: 0,
          state:
            phase === 'Running'
              ? { running: { startedAt: started } }
              : {
                  terminated: {
                    exitCode: 0,
                    reason: 'Completed',
                    startedAt: started,
                    finishedAt: iso(at + 2100),
                  },
                },
        },
      ],
    },
  };
}

/** One finished job with `pods` pod records, committed as a run would (pods in batches of `batch`). */
export async function addFinishedJob(
  store: FileStore,
  name: string,
  pods: number,
  at: number,
  batch = 1,
): Promise<void> {
  const job = testJob(name, { completions: pods, parallelism: Math.min(pods, 4) });
  const uid = job.metadata.uid ?? randomUUID();
  job.metadata.creationTimestamp = iso(at);
  await store.createJob({ ...job, status: {} });
  // Held as a run holds it: the store keeps the job's record in memory instead of reading the
  // whole journal back before each commit (for the big job, 200 reads of up to 20 MB).
  const lease = await store.acquireJobLease(name, 'fill-state');
  if (!('release' in lease)) throw new Error(`job ${name}: its lease is held by pid ${lease.pid}`);
  try {
    await commitFinishedJob(store, name, uid, pods, at, batch);
  } finally {
    await lease.release();
  }
}

async function commitFinishedJob(
  store: FileStore,
  name: string,
  uid: string,
  pods: number,
  at: number,
  batch: number,
): Promise<void> {
  const startTime = iso(at);
  await store.commitJob(name, { status: { startTime, active: 0, ready: 0, terminating: 0 } });
  for (let i = 0; i < pods; i += batch) {
    const n = Math.min(batch, pods - i);
    const idx = Array.from({ length: n }, (_, k) => i + k);
    const created = idx.map((k) => pod(name, uid, k, at + k * 10, 'Running'));
    await store.commitJob(name, {
      pods: created,
      status: { startTime, active: n, ready: n, terminating: 0, succeeded: i },
      events: created.map((p) => event('SuccessfulCreate', `Created pod: ${p.name}`, at, `Job/${name}`)),
    });
    await store.commitJob(name, {
      pods: idx.map((k) => pod(name, uid, k, at + k * 10, 'Succeeded')),
      status: { startTime, active: 0, ready: 0, terminating: 0, succeeded: i + n },
    });
  }
  const end = iso(at + pods * 10 + 3000);
  const status: JobStatus = {
    startTime,
    completionTime: end,
    active: 0,
    ready: 0,
    terminating: 0,
    succeeded: pods,
    failed: 0,
    uncountedTerminatedPods: {},
    conditions: [
      {
        type: 'SuccessCriteriaMet',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
        lastProbeTime: end,
        lastTransitionTime: end,
      },
      {
        type: 'Complete',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
        lastProbeTime: end,
        lastTransitionTime: end,
      },
    ],
  };
  await store.commitJob(name, {
    status,
    events: [event('Completed', 'Job completed', at + pods * 10 + 3000, `Job/${name}`)],
  });
}

export interface FillOptions {
  jobs: number;
  podsPerJob: number;
  /** Pod records of one extra job named `big` (0: none). */
  bigJobPods?: number;
}

/** `jobs` finished jobs named job-0000…, and optionally one job `big` with many pod records. */
export async function fillState(dir: string, o: FillOptions): Promise<void> {
  const store = new FileStore(dir);
  await store.init();
  const width = String(o.jobs).length;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < o.jobs; i++) {
    pending.push(addFinishedJob(store, `job-${String(i).padStart(width, '0')}`, o.podsPerJob, T0 + i * 1000));
    // A few jobs at a time: each commit waits for its fsync.
    if (pending.length >= 32) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  if (o.bigJobPods) await addFinishedJob(store, 'big', o.bigJobPods, T0, 100);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'))) {
  const [dir, jobs = '1000', podsPerJob = '3', big = '0'] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: fill-state.js DIR [JOBS] [PODS_PER_JOB] [BIG_JOB_PODS]\n');
    process.exit(2);
  }
  const started = Date.now();
  await fillState(dir, { jobs: Number(jobs), podsPerJob: Number(podsPerJob), bigJobPods: Number(big) });
  process.stderr.write(`filled ${dir} in ${Date.now() - started} ms\n`);
}
