// Following a container's output. The engine multiplexes stdout and stderr into frames (an 8-byte
// header: stream type, three zero bytes, big-endian payload length) unless the container has a TTY,
// in which case the stream is raw. With `timestamps: true` every log message starts with an
// RFC 3339 nano timestamp and a space. Messages are not lines: the engine splits long lines into
// 16 KiB messages and a final line may lack its newline, so each stream keeps its partial line until
// a newline or the end of the stream.

import type Docker from 'dockerode';

export type StdStream = 'stdout' | 'stderr';

export interface RawLines {
  stream: StdStream;
  /** Timestamp of the first line's first message, as the engine stamped it (or the arrival time). */
  time: string;
  /**
   * One or more complete lines, each ended by "\n" (a line's own "\r\n" end is "\n"). Lines that
   * arrive in one message come together: a container's write of many lines is one object and one
   * string, not one per line, which is what made streaming a chatty container's log costly.
   */
  text: string;
}

/** The number of lines in a RawLines text (each is ended by "\n"). */
export function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** "\r\n" line ends as "\n": a line's text never keeps the carriage return of its end. */
function withoutCR(text: string): string {
  return text.includes('\r\n') ? text.replaceAll('\r\n', '\n') : text;
}

/**
 * Splits timestamped log messages into lines, one pending partial line per stream. The complete
 * lines of a message are emitted together, with the message's time; a line that spans messages is
 * emitted alone, with the time of its first message.
 */
export class LineSplitter {
  private readonly pending = new Map<StdStream, { time: string; parts: Buffer[] }>();

  constructor(private readonly emit: (lines: RawLines) => void) {}

  /**
   * One log message (the payload of a frame, or a line of a TTY stream). Without `receivedAt` the
   * message starts with the engine's timestamp; with it (attached output) it is raw.
   */
  message(stream: StdStream, payload: Buffer, receivedAt?: string): void {
    let time = receivedAt ?? '';
    let body = payload;
    const space = receivedAt === undefined ? payload.indexOf(0x20) : -1;
    // "2024-05-01T10:00:00.123456789Z " — be lenient: a timestamp has no space and starts with a digit.
    if (space > 0 && space <= 40 && payload[0]! >= 0x30 && payload[0]! <= 0x39) {
      time = payload.subarray(0, space).toString('latin1');
      body = payload.subarray(space + 1);
    }
    const first = body.indexOf(0x0a);
    if (first < 0) {
      if (body.length > 0) this.append(stream, time, body);
      return;
    }
    let start = 0;
    if (this.pending.has(stream)) {
      // The end of a line begun in an earlier message.
      this.append(stream, time, body.subarray(0, first));
      this.flush(stream);
      start = first + 1;
    }
    const last = body.lastIndexOf(0x0a);
    if (last >= start) this.emit({ stream, time, text: withoutCR(body.toString('utf8', start, last + 1)) });
    if (last + 1 < body.length) this.append(stream, time, body.subarray(last + 1));
  }

  /** The stream ended: emit what is left of each partial line. */
  end(): void {
    this.flush('stdout');
    this.flush('stderr');
  }

  private append(stream: StdStream, time: string, chunk: Buffer): void {
    const p = this.pending.get(stream);
    if (p) p.parts.push(chunk);
    else this.pending.set(stream, { time, parts: [chunk] });
  }

  private flush(stream: StdStream): void {
    const p = this.pending.get(stream);
    if (!p) return;
    this.pending.delete(stream);
    let text = Buffer.concat(p.parts).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.emit({ stream, time: p.time, text: `${text}\n` });
  }
}

/** Parses the engine's multiplexed frames (the faster equivalent of modem.demuxStream). */
export class FrameDemuxer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: StdStream, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let off = 0;
    while (this.buf.length - off >= 8) {
      const type = this.buf[off]!;
      const size = this.buf.readUInt32BE(off + 4);
      if (this.buf.length - off - 8 < size) break;
      const payload = this.buf.subarray(off + 8, off + 8 + size);
      // 0 = stdin (never sent for logs), 1 = stdout, 2 = stderr.
      this.onFrame(type === 2 ? 'stderr' : 'stdout', payload);
      off += 8 + size;
    }
    this.buf = off === 0 ? this.buf : this.buf.subarray(off);
  }
}

/** Splits a raw (TTY) stream into messages: one per line, each starting with its timestamp. */
class RawSplitter {
  private rest: Buffer = Buffer.alloc(0);
  constructor(private readonly onMessage: (payload: Buffer) => void) {}
  push(chunk: Buffer): void {
    let data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    let nl: number;
    while ((nl = data.indexOf(0x0a)) >= 0) {
      this.onMessage(data.subarray(0, nl + 1));
      data = data.subarray(nl + 1);
    }
    this.rest = data;
  }
  end(): void {
    if (this.rest.length > 0) this.onMessage(this.rest);
    this.rest = Buffer.alloc(0);
  }
}

