// The port through which the engine runs pods. The Docker adapter implements it (a pod becomes a
// pause container plus its init, sidecar and app containers); tests use a fake. Domain types only.

import type { PodObservation, PodPlan, PullSecret } from '../api/pod.js';

/** Which implementation of this port runs a job's pods: one engine, or a Docker Swarm cluster. */
export type RuntimeKind = 'docker' | 'swarm';

export interface ImageRequest {
  image: string;
  pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** The imagePullSecrets of the pods that use it, tried before the user's Docker config. */
  pullSecrets?: PullSecret[];
}

/** How a pull is going: one line per image, replaced as it goes (a live line on a terminal). */
export interface ImagePullProgress {
  image: string;
  /** e.g. `Pulling image "x": 2/5 layers, 1.2 MB/3.4 MB`; never holds a credential. */
  message: string;
  /** The last line for this image. */
  done: boolean;
}

export interface LogLine {
  pod: string;
  container: string;
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds, as the engine stamps it. */
  time: string;
  text: string;
  /** Which run of the container wrote it: its restartCount then (0 for the first run). */
  restartCount: number;
}

/**
 * Lines one of a pod's containers wrote that arrived together (usually one write of the
 * container): consecutive lines of one stream, one time. One object and one string for many
 * lines, so a chatty container costs per write, not per line, on the way to the store and the
 * terminal.
 */
export interface LogLines extends Omit<LogLine, 'text'> {
  /** One or more lines, each ended by "\n" (a line's own "\r\n" end arrives as "\n"). */
  text: string;
}

/** An event the kubelet records about a pod (Pulling, Failed, BackOff), never holding a credential. */
export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface PodRuntimeListener {
  /** The pod's observable state changed (container started, exited, restarted, was removed...). */
  onPod(jobUid: string, observation: PodObservation): void;
  /** Lines written by one of the pod's containers. */
  onLogs?(jobUid: string, lines: LogLines): void;
  /** The kubelet recorded an event about the pod (involvedObject `Pod/NAME`). */
  onPodEvent?(jobUid: string, podName: string, event: PodEvent): void;
  /** The engine stopped answering (true) or came back (false). */
  onEngineDown?(down: boolean, message: string): void;
  /** Something about the job's pods the user should know, and act on (shown as a warning). */
  onWarning?(jobUid: string, message: string): void;
}

export interface PodRuntimeOptions {
  /** Base and cap of the in-place restart backoff (restartPolicy OnFailure), in ms. */
  restartBackoffBaseMs: number;
  restartBackoffCapMs: number;
}

/** Which engine answers: `Podman 4.3.1 (API 1.41) at unix:///run/podman/podman.sock`. */
export interface EngineDescription {
  /** Docker, Podman, or the product name the engine gave. */
  product: string;
  version: string;
  /** The Docker API version tjob's requests are served at. */
  apiVersion: string;
  /** Where it is, with the docker context it was found through. */
  address: string;
}

export interface PodRuntime {
  /** Throws RuntimeUnavailableError when the engine does not answer. */
  ping(): Promise<void>;
  /** Which engine answers (`tjob version`); throws RuntimeUnavailableError when none does. */
  describeEngine?(): Promise<EngineDescription>;
  /**
   * Makes every image available before anything starts (deviation 1, docs/deviations.md). Throws
   * ImageUnavailableError naming the image; returns warnings (e.g. a failed `Always` pull that
   * fell back to a local copy because the registry could not be reached).
   */
  ensureImages(images: ImageRequest[], onProgress?: (progress: ImagePullProgress) => void): Promise<string[]>;
  /**
   * Checks that the network pods are to join (`--network`) exists and can take them, before
   * anything starts: NetworkUnavailableError naming it when it does not, UsageError for a network
   * that is no user-defined one.
   */
  checkNetwork(name: string): Promise<void>;
  /** Creates and starts the pod; the runtime supervises it (init order, sidecars, OnFailure restarts). */
  startPod(plan: PodPlan): Promise<PodObservation>;
  /** Graceful deletion: SIGTERM, then SIGKILL after the grace period. Resolves when requested. */
  deletePod(jobUid: string, podName: string, gracePeriodSeconds: number): Promise<void>;
  /** Removes the pod's containers and ephemeral volumes (its record and logs stay in the state directory). */
  removePod(jobUid: string, podName: string): Promise<void>;
  /** Removes the volume bound to a deleted PersistentVolumeClaim (`tjob delete pvc`). */
  removeClaimVolume?(volumeName: string): Promise<void>;
  /**
   * The pods of a job that still have containers, resuming supervision of their containers
   * (adoption after a crash). Pods whose containers are gone are absent. Prepared sandboxes of
   * pods never created (no plan) are removed.
   */
  adoptPods(jobUid: string, plans: Map<string, PodPlan>): Promise<PodObservation[]>;
  /**
   * Warm sandboxes (docs/warm-sandboxes.md): how many pod sandboxes may be prepared ahead of need
   * now; 0 while the engine's launches are queued (preparing would slow the pods waiting).
   */
  sandboxRoom?(): number;
  /** What preparing a sandbox takes on this engine (ms, as measured), undefined before any was made. */
  sandboxPreparationMs?(): number | undefined;
  /**
   * Prepares the sandbox (network, IPC and UTS namespaces) of a pod not created yet, under its
   * final identity; startPod of that plan's name then only starts the pod's containers. False when
   * the pod cannot have one prepared (host network, a shared PID namespace).
   */
  prepareSandbox?(plan: PodPlan): boolean;
  /**
   * Removes the job's prepared sandboxes that no pod took: all of them without `keep`, else those
   * of pods not named in it. (Those a crashed process left go with adoptPods.)
   */
  discardSandboxes?(jobUid: string, keep?: ReadonlySet<string>): Promise<void>;
  /** Log lines of a pod's containers from `since` on, then new ones via the listener. */
  subscribe(listener: PodRuntimeListener): () => void;
  close(): Promise<void>;
}
