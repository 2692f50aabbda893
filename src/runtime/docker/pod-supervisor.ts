// The Docker side of one pod: carries out the kubelet's decisions (src/runtime/kubelet/) with
// Docker calls and reports back what the containers do. It prepares the pod's volumes, makes the
// pause container (the pod's sandbox), creates and starts each container when the kubelet says so
// (adopting one a crashed run left), follows its output, reads its end from the engine's events
// (or an inspect), stops containers, adopts a pod's containers after a crash, and re-reads them
// when the engine comes back. Whatever is decided about phases, restarts and ordering is decided
// in PodKubelet.
//
// Concurrency: JavaScript runs one callback at a time; the kubelet decides synchronously and the
// Docker calls it launches run asynchronously, reporting to it when they land. A slot's phase says
// which call is in flight, so no call is made twice.

import type Docker from 'dockerode';

import type { ContainerStateTerminated, ContainerStatus } from '../../api/k8s.js';
import { claimNamesOf, unschedulableClaim, unschedulableMessage } from '../../api/claims.js';
import { rfc3339 } from '../../controller/job/conditions.js';
import { TjobLabel, TjobManagedByValue, tjobContainerLabels } from '../../api/labels.js';
import type { PodObservation, PodPlan } from '../../api/pod.js';
import type { Clock } from '../../ports/clock.js';
import type { LogLines, PodEvent } from '../../ports/pod-runtime.js';
import { terminatedReason, type ContainerSlot, type Role } from '../kubelet/container-slot.js';
import { PodKubelet } from '../kubelet/pod-kubelet.js';
import { namedVolumes, type ClaimLookup } from './claim-volumes.js';
import { buildContainerConfig, buildPauseConfig, podNeedsPause, podReadsOwnIP } from './container-config.js';
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
import type { PodImagePuller } from './pod-image.js';
import {
  attachLogs,
  followLogs,
  lineCount,
  type LogFollower,
  type RawLines,
  type StdStream,
} from './logs.js';
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

/** What a supervisor needs from its runtime. */
export interface SupervisorContext {
  docker: Docker;
  events: EventHub;
  clock: Clock;
  pauseImage: string;
  instanceLabels: Record<string, string>;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** `workDir/<jobUid>/<pod>`: the pod's volumes. */
  podDir: string;
  /** Bounds the creates/starts in flight across all pods of the process. */
  launches: LaunchGate;
  /**
   * A container that makes its own network namespace (a pause container, or the one container of
   * a pod without one) was started, in that many ms: what a sandbox costs here (warm-sandbox.ts).
   */
  namespaceStarted?(ms: number): void;
  /** The stored PersistentVolumeClaims, read live (a pod waits for its claims). */
  lookupClaim?: ClaimLookup;
  /** The image manager shared by the runtime's pods (without it, images are taken as they are). */
  images?: PodImagePuller;
  emitPod(jobUid: string, observation: PodObservation): void;
  emitLog(jobUid: string, lines: LogLines): void;
  emitPodEvent?(jobUid: string, podName: string, event: PodEvent): void;
  debug(message: string): void;
}

/** The Docker side of one container slot: the current attempt's container and its handles. */
interface ContainerRun {
  containerId?: string;
  /** A die (or destroy) event arrived while the start call was in flight. */
  dieSeen?: ContainerEvent;
  logs?: LogFollower;
  lastLogTime?: string;
  tty: boolean;
  /** Launches again since the engine went away (for the delay). */
  engineRetries: number;
  /** Of those, the ones the engine answered with a shutdown's words (bounded). */
  engineAnswers: number;
  /** Never-started containers of this attempt removed to be made again (bounded). */
  remakes: number;
  /** Lets the next launch through the gate (once this one's start call has returned). */
  releaseLaunch?: () => void;
}

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
/** How long an ended pod's sandbox waits before it is stopped (stopPause). */
const PAUSE_STOP_DELAY_MS = 2000;

export function containerDockerName(pod: string, container: string, attempt: number): string {
  return attempt === 0 ? `${pod}-${container}` : `${pod}-${container}-${attempt}`;
}

export function pauseDockerName(pod: string): string {
  return `${pod}-pause`;
}

