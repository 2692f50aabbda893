// The port a live view (`tjob ui`) and the followers (`wait`, `logs -f`, `get -w`, a `run` that
// follows another process) need: to be told, promptly and without polling, that the state directory
// changed (a job's record or a CronJob's spec, status or events), and that a container's log grew.
// A watch can miss changes (network file systems), so a follower still reads again now and then.

export interface StateChange {
  kind: 'job' | 'cronjob';
  /** The object that changed; undefined when objects appeared or went (a listing changed). */
  name?: string;
}

export interface StateWatch {
  /** Calls `onChange` after changes (possibly several per change); returns a stop function. */
  watch(onChange: (change: StateChange) => void): () => void;
  /**
   * Calls `onChange` when the record of one job may have changed, or the job appeared or went
   * (also for a job that does not exist yet); returns a stop function.
   */
  watchJob(name: string, onChange: () => void): () => void;
  /**
   * Calls `onChange` when a log of the container may have grown (also once its log directory
   * appears, if it did not exist yet); returns a stop function.
   */
  watchLogs(job: string, pod: string, container: string, onChange: () => void): () => void;
  close(): void;
}
