// Pod failure policy (docs/job.md §3.7), after Kubernetes' pod_failure_policy.go: the first rule
// that matches a failed pod decides what its failure means.

import type { JobSpec, PodFailurePolicyRule } from '../../api/k8s.js';
import type { PodView } from './types.js';

export type PodFailureAction = PodFailurePolicyRule['action'];

export interface PodFailureMatch {
  /** Set when a FailJob rule matched: the FailureTarget message. */
  failJobMessage?: string;
  /** Whether the failure counts towards status.failed and backoffLimit (false only for Ignore). */
  countFailed: boolean;
  /** The matching rule's action, if any rule matched. */
  action?: PodFailureAction;
}

type ExitCodes = NonNullable<PodFailurePolicyRule['onExitCodes']>;
type Terminated = PodView['terminatedContainers'][number];

function matchesExitCode(container: Terminated, requirement: ExitCodes): boolean {
  // Exit 0 is not a failure and never matches, not even NotIn.
  if (container.exitCode === 0) return false;
  if (requirement.containerName !== undefined && requirement.containerName !== container.name) return false;
  const listed = requirement.values.includes(container.exitCode);
  return requirement.operator === 'In' ? listed : !listed;
}

/** App containers first, then init containers. */
function matchOnExitCodes(pod: PodView, requirement: ExitCodes): Terminated | undefined {
  const app = pod.terminatedContainers.filter((c) => !c.init);
  const init = pod.terminatedContainers.filter((c) => c.init);
  return (
    app.find((c) => matchesExitCode(c, requirement)) ?? init.find((c) => matchesExitCode(c, requirement))
  );
}

function matchOnPodConditions(
  pod: PodView,
  patterns: NonNullable<PodFailurePolicyRule['onPodConditions']>,
): string | undefined {
  for (const condition of pod.conditions) {
    for (const pattern of patterns) {
      if (condition.type === pattern.type && condition.status === (pattern.status ?? 'True'))
        return condition.type;
    }
  }
  return undefined;
}

/** Evaluates the policy against one failed pod; no policy or no match ⇒ counted. */
export function matchPodFailurePolicy(spec: JobSpec, pod: PodView, namespace: string): PodFailureMatch {
  const rules = spec.podFailurePolicy?.rules ?? [];
  for (const [index, rule] of rules.entries()) {
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const container = matchOnExitCodes(pod, rule.onExitCodes);
      if (!container) continue;
      failJobMessage =
        `Container ${container.name} for pod ${namespace}/${pod.name} failed with exit code ` +
        `${container.exitCode} matching FailJob rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const type = matchOnPodConditions(pod, rule.onPodConditions);
      if (type === undefined) continue;
      failJobMessage = `Pod ${namespace}/${pod.name} has condition ${type} matching FailJob rule at index ${index}`;
    } else {
      continue;
    }
    switch (rule.action) {
      case 'Ignore':
        return { countFailed: false, action: 'Ignore' };
      case 'FailIndex':
        return { countFailed: true, action: 'FailIndex' };
      case 'Count':
        return { countFailed: true, action: 'Count' };
      case 'FailJob':
        return { countFailed: true, action: 'FailJob', failJobMessage };
    }
  }
  return { countFailed: true };
}
