// The PodRuntime port on a Docker engine (dockerode). One supervisor per pod (the kubelet's job,
// see pod-supervisor.ts), one shared event stream (events.ts), log following (logs.ts), image
// policy (images.ts). Constructing it is cheap: nothing talks to the engine until a method does.
//
// Which engine: as the docker CLI finds it (DOCKER_HOST, DOCKER_CONTEXT, the current docker
// context; engine-endpoint.ts), from `env` (the CLI passes process.env; default process.env).

import { join } from 'node:path';

import Docker from 'dockerode';

import { RuntimeUnavailableError } from '../../api/errors.js';
import { TjobLabel, TjobManagedByValue } from '../../api/labels.js';
import type { PodObservation, PodPlan } from '../../api/pod.js';
import { podKey, RuntimeListeners } from '../runtime-listeners.js';
import type {
  EngineDescription,
  ImagePullProgress,
  ImageRequest,
  PodRuntime,
  PodRuntimeListener,
  PodRuntimeOptions,
} from '../../ports/pod-runtime.js';
import {
  dockerMessage,
  engineUnavailable,
  isConnectionError,
  isEngineGoingAway,
  isNotFound,
} from './docker-errors.js';
import { removeClaimVolume, removeEphemeralVolumes, type ClaimLookup } from './claim-volumes.js';
import { dockerodeOptions, resolveEngineEndpoint } from './engine-endpoint.js';
import { describeIdentity, engineIdentity, type EngineIdentity } from './engine-identity.js';
import { EventHub } from './events.js';
import { DefaultLaunchLimit, LaunchGate } from './launch-gate.js';
import { ensureImages } from './images.js';
import type { CredentialSource } from '../registry/credentials.js';
import { checkNetwork } from './networks.js';
import { PodImagePuller } from './pod-image.js';
import { PodSupervisor, pauseDockerName } from './pod-supervisor.js';
import { canPrepareSandbox, SandboxStartTimes, sandboxRoom } from './warm-sandbox.js';
import type { Clock } from '../../ports/clock.js';
import { SystemClock } from '../system-clock.js';
import { removePodVolumes } from './volumes.js';

const systemClock = new SystemClock();

export const DefaultPauseImage = 'registry.k8s.io/pause:3.10';

export interface DockerRuntimeOptions extends PodRuntimeOptions {
  /** `workDir/<jobUid>/<pod>` holds each pod's volumes (emptyDir, configMap and secret files). */
  workDir: string;
  pauseImage?: string;
  /** Added to every container's labels (an embedder's own; the CLI sets none). */
  instanceLabels?: Record<string, string>;
  /**
   * DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, HOME, and for
   * pulls PATH (credential helpers); default process.env.
   */
  env?: Record<string, string | undefined>;
  /** Debug lines (`-v`). */
  debug?: (message: string) => void;
  /** How long ping() waits for an answer. */
  pingTimeoutMs?: number;
  /** Container creates/starts in flight at once (LaunchGate). */
  launchLimit?: number;
  /** The stored PersistentVolumeClaims (without it, a pod with a claim waits for ever). */
  lookupClaim?: ClaimLookup;
  /** The kubelet's time (restart backoff, deadlines, grace periods); the system clock without it. */
  clock?: Clock;
}

interface Connection {
  options: Docker.DockerOptions;
  /** Where the engine is, as messages name it (and the context it came from). */
  address: string;
}

/** The engine's address and dockerode options, as the docker CLI would find them (engine-endpoint.ts). */
export function connectionFromEnv(env: Record<string, string | undefined>): Connection {
  const endpoint = resolveEngineEndpoint(env);
  const address = endpoint.source.startsWith('context ')
    ? `${endpoint.host} (${endpoint.source})`
    : endpoint.host;
  return { options: dockerodeOptions(endpoint, env), address };
}

