// Copies pod log lines into the state directory as they arrive, so logs outlive the containers.
// Lines are batched per run of a container and written by one append at a time, in order.

import type { LogLine } from '../ports/pod-runtime.js';
import type { LogRecord, PodLogs } from '../ports/pod-logs.js';

export class LogRecorder {
  private readonly buffers = new Map<
    string,
    { pod: string; container: string; restartCount: number; lines: LogRecord[] }
  >();
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: Error | undefined;

  constructor(
    private readonly store: PodLogs,
    private readonly job: string,
  ) {}

  add(line: LogLine): void {
    const key = `${line.pod}\0${line.container}\0${line.restartCount}`;
    let buf = this.buffers.get(key);
    if (!buf) {
      buf = { pod: line.pod, container: line.container, restartCount: line.restartCount, lines: [] };
      this.buffers.set(key, buf);
    }
    buf.lines.push({ time: line.time, stream: line.stream, text: line.text });
    if (!this.scheduled) {
      this.scheduled = true;
      // Batch everything that arrives in the same tick into one append per run of a container.
      queueMicrotask(() => void this.flush());
    }
  }

  /** Resolves when every line received so far is on disk. */
  flush(): Promise<void> {
    this.scheduled = false;
    const batches = [...this.buffers.values()].filter((b) => b.lines.length > 0);
    this.buffers.clear();
    if (batches.length > 0) {
      this.writing = this.writing.then(async () => {
        for (const b of batches) {
          try {
            await this.store.appendLogs(this.job, b.pod, b.container, b.lines, b.restartCount);
          } catch (err) {
            this.failure ??= err as Error;
          }
        }
      });
    }
    return this.writing;
  }

  /** The first write error, if any (a full disk must not stop the job, but must be said). */
  takeFailure(): Error | undefined {
    const f = this.failure;
    this.failure = undefined;
    return f;
  }
}
