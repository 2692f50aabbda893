// The kubelet for one pod: creates its containers in order (pause, init containers one at a time,
// native sidecars, app containers), reacts to their exits as the engine reports them, restarts
// under OnFailure with the kubelet's backoff, enforces the pod's activeDeadlineSeconds, stops it
// gracefully on deletion, and reports the pod's observable state after every change.
//
// Concurrency: JavaScript runs one callback at a time, so every decision is made synchronously in
// step() from the slots' phases; the Docker calls it launches run asynchronously and call step()
// again when they land. A slot's phase says which call is in flight, so no decision is made twice.

import { DefaultTerminationGracePeriodSeconds } from '../../manifest/pod-defaults.js';
import type Docker from 'dockerode';

import type {
  Container,
  ContainerStateTerminated,
  ContainerStatus,
  PodCondition,
  PodPhase,
} from '../../api/k8s.js';
import { claimNamesOf, unschedulableClaim, unschedulableMessage } from '../../api/claims.js';
import { TjobLabel, TjobManagedByValue } from '../../api/labels.js';
import type { PodObservation, PodPlan } from '../../api/pod.js';
import type { LogLine } from '../../ports/pod-runtime.js';
import { namedVolumes, type ClaimLookup } from './claim-volumes.js';
import { buildContainerConfig, buildPauseConfig, podNeedsPause } from './container-config.js';
import { cachedNodeResolvConf } from './dns.js';
import {
  dockerMessage,
  ignoreGoneOrNotModified,
  ignoreNotModified,
  isConflict,
  isConnectionError,
  isEngineGoingAway,
  isNotFound,
  isStaleRuntimeTask,
  statusCodeOf,
} from './docker-errors.js';
import type { ContainerEvent, EventHub } from './events.js';
import type { LaunchGate } from './launch-gate.js';
import { attachLogs, followLogs, type LogFollower, type RawLine, type StdStream } from './logs.js';
import { containerStatusFromInspect, isoSeconds } from './map-inspect.js';
import {
  createTerminationMessageFile,
  fallsBackToLogs,
  readLogTail,
  readTerminationMessageFile,
  terminationMessageFile,
  withTerminationMessage,
} from './termination-message.js';
import { preparePodVolumes, type PodVolumeMount } from './volumes.js';

export type Role = 'init' | 'sidecar' | 'app';

/** How long a SIGKILL exit that tjob did not cause waits for the engine's oom event. */
const OOM_EVENT_PATIENCE_MS = 3000;

/** What a supervisor needs from its runtime. */
export interface SupervisorContext {
  docker: Docker;
  events: EventHub;
  pauseImage: string;
  instanceLabels: Record<string, string>;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** `workDir/<jobUid>/<pod>`: the pod's volumes. */
  podDir: string;
  /** Bounds the creates/starts in flight across all pods of the process. */
  launches: LaunchGate;
  /** The stored PersistentVolumeClaims, read live (a pod waits for its claims). */
  lookupClaim?: ClaimLookup;
  emitPod(jobUid: string, observation: PodObservation): void;
  emitLog(jobUid: string, line: LogLine): void;
  debug(message: string): void;
}

/**
 * idle      no container for the current attempt (not reached yet, or waiting to be restarted)
 * starting  create/start in flight
 * running   started; its exit is awaited from the event stream
 * exiting   it died: reading its final state and the end of its logs
 * exited    terminated (its status holds the exit code)
 * backoff   exited and waiting for the restart delay
 */
type SlotPhase = 'idle' | 'starting' | 'running' | 'exiting' | 'exited' | 'backoff';

interface Slot {
  role: Role;
  spec: Container;
  phase: SlotPhase;
  /** Which run of the container (the `attempt` label); equals its restartCount. */
  attempt: number;
  /** Consecutive restarts, for the backoff delay (reset after 10 min of clean running). */
  backoffSteps: number;
  containerId?: string;
  /** A die (or destroy) event arrived while the start call was in flight. */
  dieSeen?: ContainerEvent;
  /** The engine reported an OOM kill in the current container. */
  oomSeen: boolean;
  /** A stop was requested for the current container. */
  stopping: boolean;
  status?: ContainerStatus;
  lastTerminated?: ContainerStateTerminated;
  logs?: LogFollower;
  lastLogTime?: string;
  timer?: NodeJS.Timeout;
  backoffMessage?: string;
  createError?: string;
  /** The engine went away while this attempt's container was created/started: its words. */
  engineWait?: string;
  /** Launches again since the engine went away (for the delay). */
  engineRetries: number;
  /** Of those, the ones the engine answered with a shutdown's words (bounded). */
  engineAnswers: number;
  /** The next launch after the engine went away, unless the engine is back first. */
  retryTimer?: NodeJS.Timeout;
  /** Never-started containers of this attempt removed to be made again (bounded). */
  remakes: number;
  tty: boolean;
  /** Lets the next launch through the gate (once this one's start call has returned). */
  releaseLaunch?: () => void;
}

const TEN_MINUTES_MS = 10 * 60 * 1000;
/** How long a terminal observation waits for the end of a dead container's log stream. */
const LOG_DRAIN_TIMEOUT_MS = 2000;
/**
 * A create/start that met the engine going away is tried again when the engine answers again,
 * or after this delay (doubling, up to the cap) if it never stops answering. Answers in a
 * shutdown's words from an engine that stays up fail the pod after ENGINE_ANSWER_RETRIES tries
 * (a persistent fault must not hold the job for ever); connection failures are retried until the
 * engine is back.
 */
const ENGINE_RETRY_BASE_MS = 500;
const ENGINE_RETRY_CAP_MS = 5000;
const ENGINE_ANSWER_RETRIES = 5;
/** How often a pod that waits for its claims looks for them again. */
const CLAIM_RECHECK_MS = 1000;
/** How many times one attempt's never-started container may be removed and made again. */
const MAX_REMAKES = 2;
/**
 * The shortest stop window the kubelet gives a container whose turn came late in the grace period
 * (minimumGracePeriodInSeconds, pkg/kubelet/kuberuntime/kuberuntime_container.go).
 */
const MIN_STOP_GRACE_SECONDS = 2;

export function containerDockerName(pod: string, container: string, attempt: number): string {
  return attempt === 0 ? `${pod}-${container}` : `${pod}-${container}-${attempt}`;
}

export function pauseDockerName(pod: string): string {
  return `${pod}-pause`;
}

