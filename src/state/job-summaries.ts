// Listings of jobs from the summaries' index (summary-index.ts) and the summaries (summary-file.ts):
// a job whose index line and summary are missing or stale is read from its journal, which leaves a
// fresh summary and index line for the next listing.

import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from '../api/errors.js';
import { mapLimit } from '../api/map-limit.js';
import type { JobRow, JobSummaries, JobSummary } from '../ports/job-summaries.js';
import type { DamagedJobs } from './damaged-jobs.js';
import { parseJournal } from './job-journal.js';
import { JOURNAL_FILE, type FileJobRecords } from './job-records.js';
import { jobRow } from './job-row.js';
import type { StateDirectory } from './state-directory.js';
import {
  currentSummary,
  journalState,
  journalStamp,
  stampOf,
  summaryKeyed,
  summaryStamped,
  writeSummary,
  type JournalStamp,
} from './summary-file.js';
import {
  IndexedJob,
  SUMMARY_INDEX_FILE,
  indexEntry,
  indexedEntry,
  readSummaryIndex,
  writeSummaryIndex,
  type IndexEntry,
  type IndexedHead,
  type SummaryIndex,
} from './summary-index.js';

/** A job read from its own files (summary or journal) at a stamp: a new entry of the index. */
class FreshSummary implements JobSummary {
  readonly row: JobRow;

  constructor(
    readonly job: JobSummary['job'],
    readonly entry: IndexEntry,
  ) {
    this.row = jobRow(job);
  }
}

/** A job this process drives: its copy in memory, which is not indexed (its head, if any, is kept). */
class DrivenSummary implements JobSummary {
  constructor(
    readonly job: JobSummary['job'],
    readonly kept: IndexedHead | undefined,
  ) {}

  get row(): JobRow {
    return jobRow(this.job);
  }
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
    const truth = (name: string, journal: string) => this.jobNow(name, journal);
    // Synchronous reads of small files are several times faster than as many promises; only the
    // jobs whose summary is missing or stale are read from their journal, a few at a time.
    // Paths by concatenation: a name read from the directory is one entry, and 10,000 joins
    // (normalizing each path) cost more than the stats.
    const jobsDir = this.dir.jobsDir;
    // One pass, no closure per job: at 10,000 jobs every step of it counts.
    const found: (JobSummary | undefined)[] = new Array<JobSummary | undefined>(names.length);
    const misses: number[] = [];
    for (let i = 0; i < names.length; i++) {
      const hit = this.listed(names[i]!, `${jobsDir}/${names[i]}`, index, truth);
      if (hit === 'miss') misses.push(i);
      else found[i] = hit;
    }
    await mapLimit(misses, 16, async (i) => {
      const name = names[i]!;
      found[i] = await this.summaryFromJournal(name).catch((err: unknown) =>
        this.damaged.leaveOut(name, err),
      );
    });
    const out = found.filter((s): s is JobSummary => s !== undefined);
    let fresh = 0;
    let kept = 0;
    for (const s of out) {
      if (s instanceof IndexedJob) kept++;
      else if (s instanceof FreshSummary) fresh++;
      else if (s instanceof DrivenSummary && s.kept) kept++;
    }
    // Written anew when a job was read from its own files, or the index holds one no more listed.
    if (fresh > 0 || kept !== index.heads.size || !index.whole)
      await writeSummaryIndex(this.dir.root, this.entries(out, index));
    return out;
  }

  /** The index's entries for these jobs: those read anew, and those of the index still current. */
  private entries(listed: JobSummary[], index: SummaryIndex): IndexEntry[] {
    const taken = (name: string, journal: string) => summaryKeyed(this.dir.jobDir(name), journal);
    const out: IndexEntry[] = [];
    for (const s of listed) {
      if (s instanceof FreshSummary) out.push(s.entry);
      else if (s instanceof IndexedJob) out.push(indexedEntry(index, s.head, taken));
      else if (s instanceof DrivenSummary && s.kept) out.push(indexedEntry(index, s.kept, taken));
    }
    return out;
  }

  /** One job's object from its summary when that matches the journal, else from the journal. */
  async loadJobSummary(name: string): Promise<JobSummary | undefined> {
    await this.dir.init();
    const driven = this.records.drivenJob(name);
    if (driven) return { job: structuredClone(driven) };
    const hit = currentSummary(this.records.journalPath(name), this.dir.jobDir(name));
    if (hit !== 'miss') return hit;
    return this.summaryFromJournal(name);
  }

  /**
   * A job of a listing from what is current of its index head or summary; undefined when there is
   * no job; 'miss' otherwise.
   */
  private listed(
    name: string,
    jobDir: string,
    index: SummaryIndex,
    truth: (name: string, journal: string) => JobSummary['job'],
  ): JobSummary | undefined | 'miss' {
    const driven = this.records.drivenJob(name);
    if (driven) return new DrivenSummary(structuredClone(driven), index.heads.get(name));
    const at = journalState(`${jobDir}/${JOURNAL_FILE}`);
    if (at === 'unreadable') return 'miss';
    if (at === undefined) return undefined;
    const indexed = index.indexedAt(name, at);
    if (indexed) return new IndexedJob(index, indexed, truth);
    // Not indexed at this state: the summary at the journal's stamp (taken anew, in full).
    const stamp = journalStamp(`${jobDir}/${JOURNAL_FILE}`);
    if (stamp === undefined) return undefined;
    if (stamp === 'unreadable') return 'miss';
    const job = summaryStamped(jobDir, stamp);
    return job ? new FreshSummary(job, indexEntry(name, stamp, job)) : 'miss';
  }

  /**
   * The job from its own files, synchronously (an index head whose object is gone or damaged,
   * found when the object is asked for): its summary at the head's stamp `journal` if it still
   * holds it (the object then agrees with the brief), else its summary if current, else its
   * journal as it is now.
   */
  private jobNow(name: string, journal: string): JobSummary['job'] {
    const atHead = summaryKeyed(this.dir.jobDir(name), journal) ?? this.journalAt(name, journal);
    if (atHead) return atHead;
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

  /**
   * The job as its journal held it at the stamp `key` (inode:size:mtime): the journal is appended
   * to, so while it is the same file its first `size` bytes are that state. Undefined when it has
   * been folded into a new file since, or cannot be read.
   */
  private journalAt(name: string, key: string): JobSummary['job'] | undefined {
    const [ino, size] = key.split(':').map(Number);
    if (!Number.isSafeInteger(ino) || !Number.isSafeInteger(size)) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(this.records.journalPath(name), 'r');
      const st = fstatSync(fd);
      if (st.ino !== ino || st.size < size!) return undefined;
      const buf = Buffer.alloc(size!);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, got);
        if (n === 0) return undefined;
        got += n;
      }
      return parseJournal(buf.toString('utf8')).state.job;
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
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
    return new FreshSummary(job, indexEntry(name, stamp, job));
  }
}