export class PodSupervisor {
  readonly plan: PodPlan;
  private readonly kubelet: PodKubelet;
  private readonly runs = new Map<ContainerSlot, ContainerRun>();
  private volumes: Record<string, PodVolumeMount> | undefined;
  private pauseId: string | undefined;
  /** The pod's address (its sandbox's), read once for a pod whose env asks for it. */
  private podIP: string | undefined;
  private pauseStopping = false;
  /**
   * Every container this supervisor made (all attempts, the pause container), while that is all
   * the pod has: undefined once it adopted containers or the engine went away mid-call (a create
   * whose answer was lost may have made one). Removal then needs no listing (knownContainers).
   */
  private madeContainers: Set<string> | undefined = new Set();
  /** The sandbox's stop, waiting for its moment (stopPause). */
  private pauseStopTimer: { timer: AbortController; graceSeconds: number } | undefined;
  /** Log lines passed on per container id and stream. */
  private readonly linesPassedOn = new Map<string, Record<StdStream, number>>();
  private readonly inflight = new Set<Promise<void>>();
  private lastEmitted = '';
  private claimTimer: AbortController | undefined;

  constructor(
    private readonly ctx: SupervisorContext,
    plan: PodPlan,
  ) {
    this.plan = plan;
    const events = ctx.events;
    this.kubelet = new PodKubelet(
      plan,
      { clock: ctx.clock, backoffBaseMs: ctx.backoffBaseMs, backoffCapMs: ctx.backoffCapMs },
      {
        get paused() {
          return events.isDown;
        },
        launch: (slot) => this.launch(slot),
        stop: (slot, graceSeconds) => this.stopContainer(slot, graceSeconds),
        stopSandbox: (graceSeconds) => this.stopPause(graceSeconds),
        changed: () => this.emit(),
      },
    );
    for (const slot of this.kubelet.slots)
      this.runs.set(slot, { tty: slot.spec.tty === true, engineRetries: 0, engineAnswers: 0, remakes: 0 });
  }

  get jobUid(): string {
    return this.plan.jobUid;
  }

  get name(): string {
    return this.plan.name;
  }

  private get disposed(): boolean {
    return this.kubelet.isDisposed;
  }

  private run(slot: ContainerSlot): ContainerRun {
    return this.runs.get(slot)!;
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
    this.kubelet.setUnschedulable(reason === undefined ? undefined : unschedulableMessage(reason));
    return reason !== undefined;
  }

  private recheckClaims(): void {
    const timer = new AbortController();
    this.claimTimer = timer;
    void this.ctx.clock.sleep(CLAIM_RECHECK_MS, timer.signal).then(() => {
      if (timer.signal.aborted) return;
      this.claimTimer = undefined;
      if (this.disposed || this.kubelet.shuttingDown) return;
      void this.claimsMissing().then(
        (missing) => {
          if (this.disposed || this.kubelet.shuttingDown) return;
          if (missing) return this.recheckClaims();
          void this.begin().catch((err: unknown) => this.ctx.debug(`pod ${this.plan.name}: ${String(err)}`));
        },
        (err: unknown) => {
          this.ctx.debug(`pod ${this.plan.name}: reading its claims: ${String(err)}`);
          this.recheckClaims();
        },
      );
    });
  }

