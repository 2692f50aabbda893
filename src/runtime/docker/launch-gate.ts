// How many containers one tjob process creates and starts at once. The engine starts a handful of
// containers per second here; sent hundreds of create/start calls at once (a cron slot of
// 500 CronJobs, a job with parallelism 500), it slows for all of them, and the process holds a
// socket and a stream per call. Pods beyond the limit stay Pending (ContainerCreating) until a
// launch ends, as pods wait for a busy kubelet. A pod's own running containers are not counted:
// only the moment from create to start.

export class LaunchGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(readonly limit: number) {}

  /**
   * Resolves with a release function once a launch may proceed, or with undefined when the gate
   * was closed (the runtime is closing: nothing more is launched).
   */
  async enter(): Promise<(() => void) | undefined> {
    if (this.closed) return undefined;
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (this.closed) return undefined;
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }

  /** Launches in progress and waiting (for tests and debug lines). */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }

  /** Lets every waiting launch go with `undefined`; later ones too. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w();
  }
}

/** Enough to keep the engine busy (its create/start is the limit, not the client). */
export const DefaultLaunchLimit = 8;
