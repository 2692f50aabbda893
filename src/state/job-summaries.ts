// Listings of jobs from the summaries' index (summary-index.ts) and the summaries (summary-file.ts):
// a job whose index line and summary are missing or stale is read from its journal, which leaves a
// fresh summary and index line for the next listing.

import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from '../api/errors.js';
import { mapLimit } from '../api/map-limit.js';
import type { JobSummaries, JobSummary } from '../ports/job-summaries.js';
import type { DamagedJobs } from './damaged-jobs.js';
import { parseJournal } from './job-journal.js';
import { JOURNAL_FILE, type FileJobRecords } from './job-records.js';
import type { StateDirectory } from './state-directory.js';
import {
  currentSummary,
  journalKey,
  journalStamp,
  stampOf,
  summaryStamped,
  writeSummary,
  type JournalStamp,
} from './summary-file.js';
import {
  SUMMARY_INDEX_FILE,
  indexLine,
  indexedAt,
  indexedSummary,
  readSummaryIndex,
  writeSummaryIndex,
  type IndexedSummary,
} from './summary-index.js';

/** A job as a listing found it, with its index line (undefined: not to be indexed). */
interface Listed {
  summary: JobSummary;
  line: Buffer | undefined;
  /** Whether the line is the index's own. */
  fromIndex: boolean;
}

export class FileJobSummaries implements JobSummaries {
  constructor(
    private readonly dir: StateDirectory,
    private readonly records: FileJobRecords,
    private readonly damaged: DamagedJobs,
  ) {}

  /**
   * Every job's object, as `get jobs` lists them (name order); pods and events are not read. One
   * stat per job: the index (summary-index.ts) answers for the jobs it has at their journal's
   * stamp, their summaries for the others, their journals for the rest; then the index is
   * rewritten if it did not answer for all.
   */
  async listJobSummaries(): Promise<JobSummary[]> {
    await this.dir.init();
    const names = await this.dir.jobNames();
    const index = readSummaryIndex(this.dir.root);
    // Synchronous reads of small files are several times faster than as many promises; only the
    // jobs whose summary is missing or stale are read from their journal, a few at a time.
    // Paths by concatenation: a name read from the directory is one entry, and 10,000 joins
    // (normalizing each path) cost more than the stats.
    const jobsDir = this.dir.jobsDir;
    const all = names.map((name) => this.listed(name, `${jobsDir}/${name}`, index));
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
    const lines: Buffer[] = [];
    let reused = 0;
    names.forEach((name, i) => {
      const hit = all[i];
      const found = hit === 'miss' ? read.get(name) : hit;
      if (!found) return;
      out.push(found.summary);
      if (found.line !== undefined) {
        lines.push(found.line);
        if (found.fromIndex) reused++;
      }
    });
    if (reused !== lines.length || reused !== index.size) await writeSummaryIndex(this.dir.root, lines);
    return out;
  }

  /** One job's object from its summary when that matches the journal, else from the journal. */
  async loadJobSummary(name: string): Promise<JobSummary | undefined> {
    await this.dir.init();
    const driven = this.records.drivenJob(name);
    if (driven) return { job: structuredClone(driven) };
    const hit = currentSummary(this.records.journalPath(name), this.dir.jobDir(name));
    if (hit !== 'miss') return hit;
    return (await this.summaryFromJournal(name))?.summary;
  }

  /**
   * A job of a listing from what is current of its index line or summary; undefined when there is
   * no job; 'miss' otherwise. A job this process drives is its copy in memory, which is not
   * indexed (its index line, if any, is kept: a line is trusted only at its own stamp).
   */
  private listed(
    name: string,
    jobDir: string,
    index: Map<string, IndexedSummary>,
  ): Listed | undefined | 'miss' {
    const driven = this.records.drivenJob(name);
    if (driven)
      return { summary: { job: structuredClone(driven) }, line: index.get(name)?.line, fromIndex: true };
    const key = journalKey(`${jobDir}/${JOURNAL_FILE}`);
    if (key === 'unreadable') return 'miss';
    if (key === undefined) return undefined;
    const indexed = indexedAt(index, name, key);
    if (indexed) {
      const summary = indexedSummary(indexed, () => this.jobNow(name));
      return { summary, line: indexed.line, fromIndex: true };
    }
    // Not indexed at this state: the summary at the journal's stamp (taken anew, in full).
    const stamp = journalStamp(`${jobDir}/${JOURNAL_FILE}`);
    if (stamp === undefined) return undefined;
    if (stamp === 'unreadable') return 'miss';
    const job = summaryStamped(jobDir, stamp);
    return job ? { summary: { job }, line: indexLine(name, stamp, job), fromIndex: false } : 'miss';
  }

  /**
   * The job from its own files, synchronously (an index line whose object is damaged, found when
   * the object is asked for): its summary if current, else its journal as it is now.
   */
  private jobNow(name: string): JobSummary['job'] {
    const path = this.records.journalPath(name);
    const stamp = journalStamp(path);
    const summarized = typeof stamp === 'object' && summaryStamped(this.dir.jobDir(name), stamp);
    if (summarized) return summarized;
    try {
      return parseJournal(readFileSync(path, 'utf8')).state.job;
    } catch (err) {
      throw new StateError(
        `cannot read job "${name}": ${path}: ${(err as Error).message}`,
        `remove ${join(this.dir.root, SUMMARY_INDEX_FILE)} (a cache) and run the command again`,
      );
    }
  }

  /** Folds the journal, exactly as far as one stat of it, and leaves a summary of that state. */
  private async summaryFromJournal(name: string): Promise<Listed | undefined> {
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
      return folded ? { summary: { job: folded.state.job }, line: undefined, fromIndex: false } : undefined;
    }
    await writeSummary(this.dir.jobDir(name), job, stamp);
    return { summary: { job }, line: indexLine(name, stamp, job), fromIndex: false };
  }
}