  private async begin(): Promise<PodObservation> {
    this.kubelet.placed(this.ctx.clock.now());
    try {
      this.volumes = await preparePodVolumes(this.plan, this.ctx.podDir, {}, this.namedVolumes());
    } catch (err) {
      // Kubernetes would leave the pod ContainerCreating for ever (FailedMount); tjob fails it.
      this.kubelet.fail(
        undefined,
        `preparing the pod's volumes failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    // A sandbox prepared ahead of the pod (useSandbox) is the pod's: none is made.
    if (!this.kubelet.hasFailed && this.pauseId === undefined && podNeedsPause(this.plan.spec)) {
      try {
        await this.startPause();
      } catch (err) {
        // The engine is going away: no pod yet (the job creates it again), not a failed pod.
        if (isEngineGoingAway(err)) throw err;
        this.kubelet.fail(undefined, `creating the pod's pause container failed: ${dockerMessage(err)}`);
      }
    }
    this.kubelet.run();
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
    this.madeContainers = undefined;
    await this.ctx.events.ensure();
    const created = containers.map((c) => c.Created * 1000).filter((t) => t > 0);
    this.kubelet.placed(created.length > 0 ? new Date(Math.min(...created)) : this.ctx.clock.now());
    const pause = containers.find((c) => c.Labels[TjobLabel.role] === 'pause');
    this.pauseId = pause?.Id;
    if (pause && pause.State !== 'running') this.pauseStopping = true;
    const drains: Promise<void>[] = [];
    for (const slot of this.kubelet.slots) {
      const run = this.run(slot);
      const runs = containers
        .filter(
          (c) => c.Labels[TjobLabel.container] === slot.spec.name && c.Labels[TjobLabel.role] !== 'pause',
        )
        .map((c) => ({ c, attempt: Number(c.Labels[TjobLabel.attempt] ?? '0') || 0 }))
        .sort((a, b) => b.attempt - a.attempt);
      const current = runs[0];
      if (!current) continue;
      let lastTerminated: ContainerStateTerminated | undefined;
      const previous = runs[1];
      if (previous) {
        try {
          const info = await this.ctx.docker.getContainer(previous.c.Id).inspect();
          lastTerminated = containerStatusFromInspect(slot.spec.name, info, previous.attempt).state
            .terminated;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      this.kubelet.adoptedAttempt(slot, current.attempt, lastTerminated);
      run.containerId = current.c.Id;
      this.kubelet.created(slot);
      this.ctx.events.on(current.c.Id, (ev) => this.onEvent(slot, ev));
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.ctx.docker.getContainer(current.c.Id).inspect();
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.ctx.events.off(current.c.Id);
        run.containerId = undefined;
        this.kubelet.forget(slot);
        continue;
      }
      run.tty = info.Config.Tty === true;
      const status = await this.withTerminationMessage(slot, current.c.Id, this.mapStatus(slot, info));
      if (info.State.Status === 'created') {
        // Created but never started: start it now (the crash came between create and start).
        this.kubelet.starting(slot, status);
        this.track(this.finishLaunch(slot, current.c.Id, true));
        continue;
      }
      this.followLogsOf(slot, current.c.Id);
      if (info.State.Running) {
        this.kubelet.running(slot, status);
      } else {
        this.kubelet.adoptedExited(slot, status);
        if (run.logs) drains.push(this.drainLogs(slot));
      }
    }
    await Promise.all(drains);
    this.kubelet.adopted();
    this.kubelet.run();
    await this.settleInflight();
    this.emit();
    return this.observe();
  }

  /**
   * Makes and starts the pod's pause container before the pod exists (a warm sandbox, see
   * docs/warm-sandboxes.md), labelled as this pod's and as prepared; returns its id. The
   * supervisor of the pod, once created, takes it with useSandbox.
   */
  async prepareSandbox(): Promise<string> {
    await this.startPause({ [TjobLabel.prepared]: 'true' });
    return this.pauseId!;
  }

  /** The pod's containers join this running sandbox (prepared ahead, prepareSandbox). */
  useSandbox(pauseId: string): void {
    this.pauseId = pauseId;
    this.madeContainers?.add(pauseId);
  }

  /**
   * The pod's containers, when this supervisor made every one of them (a pause container first);
   * undefined when only the engine can tell (adopted, or a call lost with the engine).
   */
  knownContainers(): { pause?: string; others: string[] } | undefined {
    if (!this.madeContainers) return undefined;
    const others = [...this.madeContainers].filter((id) => id !== this.pauseId);
    return this.pauseId === undefined ? { others } : { pause: this.pauseId, others };
  }

  /** Graceful deletion: SIGTERM, SIGKILL after `graceSeconds`; no further restarts. */
  delete(graceSeconds: number): void {
    this.kubelet.delete(graceSeconds);
  }

  /** Stops supervising (removal or close): timers, log streams, event handlers. */
  dispose(): void {
    this.kubelet.dispose();
    this.claimTimer?.abort();
    this.pauseStopTimer?.timer.abort();
    for (const run of this.runs.values()) {
      run.logs?.stop();
      if (run.containerId) this.ctx.events.off(run.containerId);
    }
  }

  /** The engine came back: re-read every container we believed alive, resume logs. */
  async reconcile(): Promise<void> {
    if (this.disposed) return;
    this.madeContainers = undefined; // the engine went away: a call's answer may have been lost
    // Containers whose create/start met the engine going away are launched now, not after a delay.
    this.kubelet.releaseHolds();
    for (const run of this.runs.values()) {
      run.engineRetries = 0;
      run.engineAnswers = 0;
    }
    const checks = this.kubelet.slots.map(async (slot) => {
      const run = this.run(slot);
      const id = run.containerId;
      if (!id || !(slot.phase === 'running' || slot.phase === 'exiting')) return;
      // (a container being made: the launch in flight sees the result itself)
      this.followLogsOf(slot, id, run.lastLogTime);
      this.kubelet.running(slot);
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
        run.logs?.stop();
        this.kubelet.starting(slot);
        this.track(this.finishLaunch(slot, id, true));
        return;
      }
      if (!info.State.Running) await this.handleExit(slot, id);
    });
    await Promise.allSettled(checks);
    this.kubelet.step();
    this.emit();
  }

