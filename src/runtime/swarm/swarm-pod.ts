// One pod attempt on Swarm: the kubelet's decisions (PodKubelet: init order, phases, deadlines,
// graceful deletion, OnFailure restarts) carried out with one service per container run. The
// pod's node is where its first service landed: every later service of the pod is pinned there
// (`node.id==X`), as the kubelet runs all of a pod's containers on the pod's node. Task changes
// come from the shared TaskPoller; a terminal task's logs are read before the kubelet hears of its
// end, so they are in the state directory before the service is removed.
//
// Images: each service is created with the pod's registry credential (its imagePullSecrets, then
// the user's Docker config, as on Docker), sent as X-Registry-Auth as `docker service create
// --with-registry-auth` does, so whichever node runs the task can pull. A task its node rejects
// for want of the image is the kubelet's failed pull: the container waits with ErrImagePull, then
// ImagePullBackOff under the kubelet's image backoff (one ImagePullBackOff per runtime, as on
// Docker), the pod stays Pending, and the pull is tried again by a new service for the same
// container run, pinned to that node (the pod is bound to it, as a scheduled pod is).

import type Docker from 'dockerode';

import { rfc3339 } from '../../api/time.js';
import { TjobLabel, TjobManagedByValue, tjobContainerLabels, tjobPodLabels } from '../../api/labels.js';
import type { PodCondition } from '../../api/k8s.js';
import { DefaultTerminationGracePeriodSeconds, defaultPullPolicy } from '../../manifest/pod-defaults.js';
import { pullSecretsOf, type PodObservation, type PodPlan } from '../../api/pod.js';
import type { Clock } from '../../ports/clock.js';
import type { LogLines, PodEvent } from '../../ports/pod-runtime.js';
import type { ImagePullBackOff } from '../image-pull-backoff.js';
import { CredentialHelperError } from '../registry/credential-helper.js';
import { credentialsFor, type CredentialSource } from '../registry/credentials.js';
import { CredentialFormatError, type RegistryAuth } from '../registry/keyring.js';
import { lineCount } from '../docker/logs.js';
import type { ContainerSlot } from '../kubelet/container-slot.js';
import { PodKubelet, type KubeletRuntime } from '../kubelet/pod-kubelet.js';
import { configFiles, type ConfigFile } from './config-files.js';
import { podVolumeMounts } from './pod-volumes.js';
import { followServiceLogs, readServiceLogs } from './service-logs.js';
import { buildServiceSpec, serviceName } from './service-spec.js';
import type { SwarmNodeInfo, TaskPoller } from './task-poller.js';
import { containerStatusOfTask, taskView, type SwarmTask } from './task-status.js';

/** How long past its grace a stopped service may take to report its task's end. */
const StopMarginSeconds = 5;

export interface SwarmPodContext {
  docker: Docker;
  poller: TaskPoller;
  clock: Clock;
  backoffBaseMs: number;
  backoffCapMs: number;
  instanceLabels: Record<string, string>;
  /** The kubelet's image pull backoff, shared by the runtime's pods (keyed by pod and image). */
  imagePulls: ImagePullBackOff;
  /** Where the user's Docker config and credential helpers are found. */
  credentials: CredentialSource;
  emitPod(jobUid: string, obs: PodObservation): void;
  emitLog(jobUid: string, lines: LogLines): void;
  emitPodEvent(jobUid: string, podName: string, event: PodEvent): void;
  debug(message: string): void;
}

/** One container run: its service and what was last seen of its task. */
interface Run {
  serviceId: string;
  name: string;
  startedAt?: string;
  /** The end is being handled (logs read, kubelet told): later task reports are ignored. */
  ended: boolean;
  /** Its node rejected it for want of the image: the next pull is a new service of the same name. */
  imageRejected?: boolean;
  /** Its logs followed while it runs, and how many lines that delivered. */
  follower?: { stop(): void };
  delivered: number;
}

/**
 * The condition Kubernetes adds when it evicts a pod from a node that stopped answering: the
 * taint manager's (addConditionAndDeletePod, pkg/controller/tainteviction/taint_eviction.go), so
 * that a podFailurePolicy rule `onPodConditions: DisruptionTarget` matches it.
 */
export const NodeLostDisruption = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
} as const;

export class SwarmPod implements KubeletRuntime {
  readonly kubelet: PodKubelet;
  readonly paused = false;
  private readonly runs = new Map<ContainerSlot, Run>();
  /** The node the pod runs on (its first task's), and its hostname (spec.nodeName). */
  nodeId: string | undefined;
  nodeName: string | undefined;
  private disruption: PodCondition | undefined;
  private disposed = false;
  private lastEmitted = '';

