// A PodRuntime without Docker: pods follow a script (exit code and run time per pod), time comes
// from a FakeClock, and every call is recorded so tests can assert on what the engine did.

import type { PodObservation, PodPlan } from '../../src/api/pod.js';
import type { ContainerStatus } from '../../src/api/k8s.js';
import type { Clock } from '../../src/ports/clock.js';
import type { ImageRequest, PodEvent, PodRuntime, PodRuntimeListener } from '../../src/ports/pod-runtime.js';
import { NetworkUnavailableError } from '../../src/api/errors.js';

export interface PodScript {
  /** Exit code of the (single) app container. */
  exitCode: number;
  /** How long it runs, in ms. */
  runMs: number;
  /** Log lines it writes. */
  logs?: string[];
  /** Events the kubelet records about the pod when it starts (Pulling, Failed, BackOff). */
  events?: PodEvent[];
}

interface FakePod {
  plan: PodPlan;
  attempt: number;
  obs: PodObservation;
  exitTimer?: AbortController;
  removed: boolean;
}

export class FakeRuntime implements PodRuntime {
  readonly created: string[] = [];
  /** The plans of the pods started, in order. */
  readonly plans: PodPlan[] = [];
  readonly deleted: string[] = [];
  readonly removed: string[] = [];
  /** Highest number of pods running at once. */
  maxRunning = 0;
  private readonly pods = new Map<string, FakePod>();
  private readonly listeners = new Set<PodRuntimeListener>();
  failNextStart: Error | undefined;
  /** While set, every removePod fails with it (an engine that refuses removals). */
  failRemovals: Error | undefined;
  /** While set, removePod warns with it, for the job's uid and then for another job's. */
  warnOnRemoval: string | undefined;
  /** Pods started while another live pod of the same job held the same index. */
  readonly duplicateIndexes: string[] = [];

  constructor(
    private readonly clock: Clock,
    /** attempt: how many pods were started before this one; restart: in-place restarts so far. */
    private readonly script: (plan: PodPlan, attempt: number, restart: number) => PodScript,
  ) {}

  async ping(): Promise<void> {}

  async ensureImages(_images: ImageRequest[]): Promise<string[]> {
    return [];
  }

  /** The networks that exist (every name, when unset). */
  networks: Set<string> | undefined;
  readonly networkChecks: string[] = [];

  async checkNetwork(name: string): Promise<void> {
    this.networkChecks.push(name);
    if (this.networks && !this.networks.has(name))
      throw new NetworkUnavailableError(`the Docker network "${name}" does not exist`);
  }

  running(): number {
    return [...this.pods.values()].filter((p) => p.obs.phase === 'Running' && !p.removed).length;
  }

  async startPod(plan: PodPlan): Promise<PodObservation> {
    if (this.failNextStart) {
      const e = this.failNextStart;
      this.failNextStart = undefined;
      throw e;
    }
    if (plan.index !== undefined) {
      const twin = [...this.pods.values()].find(
        (p) =>
          !p.removed &&
          p.plan.jobUid === plan.jobUid &&
          p.plan.index === plan.index &&
          p.obs.phase !== 'Succeeded' &&
          p.obs.phase !== 'Failed',
      );
      if (twin) this.duplicateIndexes.push(`${plan.name} beside ${twin.plan.name}`);
    }
    this.created.push(plan.name);
    this.plans.push(plan);
    const startedAt = this.clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const pod: FakePod = {
      plan,
      attempt: this.created.length - 1,
      removed: false,
      obs: {
        name: plan.name,
        phase: 'Running',
        ready: true,
        terminating: false,
        startTime: startedAt,
        initContainerStatuses: [],
        containerStatuses: [running('main', startedAt)],
      },
    };
    this.pods.set(plan.name, pod);
    this.maxRunning = Math.max(this.maxRunning, this.running());
    this.runAttempt(pod, 0);
    return structuredClone(pod.obs);
  }