  observe(): PodObservation {
    return this.kubelet.observe();
  }

  // ---- the kubelet's requests ----------------------------------------------------------------

  private stopContainer(slot: ContainerSlot, t: number): void {
    const id = this.run(slot).containerId;
    if (!id) return;
    this.ctx.debug(`stopping ${id.slice(0, 12)} (${this.plan.name}/${slot.spec.name}) with grace ${t}s`);
    this.ctx.docker
      .getContainer(id)
      .stop({ t })
      .catch(ignoreGoneOrNotModified)
      .catch((err: unknown) => this.ctx.debug(`stopping ${id.slice(0, 12)} failed: ${dockerMessage(err)}`));
  }

  /**
   * The pod's containers have all ended: its sandbox stops (StopPodSandbox), a moment later. A pod
   * whose containers are removed as soon as it is recorded (deviation 4) is removed within that
   * moment, and its pause goes with the removal: one engine stop less per pod, off the next pod's
   * start. A pod kept stops its pause then, or when the runtime closes (stopPendingSandbox).
   */
  private stopPause(t: number): void {
    if (!this.pauseId || this.pauseStopping) return;
    this.pauseStopping = true;
    const timer = new AbortController();
    this.pauseStopTimer = { timer, graceSeconds: t };
    void this.ctx.clock.sleep(PAUSE_STOP_DELAY_MS, timer.signal).then(() => {
      if (timer.signal.aborted) return;
      this.pauseStopTimer = undefined;
      this.stopPauseNow(t);
    });
  }

  /** A sandbox stop still waiting for its moment is made now (the runtime is closing). */
  stopPendingSandbox(): Promise<void> {
    const pending = this.pauseStopTimer;
    if (!pending) return Promise.resolve();
    pending.timer.abort();
    this.pauseStopTimer = undefined;
    return this.stopPauseNow(pending.graceSeconds);
  }

  private stopPauseNow(t: number): Promise<void> {
    const id = this.pauseId;
    if (!id) return Promise.resolve();
    return this.ctx.docker
      .getContainer(id)
      .stop({ t })
      .catch(ignoreGoneOrNotModified)
      .catch((err: unknown) =>
        this.ctx.debug(`stopping pause ${id.slice(0, 12)} failed: ${dockerMessage(err)}`),
      );
  }

  private launch(slot: ContainerSlot): void {
    const run = this.run(slot);
    if (run.containerId !== undefined) {
      // A restart: the old container stays (for `logs --previous`), the new one is attempt+1.
      this.ctx.events.off(run.containerId);
      run.containerId = undefined;
    }
    run.dieSeen = undefined;
    this.track(this.runLaunch(slot));
  }

  // ---- containers ----------------------------------------------------------------------------

  private labelsFor(role: Role | 'pause', container: string, attempt: number): Record<string, string> {
    return tjobContainerLabels(this.plan, this.ctx.instanceLabels, container, role, attempt);
  }

  /** The sandbox's address on its network (the pod's IP), as the engine gave it. */
  private async sandboxAddress(pauseId: string): Promise<string | undefined> {
    const info = await this.ctx.docker.getContainer(pauseId).inspect();
    return Object.values(info.NetworkSettings?.Networks ?? {})
      .map((n) => n.IPAddress)
      .find((ip) => !!ip);
  }

