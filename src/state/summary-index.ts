// <root>/job-summaries.jsonl: every job's summary (summary-file.ts) in one file, so that a listing
// of 10,000 jobs reads one file rather than 10,000. A line is `{name, journal, brief}` TAB `job`:
// what a listing reads of the job (JobBrief) is parsed, the whole object only when asked for. It is a cache of the journals like the
// summaries: each line holds the stamp of the journal state its job was taken from, a listing
// stats every journal and takes a line only when the stamps match. No index, one of another
// format, a torn or damaged line, a job added, changed or removed since: those jobs are read from
// their own files (the journal stays the truth) and the listing writes the index anew.
//
// Only listings write it, whole and by rename (not synced: a cache): a killed process leaves the
// old index or the new one, never a mix. Concurrent writers need no lock: of two listings writing
// at once the last rename wins, and either index is right line by line, since a line is trusted
// only for the exact journal state it names; a line gone stale is a cache miss, never a wrong answer.

import { readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { JobBrief, JobSummary } from '../ports/job-summaries.js';
import { writeFileReplacing } from './atomic-file.js';
import { isProcessAlive } from './process-identity.js';
import { stampKey, type JournalStamp } from './summary-file.js';

export const SUMMARY_INDEX_FILE = 'job-summaries.jsonl';
const INDEX_SCHEMA_VERSION = 1;
/** How old a dead process's temp file must be before it is removed. */
const DEBRIS_AGE_MS = 60_000;
const HEADER = JSON.stringify({ v: INDEX_SCHEMA_VERSION }) + '\n';

/**
 * One job's line as read: its stamp, its brief, the job's JSON (decoded and parsed when asked), and
 * the line's bytes (written back as they are while they hold).
 */
export interface IndexedSummary {
  journal: string;
  brief: JobBrief;
  jobBytes: Buffer;
  line: Buffer;
}

/** The part of a line before its tab (JSON.stringify writes no raw tab); the job's JSON follows. */
interface IndexHead {
  name: string;
  /** The journal's stamp key (summary-file.ts). */
  journal: string;
  brief: JobBrief;
}

/**
 * What the index keeps at hand of a job: the fields a listing reads (JobBrief). A fifth of the
 * object or less (no pod template, no condition messages), which is what a listing parses.
 */
export function jobBrief(job: JobSummary['job']): JobBrief {
  const { metadata, spec, status } = job;
  const brief: JobBrief = {
    metadata: { name: metadata.name },
    spec: {
      template: {
        spec: { containers: spec.template.spec.containers.map((c) => ({ name: c.name, image: c.image })) },
      },
    },
    status: {},
  };
  if (metadata.labels) brief.metadata.labels = metadata.labels;
  if (metadata.creationTimestamp) brief.metadata.creationTimestamp = metadata.creationTimestamp;
  if (metadata.deletionTimestamp) brief.metadata.deletionTimestamp = metadata.deletionTimestamp;
  if (spec.template.metadata?.labels)
    brief.spec.template.metadata = { labels: spec.template.metadata.labels };
  if (spec.completions !== undefined) brief.spec.completions = spec.completions;
  if (spec.parallelism !== undefined) brief.spec.parallelism = spec.parallelism;
  if (spec.ttlSecondsAfterFinished !== undefined)
    brief.spec.ttlSecondsAfterFinished = spec.ttlSecondsAfterFinished;
  if (spec.selector) brief.spec.selector = spec.selector;
  const s = brief.status!;
  if (status.startTime) s.startTime = status.startTime;
  if (status.completionTime) s.completionTime = status.completionTime;
  if (status.succeeded !== undefined) s.succeeded = status.succeeded;
  if (status.conditions)
    s.conditions = status.conditions.map((c) => {
      const kept: NonNullable<typeof s.conditions>[number] = { type: c.type, status: c.status };
      if (c.lastTransitionTime) kept.lastTransitionTime = c.lastTransitionTime;
      return kept;
    });
  return brief;
}

/** The line of a job taken at `journal` (with its newline). */
export function indexLine(name: string, journal: JournalStamp, job: JobSummary['job']): Buffer {
  const head: IndexHead = { name, journal: stampKey(journal), brief: jobBrief(job) };
  return Buffer.from(JSON.stringify(head) + '\t' + JSON.stringify(job) + '\n');
}

/**
 * The index's lines by job name. Empty when there is none, it is unreadable, or of another format;
 * a line that does not parse or does not hold a job of its name is left out (a miss).
 */
export function readSummaryIndex(root: string): Map<string, IndexedSummary> {
  const out = new Map<string, IndexedSummary>();
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(root, SUMMARY_INDEX_FILE));
  } catch {
    return out; // missing or unreadable: every job is a miss
  }
  if (bytes.toString('utf8', 0, HEADER.length) !== HEADER) return out;
  // Bytes, not text: only the heads are decoded; the objects stay bytes until asked for.
  let offset = HEADER.length;
  while (offset < bytes.length) {
    const nl = bytes.indexOf(0x0a, offset);
    if (nl < 0) break; // a line without its newline is torn
    const tab = bytes.indexOf(0x09, offset);
    const start = offset;
    offset = nl + 1;
    if (tab < 0 || tab > nl) continue;
    try {
      const head = JSON.parse(bytes.toString('utf8', start, tab)) as IndexHead;
      if (
        typeof head.name === 'string' &&
        typeof head.journal === 'string' &&
        head.brief?.metadata?.name === head.name &&
        Array.isArray(head.brief.spec?.template?.spec?.containers)
      ) {
        out.set(head.name, {
          journal: head.journal,
          brief: head.brief,
          jobBytes: bytes.subarray(tab + 1, nl),
          line: bytes.subarray(start, nl + 1),
        });
      }
    } catch {
      // damaged: that job is read from its own files
    }
  }
  return out;
}

