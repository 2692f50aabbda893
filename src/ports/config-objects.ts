// The ConfigMaps and Secrets stored by `tjob apply`, which new jobs capture (job-config.ts).

import type { ConfigMap, Secret } from '../api/k8s.js';

export interface ConfigObjectStore {
  /** Every stored object, ordered by kind and name. */
  listConfigObjects(): Promise<(ConfigMap | Secret)[]>;
  /** Says what `kubectl apply` says: created, configured or unchanged. */
  saveConfigObject(obj: ConfigMap | Secret): Promise<'created' | 'configured' | 'unchanged'>;
}
