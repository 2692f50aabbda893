// Success policy of Indexed jobs (docs/job.md §5.5), after Kubernetes' success_policy.go.

import type { JobSpec } from '../../api/k8s.js';
import { parseIndexes } from './indexes.js';

/** The SuccessCriteriaMet message when a rule is satisfied (first rule wins), else undefined. */
export function matchSuccessPolicy(
  spec: JobSpec,
  completions: number,
  succeeded: ReadonlySet<number>,
): string | undefined {
  const rules = spec.successPolicy?.rules;
  if (!rules || succeeded.size === 0) return undefined;
  for (const [index, rule] of rules.entries()) {
    if (rule.succeededIndexes !== undefined) {
      const wanted = parseIndexes(rule.succeededIndexes, completions);
      const hits = wanted.filter((i) => succeeded.has(i)).length;
      const met = rule.succeededCount !== undefined ? hits >= rule.succeededCount : hits === wanted.length;
      if (met && wanted.length > 0) return `Matched rules at index ${index}`;
    } else if (rule.succeededCount !== undefined && succeeded.size >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