export class DockerRuntime implements PodRuntime {
  readonly pauseImage: string;
  private readonly opts: DockerRuntimeOptions;
  private dockerClient: Docker | undefined;
  private connection: Connection | undefined;
  private hub: EventHub | undefined;
  private puller: PodImagePuller | undefined;
  private readonly listeners = new RuntimeListeners();
  private readonly pods = new Map<string, PodSupervisor>();
  private readonly launches: LaunchGate;
  private readonly sandboxStarts = new SandboxStartTimes();
  /**
   * Sandboxes prepared ahead of their pods (warm sandboxes, docs/warm-sandboxes.md), by podKey:
   * the pause container's id once it runs (undefined when preparing it failed).
   */
  private readonly sandboxes = new Map<
    string,
    { jobUid: string; pod: string; ready: Promise<string | undefined>; engineEpoch: number }
  >();
  /**
   * How many times the engine went away. A sandbox prepared before it did is not running any more
   * (a restarted engine does not start its containers again), so no app container may join it.
   */
  private engineEpoch = 0;
  /** The jobs this process prepared sandboxes for, until their end's clean-up. */
  private readonly jobsWithSandboxes = new Set<string>();
  private readonly debug: (message: string) => void;
  private closed = false;
  private identityLogged = false;

  constructor(opts: DockerRuntimeOptions) {
    this.opts = opts;
    this.pauseImage = opts.pauseImage ?? DefaultPauseImage;
    this.launches = new LaunchGate(opts.launchLimit ?? DefaultLaunchLimit);
    this.debug = opts.debug ?? (() => undefined);
  }

  /** Where pulls find the user's Docker config and credential helpers (DOCKER_CONFIG, HOME, PATH). */
  get credentialSource(): CredentialSource {
    return { env: this.opts.env ?? process.env };
  }

  /** Where the engine is, as messages name it. */
  get address(): string {
    return this.conn().address;
  }

  private conn(): Connection {
    this.connection ??= connectionFromEnv(this.opts.env ?? process.env);
    return this.connection;
  }

  private get docker(): Docker {
    this.dockerClient ??= new Docker(this.conn().options);
    return this.dockerClient;
  }

  private get events(): EventHub {
    this.hub ??= new EventHub(this.docker, {
      onDown: (message) => {
        this.engineEpoch++;
        this.debug(message);
        this.listeners.engineDown(true, message);
      },
      onUp: async () => {
        this.listeners.engineDown(false, 'the Docker engine answers again');
        await Promise.allSettled([...this.pods.values()].map((p) => p.reconcile()));
      },
      debug: this.debug,
    });
    return this.hub;
  }

  /** The kubelet's image manager: one per node, its pull backoff per pod and image. */
  private get images(): PodImagePuller {
    const clock = this.opts.clock ?? systemClock;
    this.puller ??= new PodImagePuller({
      docker: this.docker,
      credentials: this.credentialSource,
      now: () => clock.now(),
      debug: this.debug,
    });
    return this.puller;
  }

  private wrap(err: unknown): never {
    if (isConnectionError(err)) throw engineUnavailable(err, this.address);
    throw err;
  }

  async ping(): Promise<void> {
    const timeoutMs = this.opts.pingTimeoutMs ?? 10_000;
    // A context that names nothing usable is reported as such (EngineContextError), not as an
    // engine that does not answer.
    const docker = this.docker;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        docker.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                Object.assign(new Error(`no answer within ${timeoutMs / 1000}s`), { code: 'ETIMEDOUT' }),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      if (isConnectionError(err)) throw engineUnavailable(err, this.address);
      throw new RuntimeUnavailableError(
        `the Docker engine at ${this.address} does not answer: ${dockerMessage(err)}`,
        'check that dockerd is healthy (docker info)',
      );
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (this.opts.debug && !this.identityLogged) {
      this.identityLogged = true;
      await this.engine().then(
        (id) => this.debug(`engine: ${describeIdentity(id)} at ${this.address}`),
        (err: unknown) =>
          this.debug(`engine at ${this.address}: its version is unknown (${dockerMessage(err)})`),
      );
    }
  }

