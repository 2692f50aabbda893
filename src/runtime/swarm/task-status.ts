// What a Swarm task says about its container, in the kubelet's terms. Swarm's task states
// (moby api/types/swarm/task.go): new … starting → running → complete | failed | shutdown, or
// rejected (it could not be started: image missing on the node, bind source missing), or pending
// with `no suitable node` while the scheduler cannot place it. A task on a node that went down
// keeps `running` with desired state `shutdown`: that is a lost node, not an exit.

import type { ContainerStatus } from '../../api/k8s.js';
import { terminatedReason } from '../kubelet/container-slot.js';
import { isoSeconds } from '../docker/map-inspect.js';

/** The fields of a task tjob reads (dockerode's Task type is loose). */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  CreatedAt?: string;
  Version?: { Index?: number };
  DesiredState?: string;
  Status?: {
    Timestamp?: string;
    State?: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

export type TaskView =
  /** Not on a node yet, or being prepared there. */
  | { kind: 'waiting' }
  /** The scheduler cannot place it: Swarm's words. */
  | { kind: 'unschedulable'; message: string }
  | { kind: 'running'; nodeId: string; startedAt: string; containerID?: string }
  | {
      kind: 'exited';
      nodeId: string;
      exitCode: number;
      finishedAt: string;
      message?: string;
      containerID?: string;
    }
  /** It could not be started on its node. */
  | { kind: 'rejected'; message: string; nodeId?: string }
  /** It could not be started on its node because that node has not got its image (a pull failed). */
  | { kind: 'imageUnavailable'; message: string; nodeId?: string }
  /** Its node is down while it ran (or was about to). */
  | { kind: 'nodeLost'; nodeId: string };

const Waiting = new Set([
  'new',
  'allocated',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
]);
const Ended = new Set(['complete', 'failed', 'shutdown']);

/** `nodeDown(id)`: the manager sees that node Down. */
export function taskView(task: SwarmTask, nodeDown: (nodeId: string) => boolean, now: string): TaskView {
  const state = task.Status?.State ?? 'new';
  const err = task.Status?.Err ?? '';
  const nodeId = task.NodeID ?? '';
  const at = isoSeconds(task.Status?.Timestamp ?? '') ?? now;
  const containerID = task.Status?.ContainerStatus?.ContainerID;
  const id = containerID ? { containerID: `docker://${containerID}` } : {};
  if (nodeId && nodeDown(nodeId) && !Ended.has(state) && state !== 'rejected' && state !== 'orphaned')
    return { kind: 'nodeLost', nodeId };
  if (state === 'pending' && err.startsWith('no suitable node'))
    return { kind: 'unschedulable', message: err };
  if (Waiting.has(state)) return { kind: 'waiting' };
  if (state === 'running') return { kind: 'running', nodeId, startedAt: at, ...id };
  if (state === 'rejected')
    return {
      kind: rejectedForImage(err) ? 'imageUnavailable' : 'rejected',
      message: err || 'rejected by its node',
      ...(nodeId ? { nodeId } : {}),
    };
  if (state === 'orphaned') return { kind: 'nodeLost', nodeId };
  // complete, failed, shutdown (and remove): its exit code when the container ran. A container
  // that could not start (`starting container failed`) has none: the CRI's StartError, 128.
  const code = task.Status?.ContainerStatus?.ExitCode;
  const exitCode = code ?? (state === 'complete' ? 0 : 128);
  const message = code === undefined && err ? { message: err } : {};
  return { kind: 'exited', nodeId, exitCode, finishedAt: at, ...message, ...id };
}

/**
 * Whether a task's rejection says its node has not got the image. A node pulls a task's image
 * before it makes the container and only logs a failed pull; the container's creation then fails
 * with the engine's "No such image" (moby daemon/cluster/executor/container/controller.go
 * Prepare). A pull error itself can reach the task too (a digest reference, older engines).
 */
export function rejectedForImage(err: string): boolean {
  return /no such image|pull access denied|manifest unknown|manifest for \S+ not found|repository does not exist|unauthorized: authentication required|no basic auth credentials|error pulling image|failed to resolve reference/i.test(
    err,
  );
}

/** The container's status for a running or exited task. */
export function containerStatusOfTask(
  view: Extract<TaskView, { kind: 'running' | 'exited' }>,
  image: string,
  restartCount: number,
  startedAt: string | undefined,
): ContainerStatus {
  const base = {
    name: '',
    image,
    restartCount,
    ...(view.containerID ? { containerID: view.containerID } : {}),
  };
  if (view.kind === 'running') {
    return {
      ...base,
      ready: true,
      started: true,
      state: { running: { startedAt: startedAt ?? view.startedAt } },
    };
  }
  const reason =
    view.message !== undefined && view.exitCode === 128
      ? 'StartError'
      : terminatedReason(view.exitCode, false);
  return {
    ...base,
    ready: false,
    started: false,
    state: {
      terminated: {
        exitCode: view.exitCode,
        reason,
        ...(view.message !== undefined ? { message: view.message } : {}),
        startedAt: startedAt ?? view.finishedAt,
        finishedAt: view.finishedAt,
        ...(view.containerID ? { containerID: view.containerID } : {}),
      },
    },
  };
}

/** The latest task of a service (a Replicated service with restart `none` has one, but be sure). */
export function latestTask(tasks: SwarmTask[]): SwarmTask | undefined {
  let best: SwarmTask | undefined;
  for (const t of tasks) {
    if (!best || (t.Version?.Index ?? 0) > (best.Version?.Index ?? 0)) best = t;
  }
  return best;
}
