// The engine's newline-delimited JSON streams (events, pull progress) arrive in chunks that split
// lines anywhere: this joins them back into lines.

/**
 * Calls `handle` with each complete, non-empty line (trimmed) of the stream as it arrives;
 * `rest()` is what follows the last newline so far (a last line the stream did not end).
 */
export function onLines(stream: NodeJS.ReadableStream, handle: (line: string) => void): { rest(): string } {
  let buf = '';
  stream.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') handle(line);
    }
  });
  return { rest: () => buf };
}
