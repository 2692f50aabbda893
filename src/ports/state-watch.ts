// The port a live view needs: to be told, promptly and without polling, that the state directory
// changed (a job's record or a CronJob's spec, status or events), and that a container's log grew.

export interface StateChange {
  kind: 'job' | 'cronjob';
  /** The object that changed; undefined when objects appeared or went (a listing changed). */
  name?: string;
}

export interface StateWatch {
  /** Calls `onChange` after changes (possibly several per change); returns a stop function. */
  watch(onChange: (change: StateChange) => void): () => void;
  /** Calls `onChange` when a log of the container may have grown; returns a stop function. */
  watchLogs(job: string, pod: string, container: string, onChange: () => void): () => void;
  close(): void;
}
