// jobs/<name>/summary.json: the job object as of one exact state of its journal (inode, size,
// mtime), so that `tjob get jobs` lists many jobs without folding every journal. It is a cache:
// the journal stays the source of truth, and a summary whose stamp does not match the journal (a
// crash between the two writes, a state directory from an older tjob, a hand edit) is ignored and
// the journal read instead (job-summaries.ts).

import { readFileSync, statSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileReplacing } from './atomic-file.js';
import type { JobSummary } from '../ports/job-summaries.js';

export const SUMMARY_FILE = 'summary.json';

interface SummaryFile {
  v: number;
  journal: JournalStamp;
  job: JobSummary['job'];
}

/** One exact state of a journal file. */
export interface JournalStamp {
  ino: string;
  size: string;
  mtimeNs: string;
}

const SUMMARY_SCHEMA_VERSION = 1;

export function stampOf(s: BigIntStats): JournalStamp {
  return { ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs) };
}

export function sameStamp(a: JournalStamp | undefined, b: JournalStamp): boolean {
  return !!a && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

function summaryText(job: JobSummary['job'], stamp: JournalStamp): string {
  const file: SummaryFile = { v: SUMMARY_SCHEMA_VERSION, journal: stamp, job };
  return JSON.stringify(file) + '\n';
}

/**
 * The job in the summary beside `journalPath` when it matches that journal; undefined when there
 * is no journal; 'miss' otherwise. Synchronous: a listing reads thousands of these, and synchronous
 * reads of small files are several times faster than as many promises.
 */
export function currentSummary(journalPath: string, jobDir: string): JobSummary | undefined | 'miss' {
  const stamp = journalStamp(journalPath);
  if (stamp === 'unreadable') return 'miss';
  if (stamp === undefined) return undefined;
  const job = summaryStamped(jobDir, stamp);
  return job ? { job } : 'miss';
}

/**
 * A stamp as one string, in the form a plain (not bigint) stat gives it (statKey): a listing of
 * 10,000 jobs compares these, as a bigint stat costs twice a plain one. The milliseconds are
 * computed from the nanoseconds as Node computes Stats.mtimeMs from the seconds and nanoseconds
 * (msFromTimeSpec, lib/internal/fs/utils.js): the same double.
 */
export function stampKey(s: JournalStamp): string {
  const { ino, size, mtimeMs } = plainStamp(s);
  return `${ino}:${size}:${mtimeMs}`;
}

/** A stamp as the numbers a plain (not bigint) stat gives (stampKey). */
export function plainStamp(s: JournalStamp): PlainStamp {
  const ns = BigInt(s.mtimeNs);
  const mtimeMs = Number(ns / 1_000_000_000n) * 1e3 + Number(ns % 1_000_000_000n) / 1e6;
  return { ino: Number(s.ino), size: Number(s.size), mtimeMs };
}

/** A journal's state as a plain stat gives it: what a listing of 10,000 jobs compares. */
export interface PlainStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** A journal's state now as a stamp key; undefined when there is none; 'unreadable' when the stat fails. */
export function journalKey(journalPath: string): string | undefined | 'unreadable' {
  const st = journalState(journalPath);
  return typeof st === 'object' ? `${st.ino}:${st.size}:${st.mtimeMs}` : st;
}

/** A journal's state now (plainStamp); undefined when there is none; 'unreadable' when the stat fails. */
export function journalState(journalPath: string): PlainStamp | undefined | 'unreadable' {
  try {
    return statSync(journalPath, { throwIfNoEntry: false });
  } catch {
    return 'unreadable';
  }
}

/** The journal's stamp now; undefined when there is none; 'unreadable' when the stat fails. */
export function journalStamp(journalPath: string): JournalStamp | undefined | 'unreadable' {
  try {
    return stampOf(statSync(journalPath, { bigint: true }));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : 'unreadable';
  }
}

/** The job in `jobDir`'s summary if that summary was taken at `stamp` (missing, torn, stale: undefined). */
export function summaryStamped(jobDir: string, stamp: JournalStamp): JobSummary['job'] | undefined {
  try {
    const summary = JSON.parse(readFileSync(join(jobDir, SUMMARY_FILE), 'utf8')) as SummaryFile;
    if (summary.v === SUMMARY_SCHEMA_VERSION && sameStamp(summary.journal, stamp)) return summary.job;
  } catch {
    // missing, torn or damaged: the journal says what is true
  }
  return undefined;
}

/** The job in `jobDir`'s summary if that summary was taken at the journal state `key` (stampKey). */
export function summaryKeyed(jobDir: string, key: string): JobSummary['job'] | undefined {
  try {
    const summary = JSON.parse(readFileSync(join(jobDir, SUMMARY_FILE), 'utf8')) as SummaryFile;
    if (summary.v === SUMMARY_SCHEMA_VERSION && stampKey(summary.journal) === key) return summary.job;
  } catch {
    // missing, torn or damaged
  }
  return undefined;
}

/**
 * Atomic (rename) but not synced: a summary lost or torn by a crash is only a cache miss. Any
 * process may write it; a stale one, whoever wrote it, never matches the journal's stamp.
 */
export async function writeSummary(
  jobDir: string,
  job: JobSummary['job'],
  stamp: JournalStamp,
): Promise<void> {
  await writeFileReplacing(join(jobDir, SUMMARY_FILE), summaryText(job, stamp)).catch(() => undefined);
}

/** After a write of the journal: a summary stamped with its new state (best effort). */
export async function writeSummaryAfter(
  journalPath: string,
  jobDir: string,
  job: JobSummary['job'],
): Promise<void> {
  const st = await stat(journalPath, { bigint: true }).catch(() => undefined);
  if (st) await writeSummary(jobDir, job, stampOf(st));
}

/**
 * The summary of a job directory being made (job-lifecycle.ts), which nobody reads before it is
 * renamed into place: the stamp survives the rename (same inode, size and mtime).
 */
export async function writeStagedSummary(
  stagingDir: string,
  journalPath: string,
  job: JobSummary['job'],
): Promise<void> {
  const st = await stat(journalPath, { bigint: true });
  await writeFile(join(stagingDir, SUMMARY_FILE), summaryText(job, stampOf(st)), { mode: 0o600 });
}