  async describeEngine(): Promise<EngineDescription> {
    await this.ping();
    return { ...(await this.engine()), address: this.address };
  }

  /** Which engine answers (Docker or Podman), its version and the API version tjob talks. */
  private async engine(): Promise<EngineIdentity> {
    try {
      return engineIdentity(await this.docker.version());
    } catch (err) {
      return this.wrap(err);
    }
  }

  async ensureImages(
    images: ImageRequest[],
    onProgress?: (progress: ImagePullProgress) => void,
  ): Promise<string[]> {
    try {
      return await ensureImages(this.docker, images, {
        credentials: this.credentialSource,
        debug: this.debug,
        ...(onProgress ? { onProgress } : {}),
      });
    } catch (err) {
      return this.wrap(err);
    }
  }

  async checkNetwork(name: string): Promise<void> {
    try {
      await checkNetwork(this.docker, name);
    } catch (err) {
      this.wrap(err);
    }
  }

  async startPod(plan: PodPlan): Promise<PodObservation> {
    this.assertOpen();
    const key = podKey(plan.jobUid, plan.name);
    const existing = this.pods.get(key);
    if (existing) return existing.observe();
    const prepared = this.sandboxes.get(key);
    this.sandboxes.delete(key);
    let sandboxId = prepared && (await prepared.ready);
    if (sandboxId !== undefined && prepared!.engineEpoch !== this.engineEpoch) {
      // Prepared before the engine went away: stopped since (a restarted engine does not start
      // it again). It goes, before the pod makes its own under the same name.
      await this.removeSandbox(sandboxId);
      sandboxId = undefined;
    }
    const again = this.pods.get(key);
    if (again) return again.observe();
    const sup = this.newSupervisor(plan);
    if (sandboxId !== undefined) sup.useSandbox(sandboxId);
    this.pods.set(key, sup);
    try {
      return await sup.start();
    } catch (err) {
      // The engine is going away before the pod got going (its event stream or pause container):
      // no pod, the job creates it again. Anything else the supervisor reports on the pod.
      if (isEngineGoingAway(err)) {
        this.pods.delete(key);
        sup.dispose();
      }
      return this.wrap(err);
    }
  }

  sandboxRoom(): number {
    return this.closed ? 0 : sandboxRoom(this.launches.load, this.launches.limit);
  }

  sandboxPreparationMs(): number | undefined {
    return this.sandboxStarts.typicalMs;
  }

  prepareSandbox(plan: PodPlan): boolean {
    this.assertOpen();
    if (!canPrepareSandbox(plan.spec)) return false;
    const key = podKey(plan.jobUid, plan.name);
    if (this.sandboxes.has(key) || this.pods.has(key)) return true;
    const sup = this.newSupervisor(plan);
    const ready = (async (): Promise<string | undefined> => {
      // A create and a start like any launch: through the gate, so the limit holds.
      const release = await this.launches.enter();
      if (!release) return undefined;
      try {
        return await sup.prepareSandbox();
      } catch (err) {
        this.debug(`preparing the sandbox of pod ${plan.name}: ${dockerMessage(err)}`);
        return undefined;
      } finally {
        release();
        sup.dispose();
      }
    })();
    this.sandboxes.set(key, { jobUid: plan.jobUid, pod: plan.name, ready, engineEpoch: this.engineEpoch });
    this.jobsWithSandboxes.add(plan.jobUid);
    return true;
  }

