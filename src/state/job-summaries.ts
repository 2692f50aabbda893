// Listings of jobs from their summaries (summary-file.ts): a job whose summary is missing or
// stale is read from its journal, which leaves a fresh summary for the next listing.

import { open } from 'node:fs/promises';
import { StateError } from '../api/errors.js';
import { mapLimit } from '../api/map-limit.js';
import type { JobSummaries, JobSummary } from '../ports/job-summaries.js';
import type { DamagedJobs } from './damaged-jobs.js';
import { parseJournal } from './job-journal.js';
import type { FileJobRecords } from './job-records.js';
import type { StateDirectory } from './state-directory.js';
import { currentSummary, stampOf, writeSummary, type JournalStamp } from './summary-file.js';

export class FileJobSummaries implements JobSummaries {
  constructor(
    private readonly dir: StateDirectory,
    private readonly records: FileJobRecords,
    private readonly damaged: DamagedJobs,
  ) {}

  /** Every job's object, as `get jobs` lists them (name order); pods and events are not read. */
  async listJobSummaries(): Promise<JobSummary[]> {
    await this.dir.init();
    const names = await this.dir.jobNames();
    // Synchronous reads of small files are several times faster than as many promises; only the
    // jobs whose summary is missing or stale are read from their journal, a few at a time.
    const all = names.map((name) => this.summaryIfCurrent(name));
    const misses = names.filter((_, i) => all[i] === 'miss');
    const read = new Map(
      await mapLimit(
        misses,
        16,
        async (name) =>
          [
            name,
            await this.summaryFromJournal(name).catch((err: unknown) => this.damaged.leaveOut(name, err)),
          ] as const,
      ),
    );
    const out: JobSummary[] = [];
    names.forEach((name, i) => {
      const hit = all[i];
      const s = hit === 'miss' ? read.get(name) : hit;
      if (s) out.push(s);
    });
    return out;
  }

  /** One job's object from its summary when that matches the journal, else from the journal. */
  async loadJobSummary(name: string): Promise<JobSummary | undefined> {
    await this.dir.init();
    const hit = this.summaryIfCurrent(name);
    return hit === 'miss' ? this.summaryFromJournal(name) : hit;
  }

  /** The summary when it is current; undefined when there is no job; 'miss' otherwise. */
  private summaryIfCurrent(name: string): JobSummary | undefined | 'miss' {
    const driven = this.records.drivenJob(name);
    if (driven) return { job: structuredClone(driven) };
    return currentSummary(this.records.journalPath(name), this.dir.jobDir(name));
  }

  /** Folds the journal, exactly as far as one stat of it, and leaves a summary of that state. */
  private async summaryFromJournal(name: string): Promise<JobSummary | undefined> {
    const path = this.records.journalPath(name);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateError(`cannot read ${path}: ${(err as Error).message}`);
    }
    let stamp: JournalStamp;
    let text: string;
    try {
      const st = await fh.stat({ bigint: true });
      stamp = stampOf(st);
      const buf = Buffer.alloc(Number(st.size));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      text = buf.subarray(0, got).toString('utf8');
    } finally {
      await fh.close();
    }
    let job: JobSummary['job'];
    try {
      job = parseJournal(text).state.job;
    } catch {
      // Damaged: the journal reader names the file and the way out.
      const folded = await this.records.readJournal(name);
      return folded ? { job: folded.state.job } : undefined;
    }
    await writeSummary(this.dir.jobDir(name), job, stamp);
    return { job };
  }
}
