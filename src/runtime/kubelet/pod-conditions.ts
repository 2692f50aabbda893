// The pod's conditions as the kubelet's status manager writes them (pkg/kubelet/status/generate.go:
// Initialized, ContainersReady, Ready with ContainersNotReady / PodCompleted), and PodScheduled
// False while the scheduler cannot place the pod. A condition keeps its lastTransitionTime until
// its status changes (updateLastTransitionTime, pkg/kubelet/status/status_manager.go).

import type { PodCondition, PodPhase } from '../../api/k8s.js';

export class PodConditions {
  private readonly since = new Map<string, { status: string; time: string }>();

  /** `now` gives the current time as the API server writes it (RFC 3339, seconds). */
  constructor(private readonly now: () => string) {}

  /** An unscheduled pod has this one condition (the scheduler's), nothing from a kubelet. */
  unschedulable(message: string): PodCondition[] {
    return [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastTransitionTime: this.transition('PodScheduled', 'False'),
      },
    ];
  }

  /** The conditions of a pod placed on the node. */
  placed(initialized: boolean, ready: boolean, phase: PodPhase): PodCondition[] {
    const finished = phase === 'Succeeded' || phase === 'Failed';
    const want: [string, boolean, string?][] = [
      ['PodScheduled', true],
      ['Initialized', initialized],
      ['ContainersReady', ready, ready ? undefined : 'ContainersNotReady'],
      ['Ready', ready, ready ? undefined : finished ? 'PodCompleted' : 'ContainersNotReady'],
    ];
    return want.map(([type, ok, reason]) => {
      const status = ok ? 'True' : 'False';
      const c: PodCondition = { type, status, lastTransitionTime: this.transition(type, status) };
      if (reason !== undefined) c.reason = reason;
      return c;
    });
  }

  private transition(type: string, status: string): string {
    const prev = this.since.get(type);
    const time = prev && prev.status === status ? prev.time : this.now();
    this.since.set(type, { status, time });
    return time;
  }
}