  async discardSandboxes(jobUid: string, keep?: ReadonlySet<string>): Promise<void> {
    const unused = [...this.sandboxes].filter(([, s]) => s.jobUid === jobUid && !keep?.has(s.pod));
    for (const [key] of unused) this.sandboxes.delete(key);
    await Promise.all(
      unused.map(async ([, s]) => {
        // By name when preparing it failed half-way (created, not started).
        await this.removeSandbox((await s.ready) ?? pauseDockerName(s.pod));
      }),
    );
    if (keep !== undefined || !this.jobsWithSandboxes.delete(jobUid)) return;
    // The job's end: also any prepared sandbox a pod took while it was being removed (a start
    // racing the end). One listing per job that had sandboxes, not per pod.
    const left = await this.docker
      .listContainers({
        all: true,
        filters: { label: [`${TjobLabel.jobUid}=${jobUid}`, `${TjobLabel.prepared}=true`] },
      })
      .catch((err: unknown) => {
        this.debug(`listing the sandboxes of job ${jobUid}: ${dockerMessage(err)}`);
        return [];
      });
    await Promise.all(
      left
        .filter((c) => !this.pods.has(podKey(jobUid, c.Labels[TjobLabel.pod] ?? '')))
        .map((c) => this.removeSandbox(c.Id)),
    );
  }

  /** Removes a sandbox no pod took, by id or name. */
  private async removeSandbox(id: string): Promise<void> {
    await this.docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch((err: unknown) => {
        if (!isNotFound(err))
          this.debug(`removing the unused sandbox ${id.slice(0, 12)}: ${dockerMessage(err)}`);
      });
  }

  async deletePod(jobUid: string, podName: string, gracePeriodSeconds: number): Promise<void> {
    this.assertOpen();
    const sup = this.pods.get(podKey(jobUid, podName));
    if (sup) {
      sup.delete(gracePeriodSeconds);
      return;
    }
    // Not supervised by this process (never adopted): stop its containers directly.
    const containers = await this.listPodContainers(jobUid, podName);
    for (const c of containers.filter((x) => x.State === 'running')) {
      this.docker
        .getContainer(c.Id)
        .stop({ t: gracePeriodSeconds })
        .catch((err: unknown) => this.debug(`stopping ${c.Id.slice(0, 12)}: ${dockerMessage(err)}`));
    }
  }

  async removePod(jobUid: string, podName: string): Promise<void> {
    const key = podKey(jobUid, podName);
    const sup = this.pods.get(key);
    sup?.dispose();
    this.pods.delete(key);
    // A pod this process made whole: its containers are known, no listing (one engine call less
    // per pod); otherwise the engine says which carry the pod's labels.
    const known = sup?.knownContainers();
    const containers: { Id: string; pause: boolean }[] = known
      ? [
          ...known.others.map((Id) => ({ Id, pause: false })),
          ...(known.pause ? [{ Id: known.pause, pause: true }] : []),
        ]
      : (await this.listPodContainers(jobUid, podName)).map((c) => ({
          Id: c.Id,
          pause: c.Labels[TjobLabel.role] === 'pause',
        }));
    const remove = (list: { Id: string }[]): Promise<unknown> =>
      Promise.all(
        list.map((c) =>
          this.docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch((err: unknown) => {
              if (!isNotFound(err) && !dockerMessage(err).includes('already in progress')) throw err;
            }),
        ),
      ).catch((err: unknown) => this.wrap(err));
    // The pause container last: the others join its namespaces (`container:` network mode), and
    // Podman refuses to remove a container others depend on ("has dependent containers").
    await remove(containers.filter((c) => !c.pause));
    await remove(containers.filter((c) => c.pause));
    await removePodVolumes(this.podDir(jobUid, podName));
    // Its ephemeral volumes' claims are owned by the pod: they go with it (a pod known to have
    // none has nothing to look for).
    const ephemeral = sup ? (sup.plan.spec.volumes ?? []).some((v) => !!v['ephemeral']) : true;
    if (ephemeral)
      await removeEphemeralVolumes(this.docker, jobUid, podName).catch((err: unknown) => this.wrap(err));
  }

  async removeClaimVolume(volumeName: string): Promise<void> {
    await removeClaimVolume(this.docker, volumeName).catch((err: unknown) => this.wrap(err));
  }

