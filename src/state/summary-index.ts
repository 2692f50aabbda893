// <root>/job-summaries.jsonl: every job's summary (summary-file.ts) in one file, so that a listing
// of 10,000 jobs reads one file rather than 10,000. It is a cache of the journals like the
// summaries: every line holds the stamp of the journal state its job was taken from, a listing
// stats every journal and takes a line only when the stamps match. No index, one of another
// format, a torn or damaged line, a job added, changed or removed since: those jobs are read from
// their own files (the journal stays the truth) and the listing writes the index anew.
//
// Layout (v3): a header `{"v":3,"heads":H,"briefs":B,"size":S}`; then H bytes of heads, one per
// job, a JSON array of its name, the journal state it was taken at (inode, size, mtime as a plain
// stat gives them) and its row (JobRow, job-row.ts: the few fields every listing reads; see
// headLine); then B bytes of briefs, `name TAB journal-stamp TAB brief` (JobBrief: what a selector
// or `-o wide` reads); then the objects, `name TAB journal-stamp TAB job`. A listing reads the
// header and the heads (a twentieth of the file, one short JSON.parse per job, no brief); the
// briefs and the objects only when one is asked for (a selector, `-o wide|json`, a rewrite), and
// each is taken only when its own name and stamp are the head's. An index of an earlier version is
// a miss for every job (and written anew). Names (DNS labels), stamps and JSON.stringify hold no raw
// tab or newline.
//
// Only listings write it, whole and by rename (not synced: a cache): a killed process leaves the
// old index or the new one, never a mix. Concurrent writers need no lock: of two listings writing
// at once the last rename wins, and either index is right line by line, since a line is trusted
// only for the exact journal state it names; a line gone stale is a cache miss, never a wrong answer.

import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { JobBrief, JobRow, JobSummary } from '../ports/job-summaries.js';
import { writeFileReplacing } from './atomic-file.js';
import { jobRow } from './job-row.js';
import { isProcessAlive } from './process-identity.js';
import { plainStamp, stampKey, type JournalStamp, type PlainStamp } from './summary-file.js';

export const SUMMARY_INDEX_FILE = 'job-summaries.jsonl';
const INDEX_SCHEMA_VERSION = 3;
/** How old a dead process's temp file must be before it is removed. */
const DEBRIS_AGE_MS = 60_000;
/** The header's line is shorter than this. */
const HEADER_MAX_BYTES = 160;
const TAB = 0x09;
const NL = 0x0a;

interface IndexHeader {
  v: number;
  /** Byte length of the heads. */
  heads: number;
  /** Byte length of the briefs, after the heads. */
  briefs: number;
  /** Byte length of the whole file: shorter is torn. */
  size: number;
}

/**
 * One job's head as read: the journal state it was taken at and the job's row (a head is the row
 * itself, when the index keeps one: one object per job).
 */
export class IndexedHead implements JobRow {
  constructor(
    readonly name: string,
    /** The journal state it was taken at, as a plain stat gives it (PlainStamp). */
    readonly ino: number,
    readonly size: number,
    readonly mtimeMs: number,
    /** Whether the index keeps the job's row (else its brief says what it is). */
    private readonly hasRow: boolean,
    readonly finished: boolean,
    readonly ttlExpiry: number | undefined,
    readonly status: string,
    readonly completions: string,
    readonly duration: string,
    readonly runningSince: string | undefined,
    readonly createdMs: number,
  ) {}

  /** The job's row at that state; undefined when the index keeps none for it. */
  get row(): JobRow | undefined {
    return this.hasRow ? this : undefined;
  }

  /** The journal state as a stamp key (stampKey): what its brief's and object's lines begin with. */
  get journal(): string {
    return `${this.ino}:${this.size}:${this.mtimeMs}`;
  }
}

/** Where a section of the file lies, and which file it was (inode and size when the heads were read). */
interface Place {
  ino: number;
  size: number;
  from: number;
  length: number;
}

