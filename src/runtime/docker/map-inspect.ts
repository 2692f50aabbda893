// A Docker container's inspect output as the Kubernetes container status the kubelet would report
// (the mapping dockershim used): Docker's zero date means "not set", times at the API server's
// second precision, `docker://<id>` container IDs.

import type Dockerode from 'dockerode';

import type { ContainerState, ContainerStatus } from '../../api/k8s.js';

const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An engine timestamp (RFC 3339, nanoseconds) truncated to seconds in UTC, `2026-01-01T00:00:00Z`,
 * as metav1.Time serialises. Docker's zero date (`0001-01-01T00:00:00Z`), an empty or an
 * unparseable string give undefined.
 */
export function isoSeconds(dockerTime: string): string | undefined {
  if (!dockerTime || dockerTime.startsWith('0001-01-01')) return undefined;
  const match = rfc3339.exec(dockerTime);
  if (match && match[3] === 'Z') return `${match[1]}Z`;
  const ms = Date.parse(match ? `${match[1]}${match[3]}` : dockerTime);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function containerStatusFromInspect(
  name: string,
  inspect: Dockerode.ContainerInspectInfo,
  restartCount: number,
): ContainerStatus {
  const containerID = `docker://${inspect.Id}`;
  const s = inspect.State;
  const startedAt = isoSeconds(s.StartedAt);
  const finishedAt = isoSeconds(s.FinishedAt);
  let state: ContainerState;
  const running = s.Running || s.Paused || s.Status === 'running' || s.Status === 'paused';
  if (running && !s.Restarting) {
    state = { running: startedAt ? { startedAt } : {} };
  } else if (s.Status === 'exited' || s.Status === 'dead' || (s.Status === 'removing' && finishedAt)) {
    const reason = s.OOMKilled ? 'OOMKilled' : s.ExitCode === 0 ? 'Completed' : 'Error';
    state = {
      terminated: {
        exitCode: s.ExitCode,
        reason,
        ...(s.Error ? { message: s.Error } : {}),
        ...(startedAt ? { startedAt } : {}),
        ...(finishedAt ? { finishedAt } : {}),
        containerID,
      },
    };
  } else {
    state = { waiting: { reason: 'ContainerCreating' } };
  }
  const isRunning = state.running !== undefined;
  return {
    name,
    state,
    ready: isRunning,
    restartCount,
    image: inspect.Config?.Image ?? inspect.Image,
    imageID: `docker://${inspect.Image}`,
    containerID,
    started: isRunning,
  };
}
