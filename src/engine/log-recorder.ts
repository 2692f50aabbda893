// Copies pod log lines into the state directory as they arrive, so logs outlive the containers.
// Lines are batched per run of a container and written by one append at a time, in order: what
// arrives while an append is under way goes into the next one, so a chatty container costs a few
// large appends, not one per chunk read from the engine.

import type { LogLines } from '../ports/pod-runtime.js';
import type { LogChunk, PodLogs } from '../ports/pod-logs.js';

interface RunBuffer {
  pod: string;
  container: string;
  restartCount: number;
  chunks: LogChunk[];
}

export class LogRecorder {
  private buffers = new Map<string, RunBuffer>();
  /** Settles when the append under way (and all before it) is done. */
  private writing: Promise<void> = Promise.resolve();
  private busy = false;
  private scheduled = false;
  private failure: Error | undefined;

  constructor(
    private readonly store: PodLogs,
    private readonly job: string,
  ) {}

  add(lines: LogLines): void {
    const key = `${lines.pod}\0${lines.container}\0${lines.restartCount}`;
    let buf = this.buffers.get(key);
    if (!buf) {
      buf = { pod: lines.pod, container: lines.container, restartCount: lines.restartCount, chunks: [] };
      this.buffers.set(key, buf);
    }
    buf.chunks.push({ time: lines.time, stream: lines.stream, text: lines.text });
    if (!this.scheduled && !this.busy) {
      this.scheduled = true;
      // Batch everything that arrives in the same tick into one append per run of a container.
      queueMicrotask(() => void this.flush());
    }
  }

  /** Resolves when every line received so far is on disk. */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.buffers.size > 0 && !this.busy) this.writing = this.writeAll();
    if (!this.busy) return this.writing;
    // An append is under way: what arrived since is written right after it.
    return this.writing.then(() => this.flush());
  }

  private async writeAll(): Promise<void> {
    this.busy = true;
    try {
      while (this.buffers.size > 0) {
        const batches = [...this.buffers.values()];
        this.buffers = new Map();
        for (const b of batches) {
          try {
            await this.store.appendLogChunks(this.job, b.pod, b.container, b.chunks, b.restartCount);
          } catch (err) {
            this.failure ??= err as Error;
          }
        }
      }
    } finally {
      this.busy = false;
    }
  }

  /** The first write error, if any (a full disk must not stop the job, but must be said). */
  takeFailure(): Error | undefined {
    const f = this.failure;
    this.failure = undefined;
    return f;
  }
}
