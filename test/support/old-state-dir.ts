// A state directory written by an earlier tjob, kept as a fixture (test/fixtures/state-014da0f,
// whose README says how it was made). Tests work on a copy: the fixture itself is never written.

import { chmodSync, cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './jobs.js';

/** The fixture's directory in the checkout (tests run from dist/test/...). */
export const OLD_STATE_FIXTURE = resolve(import.meta.dirname, '../../../test/fixtures/state-014da0f');

/** The manifest the fixture's job (or CronJob) NAME was made from. */
export function oldStateManifest(name: string): string {
  return join(OLD_STATE_FIXTURE, 'manifests', `${name}.yaml`);
}

/**
 * A fresh copy of the fixture's state directory, as tjob 014da0f left it: with the empty
 * `jobs/<name>/requests/` directories that version made for every job (git keeps no empty
 * directory) and the modes it wrote (0700 directories, 0600 files; git keeps neither).
 */
export function copyOldStateDir(into: string = tempDir('tjob-old-state-')): string {
  cpSync(join(OLD_STATE_FIXTURE, 'state'), into, { recursive: true });
  const jobs = join(into, 'jobs');
  for (const name of readdirSync(jobs)) mkdirSync(join(jobs, name, 'requests'), { recursive: true });
  const privatize = (path: string): void => {
    if (statSync(path).isDirectory()) {
      chmodSync(path, 0o700);
      for (const n of readdirSync(path)) privatize(join(path, n));
    } else chmodSync(path, 0o600);
  };
  privatize(into);
  return into;
}
