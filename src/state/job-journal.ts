// A job's record in the state directory is an append-only journal of JSON lines: the first line
// holds the whole job (a snapshot), every later line one atomic change (status, pod records,
// events). Recording a change costs one appended line, whatever the number of pods; the journal
// is folded back into a snapshot when it has grown well past the size of the state it describes.
// A line torn by a crash in mid-write is the last one and is dropped: the change it carried was
// never acknowledged, and the controller redoes it from what it observes.

import type { PodRecord } from '../api/pod.js';
import type { JobChange, StoredEvent, StoredJob } from '../ports/job-records.js';

export const JOURNAL_SCHEMA_VERSION = 1;
/** Events kept per job (Kubernetes keeps them an hour; a local tool keeps the latest). */
const MAX_EVENTS = 500;

export type JournalLine = { v: number; snapshot: StoredJob } | { v: number; change: JobChange; at?: string };

export interface FoldedJournal {
  state: StoredJob;
  /** Lines read, the snapshot included. */
  lines: number;
  /** Byte length of the valid prefix (a torn last line is not part of it). */
  validBytes: number;
}

export class JournalDamagedError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

export function parseJournal(text: string): FoldedJournal {
  let state: StoredJob | undefined;
  let lines = 0;
  let offset = 0;
  let validBytes = 0;
  const podIndex = new Map<string, number>();
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    const complete = nl >= 0;
    const raw = text.slice(offset, complete ? nl : text.length);
    const lineNo = lines + 1;
    offset = complete ? nl + 1 : text.length;
    if (raw.trim() === '') {
      if (complete) validBytes = offset;
      continue;
    }
    let entry: JournalLine;
    try {
      entry = JSON.parse(raw) as JournalLine;
    } catch {
      // Only the very last line may be torn, by a crash during its append.
      if (!complete || text.slice(offset).trim() === '') break;
      throw new JournalDamagedError(lineNo, 'not valid JSON');
    }
    if (!complete) break; // a line without its newline was not acknowledged
    if (typeof entry !== 'object' || entry === null || typeof entry.v !== 'number') {
      throw new JournalDamagedError(lineNo, 'not a journal entry');
    }
    if (entry.v > JOURNAL_SCHEMA_VERSION) {
      throw new JournalDamagedError(lineNo, `written by a newer tjob (schema ${entry.v})`);
    }
    if ('snapshot' in entry) {
      state = entry.snapshot; // freshly parsed: nothing else holds it
      podIndex.clear();
      state.pods.forEach((p, i) => podIndex.set(p.name, i));
    } else if ('change' in entry) {
      if (!state) throw new JournalDamagedError(lineNo, 'a change before the job was recorded');
      applyChange(state, entry.change, podIndex);
    } else {
      throw new JournalDamagedError(lineNo, 'not a journal entry');
    }
    lines++;
    validBytes = offset;
  }
  if (!state) throw new JournalDamagedError(1, 'the job record is missing');
  return { state, lines, validBytes };
}

/** Folds one change into the state, in place. `podIndex` maps pod names to their position. */
export function applyChange(state: StoredJob, change: JobChange, podIndex: Map<string, number>): void {
  if (change.spec) state.job.spec = change.spec;
  if (change.status) state.job.status = change.status;
  if (change.backoff) state.backoff = change.backoff;
  for (const pod of change.pods ?? []) upsertPod(state.pods, pod, podIndex);
  if (change.events?.length) state.events = mergeEvents(state.events, change.events);
}

function upsertPod(pods: PodRecord[], pod: PodRecord, podIndex: Map<string, number>): void {
  const at = podIndex.get(pod.name);
  if (at === undefined) {
    podIndex.set(pod.name, pods.length);
    pods.push(pod);
  } else {
    pods[at] = pod;
  }
}

/** Repeated events are counted, as Kubernetes' event recorder aggregates them. */
export function mergeEvents(existing: StoredEvent[], added: StoredEvent[]): StoredEvent[] {
  const out = existing.slice();
  for (const e of added) {
    const last = out[out.length - 1];
    if (
      last &&
      last.reason === e.reason &&
      last.message === e.message &&
      last.involvedObject === e.involvedObject &&
      last.type === e.type
    ) {
      out[out.length - 1] = { ...last, count: last.count + e.count, lastTimestamp: e.lastTimestamp };
    } else {
      out.push(e);
    }
  }
  return out.length > MAX_EVENTS ? out.slice(out.length - MAX_EVENTS) : out;
}

export function snapshotLine(state: StoredJob): string {
  return JSON.stringify({ v: JOURNAL_SCHEMA_VERSION, snapshot: state }) + '\n';
}

export function changeLine(change: JobChange): string {
  return JSON.stringify({ v: JOURNAL_SCHEMA_VERSION, change }) + '\n';
}