/** The index as a listing read it: the heads, and the briefs and objects read when one is first asked for. */
export class SummaryIndex {
  /** The heads by job name. */
  readonly heads = new Map<string, IndexedHead>();
  /** Whether the file is whole (its size is the header's): a torn one is written anew. */
  whole = false;
  private briefs: Map<string, Buffer> | undefined;
  private objects: Map<string, Buffer> | undefined;

  constructor(
    private readonly path: string,
    private readonly briefsAt?: Place,
    private readonly objectsAt?: Place,
    /** The file its heads came from, still open: its sections are read from it, not from the path. */
    private readonly pinned?: PinnedFile,
  ) {}

  /** The indexed job if its head was taken at the journal state `at` (summary-file.ts's journalState). */
  indexedAt(name: string, at: PlainStamp): IndexedHead | undefined {
    const hit = this.heads.get(name);
    return hit && hit.ino === at.ino && hit.size === at.size && hit.mtimeMs === at.mtimeMs ? hit : undefined;
  }

  /** The line of the job's brief (`name TAB journal TAB brief`) taken at its head's stamp, if there. */
  briefLine(head: IndexedHead): Buffer | undefined {
    return keyed((this.briefs ??= this.section(this.briefsAt)).get(head.name), head);
  }

  /**
   * The line of the job's object (`name TAB journal TAB job`) taken at its head's stamp; undefined
   * when the file was replaced since its heads were read, torn or damaged there.
   */
  objectLine(head: IndexedHead): Buffer | undefined {
    return keyed((this.objects ??= this.section(this.objectsAt)).get(head.name), head);
  }

  private section(at: Place | undefined): Map<string, Buffer> {
    const lines = readSection(this.path, at, this.pinned?.fd);
    // Both sections read: the file is no longer needed.
    if (this.briefs !== undefined || this.objects !== undefined) this.pinned?.close();
    return lines;
  }
}

/**
 * The index file a listing read its heads from, kept open for a while: another process may replace
 * the index meanwhile (a listing writes it anew), and a job deleted since then is in neither the new
 * index nor its own files; through this descriptor its object is still the one at its head's stamp.
 * Closed once both sections are read, or after PIN_MS (a listing's objects are asked for at once,
 * when printed; a later read goes by the path, and a job gone since is an error then).
 */
const PIN_MS = 10_000;

