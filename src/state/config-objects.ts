// config/<kind>.<name>.json: the ConfigMaps and Secrets stored by `tjob apply`.

import type { ConfigMap, Secret } from '../api/k8s.js';
import type { ConfigObjectStore } from '../ports/config-objects.js';
import { ObjectFolder } from './object-folder.js';
import type { StateDirectory } from './state-directory.js';

export class FileConfigObjectStore implements ConfigObjectStore {
  private readonly folder: ObjectFolder<ConfigMap | Secret>;

  constructor(dir: StateDirectory) {
    this.folder = new ObjectFolder(dir, 'config');
  }

  async listConfigObjects(): Promise<(ConfigMap | Secret)[]> {
    return this.folder.list();
  }

  async saveConfigObject(obj: ConfigMap | Secret): Promise<'created' | 'configured' | 'unchanged'> {
    return this.folder.save(`${obj.kind.toLowerCase()}.${obj.metadata.name}`, obj);
  }
}