export interface LogFollower {
  /** Resolves when the stream has ended and every line was delivered (never rejects). */
  done: Promise<void>;
  /** Stops following (close()). */
  stop(): void;
}

export interface FollowOptions {
  tty: boolean;
  /** RFC 3339 nano time: deliver only lines stamped after it (resuming after the engine came back). */
  after?: string;
}

/** Seconds since the epoch with nanoseconds, as the engine's `since` parameter accepts it. */
export function rfc3339ToUnixNano(time: string): string | undefined {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return undefined;
  const secs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(secs)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  return `${Math.floor(secs / 1000)}.${frac}`;
}

/** Compares two RFC 3339 nano UTC times (both as the engine writes them: `...Z`). */
export function timeAfter(a: string, b: string): boolean {
  const na = rfc3339ToUnixNano(a);
  const nb = rfc3339ToUnixNano(b);
  if (na === undefined || nb === undefined) return true;
  const [as, af] = na.split('.') as [string, string];
  const [bs, bf] = nb.split('.') as [string, string];
  return Number(as) !== Number(bs) ? Number(as) > Number(bs) : af > bf;
}

/**
 * Follows a container's logs from its start (or after `after`) until the container stops, calling
 * `onLines` with the complete lines as they come. Errors end the stream quietly: logs are best effort, the
 * container's status is not.
 */
export function followLogs(
  container: Docker.Container,
  opts: FollowOptions,
  onLines: (lines: RawLines) => void,
  onError?: (err: unknown) => void,
): LogFollower {
  let stream: NodeJS.ReadableStream | undefined;
  let stopped = false;
  // The lines of one message share its time, so they are all after `after` or none is.
  const deliver = (lines: RawLines): void => {
    if (opts.after !== undefined && lines.time !== '' && !timeAfter(lines.time, opts.after)) return;
    onLines(lines);
  };
  const splitter = new LineSplitter(deliver);
  const done = (async () => {
    try {
      const since = opts.after !== undefined ? rfc3339ToUnixNano(opts.after) : undefined;
      const s = (await container.logs({
        follow: true,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(since !== undefined ? { since: since as unknown as number } : {}),
      })) as unknown as NodeJS.ReadableStream;
      stream = s;
      if (stopped) {
        destroy(s);
        return;
      }
      const raw = new RawSplitter((payload) => splitter.message('stdout', payload));
      const demux = new FrameDemuxer((type, payload) => splitter.message(type, payload));
      await new Promise<void>((resolve) => {
        s.on('data', (chunk: Buffer) => (opts.tty ? raw.push(chunk) : demux.push(chunk)));
        s.on('end', () => resolve());
        s.on('close', () => resolve());
        s.on('error', (err) => {
          if (!stopped) onError?.(err);
          resolve();
        });
      });
      raw.end();
    } catch (err) {
      if (!stopped) onError?.(err);
    }
    splitter.end();
  })();
  return {
    done,
    stop: () => {
      stopped = true;
      if (stream) destroy(stream);
    },
  };
}

/** RFC 3339 with nanoseconds from the local clock, strictly increasing within one process. */
let lastStamp = 0n;
export function localStamp(): string {
  let ns = BigInt(Date.now()) * 1_000_000n;
  if (ns <= lastStamp) ns = lastStamp + 1n;
  lastStamp = ns;
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/**
 * Attaches to a container's output BEFORE it starts (resolves once attached), so its lines arrive
 * as they are written and the stream ends when the container's stdio closes, before the engine's
 * die event. (A logs request made while the container exits waits for the engine's clean-up of it,
 * 50-100 ms.) Lines are stamped with the local clock on arrival.
 */
export async function attachLogs(
  container: Docker.Container,
  opts: { tty: boolean },
  onLines: (lines: RawLines) => void,
  onError?: (err: unknown) => void,
): Promise<LogFollower> {
  const s = (await container.attach({
    stream: true,
    stdout: true,
    stderr: true,
    logs: false,
  })) as unknown as NodeJS.ReadableStream;
  let stopped = false;
  const splitter = new LineSplitter(onLines);
  const done = new Promise<void>((resolve) => {
    const demux = new FrameDemuxer((type, payload) => splitter.message(type, payload, localStamp()));
    s.on('data', (chunk: Buffer) => {
      if (opts.tty) splitter.message('stdout', chunk, localStamp());
      else demux.push(chunk);
    });
    const end = (): void => {
      splitter.end();
      resolve();
    };
    s.on('end', end);
    s.on('close', end);
    s.on('error', (err) => {
      if (!stopped) onError?.(err);
      end();
    });
  });
  return {
    done,
    stop: () => {
      stopped = true;
      destroy(s);
    },
  };
}

function destroy(s: NodeJS.ReadableStream): void {
  const d = s as NodeJS.ReadableStream & { destroy?: () => void };
  d.destroy?.();
}