  private runAttempt(pod: FakePod, restart: number): void {
    const s = this.script(pod.plan, pod.attempt, restart);
    pod.exitTimer = new AbortController();
    const timer = pod.exitTimer;
    const plan = pod.plan;
    for (const e of s.events ?? []) for (const l of this.listeners) l.onPodEvent?.(plan.jobUid, plan.name, e);
    void this.clock.sleep(s.runMs, timer.signal).then(() => {
      if (timer.signal.aborted) return;
      for (const text of s.logs ?? []) {
        for (const l of this.listeners) {
          l.onLogs?.(plan.jobUid, {
            pod: plan.name,
            container: 'main',
            stream: 'stdout',
            time: this.clock.now().toISOString(),
            text: `${text}\n`,
            restartCount: restart,
          });
        }
      }
      if (s.exitCode !== 0 && plan.spec.restartPolicy === 'OnFailure') {
        // The kubelet restarts the container in place: the pod stays Running.
        const c = pod.obs.containerStatuses[0]!;
        const at = this.clock
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z');
        pod.obs = {
          ...pod.obs,
          containerStatuses: [
            {
              ...c,
              restartCount: c.restartCount + 1,
              lastState: { terminated: { exitCode: s.exitCode, reason: 'Error', finishedAt: at } },
              state: { running: { startedAt: at } },
            },
          ],
        };
        this.emit(pod);
        this.runAttempt(pod, restart + 1);
        return;
      }
      this.finish(pod, s.exitCode);
    });
  }

  private finish(pod: FakePod, exitCode: number): void {
    const finishedAt = this.clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const c = pod.obs.containerStatuses[0]!;
    pod.obs = {
      ...pod.obs,
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      ready: false,
      terminating: false,
      finishTime: finishedAt,
      containerStatuses: [
        {
          ...c,
          ready: false,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : 'Error',
              startedAt: c.state.running?.startedAt ?? finishedAt,
              finishedAt,
            },
          },
        },
      ],
    };
    this.emit(pod);
  }

  private emit(pod: FakePod): void {
    for (const l of this.listeners) l.onPod(pod.plan.jobUid, structuredClone(pod.obs));
  }

  async deletePod(_jobUid: string, podName: string, _grace: number): Promise<void> {
    const pod = this.pods.get(podName);
    if (!pod) return;
    this.deleted.push(podName);
    if (pod.obs.phase === 'Succeeded' || pod.obs.phase === 'Failed') return;
    pod.exitTimer?.abort();
    pod.obs = { ...pod.obs, terminating: true };
    this.emit(pod);
    // A fast-terminating process: exits 143 on SIGTERM right away.
    queueMicrotask(() => this.finish(pod, 143));
  }

  async removePod(jobUid: string, podName: string): Promise<void> {
    if (this.failRemovals) throw this.failRemovals;
    const warning = this.warnOnRemoval;
    if (warning !== undefined)
      for (const l of this.listeners) {
        l.onWarning?.(jobUid, `${warning} (${podName})`);
        l.onWarning?.(`not-${jobUid}`, `another job's: ${warning}`);
      }
    const pod = this.pods.get(podName);
    if (pod) pod.removed = true;
    this.removed.push(podName);
  }

  async adoptPods(jobUid: string, _plans: Map<string, PodPlan>): Promise<PodObservation[]> {
    return this.podsWithContainers(jobUid).map((p) => structuredClone(p.obs));
  }

  /** The names of a job's pods whose containers are still there. */
  podsLeft(jobUid: string): string[] {
    return this.podsWithContainers(jobUid).map((p) => p.plan.name);
  }

  private podsWithContainers(jobUid: string): FakePod[] {
    return [...this.pods.values()].filter((p) => p.plan.jobUid === jobUid && !p.removed);
  }

  /** Simulates containers removed behind tjob's back. */
  vanish(podName: string): void {
    const pod = this.pods.get(podName);
    if (pod) {
      pod.exitTimer?.abort();
      pod.removed = true;
    }
  }

  subscribe(listener: PodRuntimeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {}
}

function running(name: string, startedAt: string): ContainerStatus {
  return { name, state: { running: { startedAt } }, ready: true, restartCount: 0, image: 'busybox' };
}
