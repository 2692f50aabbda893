// The kubelet's decisions for one pod, independent of the container runtime: which container to
// make next (init containers one at a time, native sidecars before the containers after them, app
// containers), restarts under OnFailure with the restart backoff, the pod's activeDeadlineSeconds,
// graceful stops in the termination order, and the pod's observable state (phase, conditions,
// container statuses). The runtime carries out the decisions (KubeletRuntime) and reports what its
// containers do through the methods below; time comes from the Clock port.
//
// Concurrency: JavaScript runs one callback at a time, so every decision is made synchronously in
// step() from the slots' phases; a runtime call it launches reports back when it lands, and calls
// step() again. A slot's phase says which call is in flight, so no decision is made twice.

import type { ContainerStateTerminated, ContainerStatus, PodPhase } from '../../api/k8s.js';
import type { PodObservation, PodPlan } from '../../api/pod.js';
import { rfc3339 } from '../../controller/job/conditions.js';
import { DefaultTerminationGracePeriodSeconds } from '../../manifest/pod-defaults.js';
import type { Clock } from '../../ports/clock.js';
import { exitCodeOf, isActive, slotsOf, type ContainerSlot, type Waiting } from './container-slot.js';
import { containerStatusOf, lostContainerStatus } from './container-status.js';
import { PodConditions } from './pod-conditions.js';
import { podPhase } from './pod-phase.js';
import { backoffStepsAfter, crashLoopMessage, restartDelayMs } from './restart-backoff.js';
import { graceNow, sidecarsToStop } from './termination-order.js';

/**
 * How long a SIGKILL exit that the kubelet did not cause waits for the runtime's report of an OOM
 * kill: an engine may report the kill after the exit (dockerd handles the kernel's OOM notice and
 * the exit on separate paths, by more than a second on a busy engine).
 */
export const OOM_REPORT_PATIENCE_MS = 3000;

/**
 * A sync of the pod that failed (an image that cannot be had) is tried again this long after:
 * the pod worker requeues the pod after backOffPeriod, 10 s (newPodWorkers in pkg/kubelet/kubelet.go;
 * completeWork in pkg/kubelet/pod_workers.go, which adds up to 50% jitter tjob leaves out).
 */
export const POD_SYNC_ERROR_REQUEUE_MS = 10_000;

/** What the kubelet asks of the container runtime. */
export interface KubeletRuntime {
  /** The runtime cannot act now (its engine is away): decisions wait until it can again. */
  readonly paused: boolean;
  /** Make and start the slot's container for its current attempt (the slot is `starting`). */
  launch(slot: ContainerSlot): void;
  /** Stop the slot's running container: SIGTERM, SIGKILL after graceSeconds. */
  stop(slot: ContainerSlot, graceSeconds: number): void;
  /** No container of the pod is active any more: stop the pod's sandbox, if it has one. */
  stopSandbox(graceSeconds: number): void;
  /** The pod's observable state may have changed. */
  changed(): void;
}

export interface KubeletSettings {
  clock: Clock;
  /** The restart backoff's first delay and its cap (restart-backoff.ts). */
  backoffBaseMs: number;
  backoffCapMs: number;
}

export class PodKubelet {
  readonly initSlots: ContainerSlot[];
  readonly appSlots: ContainerSlot[];
  readonly slots: ContainerSlot[];
  private readonly clock: Clock;
  private readonly restartable: boolean;
  private initDone = false;
  private deleting = false;
  private stopGraceSeconds: number;
  /** When the pod's containers began to be stopped (the start of the grace period). */
  private stopBeganMs: number | undefined;
  private startTime: string | undefined;
  private startTimeMs = 0;
  private failure: { reason?: string; message?: string } | undefined;
  private terminal: { phase: PodPhase; finishTime: string } | undefined;
  /** The scheduler's message while the pod cannot be placed (PodScheduled False). */
  private unschedulable: string | undefined;
  private readonly conditions: PodConditions;
  private disposed = false;
  /** Wakes step() when the grace period runs out, for the sidecars still waiting for their turn. */
  private graceTimer: AbortController | undefined;
  private deadlineTimer: AbortController | undefined;
  /** Containers waiting for their restart delay. */
  private readonly backoffTimers = new Map<ContainerSlot, AbortController>();
  /** Containers the runtime cannot make yet: made again after the delay (or on releaseHolds). */
  private readonly holds = new Map<ContainerSlot, AbortController>();
  private readonly oomWaits = new Map<ContainerSlot, AbortController>();

