// The PodRuntime port on a Docker Swarm cluster, through one of its managers. Each container run
// of a pod attempt is a `Replicated` service with one replica and restart condition `none`
// (Swarm's job mode re-runs failed tasks after a manager restart and leaves containers behind on
// removal in engine 20.10); tjob's kubelet (PodKubelet) and Job controller keep every rule. Tasks
// are polled by one shared TaskPoller; a pod whose node is lost fails with a DisruptionTarget
// condition. A pod's emptyDir volumes (pod-volumes.ts) go with it where the manager's engine can
// reach them. The manager is found as the docker CLI finds an engine (DOCKER_HOST, contexts).

import Docker from 'dockerode';

import { ImageUnavailableError, RuntimeUnavailableError, UsageError } from '../../api/errors.js';
import { TjobLabel, TjobManagedByValue } from '../../api/labels.js';
import type { PodObservation, PodPlan } from '../../api/pod.js';
import { podKey, RuntimeListeners } from '../runtime-listeners.js';
import type { Clock } from '../../ports/clock.js';
import type {
  EngineDescription,
  ImageRequest,
  LogLines,
  PodRuntime,
  PodRuntimeListener,
  PodRuntimeOptions,
} from '../../ports/pod-runtime.js';
import { connectionFromEnv } from '../docker/docker-runtime.js';
import { dockerMessage, engineUnavailable, isConnectionError, isNotFound } from '../docker/docker-errors.js';
import { describeIdentity, engineIdentity } from '../docker/engine-identity.js';
import { ImagePullBackOff } from '../image-pull-backoff.js';
import { namesRegistry } from '../registry/reference.js';
import { SystemClock } from '../system-clock.js';
import { hasEmptyDirVolume } from './pod-volumes.js';
import { SwarmPod } from './swarm-pod.js';
import { emptyDirPruneCommand } from './swarm-support.js';
import { DefaultPollIntervalMs, TaskPoller, type SwarmNodeInfo } from './task-poller.js';
import type { SwarmTask } from './task-status.js';

export interface SwarmRuntimeOptions extends PodRuntimeOptions {
  /** Unused on Swarm (no pod files live on this machine); accepted so the CLI builds both alike. */
  workDir?: string;
  /** Added to every service's labels (an embedder's own; the CLI sets none). */
  instanceLabels?: Record<string, string>;
  /** DOCKER_HOST, DOCKER_CONTEXT, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, HOME; default process.env. */
  env?: Record<string, string | undefined>;
  /** A client of the manager, instead of finding it from `env` (tests). */
  docker?: Docker;
  debug?: (message: string) => void;
  pingTimeoutMs?: number;
  /** The kubelet's time (restart backoff, deadlines, grace periods); the system clock without it. */
  clock?: Clock;
  /** How often the tasks of every supervised pod are read (one request per round). */
  pollIntervalMs?: number;
}

const systemClock = new SystemClock();

export class SwarmRuntime implements PodRuntime {
  private readonly opts: SwarmRuntimeOptions;
  private client: Docker | undefined;
  private addr: string | undefined;
  private taskPoller: TaskPoller | undefined;
  private readonly listeners = new RuntimeListeners();
  private readonly pods = new Map<string, SwarmPod>();
  /** The kubelet's image pull backoff, per pod and image, for every pod of this runtime. */
  private readonly imagePulls = new ImagePullBackOff();
  private readonly debug: (message: string) => void;
  private closed = false;
  private down = false;
  /** The manager's own node id, once read ('' when the engine did not say). */
  private managerNode: string | undefined;
  /** The jobs told already that emptyDir volumes are left on a node (told once per job). */
  private readonly volumesLeft = new Set<string>();

  constructor(opts: SwarmRuntimeOptions) {
    this.opts = opts;
    this.debug = opts.debug ?? (() => undefined);
  }

  /** Where the manager is, as messages name it. */
  get address(): string {
    if (this.addr === undefined) {
      if (this.opts.docker) this.addr = 'the Swarm manager';
      else this.addr = connectionFromEnv(this.opts.env ?? process.env).address;
    }
    return this.addr;
  }

  private get docker(): Docker {
    this.client ??= this.opts.docker ?? new Docker(connectionFromEnv(this.opts.env ?? process.env).options);
    return this.client;
  }

  private get poller(): TaskPoller {
    this.taskPoller ??= new TaskPoller(this.docker, {
      intervalMs: this.opts.pollIntervalMs ?? DefaultPollIntervalMs,
      debug: this.debug,
      onError: (err) => {
        if (this.down || !isConnectionError(err)) return;
        this.down = true;
        const message = `the Swarm manager at ${this.address} does not answer: ${dockerMessage(err)}`;
        this.listeners.engineDown(true, message);
      },
      onOk: () => {
        if (!this.down) return;
        this.down = false;
        this.listeners.engineDown(false, 'the Swarm manager answers again');
      },
    });
    return this.taskPoller;
  }

