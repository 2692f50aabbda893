// In-process CLI harness: a CliContext with captured streams, a fixed clock and a FileStore on a
// temporary directory filled with jobs, pods, events and logs.

import type { CliContext } from '../../../src/cli/context.js';
import { buildProgram } from '../../../src/cli/program.js';
import { reportError } from '../../../src/cli/report-error.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { Job, JobSpec, JobStatus } from '../../../src/api/k8s.js';
import type { PodRecord } from '../../../src/api/pod.js';
import type { LogRecord, StoredEvent } from '../../../src/ports/state-store.js';
import { FileStore } from '../../../src/state/file-store.js';
import { tempDir, testJob } from '../../support/jobs.js';
import { SystemClock } from '../../../src/runtime/system-clock.js';
import { processStartTime } from '../../../src/state/process-identity.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NOW = '2026-01-01T00:10:00Z';

export interface Harness {
  ctx: CliContext;
  out: () => string;
  err: () => string;
  dir: string;
  store: FileStore;
  signal(s: 'SIGINT' | 'SIGTERM'): void;
}

export function fixedClock(at: string = NOW): Clock {
  return {
    now: () => new Date(at),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const t = setTimeout(resolve, Math.min(ms, 5));
        signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
}

/**
 * The system's time, but every sleep lasts ten minutes unless aborted: a command that must react to
 * a change of the state directory passes only if it watches it rather than polls.
 */
export function watchOnlyClock(): Clock {
  const system = new SystemClock();
  return { now: () => system.now(), sleep: (_ms, signal) => system.sleep(600_000, signal) };
}

/** Makes the job's lease look held by another live tjob process (this test's parent). */
export async function leaseHeldElsewhere(h: Harness, name: string, command = 'tjob run'): Promise<void> {
  const lease = await h.store.acquireJobLease(name, command);
  if (!('renew' in lease)) throw new Error(`the lease of ${name} is held already`);
  const path = join(h.dir, 'jobs', name, 'lease.json');
  const holder = JSON.parse(readFileSync(path, 'utf8')) as object;
  writeFileSync(
    path,
    JSON.stringify({ ...holder, pid: process.ppid, processStart: processStartTime(process.ppid) ?? '' }),
  );
}

export function harness(options: { clock?: Clock; env?: Record<string, string> } = {}): Harness {
  let out = '';
  let err = '';
  const dir = tempDir('tjob-cli-');
  const handlers = new Set<(s: 'SIGINT' | 'SIGTERM') => void>();
  const ctx = {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    readStdin: async () => '',
    env: { NO_COLOR: '1', ...options.env },
    clock: options.clock ?? fixedClock(),
    createRuntime: async () => {
      throw new Error('no runtime in CLI tests');
    },
    onSignal: (h: (s: 'SIGINT' | 'SIGTERM') => void) => {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    spawnDetached: async () => {
      throw new Error('no background processes in CLI tests');
    },
    exit: (code: number) => {
      throw new Error(`exit ${code}`);
    },
  } as unknown as CliContext;
  return {
    ctx,
    out: () => out,
    err: () => err,
    dir,
    store: new FileStore(dir),
    signal: (s) => handlers.forEach((h) => h(s)),
  };
}

/** Runs `tjob --state-dir DIR ARGS...` in process; returns the exit code. */
export async function tjob(h: Harness, ...args: string[]): Promise<number> {
  try {
    return await buildProgram(h.ctx).run(['node', 'tjob', '--state-dir', h.dir, ...args]);
  } catch (e) {
    return reportError(e, h.ctx.stderr, false);
  }
}

export function pod(
  name: string,
  phase: PodRecord['observation']['phase'],
  options: {
    createdAt?: string;
    exitCode?: number;
    reason?: string;
    restartCount?: number;
    index?: number;
    labels?: Record<string, string>;
    container?: string;
  } = {},
): PodRecord {
  const created = options.createdAt ?? '2026-01-01T00:00:01.000Z';
  const started = '2026-01-01T00:00:02Z';
  const finished = '2026-01-01T00:00:07Z';
  const container = options.container ?? 'main';
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const exitCode = options.exitCode ?? (phase === 'Failed' ? 1 : 0);
  const id = `docker://${'ab'.repeat(32)}`;
  const state = terminal
    ? {
        terminated: {
          exitCode,
          reason: options.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
          startedAt: started,
          finishedAt: finished,
          containerID: id,
        },
      }
    : phase === 'Running'
      ? { running: { startedAt: started } }
      : { waiting: { reason: 'ContainerCreating' } };
  const record: PodRecord = {
    name,
    uid: `${name}-uid`,
    createdAt: created,
    labels: options.labels ?? {},
    annotations:
      options.index !== undefined
        ? { 'batch.kubernetes.io/job-completion-index': String(options.index) }
        : {},
    hostname: name,
    tracked: !terminal,
    observation: {
      name,
      phase,
      ready: phase === 'Running',
      terminating: false,
      ...(phase !== 'Pending' ? { startTime: started } : {}),
      initContainerStatuses: [],
      containerStatuses: [
        {
          name: container,
          state,
          ready: phase === 'Running',
          restartCount: options.restartCount ?? 0,
          image: 'busybox:latest',
          ...(phase !== 'Pending' ? { containerID: id } : {}),
          started: phase === 'Running',
        },
      ],
    },
  };
  if (options.index !== undefined) record.index = options.index;
  return record;
}

export function event(
  reason: string,
  message: string,
  involved: string,
  at = '2026-01-01T00:00:01Z',
  count = 1,
): StoredEvent {
  return {
    type:
      reason.startsWith('Backoff') || reason.includes('Failed') || reason === 'DeadlineExceeded'
        ? 'Warning'
        : 'Normal',
    reason,
    message,
    firstTimestamp: at,
    lastTimestamp: at,
    count,
    source: involved.startsWith('Pod/') ? 'kubelet' : 'job-controller',
    involvedObject: involved,
  };
}

export interface StoredFixture {
  name: string;
  spec?: Partial<JobSpec>;
  status?: JobStatus;
  pods?: PodRecord[];
  events?: StoredEvent[];
  logs?: Record<string, LogRecord[]>;
  labels?: Record<string, string>;
  mutate?: (job: Job) => void;
}

/** Stores a job with its status, pods, events and logs (`pod/container` keys). */
export async function storeJob(h: Harness, f: StoredFixture): Promise<Job> {
  const job = testJob(f.name, f.spec ?? {});
  if (f.labels) job.metadata.labels = { ...job.metadata.labels, ...f.labels };
  f.mutate?.(job);
  await h.store.createJob({ ...job, status: {} });
  const pods = (f.pods ?? []).map((p) => ({
    ...p,
    labels: { ...job.spec.template.metadata?.labels, ...p.labels },
  }));
  await h.store.commitJob(f.name, {
    ...(f.status ? { status: f.status } : {}),
    pods,
    events: f.events ?? [],
  });
  for (const [key, lines] of Object.entries(f.logs ?? {})) {
    const [podName, container] = key.split('/') as [string, string];
    await h.store.appendLogs(f.name, podName, container, lines);
  }
  return job;
}

export function log(time: string, text: string): LogRecord {
  return { time, stream: 'stdout', text };
}

export const complete = (at = '2026-01-01T00:00:08Z') => [
  {
    type: 'SuccessCriteriaMet',
    status: 'True' as const,
    reason: 'CompletionsReached',
    message: 'Reached expected number of succeeded pods',
    lastProbeTime: at,
    lastTransitionTime: at,
  },
  {
    type: 'Complete',
    status: 'True' as const,
    reason: 'CompletionsReached',
    message: 'Reached expected number of succeeded pods',
    lastProbeTime: at,
    lastTransitionTime: at,
  },
];

export const failed = (at = '2026-01-01T00:00:08Z') => [
  {
    type: 'FailureTarget',
    status: 'True' as const,
    reason: 'BackoffLimitExceeded',
    message: 'Job has reached the specified backoff limit',
    lastProbeTime: at,
    lastTransitionTime: at,
  },
  {
    type: 'Failed',
    status: 'True' as const,
    reason: 'BackoffLimitExceeded',
    message: 'Job has reached the specified backoff limit',
    lastProbeTime: at,
    lastTransitionTime: at,
  },
];
