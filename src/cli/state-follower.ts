// How the followers (`wait`, `logs -f`, `get -w`, a `run` that follows another process) wake: when
// the state directory's watch reports a change of what they follow (inotify, through
// src/state/state-watch.ts), or else on a slow poll. The watch makes them react within
// milliseconds; the poll is only the safety net for changes a watch misses (network file
// systems, a directory replaced), so it can be slow.

import { Wakeup } from '../engine/wakeup.js';
import type { Clock } from '../ports/clock.js';
import type { StateWatch } from '../ports/state-watch.js';

/** How long a follower sleeps when no change is reported: it then reads the state directory anyway. */
export const FOLLOW_SAFETY_POLL_MS = 1000;

/** The longest pause between two passes of a follower woken by changes in quick succession. */
const PACE_MAX_MS = 100;

export class StateFollower {
  private readonly wakeup: Wakeup;
  private readonly watched = new Map<string, () => void>();
  /** When the last `next()` returned: the caller's pass (its reads) began then. */
  private passStart: number | undefined;
  /** A change was reported since the last `next()` returned. */
  private changed = false;
  private readonly notify = () => {
    this.changed = true;
    this.wakeup.notify();
  };

  /** Follows through `watch`, which it closes when closed. */
  constructor(
    private readonly watch: StateWatch,
    private readonly clock: Clock,
  ) {
    this.wakeup = new Wakeup(clock);
  }

  /** Wakes on changes of the job's record, and when it appears or goes. */
  job(name: string): void {
    this.add(`job/${name}`, () => this.watch.watchJob(name, this.notify));
  }

  /** Stops waking on changes of that job. */
  forgetJob(name: string): void {
    const key = `job/${name}`;
    this.watched.get(key)?.();
    this.watched.delete(key);
  }

  /** Wakes when a log of the container grows. */
  logs(job: string, pod: string, container: string): void {
    this.add(`logs/${job}/${pod}/${container}`, () => this.watch.watchLogs(job, pod, container, this.notify));
  }

  /** Wakes on every change of the state directory. */
  everything(): void {
    this.add('*', () => this.watch.watch(this.notify));
  }

  /**
   * Resolves when something followed changed (also if it changed since the last call): `change`;
   * after the safety-net poll's interval (or `withinMs`, if sooner), or when the signal aborts:
   * `poll`.
   */
  async next(signal?: AbortSignal, withinMs = FOLLOW_SAFETY_POLL_MS): Promise<'change' | 'poll'> {
    const passEnd = this.clock.now().getTime();
    const passMs = this.passStart === undefined ? 0 : passEnd - this.passStart;
    await this.wakeup.wait(Math.min(withinMs, FOLLOW_SAFETY_POLL_MS), signal);
    // Changes that come faster than a pass reads them (a log streaming into a large file) are
    // taken a pass's time apart (up to PACE_MAX_MS): a busy follower leaves the writer CPU.
    const rest = Math.min(passMs, withinMs, PACE_MAX_MS) - (this.clock.now().getTime() - passEnd);
    if (rest > 0 && !signal?.aborted) await this.clock.sleep(rest, signal);
    this.passStart = this.clock.now().getTime();
    const woken = this.changed ? 'change' : 'poll';
    this.changed = false;
    return woken;
  }

  close(): void {
    for (const stop of this.watched.values()) stop();
    this.watched.clear();
    this.watch.close();
  }

  private add(key: string, start: () => () => void): void {
    if (!this.watched.has(key)) this.watched.set(key, start());
  }
}