  private async startPause(extraLabels: Record<string, string> = {}): Promise<void> {
    const name = pauseDockerName(this.plan.name);
    const labels = { ...this.labelsFor('pause', 'pause', 0), ...extraLabels };
    const options = buildPauseConfig(this.plan, {
      dockerName: name,
      labels,
      image: this.ctx.pauseImage,
      nodeDns: cachedNodeResolvConf(),
    });
    const began = performance.now();
    const { id, state } = await this.createOrAdopt(
      { ...options, name, Labels: { ...options.Labels, ...labels } },
      labels,
    );
    this.pauseId = id;
    this.madeContainers?.add(id);
    if (state === 'created' || state === 'exited') {
      await this.ctx.docker.getContainer(id).start().catch(ignoreNotModified);
      if (state === 'created') this.ctx.namespaceStarted?.(performance.now() - began);
    }
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.ctx.debug(`pod ${this.plan.name}: ${String(err)}`));
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  private async settleInflight(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private async runLaunch(slot: ContainerSlot): Promise<void> {
    // Outside the launch gate: a pull may take long, and holds no create or start in flight.
    if (!(await this.haveImage(slot))) return;
    const release = await this.ctx.launches.enter();
    if (!release) return; // the runtime is closing
    const run = this.run(slot);
    run.releaseLaunch = release;
    try {
      if (this.disposed) return;
      if (this.kubelet.shuttingDown) {
        // Deleted while it waited for its turn: never create it.
        this.kubelet.launchAbandoned(slot);
        return;
      }
      await this.createAndStart(slot);
    } finally {
      release();
      run.releaseLaunch = undefined;
    }
  }

  /**
   * The kubelet's EnsureImageExists before each container is made (startContainer,
   * pkg/kubelet/kuberuntime/kuberuntime_container.go), under the container's imagePullPolicy.
   * False when the container cannot be made now: it waits for its image (ErrImagePull,
   * ImagePullBackOff, ErrImageNeverPull) and is tried again at the pod's next sync, or the pod
   * went away meanwhile.
   */
  private async haveImage(slot: ContainerSlot): Promise<boolean> {
    const images = this.ctx.images;
    if (!images) return true;
    let waiting: Awaited<ReturnType<PodImagePuller['ensure']>>;
    try {
      waiting = await images.ensure(this.plan, slot.spec, (event) =>
        this.ctx.emitPodEvent?.(this.plan.jobUid, this.plan.name, event),
      );
    } catch (err) {
      if (this.disposed) return false;
      if (isEngineGoingAway(err)) this.awaitEngine(slot, undefined, err, 'looking up the image');
      else this.kubelet.launchFailed(slot, dockerMessage(err));
      return false;
    }
    if (this.disposed) return false;
    if (this.kubelet.shuttingDown) {
      this.kubelet.launchAbandoned(slot);
      return false;
    }
    if (waiting === undefined) return true;
    this.ctx.debug(
      `pod ${this.plan.name}: container "${slot.spec.name}": ${waiting.reason}: ${waiting.message}`,
    );
    this.kubelet.imageUnavailable(slot, { reason: waiting.reason, message: waiting.message });
    return false;
  }

  private async createAndStart(slot: ContainerSlot): Promise<void> {
    const run = this.run(slot);
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
      if (this.pauseId !== undefined && podReadsOwnIP(this.plan.spec)) {
        this.podIP ??= await this.sandboxAddress(this.pauseId);
        if (this.podIP !== undefined) ctx.node = { podIP: this.podIP };
      }
      if (slot.spec.terminationMessagePath) {
        ctx.terminationMessageFile = terminationMessageFile(this.ctx.podDir, slot.spec.name, slot.attempt);
        await createTerminationMessageFile(ctx.terminationMessageFile);
      }
      const { options, warnings } = buildContainerConfig(this.plan, slot.spec, ctx);
      for (const w of warnings) this.ctx.debug(`pod ${this.plan.name}: ${w}`);
      run.tty = options.Tty === true;
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
      this.kubelet.launchFailed(slot, dockerMessage(err));
      return;
    }
    run.containerId = id;
    this.madeContainers?.add(id);
    this.kubelet.created(slot);
    if (this.disposed) return;
    this.ctx.events.on(id, (ev) => this.onEvent(slot, ev));
    await this.finishLaunch(slot, id, state === 'created');
  }

