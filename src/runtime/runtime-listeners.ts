// The listeners of one pod runtime (PodRuntime.subscribe), told of pods, logs, the kubelet's
// events and the engine going away, as each runtime (Docker, Swarm) sees them. A listener's
// failure is its own: it must not stop the supervision of the pods.

import type { PodObservation } from '../api/pod.js';
import type { LogLines, PodEvent, PodRuntimeListener } from '../ports/pod-runtime.js';

export class RuntimeListeners {
  private readonly listeners = new Set<PodRuntimeListener>();

  subscribe(listener: PodRuntimeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  clear(): void {
    this.listeners.clear();
  }

  pod(jobUid: string, observation: PodObservation): void {
    this.each((l) => l.onPod(jobUid, observation));
  }

  logs(jobUid: string, lines: LogLines): void {
    this.each((l) => l.onLogs?.(jobUid, lines));
  }

  podEvent(jobUid: string, podName: string, event: PodEvent): void {
    this.each((l) => l.onPodEvent?.(jobUid, podName, event));
  }

  engineDown(down: boolean, message: string): void {
    this.each((l) => l.onEngineDown?.(down, message));
  }

  warning(jobUid: string, message: string): void {
    this.each((l) => l.onWarning?.(jobUid, message));
  }

  private each(tell: (l: PodRuntimeListener) => void): void {
    for (const l of this.listeners) {
      try {
        tell(l);
      } catch {
        // the listener's own failure
      }
    }
  }
}

/** A pod's key in a runtime's maps: pod names are unique within a job. */
export function podKey(jobUid: string, podName: string): string {
  return `${jobUid}/${podName}`;
}
