// The logs of a job's pods, one log per run of a container, kept after the containers are gone.

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Consecutive lines of one stream that share a time, as they arrived together. */
export interface LogChunk {
  time: string;
  stream: 'stdout' | 'stderr';
  /** One or more lines, each ended by "\n". */
  text: string;
}

export interface PodLogs {
  /** Appends lines one run of a container wrote (`restartCount`: which run; 0, the first). */
  appendLogs(
    job: string,
    pod: string,
    container: string,
    lines: LogRecord[],
    restartCount?: number,
  ): Promise<void>;
  /** appendLogs for lines that came in chunks: stored line by line, the same as appendLogs. */
  appendLogChunks(
    job: string,
    pod: string,
    container: string,
    chunks: LogChunk[],
    restartCount?: number,
  ): Promise<void>;
  /** The lines of one run of a container, or (without `restartCount`) of all its runs in order. */
  readLogs(job: string, pod: string, container: string, restartCount?: number): Promise<LogRecord[]>;
  /**
   * What a follower reads on each change: the whole lines of one log after `from` (a position
   * this call returned before, 0 at first) and the position after them. `run` is a run's
   * restartCount, or `before-runs` for the one log recorded before runs were kept apart.
   */
  readLogsFrom(
    job: string,
    pod: string,
    container: string,
    run: number | 'before-runs',
    from: number,
  ): Promise<{ lines: LogRecord[]; next: number }>;
  /**
   * The runs of a container that have a log of their own, ascending. Empty for a log recorded
   * before runs were kept apart: readLogs without `restartCount` gives it as one run.
   */
  logRuns(job: string, pod: string, container: string): Promise<number[]>;
}