  constructor(
    private readonly ctx: SwarmPodContext,
    readonly plan: PodPlan,
  ) {
    this.kubelet = new PodKubelet(
      plan,
      { clock: ctx.clock, backoffBaseMs: ctx.backoffBaseMs, backoffCapMs: ctx.backoffCapMs },
      this,
    );
  }

  /** Every service name this pod has made (for removal). */
  get serviceIds(): string[] {
    return [...this.runs.values()].map((r) => r.serviceId);
  }

  start(): PodObservation {
    this.kubelet.placed(this.ctx.clock.now());
    this.kubelet.run();
    return this.observe();
  }

  observe(): PodObservation {
    const obs = this.kubelet.observe();
    for (const [i, s] of obs.initContainerStatuses.entries()) s.name = this.kubelet.initSlots[i]!.spec.name;
    for (const [i, s] of obs.containerStatuses.entries()) s.name = this.kubelet.appSlots[i]!.spec.name;
    if (this.nodeName !== undefined) obs.nodeName = this.nodeName;
    if (this.disruption) obs.conditions = [...(obs.conditions ?? []), { ...this.disruption }];
    return obs;
  }

  delete(graceSeconds: number): void {
    this.kubelet.delete(graceSeconds);
  }

  dispose(): void {
    this.disposed = true;
    this.kubelet.dispose();
    for (const run of this.runs.values()) {
      this.ctx.poller.unwatch(run.serviceId);
      run.follower?.stop();
    }
  }

  // ---- KubeletRuntime ------------------------------------------------------------------------

  changed(): void {
    if (this.disposed) return;
    const obs = this.observe();
    const key = JSON.stringify(obs);
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.ctx.emitPod(this.plan.jobUid, obs);
  }

  launch(slot: ContainerSlot): void {
    void this.createService(slot);
  }

  /**
   * Stops the container: its service scaled to nothing (Swarm stops the task with its stop
   * grace period, SIGTERM then SIGKILL), so the task's end and logs can still be read. A grace
   * shorter than the one the service was made with is honoured by removing the service then.
   */
  stop(slot: ContainerSlot, graceSeconds: number): void {
    const run = this.runs.get(slot);
    if (!run || run.imageRejected) return;
    if (this.disruption) {
      // Its node is gone: nothing there answers; the service goes.
      void this.removeService(run);
      return;
    }
    void (async () => {
      try {
        const service = this.ctx.docker.getService(run.serviceId);
        const info = (await service.inspect()) as {
          Version: { Index: number };
          Spec: Record<string, unknown>;
        };
        await service.update({
          ...info.Spec,
          version: info.Version.Index,
          Mode: { Replicated: { Replicas: 0 } },
        });
      } catch (err) {
        this.ctx.debug(`swarm: stopping ${run.name}: ${(err as Error).message}`);
      }
      const specGrace = this.plan.spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;
      // A shorter grace than the service's: at its end the service goes (its container is
      // killed), and the run ends as a SIGKILL. With the service's own grace Swarm does that, but
      // a service scaled to nothing before its task was made has no task that could end: after
      // the grace and a margin, it goes the same way.
      const waitSeconds = graceSeconds < specGrace ? graceSeconds : graceSeconds + StopMarginSeconds;
      await this.ctx.clock.sleep(waitSeconds * 1000);
      if (run.ended || this.disposed) return;
      run.ended = true;
      this.ctx.poller.unwatch(run.serviceId);
      await this.copyLogs(slot, run);
      await this.removeService(run);
      const finishedAt = rfc3339(this.ctx.clock.now());
      this.kubelet.exited(slot, {
        name: slot.spec.name,
        image: slot.spec.image ?? '',
        restartCount: slot.attempt,
        ready: false,
        started: false,
        state: {
          terminated: { exitCode: 137, reason: 'Error', startedAt: run.startedAt ?? finishedAt, finishedAt },
        },
      });
    })();
  }

  stopSandbox(): void {
    // No sandbox on Swarm: each container is its own service.
  }

  // ---- services ------------------------------------------------------------------------------

  private labelsFor(slot: ContainerSlot): Record<string, string> {
    return tjobContainerLabels(this.plan, this.ctx.instanceLabels, slot.spec.name, slot.role, slot.attempt);
  }

  private nameOf(slot: ContainerSlot): string {
    const init = this.kubelet.initSlots.indexOf(slot);
    return init >= 0
      ? serviceName(this.plan.name, 'init', init, slot.attempt)
      : serviceName(this.plan.name, 'app', 0, slot.attempt);
  }

