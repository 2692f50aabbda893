// `tjob render`: the expanded, defaulted manifests as YAML documents, ready for
// `kubectl apply -f -` (no generated selector/labels/uid, no status).

import { dump } from 'js-yaml';
import type { KubeObject } from '../api/k8s.js';

export function renderManifests(objects: readonly KubeObject[]): string {
  return objects.map((o) => dump(o, { noRefs: true })).join('---\n');
}
