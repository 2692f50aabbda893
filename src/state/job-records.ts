// The job records of the file store: jobs/<name>/journal.jsonl (its format: job-journal.ts). A
// process keeps the journals it reads or writes in memory, but trusts that copy only while it
// drives the job (holds its lease, job-leases.ts): any other process may append meanwhile.

import { open, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { StateError } from '../api/errors.js';
import type { JobChange, JobRecords, StoredJob } from '../ports/job-records.js';
import { writeFileAtomic } from './atomic-file.js';
import type { DamagedJobs } from './damaged-jobs.js';
import { JournalDamagedError, applyChange, changeLine, parseJournal, snapshotLine } from './job-journal.js';
import { readStateFile } from './read-state-file.js';
import type { StateDirectory } from './state-directory.js';
import { writeSummaryAfter } from './summary-file.js';

export const JOURNAL_FILE = 'journal.jsonl';

interface OpenJournal {
  state: StoredJob;
  podIndex: Map<string, number>;
  lines: number;
  /** Serializes appends from this process. */
  queue: Promise<void>;
  /** Appends queued and not yet done. */
  pending: number;
}

export class FileJobRecords implements JobRecords {
  /**
   * Journals read or written by this process. The copy in memory stays the truth only while this
   * process drives the job (holds its lease): any other process may append to it meanwhile.
   */
  private readonly journals = new Map<string, OpenJournal>();
  /** Jobs whose lease this process holds (through this store). */
  private readonly driven = new Set<string>();

  constructor(
    private readonly dir: StateDirectory,
    private readonly damaged: DamagedJobs,
  ) {}

  journalPath(name: string): string {
    return join(this.dir.jobDir(name), JOURNAL_FILE);
  }

  async listJobs(): Promise<StoredJob[]> {
    await this.dir.init();
    const out: StoredJob[] = [];
    for (const name of await this.dir.jobNames()) {
      const job = await this.loadJob(name).catch((err: unknown) => this.damaged.leaveOut(name, err));
      if (job) out.push(job);
    }
    return out;
  }

  async loadJob(name: string): Promise<StoredJob | undefined> {
    await this.dir.init();
    if (this.driven.has(name)) {
      const open = this.journals.get(name) ?? (await this.openJournal(name).catch(() => undefined));
      if (open) return structuredClone(open.state);
    }
    const folded = await this.readJournal(name);
    // Freshly read and held by no one else: no copy needed (a copy of 10,000 pods costs 0.2 s).
    return folded?.state;
  }

  /** The job as this process drives it, if it does: the one copy that is current. */
  drivenJob(name: string): StoredJob['job'] | undefined {
    return this.driven.has(name) ? this.journals.get(name)?.state.job : undefined;
  }

  /**
   * The journal folded, from the disk; undefined when there is none. A damaged journal is a
   * StateError naming the file and the way out.
   */
  async readJournal(name: string): Promise<OpenJournal | undefined> {
    const path = this.journalPath(name);
    const text = await readStateFile(path);
    if (text === undefined) return undefined;
    try {
      const folded = parseJournal(text);
      if (folded.validBytes < Buffer.byteLength(text)) {
        // Drop the torn tail now, so the next append starts on a line of its own.
        await truncate(path, Buffer.byteLength(text.slice(0, folded.validBytes))).catch(() => undefined);
      }
      const podIndex = new Map(folded.state.pods.map((p, i) => [p.name, i] as const));
      return { state: folded.state, podIndex, lines: folded.lines, queue: Promise.resolve(), pending: 0 };
    } catch (err) {
      if (err instanceof JournalDamagedError) {
        throw new StateError(
          `the state of job "${name}" is damaged: ${path} ${err.message}`,
          `repair or remove that line, or remove the job with \`tjob delete job ${name}\` (other jobs are not affected)`,
        );
      }
      throw err;
    }
  }

  private async openJournal(name: string): Promise<OpenJournal> {
    let open = this.journals.get(name);
    if (open && (this.driven.has(name) || open.pending > 0)) return open;
    open = await this.readJournal(name);
    if (!open) throw new StateError(`job "${name}" is not in the state directory ${this.dir.root}`);
    this.journals.set(name, open);
    return open;
  }

  async commitJob(name: string, change: JobChange): Promise<void> {
    const open = await this.openJournal(name);
    open.pending++;
    const run = open.queue.then(async () => {
      const line = changeLine(change);
      const path = this.journalPath(name);
      const fh = await openForAppend(path).catch((err: unknown) => {
        throw this.dir.writeError(err);
      });
      try {
        const before = (await fh.stat()).size;
        try {
          await fh.appendFile(line);
          await fh.sync();
        } catch (err) {
          // A short write (a full disk) must not stay: the next append would follow it on the
          // same line and damage the journal. Cut the file back to the last whole line.
          await fh.truncate(before).catch(() => undefined);
          throw this.dir.writeError(err);
        }
      } finally {
        await fh.close();
      }
      applyChange(open.state, structuredClone(change), open.podIndex);
      open.lines++;
      // Fold the journal when it is several times larger than the state itself.
      if (open.lines > 256 + 4 * open.state.pods.length) {
        await writeFileAtomic(path, snapshotLine(open.state));
        open.lines = 1;
      }
      await writeSummaryAfter(path, this.dir.jobDir(name), open.state.job);
    });
    open.queue = run.catch(() => undefined).finally(() => open.pending--);
    return run;
  }

  /** A job just created with this state (its journal is that snapshot alone). */
  created(name: string, state: StoredJob): void {
    this.journals.set(name, {
      state: structuredClone(state),
      podIndex: new Map(),
      lines: 1,
      queue: Promise.resolve(),
      pending: 0,
    });
  }

  /** A job deleted: its copy in memory goes. */
  forget(name: string): void {
    this.journals.delete(name);
  }

  /** This process now drives the job. */
  startDriving(name: string): void {
    // Another process may have driven the job since this one last read it: start from the disk.
    if (!this.journals.get(name)?.pending) this.journals.delete(name);
    this.driven.add(name);
  }

  stopDriving(name: string): void {
    this.driven.delete(name);
  }

  /**
   * What can still be read of a damaged job: its journal without the lines that do not parse
   * (for `tjob delete`, so it can stop and remove the pods recorded before the damage).
   */
  async salvageJob(name: string): Promise<StoredJob | undefined> {
    const text = await readStateFile(this.journalPath(name));
    if (text === undefined) return undefined;
    const good = text.split('\n').filter((l) => {
      try {
        JSON.parse(l);
        return true;
      } catch {
        return false;
      }
    });
    try {
      return parseJournal(good.join('\n') + '\n').state;
    } catch {
      return undefined;
    }
  }
}

async function openForAppend(path: string) {
  return open(path, 'a', 0o600);
}