  private async createService(slot: ContainerSlot): Promise<void> {
    const name = this.nameOf(slot);
    const image = slot.spec.image ?? '';
    // EnsureImageExists (pkg/kubelet/images/image_manager.go): no pull is tried while backing off.
    const backingOff =
      this.pullPolicyOf(slot) === 'Never'
        ? undefined
        : this.ctx.imagePulls.beforePull(this.plan.uid, image, this.ctx.clock.now());
    if (backingOff) {
      this.recordEvent({ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"` });
      this.kubelet.imageUnavailable(slot, { reason: backingOff.reason, message: backingOff.message });
      return;
    }
    let auth: RegistryAuth | undefined;
    try {
      await this.dropRejectedRun(slot);
      auth = await this.registryAuth(image);
    } catch (err) {
      // A pull Secret or Docker config that does not parse, a helper that fails: the pull fails,
      // as on Docker (src/runtime/docker/images.ts; the messages never hold a value).
      if (err instanceof CredentialFormatError || err instanceof CredentialHelperError)
        this.pullFailed(slot, err.message);
      else this.kubelet.launchFailed(slot, (err as Error).message);
      return;
    }
    try {
      const files = configFiles(this.plan, slot.spec);
      const fileIds = await this.ensureFiles(files);
      const { spec } = buildServiceSpec(this.plan, slot.spec, {
        name,
        labels: this.labelsFor(slot),
        role: slot.role === 'init' ? 'init' : 'app',
        volumes: podVolumeMounts(this.plan),
        volumeLabels: tjobPodLabels(this.plan, this.ctx.instanceLabels),
        files,
        fileIds,
        ...(this.nodeId !== undefined ? { nodeId: this.nodeId } : {}),
      });
      if (this.disposed) return;
      let id: string;
      try {
        // The credential goes with the create (X-Registry-Auth), never into the spec or a log.
        const made = auth
          ? await this.ctx.docker.createService(auth as Docker.AuthConfig, spec as Docker.ServiceSpec)
          : await this.ctx.docker.createService(spec);
        id = (made as { id?: string; ID?: string }).id!;
      } catch (err) {
        // Made already (a retried create, an adoption race): that one is the run.
        if (!/already exists|name conflicts/i.test((err as Error).message)) throw err;
        id = ((await this.ctx.docker.getService(name).inspect()) as { ID: string }).ID;
      }
      const run: Run = { serviceId: id, name, ended: false, delivered: 0 };
      this.runs.set(slot, run);
      this.kubelet.created(slot);
      this.kubelet.made(slot);
      this.watch(slot, run);
    } catch (err) {
      this.kubelet.launchFailed(slot, (err as Error).message);
    }
  }

  private pullPolicyOf(slot: ContainerSlot): 'Always' | 'IfNotPresent' | 'Never' {
    return slot.spec.imagePullPolicy ?? defaultPullPolicy(slot.spec.image ?? '');
  }

  /**
   * The credential the nodes pull the image with: the first the kubelet would try (the pod's
   * imagePullSecrets, then the user's Docker config and its helpers); none for an anonymous pull.
   * Swarm takes one credential per service, so the later ones are not tried.
   */
  private async registryAuth(image: string): Promise<RegistryAuth | undefined> {
    const found = await credentialsFor(
      image,
      pullSecretsOf(this.plan.spec, this.plan.secrets),
      this.ctx.credentials,
    );
    this.ctx.debug(
      `pod ${this.plan.name}: the nodes pull "${image}" ${found[0] ? `with the credential from ${found[0].source}` : 'anonymously'}`,
    );
    return found[0]?.auth;
  }

  private recordEvent(event: PodEvent): void {
    this.ctx.emitPodEvent(this.plan.jobUid, this.plan.name, event);
  }

  /**
   * The node could not pull the slot's image: ErrImagePull and the next backoff period, or
   * ErrImageNeverPull under `Never` (the node had no copy and was not to pull); either way the
   * container waits and is launched again at the pod's next sync (PodKubelet.imageUnavailable).
   */
  private pullFailed(slot: ContainerSlot, error: string): void {
    const image = slot.spec.image ?? '';
    if (this.pullPolicyOf(slot) === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.recordEvent({ type: 'Warning', reason: 'ErrImageNeverPull', message });
      this.kubelet.imageUnavailable(slot, { reason: 'ErrImageNeverPull', message });
      return;
    }
    this.recordEvent({ type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` });
    const failed = this.ctx.imagePulls.pullFailed(this.plan.uid, image, this.ctx.clock.now(), error);
    this.recordEvent({ type: 'Warning', reason: 'Failed', message: failed.message });
    this.ctx.debug(
      `pod ${this.plan.name}: container "${slot.spec.name}": ${failed.reason}: ${failed.message}`,
    );
    this.kubelet.imageUnavailable(slot, { reason: failed.reason, message: failed.message });
  }

  /**
   * A task its node rejected for want of the image: the kubelet hears of the failed pull. The
   * service stays until the pull is tried again (a new service of the same name, pinned to that
   * node; launchRetry), so that a tjob that restarts meanwhile adopts the pod and its wait.
   */
  private imageRejected(slot: ContainerSlot, run: Run, message: string, nodeId: string | undefined): void {
    run.imageRejected = true;
    run.follower?.stop();
    if (this.disposed) return;
    const node = nodeId !== undefined ? (this.nodeName ?? nodeId) : undefined;
    this.pullFailed(
      slot,
      node !== undefined
        ? `${message} (on node ${node}, whose dockerd log has the registry's answer)`
        : message,
    );
  }

  /** The service of the slot's image-rejected run goes before its pull is tried again. */
  private async dropRejectedRun(slot: ContainerSlot): Promise<void> {
    const prev = this.runs.get(slot);
    if (!prev?.imageRejected) return;
    await this.removeService(prev);
    if (this.runs.get(slot) === prev) this.runs.delete(slot);
  }

  /** The pod's configMap and secret files as Swarm configs and secrets (made once per content). */
  private async ensureFiles(files: ConfigFile[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const f of files) {
      if (ids.has(f.name)) continue;
      const body = {
        Name: f.name,
        Labels: { [TjobLabel.managedBy]: TjobManagedByValue },
        Data: f.data.toString('base64'),
      };
      const docker = this.ctx.docker;
      try {
        const made = (
          f.kind === 'secret' ? await docker.createSecret(body) : await docker.createConfig(body)
        ) as {
          id?: string;
        };
        ids.set(f.name, made.id!);
      } catch (err) {
        if (!/already exists|conflict/i.test((err as Error).message)) throw err;
        const found = (
          f.kind === 'secret'
            ? await docker.getSecret(f.name).inspect()
            : await docker.getConfig(f.name).inspect()
        ) as { ID: string };
        ids.set(f.name, found.ID);
      }
    }
    return ids;
  }

  private watch(slot: ContainerSlot, run: Run): void {
    this.ctx.poller.watch(run.serviceId, {
      onTask: (task, nodes) => this.onTask(slot, run, task, nodes),
    });
  }

  /**
   * Adoption: this slot's run is that service, whose latest task is `task`. Its log is replayed
   * from the start (the job runner skips the lines it has recorded), before a run that has ended
   * is told, so that none is lost to the service's removal.
   */
  async adoptRun(
    slot: ContainerSlot,
    serviceId: string,
    name: string,
    task: SwarmTask | undefined,
    nodes: Map<string, SwarmNodeInfo>,
  ): Promise<void> {
    const run: Run = { serviceId, name, ended: false, delivered: 0 };
    this.runs.set(slot, run);
    this.kubelet.created(slot);
    const now = rfc3339(this.ctx.clock.now());
    const view = task
      ? taskView(task, (id) => nodes.get(id)?.state === 'down', now)
      : { kind: 'waiting' as const };
    if (task?.NodeID && view.kind !== 'unschedulable' && view.kind !== 'waiting')
      this.place(task.NodeID, nodes);
    if (view.kind === 'running') {
      run.startedAt = view.startedAt;
      this.follow(slot, run);
      this.kubelet.running(slot, {
        ...containerStatusOfTask(view, slot.spec.image ?? '', slot.attempt, undefined),
        name: slot.spec.name,
      });
    } else if (view.kind === 'exited') {
      // Its end was seen, and told, by the process that made it, or not: told once, here.
      run.ended = true;
      await this.copyLogs(slot, run);
      this.kubelet.adoptedExited(slot, {
        ...containerStatusOfTask(view, slot.spec.image ?? '', slot.attempt, undefined),
        name: slot.spec.name,
      });
      return;
    } else {
      this.kubelet.starting(slot);
    }
    this.watch(slot, run);
  }

  private place(nodeId: string, nodes: Map<string, SwarmNodeInfo>): void {
    if (this.nodeId !== undefined) return;
    this.nodeId = nodeId;
    this.nodeName = nodes.get(nodeId)?.hostname ?? nodeId;
  }

  private onTask(
    slot: ContainerSlot,
    run: Run,
    task: SwarmTask | undefined,
    nodes: Map<string, SwarmNodeInfo>,
  ): void {
    if (run.ended || this.disposed || !task) return;
    const now = rfc3339(this.ctx.clock.now());
    const view = taskView(task, (id) => nodes.get(id)?.state === 'down', now);
    switch (view.kind) {
      case 'waiting':
        return;
      case 'unschedulable':
        this.kubelet.setUnschedulable(view.message);
        this.changed();
        return;
      case 'nodeLost': {
        run.ended = true;
        this.ctx.poller.unwatch(run.serviceId);
        this.place(view.nodeId, nodes);
        this.disruption = { ...NodeLostDisruption, lastTransitionTime: now };
        this.kubelet.fail(undefined, `the node ${nodes.get(view.nodeId)?.hostname ?? view.nodeId} was lost`);
        this.kubelet.step();
        this.changed();
        return;
      }
      case 'imageUnavailable':
        run.ended = true;
        this.ctx.poller.unwatch(run.serviceId);
        this.kubelet.setUnschedulable(undefined);
        if (view.nodeId) this.place(view.nodeId, nodes);
        this.imageRejected(slot, run, view.message, view.nodeId);
        return;
      case 'rejected':
        run.ended = true;
        this.ctx.poller.unwatch(run.serviceId);
        this.kubelet.setUnschedulable(undefined);
        if (view.nodeId) this.place(view.nodeId, nodes);
        this.kubelet.launchFailed(slot, view.message);
        return;
      case 'running':
        this.kubelet.setUnschedulable(undefined);
        this.place(view.nodeId, nodes);
        if (slot.phase === 'running') return;
        run.startedAt = view.startedAt;
        this.follow(slot, run);
        this.kubelet.started(slot, {
          ...containerStatusOfTask(view, slot.spec.image ?? '', slot.attempt, run.startedAt),
          name: slot.spec.name,
        });
        return;
      case 'exited':
        run.ended = true;
        this.ctx.poller.unwatch(run.serviceId);
        this.kubelet.setUnschedulable(undefined);
        if (view.nodeId) this.place(view.nodeId, nodes);
        this.kubelet.exiting(slot);
        void this.finish(slot, run, view);
        return;
    }
  }

  private follow(slot: ContainerSlot, run: Run): void {
    run.follower = followServiceLogs(
      this.ctx.docker,
      run.serviceId,
      (lines) => {
        run.delivered += lineCount(lines.text);
        this.emitLine(slot, lines);
      },
      this.ctx.debug,
    );
  }

  private emitLine(
    slot: ContainerSlot,
    line: { stream: 'stdout' | 'stderr'; time: string; text: string },
  ): void {
    this.ctx.emitLog(this.plan.jobUid, {
      pod: this.plan.name,
      container: slot.spec.name,
      stream: line.stream,
      time: line.time,
      text: line.text,
      restartCount: slot.attempt,
    });
  }

  /**
   * The rest of the run's logs: the follower stops (Swarm's never ends), and the lines it did
   * not deliver are read from the whole log, which comes in the same order.
   */
  private async copyLogs(slot: ContainerSlot, run: Run): Promise<void> {
    run.follower?.stop();
    run.follower = undefined;
    try {
      const lines = await readServiceLogs(this.ctx.docker, run.serviceId);
      for (const line of lines.slice(run.delivered)) this.emitLine(slot, line);
      run.delivered = Math.max(run.delivered, lines.length);
    } catch (err) {
      this.ctx.debug(`swarm: reading the logs of ${run.name}: ${(err as Error).message}`);
    }
  }

  /** The run's logs are copied, then the kubelet hears of its end. */
  private async finish(
    slot: ContainerSlot,
    run: Run,
    view: Extract<ReturnType<typeof taskView>, { kind: 'exited' }>,
  ): Promise<void> {
    await this.copyLogs(slot, run);
    if (this.disposed) return;
    this.kubelet.exited(slot, {
      ...containerStatusOfTask(view, slot.spec.image ?? '', slot.attempt, run.startedAt),
      name: slot.spec.name,
    });
  }

  private async removeService(run: Run): Promise<void> {
    run.ended = true;
    run.follower?.stop();
    this.ctx.poller.unwatch(run.serviceId);
    await this.ctx.docker
      .getService(run.serviceId)
      .remove()
      .catch((err: unknown) => this.ctx.debug(`swarm: removing ${run.name}: ${(err as Error).message}`));
  }
}
