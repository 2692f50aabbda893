// jobs/<name>/logs/<pod>/<container>/<restartCount>.log: one file per run of a container, in the
// line format of log-format.ts, appended as lines arrive and capped per run. Versions before runs
// were kept apart wrote jobs/<name>/logs/<pod>/<container>.log, which is read as the first run.

import { appendFile, mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogChunk, LogRecord, PodLogs } from '../ports/pod-logs.js';
import { formatLogChunk, formatLogLine, parseLogLine, truncationMarker } from './log-format.js';
import { isMissing, readStateDir, readStateFile, unreadable } from './read-state-file.js';
import type { StateDirectory } from './state-directory.js';

/** Per-container log cap; beyond it a marker line says how much was dropped. */
export const DEFAULT_LOG_CAP_BYTES = 64 * 1024 * 1024;

export class FilePodLogs implements PodLogs {
  /** The size of each log file this process appends to, so an append needs no stat. */
  private readonly logBytes = new Map<string, number>();

  constructor(
    private readonly dir: StateDirectory,
    private readonly logCap = DEFAULT_LOG_CAP_BYTES,
  ) {}

  private runsDir(job: string, pod: string, container: string): string {
    return join(this.dir.jobDir(job), 'logs', pod, container);
  }

  private runLogPath(job: string, pod: string, container: string, restartCount: number): string {
    return join(this.runsDir(job, pod, container), `${restartCount}.log`);
  }

  /** The one file of a container's runs that earlier versions wrote. */
  private singleLogPath(job: string, pod: string, container: string): string {
    return join(this.dir.jobDir(job), 'logs', pod, `${container}.log`);
  }

  appendLogs(
    job: string,
    pod: string,
    container: string,
    lines: LogRecord[],
    restartCount = 0,
  ): Promise<void> {
    const chunks = lines.map((l) => ({ time: l.time, stream: l.stream, text: `${l.text}\n` }));
    return this.appendLogChunks(job, pod, container, chunks, restartCount);
  }

  async appendLogChunks(
    job: string,
    pod: string,
    container: string,
    chunks: LogChunk[],
    restartCount = 0,
  ): Promise<void> {
    if (chunks.length === 0) return;
    const path = this.runLogPath(job, pod, container, restartCount);
    let size = this.logBytes.get(path);
    if (size === undefined) {
      await mkdir(this.runsDir(job, pod, container), { recursive: true, mode: 0o700 });
      size = await stat(path).then(
        (s) => s.size,
        () => 0,
      );
    }
    if (size >= this.logCap) return;
    let text = '';
    let dropped = 0;
    for (const chunk of chunks) {
      if (dropped === 0) {
        const formatted = formatLogChunk(chunk);
        if (size + text.length + formatted.length <= this.logCap) {
          text += formatted;
          continue;
        }
      }
      // At the cap: line by line, each line that still fits is kept.
      for (let start = 0; start < chunk.text.length;) {
        const nl = chunk.text.indexOf('\n', start);
        const formatted = formatLogLine({
          time: chunk.time,
          stream: chunk.stream,
          text: chunk.text.slice(start, nl),
        });
        start = nl + 1;
        if (size + text.length + formatted.length > this.logCap) {
          dropped++;
          continue;
        }
        text += formatted;
      }
    }
    if (dropped > 0) text += formatLogLine(truncationMarker(chunks[chunks.length - 1]!.time, this.logCap));
    await appendFile(path, text, { mode: 0o600 });
    this.logBytes.set(path, dropped > 0 ? this.logCap : size + Buffer.byteLength(text));
  }

  async logRuns(job: string, pod: string, container: string): Promise<number[]> {
    const names = (await readStateDir(this.runsDir(job, pod, container))) ?? [];
    return names
      .map((n) => /^(0|[1-9]\d*)\.log$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  readLogsFrom(
    job: string,
    pod: string,
    container: string,
    run: number | 'before-runs',
    from: number,
  ): Promise<{ lines: LogRecord[]; next: number }> {
    const path =
      run === 'before-runs'
        ? this.singleLogPath(job, pod, container)
        : this.runLogPath(job, pod, container, run);
    return readLogFileFrom(path, from);
  }

  async readLogs(job: string, pod: string, container: string, restartCount?: number): Promise<LogRecord[]> {
    if (restartCount !== undefined) return readLogFile(this.runLogPath(job, pod, container, restartCount));
    const out = await readLogFile(this.singleLogPath(job, pod, container));
    for (const run of await this.logRuns(job, pod, container))
      out.push(...(await readLogFile(this.runLogPath(job, pod, container, run))));
    return out;
  }
}

/**
 * The whole lines of a log file after byte `from`, and the byte after the last of them: a line
 * still being appended waits for the next read. A file shorter than `from` (none there) gives
 * nothing and the same position.
 */
async function readLogFileFrom(path: string, from: number): Promise<{ lines: LogRecord[]; next: number }> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if (isMissing(err)) return { lines: [], next: from };
    throw unreadable(path, err);
  }
  try {
    const size = (await file.stat()).size;
    if (size <= from) return { lines: [], next: from };
    const bytes = Buffer.allocUnsafe(size - from);
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await file.read(bytes, got, bytes.length - got, from + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const end = bytes.lastIndexOf(0x0a, got - 1);
    if (end < 0) return { lines: [], next: from };
    const lines: LogRecord[] = [];
    for (const line of bytes.toString('utf8', 0, end).split('\n')) {
      const parsed = parseLogLine(line);
      if (parsed) lines.push(parsed);
    }
    return { lines, next: from + end + 1 };
  } finally {
    await file.close();
  }
}

/** The lines of one log file; none if it does not exist. */
async function readLogFile(path: string): Promise<LogRecord[]> {
  const text = await readStateFile(path);
  if (text === undefined) return [];
  const out: LogRecord[] = [];
  for (const line of text.split('\n')) {
    const parsed = parseLogLine(line);
    if (parsed) out.push(parsed);
  }
  return out;
}
