// A folder of the state directory that holds one API object per JSON file (`config/`, `claims/`):
// written whole and atomically, listed in file name order.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir, writeFileAtomic } from './atomic-file.js';
import { readStateDir, readStateFile, readStateJson } from './read-state-file.js';
import type { StateDirectory } from './state-directory.js';

export class ObjectFolder<T> {
  constructor(
    private readonly dir: StateDirectory,
    private readonly folder: string,
  ) {}

  private get path(): string {
    return join(this.dir.root, this.folder);
  }

  async list(): Promise<T[]> {
    await this.dir.init();
    const dir = this.path;
    const names = ((await readStateDir(dir)) ?? [])
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort();
    const out: T[] = [];
    for (const n of names) {
      const obj = await readStateJson<T>(join(dir, n), 'repair or remove that file');
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Writes `<name>.json`, saying what `kubectl apply` says. */
  async save(name: string, obj: T): Promise<'created' | 'configured' | 'unchanged'> {
    await this.dir.init();
    const dir = this.path;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${name}.json`);
    const text = JSON.stringify(obj, null, 2) + '\n';
    const before = await readStateFile(path);
    if (before === text) return 'unchanged';
    await writeFileAtomic(path, text);
    await syncDir(dir);
    return before === undefined ? 'created' : 'configured';
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.path, `${name}.json`), { force: true });
  }
}
