// Scenario 3, start-up: `tjob --version` against `node -e 0`; `tjob get jobs` over 1,000 finished
// jobs and `tjob get pods` over one job with 10,000 pod records, generated with the FileStore API;
// and a check that commands which do not talk to the engine never load dockerode.

import { join } from 'node:path';
import type { JobStatus } from '../src/api/k8s.js';
import type { PodRecord } from '../src/api/pod.js';
import { mapLimit } from '../src/api/map-limit.js';
import { FileStore } from '../src/state/file-store.js';
import { QUICK, ROOT, TJOB, log, median, mustRun, round, run, tempDir } from './util.js';

export interface StartupResult {
  reps: number;
  versionMs: number;
  nodeMs: number;
  versionRatio: number;
  getJobs: { jobs: number; ms: number };
  getPods: { pods: number; ms: number };
  /** Commands run with a loader check: did dockerode get loaded? */
  dockerodeLoaded: Record<string, boolean>;
}

function podRecord(job: string, uid: string, i: number, t0: number): PodRecord {
  const created = new Date(t0 + i * 1000);
  const finished = new Date(t0 + i * 1000 + 800);
  const name = `${job}-${i.toString(36).padStart(5, '0')}`;
  return {
    name,
    uid: `${uid}-${i}`,
    createdAt: created.toISOString(),
    labels: {
      'batch.kubernetes.io/job-name': job,
      'job-name': job,
      'batch.kubernetes.io/controller-uid': uid,
    },
    annotations: {},
    hostname: name,
    tracked: false,
    removed: true,
    observation: {
      name,
      phase: 'Succeeded',
      ready: false,
      terminating: false,
      startTime: created.toISOString().replace(/\.\d+Z$/, 'Z'),
      finishTime: finished.toISOString().replace(/\.\d+Z$/, 'Z'),
      initContainerStatuses: [],
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 0,
          image: 'busybox',
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              startedAt: created.toISOString().replace(/\.\d+Z$/, 'Z'),
              finishedAt: finished.toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          },
        },
      ],
    },
  } as PodRecord;
}

function finishedJob(name: string, uid: string, completions: number, t0: number) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      uid,
      creationTimestamp: new Date(t0).toISOString().replace(/\.\d+Z$/, 'Z'),
      labels: {},
    },
    spec: {
      completions,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: {
        metadata: {
          labels: { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name },
        },
        spec: {
          containers: [{ name: 'c', image: 'busybox', command: ['true'], imagePullPolicy: 'IfNotPresent' }],
          restartPolicy: 'Never',
        },
      },
    },
  };
}

function finishedStatus(completions: number, t0: number, t1: number): JobStatus {
  const s = new Date(t0).toISOString().replace(/\.\d+Z$/, 'Z');
  const e = new Date(t1).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    startTime: s,
    completionTime: e,
    succeeded: completions,
    failed: 0,
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
    conditions: [
      {
        type: 'SuccessCriteriaMet',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
        lastProbeTime: e,
        lastTransitionTime: e,
      },
      {
        type: 'Complete',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
        lastProbeTime: e,
        lastTransitionTime: e,
      },
    ],
  } as unknown as JobStatus;
}

/** A state directory with `jobs` finished jobs of `podsPerJob` pods each, `concurrency` at a time. */
export async function makeJobs(
  dir: string,
  jobs: number,
  podsPerJob: number,
  concurrency = 1,
): Promise<void> {
  const store = new FileStore(dir);
  await store.init();
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  await mapLimit(
    Array.from({ length: jobs }, (_, j) => j),
    concurrency,
    async (j) => {
      const name = `job-${String(j).padStart(4, '0')}`;
      const uid = `00000000-0000-4000-8000-${String(j).padStart(12, '0')}`;
      const start = t0 + j * 60_000;
      await store.createJob({ ...finishedJob(name, uid, podsPerJob, start), status: {} } as never);
      const pods = Array.from({ length: podsPerJob }, (_, i) => podRecord(name, uid, i, start));
      await store.commitJob(name, {
        pods,
        status: finishedStatus(podsPerJob, start, start + podsPerJob * 1000),
      });
    },
  );
}