  /** Starts a created container (unless it already ran), follows its logs, records its state. */
  private async finishLaunch(slot: ContainerSlot, id: string, needsStart: boolean): Promise<void> {
    const run = this.run(slot);
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
          run.remakes < MAX_REMAKES
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
        if (this.kubelet.shuttingDown) {
          // Deleted while it was being created: never start it.
          this.kubelet.launchAbandoned(slot);
          return;
        }
        // Inspect while it is only created (cheap), not after it started: an inspect racing a
        // quick exit waits for the engine's clean-up of the container.
        created ??= await c.inspect();
        const createdInfo = created;
        run.tty = createdInfo.Config.Tty === true;
        run.logs?.stop();
        stage = 'attaching to the container';
        run.logs = await attachLogs(c, { tty: run.tty }, this.lineHandler(slot, id), (err) =>
          this.ctx.debug(`output of ${id.slice(0, 12)}: ${String(err)}`),
        ).catch((err: unknown) => {
          this.ctx.debug(
            `attaching to ${id.slice(0, 12)} failed (${dockerMessage(err)}); following its logs`,
          );
          return undefined;
        });
        const attached = run.logs !== undefined;
        stage = 'starting the container';
        const startBegan = performance.now();
        await c
          .start()
          .catch(ignoreNotModified)
          .finally(() => run.releaseLaunch?.());
        started = true;
        if (this.pauseId === undefined && this.plan.spec.hostNetwork !== true)
          this.ctx.namespaceStarted?.(performance.now() - startBegan);
        const startedAt = this.ctx.clock.now().toISOString();
        info = {
          ...createdInfo,
          State: { ...createdInfo.State, Status: 'running', Running: true, StartedAt: startedAt },
        };
        if (!attached) this.followLogsOf(slot, id);
      }
      if (this.disposed || run.containerId !== id) return;
      run.engineRetries = 0;
      run.engineAnswers = 0;
      run.remakes = 0;
      this.kubelet.made(slot);
      if (info.State.Running && !run.dieSeen) {
        this.kubelet.started(slot, this.mapStatus(slot, info));
        return;
      }
      if (!info.State.Running) {
        this.kubelet.running(slot);
        await this.handleExit(slot, id, { info });
        return;
      }
      // The die event overtook the start call: its state is the one to trust.
      this.kubelet.running(slot, this.mapStatus(slot, info));
      const die = run.dieSeen?.action === 'die' ? run.dieSeen : undefined;
      await this.handleExit(slot, id, die ? { die } : {});
    } catch (err) {
      if (this.disposed || run.containerId !== id) return;
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
      if (!started && isStaleRuntimeTask(err) && run.remakes < MAX_REMAKES) {
        // Its start was cut short by an engine stop, and the engine cannot start it again: it
        // never ran, so a new container takes its place (same name and attempt, a new id).
        this.ctx.debug(
          `pod ${this.plan.name}: container ${id.slice(0, 12)} cannot be started (${dockerMessage(err)}); creating it again`,
        );
        await this.remake(slot, id);
        return;
      }
      if (isConnectionError(err)) {
        this.kubelet.running(slot); // reconcile() re-reads it when the engine is back
        return;
      }
      if (isNotFound(err)) {
        this.lose(slot);
        return;
      }
      this.ctx.debug(
        `pod ${this.plan.name}: ${stage} ${id.slice(0, 12)} failed: HTTP ${statusCodeOf(err) ?? '-'} ${dockerMessage(err)}`,
      );
      run.logs?.stop();
      this.kubelet.launchFailed(slot, dockerMessage(err));
    }
  }

  /** Forgets the current attempt's container (it never ran) so that the next launch makes it. */
  private forgetUnstarted(slot: ContainerSlot, id: string | undefined): void {
    const run = this.run(slot);
    run.logs?.stop();
    run.logs = undefined;
    if (id !== undefined) this.ctx.events.off(id);
    run.containerId = undefined;
    run.dieSeen = undefined;
    this.kubelet.forget(slot);
  }

  /** Removes a container that never ran, for the next launch to make it again. */
  private async remake(slot: ContainerSlot, id: string): Promise<void> {
    const run = this.run(slot);
    run.remakes++;
    try {
      await this.ctx.docker.getContainer(id).remove({ force: true });
    } catch (err) {
      if (this.disposed || run.containerId !== id) return;
      if (isEngineGoingAway(err)) {
        this.awaitEngine(slot, id, err, 'removing the never-started container');
        return;
      }
      if (!isNotFound(err)) {
        run.logs?.stop();
        this.kubelet.launchFailed(slot, `removing the never-started container failed: ${dockerMessage(err)}`);
        return;
      }
    }
    if (this.disposed || run.containerId !== id) return;
    this.relaunch(slot, id);
  }

  private relaunch(slot: ContainerSlot, id: string): void {
    this.forgetUnstarted(slot, id);
    this.kubelet.step();
    this.emit();
  }

  /**
   * Creating or starting a container that never ran met the engine going away. The kubelet keeps
   * such a pod Pending and tries again; so does tjob: the slot goes back to idle (no failure, no
   * restart counted) and is launched again when the engine answers again (EventHub onUp →
   * reconcile), or after a delay if the engine never stops answering. The launch again finds the
   * container, if the engine made it, by its name (createOrAdopt).
   */
  private awaitEngine(slot: ContainerSlot, id: string | undefined, err: unknown, during: string): void {
    const run = this.run(slot);
    this.madeContainers = undefined; // the engine may have made a container it did not answer for
    this.forgetUnstarted(slot, id);
    const message = dockerMessage(err);
    const answered = !isConnectionError(err);
    if (answered && run.engineAnswers >= ENGINE_ANSWER_RETRIES) {
      this.kubelet.launchFailed(slot, message);
      return;
    }
    this.ctx.debug(
      `pod ${this.plan.name}: ${during} (container "${slot.spec.name}") met the engine going away: ${message}; trying again when it answers`,
    );
    const delay = Math.min(ENGINE_RETRY_BASE_MS * 2 ** run.engineRetries, ENGINE_RETRY_CAP_MS);
    if (delay < ENGINE_RETRY_CAP_MS) run.engineRetries++;
    if (answered) run.engineAnswers++;
    this.kubelet.retryLaunchAfter(slot, delay, {
      reason: 'ContainerCreating',
      message: `waiting for the Docker engine: ${message}`,
    });
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

  private followLogsOf(slot: ContainerSlot, id: string, after?: string): void {
    const run = this.run(slot);
    run.logs?.stop();
    const opts: { tty: boolean; after?: string } = { tty: run.tty };
    if (after !== undefined) opts.after = after;
    // Followed from its start, a container replays the lines this process already passed on
    // (attached before its start's answer was lost with the engine): they are skipped.
    const replayed = after === undefined ? this.linesPassedOn.get(id) : undefined;
    run.logs = followLogs(
      this.ctx.docker.getContainer(id),
      opts,
      this.lineHandler(slot, id, replayed && { ...replayed }),
      (err) => this.ctx.debug(`logs of ${id.slice(0, 12)}: ${String(err)}`),
    );
  }

  private lineHandler(
    slot: ContainerSlot,
    id: string,
    skip?: Record<StdStream, number>,
  ): (lines: RawLines) => void {
    const run = this.run(slot);
    const container = slot.spec.name;
    const restartCount = slot.attempt;
    let passedOn = this.linesPassedOn.get(id);
    if (!passedOn) this.linesPassedOn.set(id, (passedOn = { stdout: 0, stderr: 0 }));
    const counts = passedOn;
    return (lines) => {
      let text = lines.text;
      if (skip && skip[lines.stream] > 0) {
        let cut = 0;
        while (skip[lines.stream] > 0 && cut < text.length) {
          cut = text.indexOf('\n', cut) + 1;
          skip[lines.stream]--;
        }
        text = text.slice(cut);
        if (text === '') return;
      }
      counts[lines.stream] += lineCount(text);
      if (lines.time !== '') run.lastLogTime = lines.time;
      this.ctx.emitLog(this.plan.jobUid, { pod: this.plan.name, container, restartCount, ...lines, text });
    };
  }

  private async drainLogs(slot: ContainerSlot): Promise<void> {
    const done = this.run(slot).logs?.done ?? Promise.resolve();
    const timeout = new AbortController();
    await Promise.race([done, this.ctx.clock.sleep(LOG_DRAIN_TIMEOUT_MS, timeout.signal)]);
    timeout.abort(); // no timer is left to hold the process
  }

  private onEvent(slot: ContainerSlot, ev: ContainerEvent): void {
    const run = this.run(slot);
    if (run.containerId !== ev.id || this.disposed) return;
    if (ev.action === 'die' || ev.action === 'destroy') {
      if (slot.phase === 'starting') run.dieSeen = ev;
      else if (slot.phase === 'running')
        void this.handleExit(slot, ev.id, ev.action === 'die' ? { die: ev } : {});
    } else if (ev.action === 'oom') {
      this.kubelet.oomKilled(slot);
      this.ctx.debug(`pod ${this.plan.name}: container ${slot.spec.name} was OOM killed`);
    }
  }

  /**
   * The container died: take its final state, wait for its last log lines, then report it.
   * The fast path builds the state from the die event (exit code; OOM from the `oom` event that
   * precedes it; start time from the start): inspecting right after a die waits for the engine's
   * clean-up of the container (50-100 ms here), and the exit-to-replacement time is a benchmark.
   * A SIGKILL exit (137) without an OOM event is inspected, to tell an OOM kill seen late.
   */
  private async handleExit(
    slot: ContainerSlot,
    id: string,
    known: { die?: ContainerEvent; info?: Docker.ContainerInspectInfo } = {},
  ): Promise<void> {
    const run = this.run(slot);
    if (run.containerId !== id || slot.phase !== 'running') return;
    this.kubelet.exiting(slot);
    let status = known.info
      ? this.mapStatus(slot, known.info)
      : known.die
        ? this.statusFromDie(slot, id, known.die)
        : undefined;
    // A SIGKILL exit: dockerd's oom event (and State.OOMKilled) can trail the die; the kubelet
    // gives it a moment (PodKubelet.awaitOomReport).
    if (!status && known.die && Number(known.die.attributes['exitCode']) === 137) {
      if (await this.kubelet.awaitOomReport(slot)) status = this.statusFromDie(slot, id, known.die);
    }
    if (!status) {
      let info: Docker.ContainerInspectInfo;
      try {
        info = await this.ctx.docker.getContainer(id).inspect();
      } catch (err) {
        if (run.containerId !== id || this.disposed) return;
        if (isNotFound(err)) {
          this.lose(slot);
          return;
        }
        this.kubelet.running(slot); // the engine is away: reconcile() retries
        return;
      }
      if (run.containerId !== id || this.disposed) return;
      if (info.State.Running) {
        this.kubelet.running(slot); // a replayed event of an earlier life
        return;
      }
      status = this.mapStatus(slot, info);
    }
    await this.drainLogs(slot);
    status = await this.withTerminationMessage(slot, id, status);
    if (run.containerId !== id || this.disposed) return;
    this.kubelet.exited(slot, status);
  }

  private statusFromDie(slot: ContainerSlot, id: string, die: ContainerEvent): ContainerStatus | undefined {
    const code = Number(die.attributes['exitCode']);
    const prev = slot.status;
    if (!Number.isInteger(code) || !prev || prev.state.running === undefined) return undefined;
    if (code === 137 && !slot.oomKilled) return undefined;
    const terminated: ContainerStateTerminated = {
      exitCode: code,
      reason: terminatedReason(code, slot.oomKilled),
      containerID: `docker://${id}`,
    };
    if (prev.state.running.startedAt !== undefined) terminated.startedAt = prev.state.running.startedAt;
    const secs = die.timeNano / 1_000_000_000n;
    if (secs > 0n) terminated.finishedAt = rfc3339(new Date(Number(secs) * 1000));
    return { ...prev, state: { terminated }, ready: false, started: false };
  }

  /** The container disappeared behind our back (removed, or lost with the engine). */
  private lose(slot: ContainerSlot): void {
    const run = this.run(slot);
    run.logs?.stop();
    this.kubelet.lost(slot, run.containerId ? `docker://${run.containerId}` : undefined);
  }

  /** The ended container's termination message in its terminated state (termination-message.ts). */
  private async withTerminationMessage(
    slot: ContainerSlot,
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
      ? await readLogTail(this.ctx.docker.getContainer(id), this.run(slot).tty).catch(
          (err: unknown) => `Error on reading termination message from logs: ${dockerMessage(err)}`,
        )
      : read.message;
    return { ...status, state: { terminated: withTerminationMessage(terminated, message) } };
  }

  private mapStatus(slot: ContainerSlot, info: Docker.ContainerInspectInfo): ContainerStatus {
    const s = containerStatusFromInspect(slot.spec.name, info, slot.attempt);
    if (slot.lastTerminated) s.lastState = { terminated: slot.lastTerminated };
    return s;
  }

  private namedVolumes() {
    return namedVolumes(this.ctx.docker, this.plan, this.ctx.lookupClaim, this.ctx.instanceLabels);
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
