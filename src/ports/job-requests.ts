// The mailbox of a job's controller: a process that does not drive a job (`tjob suspend`,
// `tjob delete`...) leaves a request there, and the lease holder applies it.

/**
 * A change asked of a job by a process that does not drive it (`tjob suspend`, `tjob delete`...):
 * the job's controller applies it, since only the lease holder writes the job's record.
 */
export interface JobRequest {
  /** Unique, and ordered by creation. */
  id: string;
  suspend?: boolean;
  delete?: boolean;
  /** Who asked: `tjob suspend (pid 123)`. */
  from: string;
}

export interface JobRequestMailbox {
  /** Leaves a request for the job's controller. */
  requestJobChange(name: string, request: Omit<JobRequest, 'id'>): Promise<JobRequest>;
  /** The pending requests, oldest first (the controller removes each once applied). */
  pendingJobRequests(name: string): Promise<JobRequest[]>;
  /** Removes an applied request. */
  completeJobRequest(name: string, id: string): Promise<void>;
  /** Calls `onChange` when requests may have arrived; returns a stop function. */
  watchJobRequests(name: string, onChange: () => void): () => void;
}