/** One job with `pods` pod records, committed in batches as a controller would. */
export async function makeBigJob(dir: string, pods: number): Promise<void> {
  const store = new FileStore(dir);
  await store.init();
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const name = 'big';
  const uid = '00000000-0000-4000-8000-000000000001';
  await store.createJob({ ...finishedJob(name, uid, pods, t0), status: {} } as never);
  for (let i = 0; i < pods; i += 500) {
    const batch = Array.from({ length: Math.min(500, pods - i) }, (_, k) => podRecord(name, uid, i + k, t0));
    await store.commitJob(name, { pods: batch });
  }
  await store.commitJob(name, { status: finishedStatus(pods, t0, t0 + pods * 1000) });
}

async function timed(args: string[], env: Record<string, string>, reps: number): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    ms.push((await mustRun(process.execPath, [TJOB, ...args], { env, dropStdout: true })).ms);
  }
  return round(median(ms), 1);
}

/** Runs the CLI in-process behind a check of the CommonJS module cache at exit. */
async function loadsDockerode(args: string[], env: Record<string, string>): Promise<boolean> {
  const probe = `
    import { createRequire } from 'node:module';
    const cache = createRequire(import.meta.url).cache;
    process.on('exit', () => {
      const hit = Object.keys(cache).some((k) => k.includes('/node_modules/dockerode/'));
      process.stderr.write('DOCKERODE=' + hit + '\\n');
    });
    const m = await import(${JSON.stringify(join(ROOT, 'dist/src/cli/main.js'))});
    await m.main([process.execPath, 'tjob', ...${JSON.stringify(args)}]);
  `;
  const r = await run(process.execPath, ['--input-type=module', '-e', probe], { env, dropStdout: true });
  return /DOCKERODE=true/.test(r.stderr);
}

export async function startup(): Promise<StartupResult> {
  const reps = QUICK ? 3 : 10;
  const jobsDir = tempDir('jobs');
  const podsDir = tempDir('pods');
  const nJobs = QUICK ? 100 : 1000;
  const nPods = QUICK ? 1000 : 10000;
  log(`start-up: generating ${nJobs} jobs and one job with ${nPods} pod records`);
  await makeJobs(jobsDir, nJobs, 3);
  await makeBigJob(podsDir, nPods);

  const nodeMs: number[] = [];
  const versionMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    nodeMs.push((await mustRun(process.execPath, ['-e', '0'])).ms);
    versionMs.push((await mustRun(process.execPath, [TJOB, '--version'])).ms);
  }
  const env = (d: string) => ({ TJOB_STATE_DIR: d, NO_COLOR: '1' });
  // One warm-up each (page cache), then the median of the timed runs.
  await timed(['get', 'jobs'], env(jobsDir), 1);
  const getJobs = await timed(['get', 'jobs'], env(jobsDir), reps);
  await timed(['get', 'pods'], env(podsDir), 1);
  const getPods = await timed(['get', 'pods'], env(podsDir), reps);

  const dockerodeLoaded: Record<string, boolean> = {};
  for (const args of [
    ['--version'],
    ['get', 'jobs'],
    ['get', 'pods'],
    ['describe', 'job', 'job-0000'],
    ['logs', 'job/job-0000'],
    ['validate', join(ROOT, 'samples/job-hello.yaml')],
    ['cron', 'list'],
  ]) {
    dockerodeLoaded[args.join(' ')] = await loadsDockerode(args, env(jobsDir));
  }
  // The control: a command that talks to the engine must load it (here an engine that is absent).
  dockerodeLoaded['run (control, must be true)'] = await loadsDockerode(
    ['run', join(ROOT, 'samples/job-hello.yaml')],
    {
      ...env(tempDir('control')),
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    },
  );
  const n = median(nodeMs);
  const v = median(versionMs);
  return {
    reps,
    versionMs: round(v, 1),
    nodeMs: round(n, 1),
    versionRatio: round(v / n),
    getJobs: { jobs: nJobs, ms: getJobs },
    getPods: { pods: nPods, ms: getPods },
    dockerodeLoaded,
  };
}
