// The images a set of Jobs needs, each once: its pull policy (the strictest of the containers
// that name it) and the pull Secrets of the pods that name it (their imagePullSecrets, from the
// Secrets the jobs were created with).

import type { ConfigData } from '../api/config-value.js';
import type { Job } from '../api/k8s.js';
import { pullSecretsOf, type PullSecret } from '../api/pod.js';
import { defaultPullPolicy } from '../manifest/pod-defaults.js';
import type { ImageRequest } from '../ports/pod-runtime.js';

const rank = { Never: 0, IfNotPresent: 1, Always: 2 } as const;

export function imagesOf(jobs: { job: Job; secrets: ConfigData }[]): ImageRequest[] {
  const seen = new Map<string, ImageRequest>();
  for (const { job, secrets } of jobs) {
    const spec = job.spec.template.spec;
    const pullSecrets = pullSecretsOf(spec, secrets);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      if (!c.image) continue;
      // Defaulted by the manifest loader already; the API server's rule for anything that was not.
      const pullPolicy = c.imagePullPolicy ?? defaultPullPolicy(c.image);
      const prior = seen.get(c.image);
      const merged = [...(prior?.pullSecrets ?? [])];
      for (const s of pullSecrets) if (!merged.some((m) => sameSecret(m, s))) merged.push(s);
      seen.set(c.image, {
        image: c.image,
        // The strictest policy wins: Always over IfNotPresent over Never.
        pullPolicy: prior && rank[prior.pullPolicy] >= rank[pullPolicy] ? prior.pullPolicy : pullPolicy,
        ...(merged.length > 0 ? { pullSecrets: merged } : {}),
      });
    }
  }
  return [...seen.values()];
}

function sameSecret(a: PullSecret, b: PullSecret): boolean {
  return a.name === b.name && JSON.stringify(a.data) === JSON.stringify(b.data);
}