  constructor(
    readonly plan: Pick<PodPlan, 'name' | 'spec'>,
    private readonly settings: KubeletSettings,
    private readonly runtime: KubeletRuntime,
  ) {
    this.clock = settings.clock;
    ({ initSlots: this.initSlots, appSlots: this.appSlots } = slotsOf(plan.spec));
    this.slots = [...this.initSlots, ...this.appSlots];
    this.restartable = plan.spec.restartPolicy === 'OnFailure' || plan.spec.restartPolicy === 'Always';
    this.stopGraceSeconds = plan.spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;
    this.conditions = new PodConditions(() => this.nowIso());
  }

  /** The pod is being deleted or has failed: its containers are stopped, none is made. */
  get shuttingDown(): boolean {
    return this.deleting || this.failure !== undefined;
  }

  /** The kubelet has failed the pod. */
  get hasFailed(): boolean {
    return this.failure !== undefined;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The grace period containers are stopped with. */
  get stopGrace(): number {
    return this.stopGraceSeconds;
  }

  // ---- the pod -------------------------------------------------------------------------------

  /** The scheduler cannot place the pod (undefined: it can). */
  setUnschedulable(message: string | undefined): void {
    this.unschedulable = message;
  }

  /** The pod was placed on the node at this time (its startTime; the deadline counts from it). */
  placed(at: Date): void {
    this.startTimeMs = at.getTime();
    this.startTime = rfc3339(at);
  }

  /** Starts (or, after adoption, resumes) deciding: arms the deadline and takes the next step. */
  run(): void {
    this.armDeadline();
    this.step();
  }

  /**
   * The kubelet fails the pod (a reason and message for its status, none when a container's
   * failure says it all). A pod already terminal keeps its outcome.
   */
  fail(reason: string | undefined, message: string | undefined): void {
    if (this.failure || this.terminal) return;
    this.failure = {};
    if (reason !== undefined) this.failure.reason = reason;
    if (message !== undefined) this.failure.message = message;
  }

  /** Graceful deletion: SIGTERM, SIGKILL after `graceSeconds`; no further restarts. */
  delete(graceSeconds: number): void {
    if (this.disposed) return;
    // A pod already finished keeps its phase; its sidecars and sandbox are stopped with this grace.
    this.stopGraceSeconds = graceSeconds;
    this.deleting = true;
    // A new kill with its own grace period: the sidecars' turns are counted from now.
    this.stopBeganMs = undefined;
    this.graceTimer?.abort();
    this.graceTimer = undefined;
    this.step();
    this.runtime.changed();
  }

  /** Stops deciding: every timer is cancelled. */
  dispose(): void {
    this.disposed = true;
    this.deadlineTimer?.abort();
    this.graceTimer?.abort();
    for (const t of [...this.backoffTimers.values(), ...this.holds.values(), ...this.oomWaits.values()])
      t.abort();
    this.backoffTimers.clear();
    this.holds.clear();
    this.oomWaits.clear();
  }

  // ---- what the runtime reports --------------------------------------------------------------

  /** The runtime has a container for the slot's current attempt. */
  created(slot: ContainerSlot): void {
    slot.created = true;
  }

  /** The runtime has dropped the current attempt's container (it never ran): it is made again. */
  forget(slot: ContainerSlot): void {
    slot.created = false; // so the next launch does not count a restart
    slot.status = undefined;
    slot.phase = 'idle';
  }

  /** The slot's container was made: whatever kept it waiting is over. */
  made(slot: ContainerSlot): void {
    slot.waiting = undefined;
  }

  /** The runtime is making the slot's container (found created but not started after a crash). */
  starting(slot: ContainerSlot, status?: ContainerStatus): void {
    slot.phase = 'starting';
    if (status !== undefined) slot.status = status;
  }

  /** The slot's container runs (or is believed to: its end is awaited); its status if known. */
  running(slot: ContainerSlot, status?: ContainerStatus): void {
    slot.phase = 'running';
    if (status !== undefined) slot.status = status;
  }

  /** A launch the runtime did not carry out (the pod was deleted while it waited for its turn). */
  launchAbandoned(slot: ContainerSlot): void {
    slot.phase = 'idle';
    this.step();
    this.runtime.changed();
  }

  /** The slot's container has started: it is stopped at once if the pod is shutting down. */
  started(slot: ContainerSlot, status: ContainerStatus): void {
    this.running(slot, status);
    if (this.shuttingDown && slot.role !== 'sidecar') this.stopSlot(slot, this.stopGraceSeconds);
    this.step();
    this.runtime.changed();
  }

  /** The slot's container died: the runtime is reading its final state. */
  exiting(slot: ContainerSlot): void {
    slot.phase = 'exiting';
  }

  /** The slot's container has ended with this status. */
  exited(slot: ContainerSlot, status: ContainerStatus): void {
    slot.status = status;
    slot.phase = 'exited';
    this.step();
    this.runtime.changed();
  }

  /** An adopted container that had ended before the adoption (no decision yet). */
  adoptedExited(slot: ContainerSlot, status: ContainerStatus): void {
    slot.status = status;
    slot.phase = 'exited';
  }

  /** Adoption found this attempt of the slot (and the previous run's end). */
  adoptedAttempt(
    slot: ContainerSlot,
    attempt: number,
    lastTerminated: ContainerStateTerminated | undefined,
  ): void {
    slot.attempt = attempt;
    slot.backoffSteps = attempt;
    if (lastTerminated !== undefined) slot.lastTerminated = lastTerminated;
  }

  /** Adoption is complete: where the pod's init sequence stands follows from its containers. */
  adopted(): void {
    this.initDone =
      this.initSlots.every(
        (s) => (s.role === 'sidecar' && s.phase !== 'idle') || (s.phase === 'exited' && exitCodeOf(s) === 0),
      ) || this.appSlots.some((s) => s.phase !== 'idle');
  }

  /** The container disappeared from the runtime behind the kubelet's back: the pod fails. */
  lost(slot: ContainerSlot, containerID: string | undefined): void {
    slot.phase = 'exited';
    slot.status = lostContainerStatus(slot, this.nowIso(), containerID);
    this.fail('ContainerLost', `container "${slot.spec.name}" disappeared from the engine`);
    this.step();
    this.runtime.changed();
  }

  /** The runtime cannot make or start the container: the pod fails (CreateContainerError). */
  launchFailed(slot: ContainerSlot, message: string): void {
    slot.phase = 'idle';
    slot.createError = message;
    this.fail(undefined, `container "${slot.spec.name}": ${message}`);
    this.step();
    this.runtime.changed();
  }

  /**
   * The runtime cannot make the container now but will be able to: it waits (idle, no restart
   * counted, with this waiting state) and is launched again after `delayMs` or on releaseHolds().
   */
  retryLaunchAfter(slot: ContainerSlot, delayMs: number, waiting: Waiting): void {
    this.forget(slot);
    slot.waiting = waiting;
    this.holds.get(slot)?.abort();
    this.holds.set(
      slot,
      this.after(delayMs, () => {
        this.holds.delete(slot);
        this.step();
        this.runtime.changed();
      }),
    );
    this.runtime.changed();
  }

  /**
   * The container's image cannot be had now (ErrImagePull, ImagePullBackOff, ErrImageNeverPull:
   * the runtime's image manager decides which and keeps the pull backoff): the container waits in
   * that state and the pod is synced again after POD_SYNC_ERROR_REQUEUE_MS, when the runtime asks
   * its image manager again (a pull, or the same backoff still running).
   */
  imageUnavailable(slot: ContainerSlot, waiting: Waiting): void {
    this.retryLaunchAfter(slot, POD_SYNC_ERROR_REQUEUE_MS, waiting);
  }

  /** The runtime can act again: containers waiting for it are launched at the next step. */
  releaseHolds(): void {
    for (const t of this.holds.values()) t.abort();
    this.holds.clear();
  }

  /** The runtime reports the slot's current container was killed for lack of memory. */
  oomKilled(slot: ContainerSlot): void {
    slot.oomKilled = true;
    this.oomWaits.get(slot)?.abort();
  }

  /**
   * A SIGKILL exit: whether it was an OOM kill, waiting up to OOM_REPORT_PATIENCE_MS for the
   * runtime's report unless the kill was the kubelet's own stop.
   */
  async awaitOomReport(slot: ContainerSlot): Promise<boolean> {
    if (slot.oomKilled || slot.stopping || this.disposed) return slot.oomKilled;
    const wait = new AbortController();
    this.oomWaits.set(slot, wait);
    try {
      await this.clock.sleep(OOM_REPORT_PATIENCE_MS, wait.signal);
    } finally {
      if (this.oomWaits.get(slot) === wait) this.oomWaits.delete(slot);
    }
    return slot.oomKilled;
  }

  // ---- the decisions -------------------------------------------------------------------------

  /** Decides what the pod's containers need now, and asks the runtime for it. */
  step(): void {
    if (this.disposed || this.runtime.paused) return;
    if (this.shuttingDown) {
      this.stopAll();
      this.maybeStopSandbox();
      return;
    }
    if (!this.initDone) {
      // Init containers run one at a time, in order (computeInitContainerActions,
      // pkg/kubelet/kuberuntime/kuberuntime_manager.go).
      for (const slot of this.initSlots) {
        if (slot.role === 'sidecar') {
          // A sidecar must have started before the next init container; it does not end.
          if (slot.phase === 'idle') return this.holds.has(slot) ? undefined : this.launch(slot);
          if (slot.phase === 'starting') return;
          if (slot.phase === 'exited') this.scheduleRestart(slot);
          continue;
        }
        if (slot.phase === 'idle') return this.holds.has(slot) ? undefined : this.launch(slot);
        if (slot.phase !== 'exited') return;
        if (exitCodeOf(slot) === 0) continue;
        if (this.restartable) return this.scheduleRestart(slot);
        this.fail(undefined, undefined);
        return this.step();
      }
      this.initDone = true;
    }
    for (const slot of this.appSlots) if (this.launchable(slot)) this.launch(slot);
    let appsDone = true;
    for (const slot of this.appSlots) {
      if (slot.phase === 'exited' && exitCodeOf(slot) !== 0 && this.restartable) this.scheduleRestart(slot);
      if (slot.phase !== 'exited') appsDone = false;
    }
    const sidecars = this.initSlots.filter((s) => s.role === 'sidecar');
    if (!appsDone) {
      // A sidecar is restarted whatever its exit code (restartPolicy Always).
      for (const s of sidecars) {
        if (s.phase === 'exited') this.scheduleRestart(s);
        else if (this.launchable(s)) this.launch(s);
      }
      return;
    }
    // Every app container has ended: the sidecars must not hold the pod (the kubelet kills the
    // pod: computePodActions, pkg/kubelet/kuberuntime/kuberuntime_manager.go).
    this.stopSidecars();
    this.maybeStopSandbox();
  }

  /** Idle, not refused by the runtime, and not waiting for the runtime or a restart delay. */
  private launchable(slot: ContainerSlot): boolean {
    return slot.phase === 'idle' && slot.createError === undefined && !this.holds.has(slot);
  }

  private launch(slot: ContainerSlot): void {
    if (this.disposed) return;
    if (slot.created) {
      // A restart: the ended run becomes the last state, the new one is attempt+1.
      if (slot.status?.state.terminated) slot.lastTerminated = slot.status.state.terminated;
      slot.attempt++;
      slot.created = false;
    }
    slot.phase = 'starting';
    slot.oomKilled = false;
    slot.stopping = false;
    slot.status = undefined;
    slot.backoffMessage = undefined;
    slot.createError = undefined;
    this.holds.get(slot)?.abort();
    this.holds.delete(slot);
    this.runtime.launch(slot);
  }

  private stopAll(): void {
    for (const slot of this.slots) {
      if (slot.role === 'sidecar') continue;
      this.cancelBackoff(slot);
      this.stopSlot(slot, this.stopGraceSeconds);
    }
    this.stopSidecars();
  }

  /** A container waiting to be restarted is not restarted any more: it stays exited. */
  private cancelBackoff(slot: ContainerSlot): void {
    if (slot.phase !== 'backoff') return;
    this.backoffTimers.get(slot)?.abort();
    this.backoffTimers.delete(slot);
    slot.phase = 'exited';
  }

  /** The sidecars whose turn has come are stopped (termination-order.ts). */
  private stopSidecars(): void {
    const now = this.clock.now().getTime();
    this.stopBeganMs ??= now;
    const { left, grace } = graceNow(this.stopGraceSeconds, now - this.stopBeganMs);
    for (const s of this.initSlots) if (s.role === 'sidecar') this.cancelBackoff(s);
    const turn = sidecarsToStop(this.initSlots, this.appSlots, left);
    for (const s of turn.now) this.stopSlot(s, grace);
    if (turn.waiting && !this.graceTimer) {
      this.graceTimer = this.after(this.stopBeganMs + this.stopGraceSeconds * 1000 - now, () => {
        this.graceTimer = undefined;
        this.step();
        this.runtime.changed();
      });
    }
  }

  private stopSlot(slot: ContainerSlot, graceSeconds: number): void {
    // A container being made is stopped once it has started (started()).
    if (!slot.created || slot.stopping || slot.phase !== 'running') return;
    slot.stopping = true;
    this.runtime.stop(slot, graceSeconds);
  }

  private maybeStopSandbox(): void {
    if (this.slots.some(isActive)) return;
    this.runtime.stopSandbox(this.stopGraceSeconds);
  }

  private scheduleRestart(slot: ContainerSlot): void {
    if (slot.phase !== 'exited' || this.disposed) return;
    slot.backoffSteps = backoffStepsAfter(slot.backoffSteps, slot.status?.state.terminated);
    const delay = restartDelayMs(slot.backoffSteps, this.settings.backoffBaseMs, this.settings.backoffCapMs);
    slot.backoffSteps++;
    if (delay === 0) {
      slot.phase = 'idle';
      this.launch(slot);
      return;
    }
    slot.phase = 'backoff';
    slot.backoffMessage = crashLoopMessage(delay, slot.spec.name, this.plan.name);
    this.backoffTimers.set(
      slot,
      this.after(delay, () => {
        this.backoffTimers.delete(slot);
        if (slot.phase !== 'backoff' || this.disposed) return;
        slot.phase = 'idle';
        this.step();
        this.runtime.changed();
      }),
    );
  }

  /** The pod's activeDeadlineSeconds, counted from its startTime (pkg/kubelet/active_deadline.go). */
  private armDeadline(): void {
    const ads = this.plan.spec.activeDeadlineSeconds;
    if (ads === undefined || this.deadlineTimer) return;
    const due = this.startTimeMs + ads * 1000 - this.clock.now().getTime();
    this.deadlineTimer = this.after(Math.max(0, due), () => {
      this.deadlineTimer = undefined;
      if (this.terminal || this.disposed) return;
      this.fail('DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
      this.step();
      this.runtime.changed();
    });
  }

  /** Calls `fire` after ms on the clock, unless the returned controller aborts first. */
  private after(ms: number, fire: () => void): AbortController {
    const timer = new AbortController();
    void this.clock.sleep(ms, timer.signal).then(() => {
      if (!timer.signal.aborted) fire();
    });
    return timer;
  }

  private nowIso(): string {
    return rfc3339(this.clock.now());
  }

  // ---- observation ---------------------------------------------------------------------------

  /** The pod's state as the kubelet reports it; the first terminal phase is kept for good. */
  observe(): PodObservation {
    let phase: PodPhase;
    if (this.terminal) {
      phase = this.terminal.phase;
    } else {
      phase = podPhase({
        failed: this.failure !== undefined,
        initDone: this.initDone,
        deleting: this.deleting,
        restartable: this.restartable,
        initSlots: this.initSlots,
        appSlots: this.appSlots,
      });
      if (phase === 'Succeeded' || phase === 'Failed') {
        const finished = this.slots
          .map((s) => s.status?.state.terminated?.finishedAt)
          .filter((t): t is string => t !== undefined)
          .sort();
        this.terminal = { phase, finishTime: finished[finished.length - 1] ?? this.nowIso() };
        this.deadlineTimer?.abort();
        this.deadlineTimer = undefined;
      }
    }
    // No kubelet has seen an unscheduled pod: it has no container statuses.
    const placed = this.unschedulable === undefined;
    const initStatuses = placed ? this.initSlots.map(containerStatusOf) : [];
    const appStatuses = placed ? this.appSlots.map(containerStatusOf) : [];
    const terminal = this.terminal !== undefined;
    const ready = !terminal && this.initDone && this.appSlots.every((s) => s.phase === 'running');
    for (const s of appStatuses) s.ready = !terminal && s.state.running !== undefined;
    for (const [i, s] of initStatuses.entries()) {
      const slot = this.initSlots[i]!;
      s.ready = slot.role === 'sidecar' ? s.state.running !== undefined : exitCodeOf(slot) === 0;
    }
    const obs: PodObservation = {
      name: this.plan.name,
      phase,
      ready,
      terminating: this.deleting && !terminal,
      initContainerStatuses: initStatuses,
      containerStatuses: appStatuses,
    };
    if (this.startTime !== undefined) obs.startTime = this.startTime;
    if (this.terminal) obs.finishTime = this.terminal.finishTime;
    if (this.failure?.reason !== undefined) obs.reason = this.failure.reason;
    if (this.failure?.message !== undefined) obs.message = this.failure.message;
    obs.conditions =
      this.unschedulable !== undefined
        ? this.conditions.unschedulable(this.unschedulable)
        : this.conditions.placed(this.initDone, ready, phase);
    return obs;
  }
}
