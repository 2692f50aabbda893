// Pod logs in the state directory: one line per log line, `<RFC 3339 time> <O|E> <text>`, readable
// with `less` and cheap to append.

import type { LogChunk, LogRecord } from '../ports/pod-logs.js';
import { prefixLines } from '../output/prefix-lines.js';

export function formatLogLine(line: LogRecord): string {
  return `${line.time} ${line.stream === 'stderr' ? 'E' : 'O'} ${line.text}\n`;
}

/** formatLogLine of each line of a chunk, in one pass over its text. */
export function formatLogChunk(chunk: LogChunk): string {
  return prefixLines(`${chunk.time} ${chunk.stream === 'stderr' ? 'E' : 'O'} `, chunk.text);
}

export function parseLogLine(line: string): LogRecord | undefined {
  const sp1 = line.indexOf(' ');
  if (sp1 < 0 || line.length < sp1 + 3) return undefined;
  const tag = line[sp1 + 1];
  if (tag !== 'O' && tag !== 'E') return undefined;
  return { time: line.slice(0, sp1), stream: tag === 'E' ? 'stderr' : 'stdout', text: line.slice(sp1 + 3) };
}

export function truncationMarker(time: string, capBytes: number): LogRecord {
  return {
    time,
    stream: 'stderr',
    text: `[tjob: log truncated here: this container's log reached the ${Math.round(capBytes / 1048576)} MiB cap]`,
  };
}