  private wrap(err: unknown): never {
    if (isConnectionError(err)) throw engineUnavailable(err, this.address);
    throw err;
  }

  /** The engine answers and is a Swarm manager. */
  async ping(): Promise<void> {
    const timeoutMs = this.opts.pingTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    try {
      info = (await Promise.race([
        this.docker.info(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                Object.assign(new Error(`no answer within ${timeoutMs / 1000}s`), { code: 'ETIMEDOUT' }),
              ),
            timeoutMs,
          );
        }),
      ])) as typeof info;
    } catch (err) {
      if (isConnectionError(err)) throw engineUnavailable(err, this.address);
      throw new RuntimeUnavailableError(
        `the Docker engine at ${this.address} does not answer: ${dockerMessage(err)}`,
        'check that dockerd is healthy (docker info)',
      );
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (info.Swarm?.LocalNodeState !== 'active' || info.Swarm.ControlAvailable !== true) {
      throw new RuntimeUnavailableError(
        `the Docker engine at ${this.address} is not a Swarm manager (swarm state: ${info.Swarm?.LocalNodeState ?? 'unknown'})`,
        'point DOCKER_HOST or the docker context at a manager of the swarm (docker node ls works there)',
      );
    }
  }

  async describeEngine(): Promise<EngineDescription> {
    await this.ping();
    try {
      const id = engineIdentity(await this.docker.version());
      this.debug(`engine: ${describeIdentity(id)} (Swarm manager) at ${this.address}`);
      return { ...id, product: `${id.product} Swarm`, address: this.address };
    } catch (err) {
      return this.wrap(err);
    }
  }

  /**
   * Each node gets a task's image by itself: pulled from the registry its reference names, with
   * the pod's credential (SwarmPod), or its own copy; a node that cannot have it leaves the pod
   * waiting with ErrImagePull. Only an image named without a registry (a local build, or a Docker
   * Hub short name) must be on the manager: without it there, nothing says any node has it.
   */
  async ensureImages(images: ImageRequest[]): Promise<string[]> {
    for (const req of images) {
      if (namesRegistry(req.image)) continue;
      try {
        await this.docker.getImage(req.image).inspect();
      } catch (err) {
        if (isNotFound(err)) {
          throw new ImageUnavailableError(
            `image "${req.image}" is not on the Swarm manager at ${this.address}, and its name names no registry the nodes could pull it from`,
            'push it to a registry every node can reach and name it so (REGISTRY/NAME:TAG, credentials in imagePullSecrets or docker login), or load it on every node (docker save | docker load)',
          );
        }
        return this.wrap(err);
      }
    }
    return [];
  }

  checkNetwork(name: string): Promise<void> {
    return Promise.reject(
      new UsageError(
        `--network ${name}: pods on Swarm do not join a network of tjob's choosing`,
        'leave --network out with --runtime swarm',
      ),
    );
  }

  async startPod(plan: PodPlan): Promise<PodObservation> {
    this.assertOpen();
    const key = podKey(plan.jobUid, plan.name);
    const existing = this.pods.get(key);
    if (existing) return existing.observe();
    const pod = this.newPod(plan);
    this.pods.set(key, pod);
    return pod.start();
  }

  async deletePod(jobUid: string, podName: string, gracePeriodSeconds: number): Promise<void> {
    this.assertOpen();
    const pod = this.pods.get(podKey(jobUid, podName));
    if (pod) {
      pod.delete(gracePeriodSeconds);
      return;
    }
    // Not supervised by this process: its services go (Swarm stops each task with its grace).
    for (const s of await this.listPodServices(jobUid, podName)) {
      await this.docker
        .getService(s.ID)
        .remove()
        .catch((err: unknown) => this.debug(`swarm: removing ${s.ID}: ${dockerMessage(err)}`));
    }
  }

  async removePod(jobUid: string, podName: string): Promise<void> {
    const key = podKey(jobUid, podName);
    const pod = this.pods.get(key);
    pod?.dispose();
    this.pods.delete(key);
    const services = await this.listPodServices(jobUid, podName);
    // Whether it has emptyDir volumes: its plan says, or its services' mounts (a pod this process
    // does not supervise); and their node, read before the services (and their tasks) go.
    const volumes = pod ? hasEmptyDirVolume(pod.plan) : services.some((s) => mountsPodVolume(s, podName));
    const node = volumes ? (pod?.nodeId ?? (await this.podNode(jobUid, podName))) : undefined;
    const files = new Set<string>();
    for (const s of services) {
      const cs = s.Spec?.TaskTemplate?.ContainerSpec as
        { Secrets?: { SecretID?: string }[]; Configs?: { ConfigID?: string }[] } | undefined;
      for (const x of cs?.Secrets ?? []) if (x.SecretID) files.add(`secret:${x.SecretID}`);
      for (const x of cs?.Configs ?? []) if (x.ConfigID) files.add(`config:${x.ConfigID}`);
      await this.docker
        .getService(s.ID)
        .remove()
        .catch((err: unknown) => {
          if (!isNotFound(err)) return this.wrap(err);
        });
    }
    // Shared by content with other pods: one still in use stays (the engine refuses).
    for (const f of files) {
      const [kind, id] = f.split(':') as [string, string];
      const remove =
        kind === 'secret' ? this.docker.getSecret(id).remove() : this.docker.getConfig(id).remove();
      await remove.catch(() => undefined);
    }
    // One whose services went already (an earlier removal cut short) may still have its volumes
    // on the manager: they are looked for there too.
    if (volumes || (!pod && services.length === 0)) await this.removeEmptyDirs(jobUid, podName, node);
  }

  /**
   * The pod's emptyDir volumes go with it, as the kubelet removes a pod's emptyDirs
   * (pkg/volume/emptydir): on the manager's own node, through its engine, once the containers of
   * the removed services are gone (the node removes them just after; until then the volume is in
   * use). Swarm's API reaches no other node's volumes (engine 20.10 has no cluster volumes): a
   * volume there is left, and the job's first such pod says where and how to remove them.
   */
  private async removeEmptyDirs(jobUid: string, podName: string, node: string | undefined): Promise<void> {
    const manager = await this.managerNodeId();
    if (node !== undefined && node !== manager) {
      if (this.volumesLeft.has(jobUid)) return;
      this.volumesLeft.add(jobUid);
      const nodes = await this.poller.refreshNodes().catch(() => new Map<string, SwarmNodeInfo>());
      const where = nodes.get(node)?.hostname ?? node;
      const message = `pod ${podName} ran on node ${where}: its emptyDir volumes stay there (Swarm's API removes no volume of a node other than the manager); remove this job's on that node with: ${emptyDirPruneCommand(jobUid)}`;
      this.listeners.warning(jobUid, message);
      return;
    }
    let volumes: { Name: string }[];
    try {
      volumes =
        (
          await this.docker.listVolumes({
            filters: {
              label: [
                `${TjobLabel.managedBy}=${TjobManagedByValue}`,
                `${TjobLabel.jobUid}=${jobUid}`,
                `${TjobLabel.pod}=${podName}`,
              ],
            },
          })
        ).Volumes ?? [];
    } catch (err) {
      return this.wrap(err);
    }
    for (const v of volumes) {
      for (let waitedMs = 0; ; waitedMs += VolumeInUseRetryMs) {
        try {
          await this.docker.getVolume(v.Name).remove();
          break;
        } catch (err) {
          if (isNotFound(err)) break;
          if (!isInUse(err) || waitedMs >= VolumeInUseWaitMs) return this.wrap(err);
          await new Promise((r) => setTimeout(r, VolumeInUseRetryMs));
        }
      }
    }
  }

  /** The node the pod's tasks ran on (undefined: none was placed). */
  private async podNode(jobUid: string, podName: string): Promise<string | undefined> {
    try {
      const tasks = (await this.docker.listTasks({
        filters: {
          label: [
            `${TjobLabel.managedBy}=${TjobManagedByValue}`,
            `${TjobLabel.jobUid}=${jobUid}`,
            `${TjobLabel.pod}=${podName}`,
          ],
        },
      })) as SwarmTask[];
      return tasks.find((t) => t.NodeID)?.NodeID;
    } catch (err) {
      return this.wrap(err);
    }
  }

  /** The Swarm node of the engine tjob talks to. */
  private async managerNodeId(): Promise<string | undefined> {
    if (this.managerNode === undefined) {
      const info = (await this.docker.info().catch((err: unknown) => this.wrap(err))) as {
        Swarm?: { NodeID?: string };
      };
      this.managerNode = info.Swarm?.NodeID ?? '';
    }
    return this.managerNode === '' ? undefined : this.managerNode;
  }

  async adoptPods(jobUid: string, plans: Map<string, PodPlan>): Promise<PodObservation[]> {
    this.assertOpen();
    let services: ServiceInfo[];
    let tasks: SwarmTask[];
    try {
      services = (await this.docker.listServices({
        filters: { label: [`${TjobLabel.managedBy}=${TjobManagedByValue}`, `${TjobLabel.jobUid}=${jobUid}`] },
      })) as ServiceInfo[];
      tasks = (await this.docker.listTasks({
        filters: { label: [`${TjobLabel.managedBy}=${TjobManagedByValue}`, `${TjobLabel.jobUid}=${jobUid}`] },
      })) as SwarmTask[];
    } catch (err) {
      return this.wrap(err);
    }
    const nodes = await this.poller.refreshNodes().catch((err: unknown) => this.wrap(err));
    const byPod = new Map<string, ServiceInfo[]>();
    for (const s of services) {
      const pod = s.Spec?.Labels?.[TjobLabel.pod];
      if (pod === undefined) continue;
      byPod.set(pod, [...(byPod.get(pod) ?? []), s]);
    }
    const out: PodObservation[] = [];
    for (const [podName, list] of byPod) {
      const key = podKey(jobUid, podName);
      const running = this.pods.get(key);
      if (running) {
        out.push(running.observe());
        continue;
      }
      const plan = plans.get(podName);
      if (!plan) {
        this.debug(`adopt: no plan for pod ${podName} of job ${jobUid}; leaving its services alone`);
        continue;
      }
      const pod = this.newPod(plan);
      this.pods.set(key, pod);
      // Its start time: when its first service was made (the deadline counts from it).
      const created = Math.min(...list.map((s) => Date.parse(s.CreatedAt ?? '') || Infinity));
      pod.kubelet.placed(
        Number.isFinite(created) ? new Date(created) : (this.opts.clock ?? systemClock).now(),
      );
      // The latest run of each container: its service with the highest attempt.
      for (const slot of pod.kubelet.slots) {
        const mine = list
          .filter((s) => s.Spec?.Labels?.[TjobLabel.container] === slot.spec.name)
          .map((s) => ({ s, attempt: Number(s.Spec?.Labels?.[TjobLabel.attempt] ?? '0') || 0 }))
          .sort((a, b) => a.attempt - b.attempt);
        const last = mine[mine.length - 1];
        if (!last) continue;
        pod.kubelet.adoptedAttempt(slot, last.attempt, undefined);
        const task = tasks
          .filter((t) => t.ServiceID === last.s.ID)
          .sort((a, b) => (b.Version?.Index ?? 0) - (a.Version?.Index ?? 0))[0];
        await pod.adoptRun(slot, last.s.ID, last.s.Spec?.Name ?? last.s.ID, task, nodes);
      }
      pod.kubelet.adopted();
      pod.kubelet.run();
      out.push(pod.observe());
    }
    return out;
  }

  subscribe(listener: PodRuntimeListener): () => void {
    return this.listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pod of this.pods.values()) pod.dispose();
    this.pods.clear();
    this.taskPoller?.close();
    this.listeners.clear();
  }

  // ---- internals -------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new Error('the Swarm runtime is closed');
  }

  private newPod(plan: PodPlan): SwarmPod {
    return new SwarmPod(
      {
        docker: this.docker,
        poller: this.poller,
        clock: this.opts.clock ?? systemClock,
        backoffBaseMs: this.opts.restartBackoffBaseMs,
        backoffCapMs: this.opts.restartBackoffCapMs,
        instanceLabels: this.opts.instanceLabels ?? {},
        imagePulls: this.imagePulls,
        credentials: { env: this.opts.env ?? process.env },
        emitPod: (jobUid, obs) => this.listeners.pod(jobUid, obs),
        emitPodEvent: (jobUid, podName, event) => this.listeners.podEvent(jobUid, podName, event),
        emitLog: (jobUid, lines: LogLines) => this.listeners.logs(jobUid, lines),
        debug: this.debug,
      },
      plan,
    );
  }

  private async listPodServices(jobUid: string, podName: string): Promise<ServiceInfo[]> {
    try {
      return (await this.docker.listServices({
        filters: {
          label: [
            `${TjobLabel.managedBy}=${TjobManagedByValue}`,
            `${TjobLabel.jobUid}=${jobUid}`,
            `${TjobLabel.pod}=${podName}`,
          ],
        },
      })) as ServiceInfo[];
    } catch (err) {
      return this.wrap(err);
    }
  }
}

interface ServiceInfo {
  ID: string;
  CreatedAt?: string;
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    TaskTemplate?: { ContainerSpec?: unknown };
  };
}

/** How long a removed service's container may hold the pod's volume, and how often to retry. */
const VolumeInUseWaitMs = 20_000;
const VolumeInUseRetryMs = 200;

/** The service mounts an emptyDir volume of the pod (its labels name the pod). */
function mountsPodVolume(s: ServiceInfo, podName: string): boolean {
  const cs = s.Spec?.TaskTemplate?.ContainerSpec as
    { Mounts?: { Type?: string; VolumeOptions?: { Labels?: Record<string, string> } }[] } | undefined;
  return (cs?.Mounts ?? []).some(
    (m) => m.Type === 'volume' && m.VolumeOptions?.Labels?.[TjobLabel.pod] === podName,
  );
}

/** The engine refuses to remove a volume a container still uses (409 "volume is in use"). */
function isInUse(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 409 || /in use/i.test(dockerMessage(err));
}
