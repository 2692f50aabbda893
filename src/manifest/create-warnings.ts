// The warnings the API server returns when it creates a valid Job or CronJob (kubectl prints them
// as `Warning: ...`): WarningsOnCreate of pkg/registry/batch/job/strategy.go and
// pkg/registry/batch/cronjob/strategy.go, with WarningsForJobSpec of pkg/api/job/warnings.go.
// The pod template's own warnings (pkg/api/pod/warnings.go) are not produced here.

import type { CronJob, Job, JobSpec } from '../api/k8s.js';
import { isDNS1123Label } from './names.js';

const completionsSoftLimit = 100_000;
const parallelismSoftLimitForUnlimitedCompletions = 10_000;

/** A Job or CronJob name is valid as a DNS subdomain; the pods' hostnames want a DNS label. */
function nameWarnings(name: string | undefined): string[] {
  const msgs = isDNS1123Label(name ?? '');
  return msgs.length === 0
    ? []
    : [
        `metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(' ')}]`,
      ];
}

/** WarningsForJobSpec: an Indexed Job too big to track its failed indexes. */
function jobSpecWarnings(spec: JobSpec | undefined, path: string): string[] {
  if (spec?.completionMode !== 'Indexed') return [];
  const completions = spec.completions ?? 0;
  const parallelism = spec.parallelism ?? 0;
  return completions > completionsSoftLimit && parallelism > parallelismSoftLimitForUnlimitedCompletions
    ? [
        `${path}: In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes fail`,
      ]
    : [];
}

/** The create warnings of a valid, defaulted Job or CronJob. */
export function warningsOnCreate(obj: Job | CronJob): string[] {
  if (obj.kind === 'Job') return [...nameWarnings(obj.metadata.name), ...jobSpecWarnings(obj.spec, 'spec')];
  return [
    ...nameWarnings(obj.metadata.name),
    ...jobSpecWarnings(obj.spec.jobTemplate?.spec, 'spec.jobTemplate.spec'),
  ];
}
