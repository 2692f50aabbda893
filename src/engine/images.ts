// The images a set of Jobs needs, with their pull policies, each once.

import type { Job } from '../api/k8s.js';
import type { ImageRequest } from '../ports/pod-runtime.js';

export function imagesOf(jobs: Job[]): ImageRequest[] {
  const seen = new Map<string, ImageRequest>();
  for (const job of jobs) {
    const spec = job.spec.template.spec;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      if (!c.image) continue;
      const pullPolicy =
        c.imagePullPolicy ??
        (/:latest$|^[^:@]+$/.test(c.image.split('/').pop() ?? '') ? 'Always' : 'IfNotPresent');
      const prior = seen.get(c.image);
      // The strictest policy wins: Always over IfNotPresent over Never.
      const rank = { Never: 0, IfNotPresent: 1, Always: 2 } as const;
      if (!prior || rank[pullPolicy] > rank[prior.pullPolicy])
        seen.set(c.image, { image: c.image, pullPolicy });
    }
  }
  return [...seen.values()];
}
