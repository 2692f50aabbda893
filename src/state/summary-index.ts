// <root>/job-summaries.jsonl: every job's summary (summary-file.ts) in one file, so that a listing
// of 10,000 jobs reads one file rather than 10,000. It is a cache of the journals like the
// summaries: every line holds the stamp of the journal state its job was taken from, a listing
// stats every journal and takes a line only when the stamps match. No index, one of another
// format, a torn or damaged line, a job added, changed or removed since: those jobs are read from
// their own files (the journal stays the truth) and the listing writes the index anew.
//
// Layout: a header `{"v":2,"heads":H,"size":S}`, then H bytes of heads, one per job, `name TAB
// journal-stamp TAB brief` (what a listing reads of the job, JobBrief), then the objects, one per
// job, `name TAB journal-stamp TAB job`. A listing reads the header and the heads (a fifth of the
// file); the objects only when one is asked for (-o json, a rewrite), and each is taken only when its
// own name and stamp are the head's. Names (DNS labels), stamps and JSON.stringify hold no raw tab
// or newline.
//
// Only listings write it, whole and by rename (not synced: a cache): a killed process leaves the
// old index or the new one, never a mix. Concurrent writers need no lock: of two listings writing
// at once the last rename wins, and either index is right line by line, since a line is trusted
// only for the exact journal state it names; a line gone stale is a cache miss, never a wrong answer.

import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { JobBrief, JobSummary } from '../ports/job-summaries.js';
import { writeFileReplacing } from './atomic-file.js';
import { isProcessAlive } from './process-identity.js';
import { stampKey, type JournalStamp } from './summary-file.js';

export const SUMMARY_INDEX_FILE = 'job-summaries.jsonl';
const INDEX_SCHEMA_VERSION = 2;
/** How old a dead process's temp file must be before it is removed. */
const DEBRIS_AGE_MS = 60_000;
/** The header's line is shorter than this. */
const HEADER_MAX_BYTES = 128;
const TAB = 0x09;
const NL = 0x0a;

interface IndexHeader {
  v: number;
  /** Byte length of the heads. */
  heads: number;
  /** Byte length of the whole file: shorter is torn. */
  size: number;
}

/** One job's head as read: where it lies in the heads' bytes, its stamp, its brief. */
export interface IndexedHead {
  name: string;
  journal: string;
  brief: JobBrief;
  start: number;
  end: number;
}

/** The index as a listing read it: the heads, and the objects read when one is first asked for. */
export class SummaryIndex {
  /** The heads by job name. */
  readonly heads = new Map<string, IndexedHead>();
  /** Whether the file is whole (its size is the header's): a torn one is written anew. */
  whole = false;
  private objects: Map<string, Buffer> | undefined;

  constructor(
    private readonly path: string,
    /** The heads' bytes. */
    private readonly bytes: Buffer = Buffer.alloc(0),
    /** The file's identity when its heads were read (inode and size), and where its objects start. */
    private readonly at?: { ino: number; size: number; objectsFrom: number },
  ) {}

  /** The indexed job if its head was taken at the journal state `key` (summary-file.ts's journalKey). */
  indexedAt(name: string, key: string): IndexedHead | undefined {
    const hit = this.heads.get(name);
    return hit && hit.journal === key ? hit : undefined;
  }

  /** The head's line, as it is. */
  headLine(head: IndexedHead): Buffer {
    return this.bytes.subarray(head.start, head.end);
  }

  /**
   * The line of the job's object (`name TAB journal TAB job`) taken at its head's stamp; undefined
   * when the file was replaced since its heads were read, torn or damaged there.
   */
  objectLine(head: IndexedHead): Buffer | undefined {
    const line = (this.objects ??= this.readObjects()).get(head.name);
    const key = `${head.name}\t${head.journal}\t`;
    return line && line.length > key.length && line.toString('latin1', 0, key.length) === key
      ? line
      : undefined;
  }