/** The kubelet's restart delay: 0 for the first restart, then base, 2×base, ... capped. */
export function restartDelayMs(step: number, baseMs: number, capMs: number): number {
  if (step <= 0) return 0;
  return Math.min(baseMs * 2 ** (step - 1), capMs);
}

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function exitCodeOf(slot: Slot): number | undefined {
  return slot.status?.state.terminated?.exitCode;
}

/** A container of the current attempt is being made, runs, or its end is being read. */
function isActive(slot: Slot): boolean {
  return slot.phase === 'starting' || slot.phase === 'running' || slot.phase === 'exiting';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });
}

export class PodSupervisor {
  readonly plan: PodPlan;
  private readonly slots: Slot[];
  private readonly initSlots: Slot[];
  private readonly appSlots: Slot[];
  private readonly restartable: boolean;
  private volumes: Record<string, PodVolumeMount> | undefined;
  private pauseId: string | undefined;
  /** Log lines passed on per container id and stream. */
  private readonly linesPassedOn = new Map<string, Record<StdStream, number>>();
  private pauseStopping = false;
  private startTime: string | undefined;
  private startTimeMs = 0;
  private initDone = false;
  private deleting = false;
  private stopGraceSeconds: number;
  /** When the pod's containers began to be stopped (the start of the grace period). */
  private stopBeganMs: number | undefined;
  /** Wakes step() when the grace period runs out, for the sidecars still waiting for their turn. */
  private graceTimer: NodeJS.Timeout | undefined;
  private failure: { reason?: string; message?: string } | undefined;
  private terminal: { phase: PodPhase; finishTime: string } | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly conditionTimes = new Map<string, { status: string; time: string }>();
  private lastEmitted = '';
  private disposed = false;
  /** The scheduler's message while the pod's claims are missing (PodScheduled False). */
  private unschedulable: string | undefined;
  private claimTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: SupervisorContext,
    plan: PodPlan,
  ) {
    this.plan = plan;
    const mk = (role: Role, spec: Container): Slot => ({
      role,
      spec,
      phase: 'idle',
      attempt: 0,
      backoffSteps: 0,
      engineRetries: 0,
      engineAnswers: 0,
      remakes: 0,
      oomSeen: false,
      stopping: false,
      tty: spec.tty === true,
    });
    this.initSlots = (plan.spec.initContainers ?? []).map((c) =>
      mk(c.restartPolicy === 'Always' ? 'sidecar' : 'init', c),
    );
    this.appSlots = plan.spec.containers.map((c) => mk('app', c));
    this.slots = [...this.initSlots, ...this.appSlots];
    this.restartable = plan.spec.restartPolicy === 'OnFailure' || plan.spec.restartPolicy === 'Always';
    this.stopGraceSeconds = plan.spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;
  }

  get jobUid(): string {
    return this.plan.jobUid;
  }

  get name(): string {
    return this.plan.name;
  }

  // ---- entry points --------------------------------------------------------------------------

  /**
   * Creates the pod and starts its first containers; resolves with the observation then. A pod
   * whose claims are missing stays Pending, unscheduled, until they are stored (or it is deleted).
   */
  async start(): Promise<PodObservation> {
    await this.ctx.events.ensure();
    if (await this.claimsMissing()) {
      this.emit();
      this.recheckClaims();
      return this.observe();
    }
    return this.begin();
  }

  /** The scheduler's PreFilter for claims (volumebinding): records why the pod cannot be placed. */
  private async claimsMissing(): Promise<boolean> {
    const names = claimNamesOf(this.plan.spec.volumes);
    if (names.length === 0) return false;
    const lookup = this.ctx.lookupClaim ?? (() => Promise.resolve(undefined));
    const found = new Map(await Promise.all(names.map(async (n) => [n, await lookup(n)] as const)));
    const reason = unschedulableClaim(names, (n) => found.get(n));
    this.unschedulable = reason === undefined ? undefined : unschedulableMessage(reason);
    return reason !== undefined;
  }

  private recheckClaims(): void {
    this.claimTimer = setTimeout(() => {
      this.claimTimer = undefined;
      if (this.disposed || this.deleting) return;
      void this.claimsMissing().then(
        (missing) => {
          if (this.disposed || this.deleting) return;
          if (missing) return this.recheckClaims();
          void this.begin().catch((err: unknown) => this.ctx.debug(`pod ${this.plan.name}: ${String(err)}`));
        },
        (err: unknown) => {
          this.ctx.debug(`pod ${this.plan.name}: reading its claims: ${String(err)}`);
          this.recheckClaims();
        },
      );
    }, CLAIM_RECHECK_MS);
  }

  private async begin(): Promise<PodObservation> {
    this.startTime = nowIso();
    this.startTimeMs = Date.now();
    try {
      this.volumes = await preparePodVolumes(this.plan, this.ctx.podDir, {}, this.namedVolumes());
    } catch (err) {
      // Kubernetes would leave the pod ContainerCreating for ever (FailedMount); tjob fails it.
      this.fail(
        undefined,
        `preparing the pod's volumes failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (!this.failure && podNeedsPause(this.plan.spec)) {
      try {
        await this.startPause();
      } catch (err) {
        // The engine is going away: no pod yet (the job creates it again), not a failed pod.
        if (isEngineGoingAway(err)) throw err;
        this.fail(undefined, `creating the pod's pause container failed: ${dockerMessage(err)}`);
      }
    }
    this.armDeadline();
    this.step();
    await this.settleInflight();
    this.emit();
    return this.observe();
  }

  /**
   * Rebuilds the supervisor from the containers found by label (adoption after a crash) and
   * resumes supervising: the next init container, OnFailure restarts, sidecar stops, etc.
   * Each current container's log is replayed from its start (the consumer drops lines it has).
   */
  async adopt(containers: Docker.ContainerInfo[]): Promise<PodObservation> {
    await this.ctx.events.ensure();
    const created = containers.map((c) => c.Created * 1000).filter((t) => t > 0);
    this.startTimeMs = created.length > 0 ? Math.min(...created) : Date.now();
    this.startTime = new Date(this.startTimeMs).toISOString().replace(/\.\d+Z$/, 'Z');
    const pause = containers.find((c) => c.Labels[TjobLabel.role] === 'pause');
    this.pauseId = pause?.Id;
    if (pause && pause.State !== 'running') this.pauseStopping = true;
    const drains: Promise<void>[] = [];
    for (const slot of this.slots) {
      const runs = containers
        .filter(
          (c) => c.Labels[TjobLabel.container] === slot.spec.name && c.Labels[TjobLabel.role] !== 'pause',
        )
        .map((c) => ({ c, attempt: Number(c.Labels[TjobLabel.attempt] ?? '0') || 0 }))
        .sort((a, b) => b.attempt - a.attempt);
      const current = runs[0];
      if (!current) continue;
      slot.attempt = current.attempt;
      slot.backoffSteps = current.attempt;
      const previous = runs[1];
      if (previous) {
        try {
          const info = await this.ctx.docker.getContainer(previous.c.Id).inspect();
          slot.lastTerminated = containerStatusFromInspect(
            slot.spec.name,
            info,
            previous.attempt,
          ).state.terminated;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      slot.containerId = current.c.Id;
      this.ctx.events.on(current.c.Id, (ev) => this.onEvent(slot, ev));
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.ctx.docker.getContainer(current.c.Id).inspect();
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.ctx.events.off(current.c.Id);
        slot.containerId = undefined;
        continue;
      }
      slot.tty = info.Config.Tty === true;
      slot.status = await this.withTerminationMessage(slot, current.c.Id, this.mapStatus(slot, info));
      if (info.State.Status === 'created') {
        // Created but never started: start it now (the crash came between create and start).
        slot.phase = 'starting';
        this.track(this.finishLaunch(slot, current.c.Id, true));
        continue;
      }
      this.followLogsOf(slot, current.c.Id);
      if (info.State.Running) {
        slot.phase = 'running';
      } else {
        slot.phase = 'exited';
        if (slot.logs) drains.push(this.drainLogs(slot));
      }
    }
    await Promise.all(drains);
    this.initDone = this.initSlots.every(
      (s) => (s.role === 'sidecar' && s.phase !== 'idle') || (s.phase === 'exited' && exitCodeOf(s) === 0),
    );
    if (this.initDone === false && this.appSlots.some((s) => s.phase !== 'idle')) this.initDone = true;
    this.armDeadline();
    this.step();
    await this.settleInflight();
    this.emit();
    return this.observe();
  }

  /** Graceful deletion: SIGTERM, SIGKILL after `graceSeconds`; no further restarts. */
  delete(graceSeconds: number): void {
    if (this.disposed) return;
    // A pod already finished keeps its phase; its sidecars and pause are stopped with this grace.
    this.stopGraceSeconds = graceSeconds;
    this.deleting = true;
    // A new kill with its own grace period: the sidecars' turns are counted from now.
    this.stopBeganMs = undefined;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.step();
    this.emit();
  }

  /** Stops supervising (removal or close): timers, log streams, event handlers. */
  dispose(): void {
    this.disposed = true;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.claimTimer) clearTimeout(this.claimTimer);
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      if (slot.retryTimer) clearTimeout(slot.retryTimer);
      slot.logs?.stop();
      if (slot.containerId) this.ctx.events.off(slot.containerId);
    }
  }

  /** The engine came back: re-read every container we believed alive, resume logs. */
  async reconcile(): Promise<void> {
    if (this.disposed) return;
    // Containers whose create/start met the engine going away are launched now, not after a delay.
    for (const slot of this.slots) {
      if (slot.retryTimer) clearTimeout(slot.retryTimer);
      slot.retryTimer = undefined;
      slot.engineRetries = 0;
      slot.engineAnswers = 0;
    }
    const checks = this.slots.map(async (slot) => {
      const id = slot.containerId;
      if (!id || !(slot.phase === 'running' || slot.phase === 'exiting' || slot.phase === 'starting')) return;
      if (slot.phase === 'starting') return; // the launch in flight will see the result itself
      this.followLogsOf(slot, id, slot.lastLogTime);
      slot.phase = 'running';
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.ctx.docker.getContainer(id).inspect();
      } catch (err) {
        if (isNotFound(err)) {
          this.lose(slot);
          return;
        }
        throw err;
      }
      if (info.State.Status === 'created') {
        // Never started (its start was lost with the engine): start it, it has not failed.
        slot.logs?.stop();
        slot.phase = 'starting';
        this.track(this.finishLaunch(slot, id, true));
        return;
      }
      if (!info.State.Running) await this.handleExit(slot, id);
    });
    await Promise.allSettled(checks);
    this.step();
    this.emit();
  }

  // ---- the decisions -------------------------------------------------------------------------

  private step(): void {
    if (this.disposed || this.ctx.events.isDown) return;
    if (this.deleting || this.failure) {
      this.stopAll();
      this.maybeStopPause();
      return;
    }
    if (!this.initDone) {
      for (const slot of this.initSlots) {
        if (slot.role === 'sidecar') {
          // A sidecar must have started before the next init container; it does not end.
          if (slot.phase === 'idle') return slot.retryTimer ? undefined : this.launch(slot);
          if (slot.phase === 'starting') return;
          if (slot.phase === 'exited') this.scheduleRestart(slot);
          continue;
        }
        if (slot.phase === 'idle') return slot.retryTimer ? undefined : this.launch(slot);
        if (slot.phase !== 'exited') return;
        if (exitCodeOf(slot) === 0) continue;
        if (this.restartable) return this.scheduleRestart(slot);
        this.fail(undefined, undefined);
        return this.step();
      }
      this.initDone = true;
    }
    for (const slot of this.appSlots)
      if (slot.phase === 'idle' && slot.createError === undefined && !slot.retryTimer) this.launch(slot);
    let appsDone = true;
    for (const slot of this.appSlots) {
      if (slot.phase === 'exited' && exitCodeOf(slot) !== 0 && this.restartable) this.scheduleRestart(slot);
      if (slot.phase !== 'exited') appsDone = false;
    }
    const sidecars = this.initSlots.filter((s) => s.role === 'sidecar');
    if (!appsDone) {
      for (const s of sidecars) {
        if (s.phase === 'exited') this.scheduleRestart(s);
        // Its restart delay is over (or the engine is back): the sidecar is made again.
        else if (s.phase === 'idle' && s.createError === undefined && !s.retryTimer) this.launch(s);
      }
      return;
    }
    // Every app container has ended: the sidecars must not hold the pod (the kubelet kills the
    // pod: computePodActions, pkg/kubelet/kuberuntime/kuberuntime_manager.go).
    this.stopSidecars();
    this.maybeStopPause();
  }

  private fail(reason: string | undefined, message: string | undefined): void {
    if (this.failure || this.terminal) return;
    this.failure = {};
    if (reason !== undefined) this.failure.reason = reason;
    if (message !== undefined) this.failure.message = message;
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
  private cancelBackoff(slot: Slot): void {
    if (slot.phase !== 'backoff') return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.phase = 'exited';
  }

  /**
   * The kubelet's termination ordering (pkg/kubelet/kuberuntime/kuberuntime_termination_order.go):
   * a sidecar is stopped once every app container and every sidecar declared after it have ended,
   * or once the pod's grace period has run out; it is given what is left of the grace period, at
   * least MIN_STOP_GRACE_SECONDS (killContainer, kuberuntime_container.go).
   */
  private stopSidecars(): void {
    this.stopBeganMs ??= Date.now();
    const waitedSeconds = Math.floor((Date.now() - this.stopBeganMs) / 1000);
    const graceLeft = this.stopGraceSeconds - waitedSeconds;
    // A grace of 0 or 1 (a forced deletion) is not lengthened.
    const grace = Math.max(graceLeft, Math.min(MIN_STOP_GRACE_SECONDS, this.stopGraceSeconds));
    let laterActive = this.appSlots.some(isActive);
    for (const slot of [...this.initSlots].reverse()) {
      if (slot.role !== 'sidecar') continue;
      this.cancelBackoff(slot);
      if (!laterActive || graceLeft <= 0) this.stopSlot(slot, grace);
      if (isActive(slot)) laterActive = true;
    }
    if (laterActive && graceLeft > 0 && !this.graceTimer) {
      this.graceTimer = setTimeout(
        () => {
          this.graceTimer = undefined;
          this.step();
          this.emit();
        },
        this.stopBeganMs + this.stopGraceSeconds * 1000 - Date.now(),
      );
    }
  }

  private stopSlot(slot: Slot, t: number): void {
    const id = slot.containerId;
    if (!id || slot.stopping || !(slot.phase === 'running' || slot.phase === 'starting')) return;
    if (slot.phase === 'starting') return; // finishLaunch stops it once started
    slot.stopping = true;
    this.ctx.debug(`stopping ${id.slice(0, 12)} (${this.plan.name}/${slot.spec.name}) with grace ${t}s`);
    this.ctx.docker
      .getContainer(id)
      .stop({ t })
      .catch(ignoreGoneOrNotModified)
      .catch((err: unknown) => this.ctx.debug(`stopping ${id.slice(0, 12)} failed: ${dockerMessage(err)}`));
  }

  private maybeStopPause(): void {
    const id = this.pauseId;
    if (!id || this.pauseStopping) return;
    if (this.slots.some((s) => s.phase === 'starting' || s.phase === 'running' || s.phase === 'exiting'))
      return;
    this.pauseStopping = true;
    this.ctx.docker
      .getContainer(id)
      .stop({ t: this.stopGraceSeconds })
      .catch(ignoreGoneOrNotModified)
      .catch((err: unknown) =>
        this.ctx.debug(`stopping pause ${id.slice(0, 12)} failed: ${dockerMessage(err)}`),
      );
  }

  private scheduleRestart(slot: Slot): void {
    if (slot.phase !== 'exited' || this.disposed) return;
    const t = slot.status?.state.terminated;
    if (
      t?.startedAt &&
      t.finishedAt &&
      Date.parse(t.finishedAt) - Date.parse(t.startedAt) >= TEN_MINUTES_MS
    ) {
      slot.backoffSteps = 0;
    }
    const delay = restartDelayMs(slot.backoffSteps, this.ctx.backoffBaseMs, this.ctx.backoffCapMs);
    slot.backoffSteps++;
    slot.phase = 'backoff';
    if (delay === 0) {
      slot.phase = 'idle';
      this.launch(slot);
      return;
    }
    slot.backoffMessage = `back-off ${formatDelay(delay)} restarting failed container=${slot.spec.name} pod=${this.plan.name}`;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (slot.phase !== 'backoff' || this.disposed) return;
      slot.phase = 'idle';
      this.step();
      this.emit();
    }, delay);
  }

  private armDeadline(): void {
    const ads = this.plan.spec.activeDeadlineSeconds;
    if (ads === undefined || this.deadlineTimer) return;
    const due = this.startTimeMs + ads * 1000 - Date.now();
    this.deadlineTimer = setTimeout(
      () => {
        this.deadlineTimer = undefined;
        if (this.terminal || this.disposed) return;
        this.fail('DeadlineExceeded', 'Pod was active on the node longer than the specified deadline');
        this.step();
        this.emit();
      },
      Math.max(0, due),
    );
  }

  // ---- containers ----------------------------------------------------------------------------

  private labelsFor(role: Role | 'pause', container: string, attempt: number): Record<string, string> {
    const p = this.plan;
    const labels: Record<string, string> = {
      ...this.ctx.instanceLabels,
      [TjobLabel.managedBy]: TjobManagedByValue,
      [TjobLabel.job]: p.jobName,
      [TjobLabel.jobUid]: p.jobUid,
      [TjobLabel.pod]: p.name,
      [TjobLabel.podUid]: p.uid,
      [TjobLabel.container]: container,
      [TjobLabel.role]: role,
      [TjobLabel.attempt]: String(attempt),
    };
    if (p.index !== undefined) labels[TjobLabel.index] = String(p.index);
    return labels;
  }

  private async startPause(): Promise<void> {
    const name = pauseDockerName(this.plan.name);
    const labels = this.labelsFor('pause', 'pause', 0);
    const options = buildPauseConfig(this.plan, {
      dockerName: name,
      labels,
      image: this.ctx.pauseImage,
      nodeDns: cachedNodeResolvConf(),
    });
    const { id, state } = await this.createOrAdopt(
      { ...options, name, Labels: { ...options.Labels, ...labels } },
      labels,
    );
    this.pauseId = id;
    if (state === 'created' || state === 'exited') {
      await this.ctx.docker.getContainer(id).start().catch(ignoreNotModified);
    }
  }

  private launch(slot: Slot): void {
    if (this.disposed) return;
    if (slot.containerId !== undefined) {
      // A restart: the old container stays (for `logs --previous`), the new one is attempt+1.
      if (slot.status?.state.terminated) slot.lastTerminated = slot.status.state.terminated;
      slot.attempt++;
      this.ctx.events.off(slot.containerId);
      slot.containerId = undefined;
    }
    slot.phase = 'starting';
    slot.dieSeen = undefined;
    slot.oomSeen = false;
    slot.stopping = false;
    slot.status = undefined;
    slot.backoffMessage = undefined;
    slot.createError = undefined;
    if (slot.retryTimer) clearTimeout(slot.retryTimer);
    slot.retryTimer = undefined;
    this.track(this.runLaunch(slot));
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.ctx.debug(`pod ${this.plan.name}: ${String(err)}`));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  private async settleInflight(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private async runLaunch(slot: Slot): Promise<void> {
    const release = await this.ctx.launches.enter();
    if (!release) return; // the runtime is closing
    slot.releaseLaunch = release;
    try {
      if (this.disposed) return;
      if (this.deleting || this.failure) {
        // Deleted while it waited for its turn: never create it.
        slot.phase = 'idle';
        this.step();
        this.emit();
        return;
      }
      await this.createAndStart(slot);
    } finally {
      release();
      slot.releaseLaunch = undefined;
    }
  }

  private async createAndStart(slot: Slot): Promise<void> {
    const name = containerDockerName(this.plan.name, slot.spec.name, slot.attempt);
    const labels = this.labelsFor(slot.role, slot.spec.name, slot.attempt);
    let id: string;
    let state: string;
    try {
      this.volumes ??= await preparePodVolumes(this.plan, this.ctx.podDir, {}, this.namedVolumes());
      const ctx: Parameters<typeof buildContainerConfig>[2] = {
        dockerName: name,
        labels,
        role: slot.role,
        volumes: this.volumes,
        nodeDns: cachedNodeResolvConf(),
      };
      if (this.pauseId !== undefined) ctx.pauseContainerId = this.pauseId;
      if (slot.spec.terminationMessagePath) {
        ctx.terminationMessageFile = terminationMessageFile(this.ctx.podDir, slot.spec.name, slot.attempt);
        await createTerminationMessageFile(ctx.terminationMessageFile);
      }
      const { options, warnings } = buildContainerConfig(this.plan, slot.spec, ctx);
      for (const w of warnings) this.ctx.debug(`pod ${this.plan.name}: ${w}`);
      slot.tty = options.Tty === true;
      ({ id, state } = await this.createOrAdopt(
        { ...options, name, Labels: { ...options.Labels, ...labels } },
        labels,
      ));
    } catch (err) {
      if (this.disposed) return;
      if (isEngineGoingAway(err)) {
        // The engine may have made the container: the next launch finds it by its name.
        this.awaitEngine(slot, undefined, err, 'creating');
        return;
      }
      this.failLaunch(slot, dockerMessage(err));
      return;
    }
    slot.containerId = id;
    if (this.disposed) return;
    this.ctx.events.on(id, (ev) => this.onEvent(slot, ev));
    await this.finishLaunch(slot, id, state === 'created');
  }

  /** Starts a created container (unless it already ran), follows its logs, records its state. */
  private async finishLaunch(slot: Slot, id: string, needsStart: boolean): Promise<void> {
    const c = this.ctx.docker.getContainer(id);
    // Until the engine has accepted the start, the container has not run: whatever goes wrong
    // with the engine before then is no failure of the pod.
    let started = false;
    let stage = needsStart ? 'inspecting the created container' : 'inspecting the container';
    try {
      let info: Docker.ContainerInspectInfo | undefined;
      let created: Docker.ContainerInspectInfo | undefined;
      if (!needsStart) {
        // Found by its name (a launch again after the engine went away, or a crashed run's).
        const seen = await c.inspect();
        if (seen.State.Status === 'created') {
          created = seen; // never started: start it now
        } else if (
          !seen.State.Running &&
          isoSeconds(seen.State.StartedAt) === undefined &&
          slot.remakes < MAX_REMAKES
        ) {
          // Ended without ever having run (its start was lost with the engine): a new one.
          this.ctx.debug(`pod ${this.plan.name}: container ${id.slice(0, 12)} never ran; creating it again`);
          await this.remake(slot, id);
          return;
        } else {
          started = true;
          info = seen;
          this.followLogsOf(slot, id);
        }
      }
      if (!info) {
        if (this.deleting || this.failure) {
          // Deleted while it was being created: never start it.
          slot.phase = 'idle';
          this.step();
          this.emit();
          return;
        }
        // Inspect while it is only created (cheap), not after it started: an inspect racing a
        // quick exit waits for the engine's clean-up of the container.
        created ??= await c.inspect();
        const createdInfo = created;
        slot.tty = createdInfo.Config.Tty === true;
        slot.logs?.stop();
        stage = 'attaching to the container';
        slot.logs = await attachLogs(c, { tty: slot.tty }, this.lineHandler(slot, id), (err) =>
          this.ctx.debug(`output of ${id.slice(0, 12)}: ${String(err)}`),
        ).catch((err: unknown) => {
          this.ctx.debug(
            `attaching to ${id.slice(0, 12)} failed (${dockerMessage(err)}); following its logs`,
          );
          return undefined;
        });
        const attached = slot.logs !== undefined;
        stage = 'starting the container';
        await c
          .start()
          .catch(ignoreNotModified)
          .finally(() => slot.releaseLaunch?.());
        started = true;
        const startedAt = new Date().toISOString();
        info = {
          ...createdInfo,
          State: { ...createdInfo.State, Status: 'running', Running: true, StartedAt: startedAt },
        };
        if (!attached) this.followLogsOf(slot, id);
      }
      if (this.disposed || slot.containerId !== id) return;
      slot.engineRetries = 0;
      slot.engineAnswers = 0;
      slot.remakes = 0;
      slot.engineWait = undefined;
      if (info.State.Running && !slot.dieSeen) {
        slot.phase = 'running';
        slot.status = this.mapStatus(slot, info);
        if ((this.deleting || this.failure) && slot.role !== 'sidecar')
          this.stopSlot(slot, this.stopGraceSeconds);
        this.step();
        this.emit();
        return;
      }
      slot.phase = 'running';
      if (!info.State.Running) {
        await this.handleExit(slot, id, { info });
        return;
      }
      // The die event overtook the start call: its state is the one to trust.
      slot.status = this.mapStatus(slot, info);
      const die = slot.dieSeen?.action === 'die' ? slot.dieSeen : undefined;
      await this.handleExit(slot, id, die ? { die } : {});
    } catch (err) {
      if (this.disposed || slot.containerId !== id) return;
      if (!started && isEngineGoingAway(err)) {
        // Created (maybe even started, the answer lost): the next launch finds it by its name
        // and starts it, follows it, or creates it again, as the engine has it then.
        this.awaitEngine(slot, id, err, stage);
        return;
      }
      if (!started && isNotFound(err)) {
        // Gone before it ran: created again, as the kubelet would.
        this.relaunch(slot, id);
        return;
      }
      if (!started && isStaleRuntimeTask(err) && slot.remakes < MAX_REMAKES) {
        // Its start was cut short by an engine stop, and the engine cannot start it again: it
        // never ran, so a new container takes its place (same name and attempt, a new id).
        this.ctx.debug(
          `pod ${this.plan.name}: container ${id.slice(0, 12)} cannot be started (${dockerMessage(err)}); creating it again`,
        );
        await this.remake(slot, id);
        return;
      }
      if (isConnectionError(err)) {
        slot.phase = 'running'; // reconcile() re-reads it when the engine is back
        return;
      }
      if (isNotFound(err)) {
        this.lose(slot);
        return;
      }
      this.ctx.debug(
        `pod ${this.plan.name}: ${stage} ${id.slice(0, 12)} failed: HTTP ${statusCodeOf(err) ?? '-'} ${dockerMessage(err)}`,
      );
      slot.logs?.stop();
      this.failLaunch(slot, dockerMessage(err));
    }
  }

  /** The container cannot be made or started: the pod fails with the engine's words. */
  private failLaunch(slot: Slot, message: string): void {
    slot.phase = 'idle';
    slot.createError = message;
    this.fail(undefined, `container "${slot.spec.name}": ${message}`);
    this.step();
    this.emit();
  }

  /** Forgets the current attempt's container (it never ran) so that the next launch makes it. */
  private forgetUnstarted(slot: Slot, id: string | undefined): void {
    slot.logs?.stop();
    slot.logs = undefined;
    if (id !== undefined) this.ctx.events.off(id);
    slot.containerId = undefined; // so launch() does not count a restart
    slot.status = undefined;
    slot.dieSeen = undefined;
    slot.phase = 'idle';
  }

  /** Removes a container that never ran, for the next launch to make it again. */
  private async remake(slot: Slot, id: string): Promise<void> {
    slot.remakes++;
    try {
      await this.ctx.docker.getContainer(id).remove({ force: true });
    } catch (err) {
      if (this.disposed || slot.containerId !== id) return;
      if (isEngineGoingAway(err)) {
        this.awaitEngine(slot, id, err, 'removing the never-started container');
        return;
      }
      if (!isNotFound(err)) {
        slot.logs?.stop();
        this.failLaunch(slot, `removing the never-started container failed: ${dockerMessage(err)}`);
        return;
      }
    }
    if (this.disposed || slot.containerId !== id) return;
    this.relaunch(slot, id);
  }

  private relaunch(slot: Slot, id: string): void {
    this.forgetUnstarted(slot, id);
    this.step();
    this.emit();
  }

  /**
   * Creating or starting a container that never ran met the engine going away. The kubelet keeps
   * such a pod Pending and tries again; so does tjob: the slot goes back to idle (no failure, no
   * restart counted) and is launched again when the engine answers again (EventHub onUp →
   * reconcile), or after a delay if the engine never stops answering. The launch again finds the
   * container, if the engine made it, by its name (createOrAdopt).
   */
  private awaitEngine(slot: Slot, id: string | undefined, err: unknown, during: string): void {
    this.forgetUnstarted(slot, id);
    const message = dockerMessage(err);
    const answered = !isConnectionError(err);
    if (answered && slot.engineAnswers >= ENGINE_ANSWER_RETRIES) {
      this.failLaunch(slot, message); // forgetUnstarted has made the slot idle already
      return;
    }
    this.ctx.debug(
      `pod ${this.plan.name}: ${during} (container "${slot.spec.name}") met the engine going away: ${message}; trying again when it answers`,
    );
    const delay = Math.min(ENGINE_RETRY_BASE_MS * 2 ** slot.engineRetries, ENGINE_RETRY_CAP_MS);
    if (delay < ENGINE_RETRY_CAP_MS) slot.engineRetries++;
    if (answered) slot.engineAnswers++;
    slot.engineWait = message;
    slot.retryTimer = setTimeout(() => {
      slot.retryTimer = undefined;
      if (this.disposed) return;
      this.step();
      this.emit();
    }, delay);
    this.emit();
  }

  /**
   * Creates the container; when its name is taken (a crashed run left it), adopts it if it is
   * this very container (same pod and attempt), removes it if it is an older tjob container of a
   * pod with this name, and fails otherwise.
   */
  private async createOrAdopt(
    options: Docker.ContainerCreateOptions,
    labels: Record<string, string>,
  ): Promise<{ id: string; state: string }> {
    const name = options.name ?? '';
    for (let tries = 0; ; tries++) {
      try {
        const c = await this.ctx.docker.createContainer(options);
        return { id: c.id, state: 'created' };
      } catch (err) {
        if (!isConflict(err) || tries > 0) throw err;
      }
      let existing: Docker.ContainerInspectInfo;
      try {
        existing = await this.ctx.docker.getContainer(name).inspect();
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const l = existing.Config.Labels ?? {};
      const keys: string[] = [
        TjobLabel.managedBy,
        TjobLabel.jobUid,
        TjobLabel.pod,
        TjobLabel.podUid,
        TjobLabel.container,
        TjobLabel.attempt,
      ];
      const same = keys.every((k) => l[k] === labels[k]);
      if (same) return { id: existing.Id, state: existing.State.Status };
      if (l[TjobLabel.managedBy] === TjobManagedByValue && l[TjobLabel.pod] === labels[TjobLabel.pod]) {
        this.ctx.debug(`removing stale container ${name} (${existing.Id.slice(0, 12)})`);
        await this.ctx.docker
          .getContainer(existing.Id)
          .remove({ force: true })
          .catch((e: unknown) => {
            if (!isNotFound(e)) throw e;
          });
        continue;
      }
      throw new Error(`the container name "${name}" is in use by a container tjob did not create`);
    }
  }

  private followLogsOf(slot: Slot, id: string, after?: string): void {
    slot.logs?.stop();
    const opts: { tty: boolean; after?: string } = { tty: slot.tty };
    if (after !== undefined) opts.after = after;
    // Followed from its start, a container replays the lines this process already passed on
    // (attached before its start's answer was lost with the engine): they are skipped.
    const replayed = after === undefined ? this.linesPassedOn.get(id) : undefined;
    slot.logs = followLogs(
      this.ctx.docker.getContainer(id),
      opts,
      this.lineHandler(slot, id, replayed && { ...replayed }),
      (err) => this.ctx.debug(`logs of ${id.slice(0, 12)}: ${String(err)}`),
    );
  }

  private lineHandler(slot: Slot, id: string, skip?: Record<StdStream, number>): (line: RawLine) => void {
    const container = slot.spec.name;
    const restartCount = slot.attempt;
    let passedOn = this.linesPassedOn.get(id);
    if (!passedOn) this.linesPassedOn.set(id, (passedOn = { stdout: 0, stderr: 0 }));
    const counts = passedOn;
    return (line) => {
      if (skip && skip[line.stream] > 0) {
        skip[line.stream]--;
        return;
      }
      counts[line.stream]++;
      if (line.time !== '') slot.lastLogTime = line.time;
      this.ctx.emitLog(this.plan.jobUid, { pod: this.plan.name, container, restartCount, ...line });
    };
  }

  private drainLogs(slot: Slot): Promise<void> {
    const done = slot.logs?.done ?? Promise.resolve();
    return Promise.race([done, sleep(LOG_DRAIN_TIMEOUT_MS)]);
  }

  private onEvent(slot: Slot, ev: ContainerEvent): void {
    if (slot.containerId !== ev.id || this.disposed) return;
    if (ev.action === 'die' || ev.action === 'destroy') {
      if (slot.phase === 'starting') slot.dieSeen = ev;
      else if (slot.phase === 'running')
        void this.handleExit(slot, ev.id, ev.action === 'die' ? { die: ev } : {});
    } else if (ev.action === 'oom') {
      slot.oomSeen = true;
      this.ctx.debug(`pod ${this.plan.name}: container ${slot.spec.name} was OOM killed`);
    }
  }

  /**
   * The container died: take its final state, wait for its last log lines, then decide.
   * The fast path builds the state from the die event (exit code; OOM from the `oom` event that
   * precedes it; start time from the start): inspecting right after a die waits for the engine's
   * clean-up of the container (50-100 ms here), and the exit-to-replacement time is a benchmark.
   * A SIGKILL exit (137) without an OOM event is inspected, to tell an OOM kill seen late.
   */
  private async handleExit(
    slot: Slot,
    id: string,
    known: { die?: ContainerEvent; info?: Docker.ContainerInspectInfo } = {},
  ): Promise<void> {
    if (slot.containerId !== id || slot.phase !== 'running') return;
    slot.phase = 'exiting';
    let status = known.info
      ? this.mapStatus(slot, known.info)
      : known.die
        ? this.statusFromDie(slot, id, known.die)
        : undefined;
    if (!status) {
      // A SIGKILL exit: dockerd handles the kernel's OOM notice and the exit on separate paths, so
      // under load the oom event (and State.OOMKilled) can trail the die, by more than a second on
      // a busy engine. Give it a moment, unless the kill was tjob's own stop.
      if (known.die && Number(known.die.attributes['exitCode']) === 137) {
        const patience = slot.stopping ? 0 : OOM_EVENT_PATIENCE_MS;
        for (let waited = 0; waited < patience && !slot.oomSeen; waited += 50) {
          await new Promise((r) => setTimeout(r, 50));
        }
        if (slot.oomSeen) status = this.statusFromDie(slot, id, known.die);
      }
    }
    if (!status) {
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.ctx.docker.getContainer(id).inspect();
      } catch (err) {
        if (slot.containerId !== id || this.disposed) return;
        if (isNotFound(err)) {
          this.lose(slot);
          return;
        }
        slot.phase = 'running'; // the engine is away: reconcile() retries
        return;
      }
      if (slot.containerId !== id || this.disposed) return;
      if (info.State.Running) {
        slot.phase = 'running'; // a replayed event of an earlier life
        return;
      }
      status = this.mapStatus(slot, info);
    }
    await this.drainLogs(slot);
    status = await this.withTerminationMessage(slot, id, status);
    if (slot.containerId !== id || this.disposed) return;
    slot.status = status;
    slot.phase = 'exited';
    this.step();
    this.emit();
  }

  private statusFromDie(slot: Slot, id: string, die: ContainerEvent): ContainerStatus | undefined {
    const code = Number(die.attributes['exitCode']);
    const prev = slot.status;
    if (!Number.isInteger(code) || !prev || prev.state.running === undefined) return undefined;
    if (code === 137 && !slot.oomSeen) return undefined;
    const terminated: ContainerStateTerminated = {
      exitCode: code,
      reason: slot.oomSeen ? 'OOMKilled' : code === 0 ? 'Completed' : 'Error',
      containerID: `docker://${id}`,
    };
    if (prev.state.running.startedAt !== undefined) terminated.startedAt = prev.state.running.startedAt;
    const secs = die.timeNano / 1_000_000_000n;
    if (secs > 0n)
      terminated.finishedAt = new Date(Number(secs) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    return { ...prev, state: { terminated }, ready: false, started: false };
  }

  /** The container disappeared behind our back (removed, or lost with the engine). */
  private lose(slot: Slot): void {
    slot.logs?.stop();
    slot.phase = 'exited';
    const terminated: ContainerStateTerminated = {
      exitCode: 137,
      reason: 'ContainerLost',
      message: 'the container disappeared from the engine',
      finishedAt: nowIso(),
    };
    if (slot.containerId) terminated.containerID = `docker://${slot.containerId}`;
    slot.status = {
      name: slot.spec.name,
      state: { terminated },
      ready: false,
      restartCount: slot.attempt,
      image: slot.spec.image ?? '',
    };
    this.fail('ContainerLost', `container "${slot.spec.name}" disappeared from the engine`);
    this.step();
    this.emit();
  }

  /** The ended container's termination message in its terminated state (termination-message.ts). */
  private async withTerminationMessage(
    slot: Slot,
    id: string,
    status: ContainerStatus,
  ): Promise<ContainerStatus> {
    const terminated = status.state.terminated;
    if (!terminated) return status;
    const fallback = fallsBackToLogs(slot.spec, terminated);
    const read = slot.spec.terminationMessagePath
      ? await readTerminationMessageFile(
          terminationMessageFile(this.ctx.podDir, slot.spec.name, slot.attempt),
          fallback,
        )
      : { message: '', checkLogs: fallback };
    const message = read.checkLogs
      ? await readLogTail(this.ctx.docker.getContainer(id), slot.tty).catch(
          (err: unknown) => `Error on reading termination message from logs: ${dockerMessage(err)}`,
        )
      : read.message;
    return { ...status, state: { terminated: withTerminationMessage(terminated, message) } };
  }

  private mapStatus(slot: Slot, info: Docker.ContainerInspectInfo): ContainerStatus {
    const s = containerStatusFromInspect(slot.spec.name, info, slot.attempt);
    if (slot.lastTerminated) s.lastState = { terminated: slot.lastTerminated };
    return s;
  }

  // ---- observation ---------------------------------------------------------------------------

  private slotStatus(slot: Slot): ContainerStatus {
    const base = {
      name: slot.spec.name,
      ready: false,
      restartCount: slot.attempt,
      image: slot.spec.image ?? '',
    };
    const last = slot.lastTerminated ? { lastState: { terminated: slot.lastTerminated } } : {};
    switch (slot.phase) {
      case 'idle':
        if (slot.createError !== undefined) {
          return {
            ...base,
            ...last,
            state: { waiting: { reason: 'CreateContainerError', message: slot.createError } },
          };
        }
        if (slot.engineWait !== undefined) {
          const message = `waiting for the Docker engine: ${slot.engineWait}`;
          return {
            ...base,
            ...last,
            state: { waiting: { reason: 'ContainerCreating', message } },
            started: false,
          };
        }
        return { ...base, ...last, state: { waiting: { reason: 'PodInitializing' } }, started: false };
      case 'starting':
        return { ...base, ...last, state: { waiting: { reason: 'ContainerCreating' } }, started: false };
      case 'backoff': {
        const prev = slot.status?.state.terminated;
        const lastState = prev ? { lastState: { terminated: prev } } : last;
        const waiting: { reason: string; message?: string } = { reason: 'CrashLoopBackOff' };
        if (slot.backoffMessage !== undefined) waiting.message = slot.backoffMessage;
        return { ...base, ...lastState, state: { waiting }, started: false };
      }
      default: {
        if (!slot.status) return { ...base, ...last, state: { waiting: { reason: 'ContainerCreating' } } };
        const s = { ...slot.status, restartCount: slot.attempt };
        // An exiting container is still shown running until its final state is read.
        return s;
      }
    }
  }

  private computePhase(): PodPhase {
    if (this.failure) return 'Failed';
    if (!this.initDone) {
      if (this.deleting && !this.slots.some(isActive)) return 'Failed';
      return 'Pending';
    }
    const apps = this.appSlots;
    const ended = (s: Slot): boolean => s.phase === 'exited' || (this.deleting && s.phase === 'idle');
    // A sidecar still running (being stopped) keeps the pod Running; once stopped it does not count
    // towards the outcome (getPhase, pkg/kubelet/kubelet_pods.go).
    const sidecarActive = this.initSlots.some((s) => s.role === 'sidecar' && isActive(s));
    if (apps.every(ended) && !sidecarActive) {
      const allZero = apps.every((s) => s.phase === 'exited' && exitCodeOf(s) === 0);
      if (allZero) return 'Succeeded';
      if (this.deleting || !this.restartable) return 'Failed';
    }
    const started =
      apps.some((s) => s.phase !== 'idle' && s.phase !== 'starting') || apps.some((s) => s.attempt > 0);
    return started ? 'Running' : 'Pending';
  }

  observe(): PodObservation {
    let phase: PodPhase;
    if (this.terminal) {
      phase = this.terminal.phase;
    } else {
      phase = this.computePhase();
      if (phase === 'Succeeded' || phase === 'Failed') {
        const finished = this.slots
          .map((s) => s.status?.state.terminated?.finishedAt)
          .filter((t): t is string => t !== undefined)
          .sort();
        this.terminal = { phase, finishTime: finished[finished.length - 1] ?? nowIso() };
        if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
        this.deadlineTimer = undefined;
      }
    }
    // No kubelet has seen an unscheduled pod: it has no container statuses.
    const placed = this.unschedulable === undefined;
    const initStatuses = placed ? this.initSlots.map((s) => this.slotStatus(s)) : [];
    const appStatuses = placed ? this.appSlots.map((s) => this.slotStatus(s)) : [];
    const terminal = this.terminal !== undefined;
    const ready = !terminal && this.initDone && this.appSlots.every((s) => s.phase === 'running');
    for (const s of appStatuses) s.ready = !terminal && s.state.running !== undefined;
    for (const [i, s] of (placed ? initStatuses : []).entries()) {
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
    obs.conditions = this.conditions(ready, phase);
    return obs;
  }

  private namedVolumes() {
    return namedVolumes(this.ctx.docker, this.plan, this.ctx.lookupClaim, this.ctx.instanceLabels);
  }

  private conditions(ready: boolean, phase: PodPhase): PodCondition[] {
    if (this.unschedulable !== undefined) {
      // An unscheduled pod has this one condition (the scheduler's), nothing from a kubelet.
      const prev = this.conditionTimes.get('PodScheduled');
      const time = prev && prev.status === 'False' ? prev.time : nowIso();
      this.conditionTimes.set('PodScheduled', { status: 'False', time });
      return [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: this.unschedulable,
          lastTransitionTime: time,
        },
      ];
    }
    const want: [string, boolean, string?][] = [
      ['PodScheduled', true],
      ['Initialized', this.initDone],
      ['ContainersReady', ready, ready ? undefined : 'ContainersNotReady'],
      [
        'Ready',
        ready,
        ready
          ? undefined
          : phase === 'Succeeded' || phase === 'Failed'
            ? 'PodCompleted'
            : 'ContainersNotReady',
      ],
    ];
    return want.map(([type, ok, reason]) => {
      const status = ok ? 'True' : 'False';
      const prev = this.conditionTimes.get(type);
      const time = prev && prev.status === status ? prev.time : nowIso();
      this.conditionTimes.set(type, { status, time });
      const c: PodCondition = { type, status, lastTransitionTime: time };
      if (reason !== undefined) c.reason = reason;
      return c;
    });
  }

  private emit(): void {
    if (this.disposed) return;
    const obs = this.observe();
    const key = JSON.stringify(obs);
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.ctx.emitPod(this.plan.jobUid, obs);
  }
}

function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60000 === 0) return `${ms / 60000}m0s`;
  return `${ms / 1000}s`;
}
