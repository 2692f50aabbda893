// Whether a Job read from a file is the same Job as one in the state directory (so `tjob run`
// resumes it) — compared as the user wrote it: the generated selector and labels carry a fresh uid
// each time a file is read, and `suspend` is what an interrupted run changes.

import { canonical } from '../api/canonical.js';
import type { Job, JobSpec } from '../api/k8s.js';
import {
  ControllerUidLabel,
  JobNameLabel,
  LegacyControllerUidLabel,
  LegacyJobNameLabel,
} from '../api/labels.js';

const GENERATED = [ControllerUidLabel, JobNameLabel, LegacyControllerUidLabel, LegacyJobNameLabel];

export function userSpec(spec: JobSpec): unknown {
  const copy = structuredClone(spec) as JobSpec;
  delete copy.suspend;
  if (!copy.manualSelector) {
    delete copy.selector;
    const labels = copy.template.metadata?.labels;
    if (labels) for (const k of GENERATED) delete labels[k];
  }
  return canonical(copy);
}

export function sameJobSpec(a: Job, b: Job): boolean {
  return JSON.stringify(userSpec(a.spec)) === JSON.stringify(userSpec(b.spec));
}