  async adoptPods(jobUid: string, plans: Map<string, PodPlan>): Promise<PodObservation[]> {
    this.assertOpen();
    let containers: Docker.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({
        all: true,
        filters: { label: [`${TjobLabel.managedBy}=${TjobManagedByValue}`, `${TjobLabel.jobUid}=${jobUid}`] },
      });
    } catch (err) {
      return this.wrap(err);
    }
    const byPod = new Map<string, Docker.ContainerInfo[]>();
    for (const c of containers) {
      const pod = c.Labels[TjobLabel.pod];
      if (pod === undefined) continue;
      const list = byPod.get(pod) ?? [];
      list.push(c);
      byPod.set(pod, list);
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
      if (!plan && list.every((c) => c.Labels[TjobLabel.prepared] === 'true')) {
        // A sandbox prepared for a pod that was never created (the process that prepared it
        // died first): nobody will take it.
        this.debug(`adopt: removing the unused sandbox of pod ${podName} of job ${jobUid}`);
        await Promise.all(
          list.map((c) =>
            this.docker
              .getContainer(c.Id)
              .remove({ force: true, v: true })
              .catch((err: unknown) => {
                if (!isNotFound(err)) throw err;
              }),
          ),
        ).catch((err: unknown) => this.wrap(err));
        continue;
      }
      if (!plan) {
        this.debug(`adopt: no plan for pod ${podName} of job ${jobUid}; leaving its containers alone`);
        continue;
      }
      const sup = this.newSupervisor(plan);
      this.pods.set(key, sup);
      try {
        out.push(await sup.adopt(list));
      } catch (err) {
        this.pods.delete(key);
        sup.dispose();
        return this.wrap(err);
      }
    }
    return out;
  }

  subscribe(listener: PodRuntimeListener): () => void {
    return this.listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.launches.close();
    // Sandboxes of kept pods waiting to be stopped are stopped now, not left running.
    await Promise.allSettled([...this.pods.values()].map((sup) => sup.stopPendingSandbox()));
    for (const sup of this.pods.values()) sup.dispose();
    this.pods.clear();
    this.hub?.close();
    this.listeners.clear();
  }

  // ---- internals -------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new Error('the Docker runtime is closed');
  }

  private podDir(jobUid: string, podName: string): string {
    return join(this.opts.workDir, jobUid, podName);
  }

  private newSupervisor(plan: PodPlan): PodSupervisor {
    return new PodSupervisor(
      {
        docker: this.docker,
        events: this.events,
        clock: this.opts.clock ?? systemClock,
        pauseImage: this.pauseImage,
        instanceLabels: this.opts.instanceLabels ?? {},
        backoffBaseMs: this.opts.restartBackoffBaseMs,
        backoffCapMs: this.opts.restartBackoffCapMs,
        podDir: this.podDir(plan.jobUid, plan.name),
        launches: this.launches,
        namespaceStarted: (ms) => this.sandboxStarts.add(ms),
        ...(this.opts.lookupClaim ? { lookupClaim: this.opts.lookupClaim } : {}),
        images: this.images,
        emitPod: (jobUid, obs) => this.listeners.pod(jobUid, obs),
        emitLog: (jobUid, line) => this.listeners.logs(jobUid, line),
        emitPodEvent: (jobUid, pod, event) => this.listeners.podEvent(jobUid, pod, event),
        debug: this.debug,
      },
      plan,
    );
  }

  private async listPodContainers(jobUid: string, podName: string): Promise<Docker.ContainerInfo[]> {
    try {
      return await this.docker.listContainers({
        all: true,
        filters: {
          label: [
            `${TjobLabel.managedBy}=${TjobManagedByValue}`,
            `${TjobLabel.jobUid}=${jobUid}`,
            `${TjobLabel.pod}=${podName}`,
          ],
        },
      });
    } catch (err) {
      return this.wrap(err);
    }
  }
}