class PinnedFile {
  private timer: NodeJS.Timeout | undefined;
  constructor(public fd: number | undefined) {
    this.timer = setTimeout(() => this.close(), PIN_MS);
    this.timer.unref();
  }
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The line if it begins with the head's name and stamp. */
function keyed(line: Buffer | undefined, head: IndexedHead): Buffer | undefined {
  const key = `${head.name}\t${head.journal}\t`;
  return line && line.length > key.length && line.toString('latin1', 0, key.length) === key
    ? line
    : undefined;
}

/**
 * A section's lines by name, from `pinnedFd` (the file the heads came from) if still open, else from
 * the path; none when that is another file than the one the heads came from.
 */
function readSection(path: string, at: Place | undefined, pinnedFd?: number): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!at) return out;
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    if (pinnedFd !== undefined) bytes = readFully(pinnedFd, at.from, at.length);
    else {
      fd = openSync(path, 'r');
      const st = fstatSync(fd);
      // Another file (a listing has written the index since): its lines are not these heads'.
      if (st.ino !== at.ino || st.size !== at.size) return out;
      bytes = readFully(fd, at.from, at.length);
    }
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
 * A job's head: the JSON array `[name, ino, size, mtimeMs, finished, ttlExpiry, status,
 * completions, duration, runningSince, createdMs]` (the journal state it was taken at, PlainStamp,
 * and its JobRow: finished 1 or 0, undefined and NaN as null), or `[name, ino, size, mtimeMs]`
 * when the index keeps no row for the job (one whose object names another job, or whose TTL expiry
 * is no finite number): its brief then says what a listing shows.
 */
export function headLine(name: string, at: PlainStamp, row: JobRow | undefined): string {
  const stamp = [name, at.ino, at.size, at.mtimeMs];
  if (!row || row.name !== name || (row.ttlExpiry !== undefined && !Number.isFinite(row.ttlExpiry)))
    return JSON.stringify(stamp);
  return JSON.stringify([
    ...stamp,
    row.finished ? 1 : 0,
    row.ttlExpiry ?? null,
    row.status,
    row.completions,
    row.duration,
    row.runningSince ?? null,
    Number.isNaN(row.createdMs) ? null : row.createdMs,
  ]);
}

/** A head line read back (headLine); undefined when it is not one (damaged, torn). */
function parseHead(line: string): IndexedHead | undefined {
  let f: unknown;
  try {
    f = JSON.parse(line);
  } catch {
    return undefined;
  }
  // Fields by index: destructuring an array goes through its iterator, 10,000 times.
  if (
    !Array.isArray(f) ||
    typeof f[0] !== 'string' ||
    typeof f[1] !== 'number' ||
    typeof f[2] !== 'number' ||
    typeof f[3] !== 'number'
  )
    return undefined;
  if (f.length === 4)
    return new IndexedHead(f[0], f[1], f[2], f[3], false, false, undefined, '', '', '', undefined, NaN);
  const finished = f[4];
  const ttlExpiry = f[5];
  const runningSince = f[9];
  const createdMs = f[10];
  if (
    f.length !== 11 ||
    (finished !== 0 && finished !== 1) ||
    (ttlExpiry !== null && typeof ttlExpiry !== 'number') ||
    typeof f[6] !== 'string' ||
    typeof f[7] !== 'string' ||
    typeof f[8] !== 'string' ||
    (runningSince !== null && typeof runningSince !== 'string') ||
    (createdMs !== null && typeof createdMs !== 'number')
  )
    return undefined;
  return new IndexedHead(
    f[0],
    f[1],
    f[2],
    f[3],
    true,
    finished === 1,
    ttlExpiry ?? undefined,
    f[6],
    f[7],
    f[8],
    runningSince ?? undefined,
    createdMs ?? NaN,
  );
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

/** A job's lines of the index: its head, and (made when written: undefined, left out) its brief's and object's. */
export interface IndexEntry {
  head: string;
  brief: () => Buffer | undefined;
  object: () => Buffer | undefined;
}

/** A job's entry of the index, taken at `journal`. */
export function indexEntry(name: string, journal: JournalStamp, job: JobSummary['job']): IndexEntry {
  const key = `${name}\t${stampKey(journal)}\t`;
  return {
    head: headLine(name, plainStamp(journal), jobRow(job)),
    brief: () => Buffer.from(key + JSON.stringify(jobBrief(job)) + '\n'),
    object: () => Buffer.from(key + JSON.stringify(job) + '\n'),
  };
}

/**
 * The entry of an indexed job: its head as it is, its brief's and object's lines as they are when
 * they are there, else from `taken`, the object as of the head's stamp if it can still be read (its
 * summary); a job without them is left out of the index (a miss next time, never another state).
 */
export function indexedEntry(
  index: SummaryIndex,
  head: IndexedHead,
  taken: (name: string, journal: string) => JobSummary['job'] | undefined,
): IndexEntry {
  const key = `${head.name}\t${head.journal}\t`;
  return {
    head: headLine(head.name, head, head.row),
    brief: () => {
      const line = index.briefLine(head);
      if (line) return line;
      const job = taken(head.name, head.journal);
      return job && Buffer.from(key + JSON.stringify(jobBrief(job)) + '\n');
    },
    object: () => {
      const line = index.objectLine(head);
      if (line) return line;
      const job = taken(head.name, head.journal);
      return job && Buffer.from(key + JSON.stringify(job) + '\n');
    },
  };
}

/**
 * The index's heads. None when there is no index, it is unreadable or of another format (an index
 * of an earlier version is a miss for every job, and written anew); a head that is not a row of
 * its job is left out (a miss).
 */
export function readSummaryIndex(root: string): SummaryIndex {
  const path = join(root, SUMMARY_INDEX_FILE);
  let fd: number | undefined;
  let text: string;
  let header: IndexHeader;
  let headerEnd: number;
  let ino: number;
  let size: number;
  let pinned: PinnedFile | undefined;
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
      !Number.isSafeInteger(header.briefs) ||
      !Number.isSafeInteger(header.size) ||
      header.heads < 0 ||
      header.briefs < 0
    )
      return new SummaryIndex(path);
    // The heads alone, in one read (not the briefs and objects after them: most of the file).
    text = readFully(fd, headerEnd, Math.min(header.heads, size - headerEnd)).toString('utf8');
    pinned = new PinnedFile(fd);
  } catch {
    return new SummaryIndex(path); // missing, unreadable or damaged: every job is a miss
  } finally {
    // Kept open for the index's sections only when its heads were read.
    if (fd !== undefined && pinned === undefined) closeSync(fd);
  }
  const briefsFrom = headerEnd + header.heads;
  const objectsFrom = briefsFrom + header.briefs;
  const index = new SummaryIndex(
    path,
    { ino, size, from: briefsFrom, length: header.briefs },
    { ino, size, from: objectsFrom, length: Math.max(0, size - objectsFrom) },
    pinned,
  );
  index.whole = size === header.size;
  let offset = 0;
  for (;;) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break; // a torn last line is left out
    const head = parseHead(text.slice(offset, nl));
    offset = nl + 1;
    if (head) index.heads.set(head.name, head);
  }
  return index;
}

/**
 * A job of the index as a summary: its row, its brief and object read and parsed when asked for.
 * A brief or object that is not there at the head's stamp or does not parse is read from `truth`
 * (the job's own files) instead. A class, so that 10,000 of these allocate no closures.
 */
export class IndexedJob implements JobSummary {
  private parsed: JobSummary['job'] | undefined;
  private briefParsed: JobBrief | undefined;

  constructor(
    private readonly index: SummaryIndex,
    readonly head: IndexedHead,
    private readonly truth: (name: string, journal: string) => JobSummary['job'],
  ) {}

  get row(): JobRow | undefined {
    return this.head.row;
  }

  get brief(): JobBrief {
    if (this.briefParsed) return this.briefParsed;
    const brief = parseLine<JobBrief>(this.index.briefLine(this.head));
    if (brief?.metadata?.name === this.head.name && Array.isArray(brief.spec?.template?.spec?.containers))
      this.briefParsed = brief;
    return (this.briefParsed ??= jobBrief(this.job));
  }

  get job(): JobSummary['job'] {
    if (this.parsed) return this.parsed;
    const job = parseLine<JobSummary['job']>(this.index.objectLine(this.head));
    if (job?.metadata?.name === this.head.name) this.parsed = job;
    return (this.parsed ??= this.truth(this.head.name, this.head.journal));
  }
}

/** The JSON after a line's second tab; undefined when there is no line or it does not parse. */
function parseLine<T>(line: Buffer | undefined): T | undefined {
  if (!line) return undefined;
  try {
    return JSON.parse(line.toString('utf8', line.indexOf(TAB, line.indexOf(TAB) + 1) + 1)) as T;
  } catch {
    return undefined; // damaged: the job's own files say what is true
  }
}

/** Replaces the index with these entries (best effort: a state directory it cannot write is read as before). */
export async function writeSummaryIndex(root: string, entries: readonly IndexEntry[]): Promise<void> {
  sweepTempFiles(root);
  const heads: Buffer[] = [];
  const briefs: Buffer[] = [];
  const objects: Buffer[] = [];
  for (const e of entries) {
    const brief = e.brief();
    const object = brief && e.object();
    if (!object) continue;
    heads.push(Buffer.from(e.head + '\n'));
    briefs.push(brief);
    objects.push(object);
  }
  const length = (list: Buffer[]) => list.reduce((n, b) => n + b.length, 0);
  const headsLength = length(heads);
  const briefsLength = length(briefs);
  const body = headsLength + briefsLength + length(objects);
  // The header's own length is part of the size it states: settle it (a digit more at most).
  const headerOf = (size: number) =>
    JSON.stringify({
      v: INDEX_SCHEMA_VERSION,
      heads: headsLength,
      briefs: briefsLength,
      size,
    } satisfies IndexHeader) + '\n';
  let size = body;
  while (headerOf(size).length + body !== size) size = headerOf(size).length + body;
  const bytes = Buffer.concat([Buffer.from(headerOf(size)), ...heads, ...briefs, ...objects]);
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
