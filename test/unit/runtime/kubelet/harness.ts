// A PodKubelet on a fake clock with a fake runtime that records what the kubelet asks of it; the
// test plays the runtime's part, reporting starts and exits.

import type { ContainerStatus, PodSpec } from '../../../../src/api/k8s.js';
import { rfc3339 } from '../../../../src/controller/job/conditions.js';
import type { PodObservation } from '../../../../src/api/pod.js';
import { terminatedReason, type ContainerSlot } from '../../../../src/runtime/kubelet/container-slot.js';
import { PodKubelet, type KubeletRuntime } from '../../../../src/runtime/kubelet/pod-kubelet.js';
import { FakeClock, settle } from '../../../support/fake-clock.js';

export class RecordingRuntime implements KubeletRuntime {
  paused = false;
  readonly actions: string[] = [];
  changes = 0;

  launch(slot: ContainerSlot): void {
    this.actions.push(`launch ${slot.spec.name}#${slot.attempt}`);
  }
  stop(slot: ContainerSlot, graceSeconds: number): void {
    this.actions.push(`stop ${slot.spec.name} ${graceSeconds}s`);
  }
  stopSandbox(graceSeconds: number): void {
    this.actions.push(`stop sandbox ${graceSeconds}s`);
  }
  changed(): void {
    this.changes++;
  }

  /** The actions since the last call. */
  take(): string[] {
    return this.actions.splice(0);
  }
}

export function podSpec(spec: Partial<PodSpec>): PodSpec {
  return { containers: [{ name: 'main', image: 'busybox' }], restartPolicy: 'Never', ...spec };
}

export function kubeletFor(spec: Partial<PodSpec>, backoff = { baseMs: 10_000, capMs: 300_000 }) {
  const clock = new FakeClock('2026-01-01T00:00:00Z');
  const runtime = new RecordingRuntime();
  const kubelet = new PodKubelet(
    { name: 'p', spec: podSpec(spec) },
    { clock, backoffBaseMs: backoff.baseMs, backoffCapMs: backoff.capMs },
    runtime,
  );
  const slot = (name: string): ContainerSlot => {
    const s = kubelet.slots.find((x) => x.spec.name === name);
    if (!s) throw new Error(`no container ${name}`);
    return s;
  };
  const iso = (): string => rfc3339(clock.now());
  /** The runtime made and started the container of the slot's current attempt. */
  const start = (name: string): void => {
    const s = slot(name);
    kubelet.created(s);
    kubelet.made(s);
    const status: ContainerStatus = {
      name,
      state: { running: { startedAt: iso() } },
      ready: true,
      restartCount: s.attempt,
      image: 'busybox',
      started: true,
    };
    kubelet.started(s, status);
  };
  /** The runtime saw the container end with this exit code. */
  const exit = (name: string, exitCode: number, oom = false): void => {
    const s = slot(name);
    kubelet.exiting(s);
    const startedAt = s.status?.state.running?.startedAt;
    kubelet.exited(s, {
      name,
      state: {
        terminated: {
          exitCode,
          reason: terminatedReason(exitCode, oom),
          ...(startedAt ? { startedAt } : {}),
          finishedAt: iso(),
        },
      },
      ready: false,
      restartCount: s.attempt,
      image: 'busybox',
      started: false,
    });
  };
  const observe = (): PodObservation => kubelet.observe();
  const status = (name: string) =>
    [...observe().initContainerStatuses, ...observe().containerStatuses].find((c) => c.name === name)!;
  const advance = async (ms: number): Promise<void> => {
    await clock.advance(ms);
    await settle();
  };
  return { clock, runtime, kubelet, slot, start, exit, observe, status, advance };
}
