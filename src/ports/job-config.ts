// The ConfigMap and Secret data a job's pods see: captured when the job is created (job-lifecycle.ts)
// and kept with it, so a later `apply` of a ConfigMap does not change a running job's pods.

import type { ConfigData } from '../api/config-value.js';
import type { RuntimeKind } from './pod-runtime.js';

export interface JobConfigData {
  configMaps: ConfigData;
  secrets: ConfigData;
  /** The Docker network its pods join (`--network`), kept so a resumed job stays on it. */
  network?: string;
  /**
   * The runtime its pods run on (`--runtime`), kept so whoever drives it later uses that one;
   * absent: Docker, as every job created before there was a choice.
   */
  runtime?: RuntimeKind;
}

export interface JobConfigs {
  /** The data captured when the job was created; none for a job created without any. */
  loadJobConfig(name: string): Promise<JobConfigData>;
}