/**
 * A job of the index as a summary: its brief now, its object parsed when asked. An object that
 * does not parse (the index damaged by hand) is read from `truth` instead.
 */
export function indexedSummary(hit: IndexedSummary, truth: () => JobSummary['job']): JobSummary {
  let job: JobSummary['job'] | undefined;
  return {
    brief: hit.brief,
    get job() {
      if (job) return job;
      try {
        const parsed = JSON.parse(hit.jobBytes.toString('utf8')) as JobSummary['job'];
        if (parsed?.metadata?.name === hit.brief.metadata.name) job = parsed;
      } catch {
        // damaged: the job's own files say what is true
      }
      return (job ??= truth());
    },
  };
}

/** The indexed job if its line was taken at the journal state `key` (summary-file.ts's journalKey). */
export function indexedAt(
  index: Map<string, IndexedSummary>,
  name: string,
  key: string,
): IndexedSummary | undefined {
  const hit = index.get(name);
  return hit && hit.journal === key ? hit : undefined;
}

/** Replaces the index with these lines (best effort: a state directory it cannot write is read as before). */
export async function writeSummaryIndex(root: string, lines: readonly Buffer[]): Promise<void> {
  sweepTempFiles(root);
  const bytes = Buffer.concat([Buffer.from(HEADER), ...lines]);
  await writeFileReplacing(join(root, SUMMARY_INDEX_FILE), bytes).catch(() => undefined);
}

/**
 * The temp files of index writes whose process was killed in mid-write (the index is large): its
 * pid is gone and a minute has passed (a process of another pid namespace is not taken for dead).
 */
function sweepTempFiles(root: string): void {
  const prefix = `.${SUMMARY_INDEX_FILE}.`;
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.tmp')) continue;
    const pid = Number(n.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || isProcessAlive(pid)) continue;
    try {
      if (Date.now() - statSync(join(root, n)).mtimeMs > DEBRIS_AGE_MS) unlinkSync(join(root, n));
    } catch {
      // gone already
    }
  }
}
