// The state directory (docs/state-directory.md), and which module owns each of its files:
//   <root>/state.json                 schema version                        (this module)
//   <root>/job-summaries.jsonl        every job's summary in one file, for listings (a cache)  (summary-index.ts)
//   <root>/jobs/<name>/               one directory per job                  (job-lifecycle.ts)
//   <root>/jobs/<name>/journal.jsonl  the job: spec, status, pod records, events, backoff  (job-records.ts)
//   <root>/jobs/<name>/summary.json   the job object alone, for listings (a cache of the journal)  (summary-file.ts)
//   <root>/jobs/<name>/lease.json     the controller process that drives it  (job-leases.ts)
//   <root>/jobs/<name>/config.json    the ConfigMaps, Secrets and network it was created with (if any)  (job-config-file.ts)
//   <root>/jobs/<name>/requests/<id>.json  changes asked of its controller   (request-mailbox.ts)
//   <root>/jobs/.requests-stamp       rewritten by every request, for pollers  (request-mailbox.ts)
//   <root>/jobs/<name>/logs/<pod>/<container>/<restartCount>.log  one run of a container  (pod-log-files.ts)
//   <root>/jobs/<name>/logs/<pod>/<container>.log  all its runs (written before runs were kept apart)
//   <root>/jobs/.creating-*, .deleted-*  a job directory being made or removed (renamed in/out)  (job-lifecycle.ts)
//   <root>/config/<kind>.<name>.json  ConfigMaps and Secrets stored by `apply`  (config-objects.ts)
//   <root>/claims/<name>.json         PersistentVolumeClaims (stored by `apply` or `run`)  (claim-store.ts)
//   <root>/cronjobs/<name>.json ...   CronJobs, their status and events       (cron-store.ts)
// Everything is private to the user (0700 / 0600) and written atomically or append-only.

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from '../api/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { isMissing, readStateDir, unreadable } from './read-state-file.js';

const STATE_SCHEMA_VERSION = 1;

/** The root of a state directory, shared by the parts of the file store. */
export class StateDirectory {
  private initialized = false;

  readonly jobsDir: string;

  constructor(readonly root: string) {
    this.jobsDir = join(root, 'jobs');
  }

  jobDir(name: string): string {
    return join(this.jobsDir, name);
  }

  /** Creates the directory, or checks that this tjob reads it (once per process and store). */
  async init(): Promise<void> {
    if (this.initialized) return;
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const marker = join(this.root, 'state.json');
    try {
      const text = await readFile(marker, 'utf8').catch((err: unknown) => {
        throw isMissing(err) ? err : unreadable(marker, err);
      });
      const parsed = JSON.parse(text) as { schemaVersion?: number };
      if (typeof parsed.schemaVersion !== 'number') throw new Error('no schemaVersion');
      if (parsed.schemaVersion > STATE_SCHEMA_VERSION) {
        throw new StateError(
          `${marker}: written by a newer tjob (schema ${parsed.schemaVersion}, this one reads ${STATE_SCHEMA_VERSION})`,
          'upgrade tjob, or point --state-dir at another directory',
        );
      }
    } catch (err) {
      if (err instanceof StateError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StateError(
          `${marker} is damaged: ${(err as Error).message}`,
          `remove it; tjob rewrites it`,
        );
      }
      await writeFileAtomic(marker, JSON.stringify({ schemaVersion: STATE_SCHEMA_VERSION }, null, 2) + '\n');
    }
    await mkdir(this.jobsDir, { recursive: true, mode: 0o700 });
    this.initialized = true;
  }

  /** The names of the stored jobs, sorted (directories being made or removed are not jobs). */
  async jobNames(): Promise<string[]> {
    return ((await readStateDir(this.jobsDir)) ?? []).filter((n) => !n.startsWith('.')).sort();
  }

  /** A write that failed for want of space or permission: a StateError naming the directory. */
  writeError(err: unknown): unknown {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined || !['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO'].includes(code))
      return err;
    return new StateError(
      `cannot write the state directory ${this.root}: ${(err as Error).message}`,
      'free some space or make it writable, then run the same file again: the job resumes where it was recorded and its containers are adopted',
    );
  }
}
