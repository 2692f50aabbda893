// Shared set-up for the real-engine tests of the Docker runtime: a unique job uid per test, a
// recording listener with event-driven waits, and cleanup by label.

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

import Docker from 'dockerode';

import type { Container, PodSpec } from '../../../src/api/k8s.js';
import { TjobLabel } from '../../../src/api/labels.js';
import type { PodObservation, PodPlan } from '../../../src/api/pod.js';
import type { LogLine, LogLines, PodRuntimeListener } from '../../../src/ports/pod-runtime.js';
import { DockerRuntime, type DockerRuntimeOptions } from '../../../src/runtime/docker/docker-runtime.js';

export const Image = process.env['TJOB_TEST_IMAGE'] ?? 'busybox:latest';
export const TestTimeout = 60_000;

export const docker = new Docker();

export function newJobUid(): string {
  return `test-${randomUUID()}`;
}

let podSeq = 0;

export function container(name: string, script: string, extra: Partial<Container> = {}): Container {
  return { name, image: Image, imagePullPolicy: 'Never', command: ['sh', '-c', script], ...extra };
}

export function plan(
  jobUid: string,
  spec: Partial<PodSpec> & { containers: Container[] },
  name?: string,
): PodPlan {
  const podName = name ?? `tjobt-${jobUid.slice(5, 13)}-${++podSeq}`;
  return {
    name: podName,
    uid: randomUUID(),
    namespace: 'default',
    jobName: `job-${jobUid.slice(5, 13)}`,
    jobUid,
    labels: {},
    annotations: {},
    hostname: podName,
    spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 5, ...spec },
    configMaps: {},
    secrets: {},
  };
}

interface Waiter {
  pred: () => boolean;
  resolve: () => void;
}

/** Records every observation and log line; waits are woken by the callbacks, not by polling. */
export class Recorder implements PodRuntimeListener {
  readonly observations: { at: number; jobUid: string; obs: PodObservation }[] = [];
  readonly logs: { at: number; jobUid: string; line: LogLine }[] = [];
  readonly engineDown: { at: number; down: boolean; message: string }[] = [];
  private waiters: Waiter[] = [];

  onPod(jobUid: string, obs: PodObservation): void {
    this.observations.push({ at: Date.now(), jobUid, obs: structuredClone(obs) });
    this.wake();
  }

  /** Kept line by line (the runtime passes the lines that arrived together as one text). */
  onLogs(jobUid: string, lines: LogLines): void {
    const at = Date.now();
    for (const text of lines.text.slice(0, -1).split('\n'))
      this.logs.push({ at, jobUid, line: { ...lines, text } });
    this.wake();
  }

  onEngineDown(down: boolean, message: string): void {
    this.engineDown.push({ at: Date.now(), down, message });
    this.wake();
  }

  of(pod: string): PodObservation[] {
    return this.observations.filter((o) => o.obs.name === pod).map((o) => o.obs);
  }

  latest(pod: string): PodObservation | undefined {
    const all = this.of(pod);
    return all[all.length - 1];
  }

  linesOf(pod: string, containerName?: string): LogLine[] {
    return this.logs
      .map((l) => l.line)
      .filter((l) => l.pod === pod && (containerName === undefined || l.container === containerName));
  }

  /** Resolves when `pred` holds (checked after every callback); rejects after `timeoutMs`. */
  until(pred: () => boolean, what: string, timeoutMs = 45_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = { pred, resolve: () => undefined };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      w.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(w);
    });
  }

  /** Waits for the pod to reach a terminal phase and returns that observation. */
  async terminal(pod: string, timeoutMs?: number): Promise<PodObservation> {
    const isTerminal = (o: PodObservation | undefined): boolean =>
      o !== undefined && (o.phase === 'Succeeded' || o.phase === 'Failed') && !o.terminating;
    await this.until(() => this.of(pod).some(isTerminal), `pod ${pod} to finish`, timeoutMs);
    return this.of(pod).find(isTerminal)!;
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.pred());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

export interface Env {
  runtime: DockerRuntime;
  recorder: Recorder;
  workDir: string;
  jobUid: string;
  unsubscribe: () => void;
}

export async function setUp(options: Partial<DockerRuntimeOptions> = {}): Promise<Env> {
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'tjob-docker-test-')));
  const runtime = new DockerRuntime({
    workDir,
    restartBackoffBaseMs: 200,
    restartBackoffCapMs: 1000,
    env: process.env,
    ...options,
  });
  const recorder = new Recorder();
  const unsubscribe = runtime.subscribe(recorder);
  return { runtime, recorder, workDir, jobUid: newJobUid(), unsubscribe };
}

/**
 * The suite's set-up: filled in before its tests (so `env` can be held from the start, and one
 * replaced by a restarted runtime is copied into it), torn down after them.
 */
export function suiteEnv(): Env {
  const env = {} as Env;
  before(async () => {
    Object.assign(env, await setUp());
  });
  after(async () => {
    await tearDown(env);
  });
  return env;
}

/** Force-removes every container carrying the job uid label, closes the runtime, removes its dir. */
export async function tearDown(env: Env, extraJobUids: string[] = []): Promise<void> {
  env.unsubscribe();
  await env.runtime.close();
  await removeByJobUid([env.jobUid, ...extraJobUids]);
  await rm(env.workDir, { recursive: true, force: true });
}

export async function removeByJobUid(jobUids: string[]): Promise<void> {
  for (const uid of jobUids) {
    const list = await docker.listContainers({
      all: true,
      filters: { label: [`${TjobLabel.jobUid}=${uid}`] },
    });
    // The pause containers last: Podman refuses to remove one while others join its namespaces.
    const isPause = (c: Docker.ContainerInfo): boolean => c.Labels[TjobLabel.role] === 'pause';
    for (const batch of [list.filter((c) => !isPause(c)), list.filter(isPause)]) {
      await Promise.all(
        batch.map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    }
  }
}

export async function containersOf(jobUid: string, pod?: string): Promise<Docker.ContainerInfo[]> {
  const label = [`${TjobLabel.jobUid}=${jobUid}`];
  if (pod !== undefined) label.push(`${TjobLabel.pod}=${pod}`);
  return docker.listContainers({ all: true, filters: { label } });
}

export function exitCode(obs: PodObservation, containerName: string): number | undefined {
  return obs.containerStatuses.find((c) => c.name === containerName)?.state.terminated?.exitCode;
}