  private readObjects(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    if (!this.at) return out;
    let bytes: Buffer;
    let fd: number | undefined;
    try {
      fd = openSync(this.path, 'r');
      const st = fstatSync(fd);
      // Another file (a listing has written the index since): its objects are not these heads'.
      if (st.ino !== this.at.ino || st.size !== this.at.size) return out;
      bytes = readFully(fd, this.at.objectsFrom, st.size - this.at.objectsFrom);
    } catch {
      return out;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    forEachLine(bytes, (start, tab, nl) => {
      out.set(bytes.toString('latin1', start, tab), bytes.subarray(start, nl + 1));
    });
    return out;
  }
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
function readFully(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(0, length));
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Calls `line` for each whole line of `bytes` that has a tab (a torn last line is left out). */
function forEachLine(bytes: Buffer, line: (start: number, tab: number, nl: number) => void): void {
  let offset = 0;
  while (offset < bytes.length) {
    const nl = bytes.indexOf(NL, offset);
    if (nl < 0) break;
    const tab = bytes.indexOf(TAB, offset);
    const start = offset;
    offset = nl + 1;
    if (tab >= 0 && tab < nl) line(start, tab, nl);
  }
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

/** A job's lines of the index: its head and (made when written: undefined, left out) its object's. */
export interface IndexEntry {
  head: Buffer;
  object: () => Buffer | undefined;
}

/** A job's entry of the index, taken at `journal`. */
export function indexEntry(name: string, journal: JournalStamp, job: JobSummary['job']): IndexEntry {
  const key = `${name}\t${stampKey(journal)}\t`;
  return {
    head: Buffer.from(key + JSON.stringify(jobBrief(job)) + '\n'),
    object: () => Buffer.from(key + JSON.stringify(job) + '\n'),
  };
}

/**
 * The entry of an indexed job: its head as it is, its object's line as it is when it is there,
 * else from `taken`, the object as of the head's stamp if it can still be read (its summary); a job
 * with neither is left out of the index (a miss next time, never an object of another state).
 */
export function indexedEntry(
  index: SummaryIndex,
  head: IndexedHead,
  taken: (name: string, journal: string) => JobSummary['job'] | undefined,
): IndexEntry {
  return {
    head: index.headLine(head),
    object: () => {
      const line = index.objectLine(head);
      if (line) return line;
      const job = taken(head.name, head.journal);
      return job && Buffer.from(`${head.name}\t${head.journal}\t${JSON.stringify(job)}\n`);
    },
  };
}

/**
 * The index's heads. None when there is no index, it is unreadable or of another format; a head
 * that does not parse or does not hold a job of its name is left out (a miss).
 */
export function readSummaryIndex(root: string): SummaryIndex {
  const path = join(root, SUMMARY_INDEX_FILE);
  let fd: number | undefined;
  let bytes: Buffer;
  let header: IndexHeader;
  let headerEnd: number;
  let ino: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
    ({ ino, size } = fstatSync(fd));
    const first = readFully(fd, 0, Math.min(size, HEADER_MAX_BYTES));
    headerEnd = first.indexOf(NL) + 1;
    if (headerEnd === 0) return new SummaryIndex(path);
    header = JSON.parse(first.toString('utf8', 0, headerEnd)) as IndexHeader;
    if (
      header?.v !== INDEX_SCHEMA_VERSION ||
      !Number.isSafeInteger(header.heads) ||
      !Number.isSafeInteger(header.size) ||
      header.heads < 0
    )
      return new SummaryIndex(path);
    // The heads alone, in one read (not the objects after them: most of the file).
    bytes = readFully(fd, headerEnd, Math.min(header.heads, size - headerEnd));
  } catch {
    return new SummaryIndex(path); // missing, unreadable or damaged: every job is a miss
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const index = new SummaryIndex(path, bytes, { ino, size, objectsFrom: headerEnd + header.heads });
  index.whole = size === header.size;
  // Bytes, not text: each head's brief is decoded alone, and the heads are kept as bytes.
  forEachLine(bytes, (start, tab, nl) => {
    const tab2 = bytes.indexOf(TAB, tab + 1);
    if (tab2 < 0 || tab2 > nl) return;
    const name = bytes.toString('latin1', start, tab);
    try {
      const brief = JSON.parse(bytes.toString('utf8', tab2 + 1, nl)) as JobBrief;
      if (brief?.metadata?.name === name && Array.isArray(brief.spec?.template?.spec?.containers)) {
        index.heads.set(name, {
          name,
          journal: bytes.toString('latin1', tab + 1, tab2),
          brief,
          start,
          end: nl + 1,
        });
      }
    } catch {
      // damaged: that job is read from its own files
    }
  });
  return index;
}

/**
 * A job of the index as a summary: its brief, its object read and parsed when asked for. An object
 * that is not there at the head's stamp or does not parse is read from `truth` (the job's own files)
 * instead. A class, so that 10,000 of these allocate no closures.
 */
export class IndexedJob implements JobSummary {
  private parsed: JobSummary['job'] | undefined;

  constructor(
    private readonly index: SummaryIndex,
    readonly head: IndexedHead,
    private readonly truth: (name: string, journal: string) => JobSummary['job'],
  ) {}

  get brief(): JobBrief {
    return this.head.brief;
  }

  get job(): JobSummary['job'] {
    if (this.parsed) return this.parsed;
    const line = this.index.objectLine(this.head);
    try {
      const at = line && line.indexOf(TAB, line.indexOf(TAB) + 1) + 1;
      const job = line && (JSON.parse(line.toString('utf8', at)) as JobSummary['job']);
      if (job?.metadata?.name === this.head.name) this.parsed = job;
    } catch {
      // damaged: the job's own files say what is true
    }
    return (this.parsed ??= this.truth(this.head.name, this.head.journal));
  }
}

/** Replaces the index with these entries (best effort: a state directory it cannot write is read as before). */
export async function writeSummaryIndex(root: string, entries: readonly IndexEntry[]): Promise<void> {
  sweepTempFiles(root);
  const heads: Buffer[] = [];
  const objects: Buffer[] = [];
  for (const e of entries) {
    const object = e.object();
    if (!object) continue;
    heads.push(e.head);
    objects.push(object);
  }
  const headsLength = heads.reduce((n, b) => n + b.length, 0);
  const objectsLength = objects.reduce((n, b) => n + b.length, 0);
  // The header's own length is part of the size it states: settle it (a digit more at most).
  const headerOf = (size: number) =>
    JSON.stringify({ v: INDEX_SCHEMA_VERSION, heads: headsLength, size } satisfies IndexHeader) + '\n';
  let size = headsLength + objectsLength;
  while (headerOf(size).length + headsLength + objectsLength !== size)
    size = headerOf(size).length + headsLength + objectsLength;
  const header = headerOf(size);
  const bytes = Buffer.concat([Buffer.from(header), ...heads, ...objects]);
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
