// jobs/<name>/config.json: the ConfigMap and Secret data (network, runtime) a job was created with. A job created
// with none has no file (read back as none): one fsync less per job.

import { join } from 'node:path';
import type { JobConfigData, JobConfigs } from '../ports/job-config.js';
import { writeFileSynced } from './atomic-file.js';
import { readStateJson } from './read-state-file.js';
import type { StateDirectory } from './state-directory.js';

const CONFIG_FILE = 'config.json';

/** Writes the config into a job directory being made (job-lifecycle.ts), when there is any. */
export async function writeStagedJobConfig(stagingDir: string, config: JobConfigData): Promise<void> {
  // No ConfigMaps, Secrets, network or runtime: no file (read back as none), one fsync less per job.
  const none = Object.keys(config.configMaps).length + Object.keys(config.secrets).length === 0;
  if (none && config.network === undefined && config.runtime === undefined) return;
  await writeFileSynced(join(stagingDir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

export class FileJobConfigs implements JobConfigs {
  constructor(private readonly dir: StateDirectory) {}

  async loadJobConfig(name: string): Promise<JobConfigData> {
    // No file: the job was created with no ConfigMaps or Secrets stored.
    const path = join(this.dir.jobDir(name), CONFIG_FILE);
    return (
      (await readStateJson<JobConfigData>(path, 'repair or remove that file')) ?? {
        configMaps: {},
        secrets: {},
      }
    );
  }
}
