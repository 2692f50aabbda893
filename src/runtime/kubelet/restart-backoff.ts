// The kubelet's container restart backoff (CrashLoopBackOff): the first restart is immediate, then
// the delay doubles from the base up to the cap (backOffPeriod 10s and MaxContainerBackOff 300s in
// pkg/kubelet/kubelet.go; doBackOff, pkg/kubelet/kuberuntime/kuberuntime_manager.go). A container
// that ran long enough is "stable" and its backoff starts again: client-go's flowcontrol.Backoff
// forgets an entry after twice the cap (hasExpired,
// staging/src/k8s.io/client-go/util/flowcontrol/backoff.go), 10 minutes with the default cap.

import type { ContainerStateTerminated } from '../../api/k8s.js';

/** A run at least this long resets the restart backoff. */
export const STABLE_RUN_MS = 10 * 60 * 1000;

/** The restart delay before restart number `step + 1`: 0, then base, 2×base, ... capped. */
export function restartDelayMs(step: number, baseMs: number, capMs: number): number {
  if (step <= 0) return 0;
  return Math.min(baseMs * 2 ** (step - 1), capMs);
}

/** The backoff steps to count from after this exit: none once the run was stable. */
export function backoffStepsAfter(steps: number, exit: ContainerStateTerminated | undefined): number {
  if (!exit?.startedAt || !exit.finishedAt) return steps;
  return Date.parse(exit.finishedAt) - Date.parse(exit.startedAt) >= STABLE_RUN_MS ? 0 : steps;
}

/** The waiting message of a container in CrashLoopBackOff (kuberuntime_manager.go doBackOff). */
export function crashLoopMessage(delayMs: number, container: string, pod: string): string {
  return `back-off ${formatDelay(delayMs)} restarting failed container=${container} pod=${pod}`;
}

/** A delay as Go's time.Duration prints the ones the backoff produces. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60000 === 0) return `${ms / 60000}m0s`;
  return `${ms / 1000}s`;
}
