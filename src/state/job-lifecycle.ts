// Job directories: jobs/<name>/ is made aside (jobs/.creating-…) with everything a new job has and
// renamed into place, so a job appears whole or not at all; it is renamed aside (jobs/.deleted-…)
// to be removed, so a reader never sees half a deletion. What a killed process left aside is swept.

import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError } from '../api/errors.js';
import type { Job, JobStatus } from '../api/k8s.js';
import type { JobConfigData } from '../ports/job-config.js';
import type { JobLifecycle } from '../ports/job-lifecycle.js';
import type { StoredJob } from '../ports/job-records.js';
import { syncDir, writeFileSynced } from './atomic-file.js';
import { writeStagedJobConfig } from './job-config-file.js';
import { snapshotLine } from './job-journal.js';
import { JOURNAL_FILE, type FileJobRecords } from './job-records.js';
import { isProcessAlive } from './process-identity.js';
import { pathExists } from './read-state-file.js';
import type { StateDirectory } from './state-directory.js';
import { writeStagedSummary } from './summary-file.js';

let stagingCounter = 0;
/** How old a dead process's half-made job directory must be before it is swept. */
const DEBRIS_AGE_MS = 60_000;

export class FileJobLifecycle implements JobLifecycle {
  private debrisSwept = false;

  constructor(
    private readonly dir: StateDirectory,
    private readonly records: FileJobRecords,
  ) {}

  /**
   * Job directories a killed process left half-created or half-deleted: its pid (in the name) is
   * gone and a minute has passed (a process of another pid namespace sharing the directory is
   * not mistaken for a dead one while it works).
   */
  private async sweepDebris(): Promise<void> {
    if (this.debrisSwept) return;
    this.debrisSwept = true;
    const jobs = this.dir.jobsDir;
    const names = await readdir(jobs).catch(() => [] as string[]);
    for (const n of names) {
      const m = /^\.(?:creating|deleted)-.*-(\d+)-\d+$/.exec(n);
      if (!m || isProcessAlive(Number(m[1]))) continue;
      const age = await stat(join(jobs, n)).then(
        (st) => Date.now() - st.mtimeMs,
        () => 0,
      );
      if (age > DEBRIS_AGE_MS)
        await rm(join(jobs, n), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async createJob(
    job: Job & { status: JobStatus },
    config: JobConfigData = { configMaps: {}, secrets: {} },
  ): Promise<void> {
    await this.dir.init();
    // Once per process, where job directories are made (not in every command's start-up).
    await this.sweepDebris();
    const name = job.metadata.name;
    const state: StoredJob = { job, backoff: { failuresAfterLastSuccess: 0 }, pods: [], events: [] };
    // The whole directory is made aside and renamed into place: a job appears with its config and
    // journal or not at all, and of two processes creating one job at once exactly one succeeds.
    // (Made in place, a second creator could not tell a creation under way from a crashed one.)
    const staging = join(this.dir.jobsDir, `.creating-${name}-${process.pid}-${stagingCounter++}`);
    try {
      await mkdir(staging, { mode: 0o700 });
      await writeStagedJobConfig(staging, config);
      const journal = join(staging, JOURNAL_FILE);
      await writeFileSynced(journal, snapshotLine(state));
      await writeStagedSummary(staging, journal, state.job);
      await this.moveIntoPlace(staging, name);
      await syncDir(this.dir.jobsDir);
    } catch (err) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      if (err instanceof ConflictError) throw err;
      throw this.dir.writeError(err);
    }
    this.records.created(name, state);
  }

  /** Renames a staged job directory to the job's name; a job already there is a conflict. */
  private async moveIntoPlace(staging: string, name: string): Promise<void> {
    const dir = this.dir.jobDir(name);
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(staging, dir);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
      if (attempt > 0 || (await pathExists(join(dir, JOURNAL_FILE)))) {
        throw new ConflictError(`jobs.batch "${name}" already exists`);
      }
      // A directory without a journal is debris: a deleted job's late log or request files, or a
      // creation by an older tjob that crashed half-way. It is moved aside and looked at there, so
      // a job another process has just put in its place is given back, never removed.
      const aside = join(this.dir.jobsDir, `.deleted-${name}-${process.pid}-${stagingCounter++}`);
      try {
        await rename(dir, aside);
      } catch {
        continue; // gone already, or just replaced: try again
      }
      if (await pathExists(join(aside, JOURNAL_FILE))) {
        await rename(aside, dir).catch(() => undefined);
        throw new ConflictError(`jobs.batch "${name}" already exists`);
      }
      await rm(aside, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async deleteJob(name: string): Promise<void> {
    await this.dir.init();
    this.records.forget(name);
    // Rename first so a reader never sees half a deletion.
    const doomed = join(this.dir.jobsDir, `.deleted-${name}-${process.pid}-${Date.now()}`);
    try {
      await rename(this.dir.jobDir(name), doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw this.dir.writeError(err);
    }
    await rm(doomed, { recursive: true, force: true });
  }
}
