// The engine's event stream: ONE `GET /events` shared by every supervised pod, filtered to tjob's
// containers, demultiplexed by container id. Exits are seen the moment the engine reports them
// (no polling). When the stream breaks (engine restarting), the hub reports the engine down, pings
// with backoff until it answers, reports it back, lets the owner reconcile, and resubscribes with
// `since` = the last event seen, so nothing in between is missed (duplicates are possible: handlers
// are idempotent).

import type Docker from 'dockerode';

import { TjobLabel, TjobManagedByValue } from '../../api/labels.js';
import { onLines } from './stream-lines.js';

export interface ContainerEvent {
  /** start | die | oom | destroy */
  action: string;
  id: string;
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch, as the engine stamps it. */
  timeNano: bigint;
}

export type ContainerEventHandler = (event: ContainerEvent) => void;

export interface EventHubCallbacks {
  onDown(message: string): void;
  /** The engine answers again; the hub resubscribes once this resolves. */
  onUp(): Promise<void>;
  debug?(message: string): void;
}

/**
 * The container events a supervisor acts on, as Docker names them, and the names Podman's
 * Docker-compatible API filters the same events by: it matches `event` filters against its own
 * event names (`died`, `remove`; libpod/events/config.go) while it reports them with Docker's
 * (`die`) or its own (`remove`). Docker ignores the names it never emits.
 */
export const EventFilters = {
  type: ['container'],
  label: [`${TjobLabel.managedBy}=${TjobManagedByValue}`],
  event: ['start', 'die', 'oom', 'destroy', 'died', 'remove'],
};

/** An event's action under Docker's name (Podman reports a removed container as `remove`). */
export function dockerAction(action: string | undefined): string | undefined {
  if (action === 'remove') return 'destroy';
  if (action === 'died') return 'die';
  return action;
}

interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number | string;
}

export class EventHub {
  private readonly handlers = new Map<string, ContainerEventHandler>();
  private stream: NodeJS.ReadableStream | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private down = false;
  private lastNano: bigint | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryWake: (() => void) | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly callbacks: EventHubCallbacks,
  ) {}

  /** Subscribes (once); resolves when the engine has accepted the subscription. */
  ensure(): Promise<void> {
    // While the engine is down, the recovery loop resubscribes (and reconciles) by itself.
    if (this.closed || this.down) return Promise.resolve();
    if (this.stream) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  on(containerId: string, handler: ContainerEventHandler): void {
    this.handlers.set(containerId, handler);
  }

  off(containerId: string): void {
    this.handlers.delete(containerId);
  }

  get isDown(): boolean {
    return this.down;
  }

  close(): void {
    this.closed = true;
    this.handlers.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryWake?.();
    const s = this.stream;
    this.stream = undefined;
    if (s) (s as NodeJS.ReadableStream & { destroy(): void }).destroy();
  }

  private async connect(): Promise<void> {
    const opts: { filters: string; since?: string } = { filters: JSON.stringify(EventFilters) };
    if (this.lastNano !== undefined) {
      const secs = this.lastNano / 1_000_000_000n;
      const frac = (this.lastNano % 1_000_000_000n).toString().padStart(9, '0');
      opts.since = `${secs}.${frac}`;
    }
    const stream = (await this.docker.getEvents(opts as never)) as unknown as NodeJS.ReadableStream;
    if (this.closed) {
      (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      return;
    }
    this.stream = stream;
    onLines(stream, (line) => this.dispatch(line));
    let ended = false;
    const onEnd = (why: string): void => {
      if (ended) return;
      ended = true;
      if (this.stream === stream) this.stream = undefined;
      if (!this.closed) void this.recover(why);
    };
    stream.on('end', () => onEnd('the event stream ended'));
    stream.on('close', () => onEnd('the event stream closed'));
    stream.on('error', (err: Error) => onEnd(`the event stream failed: ${err.message}`));
  }

  private dispatch(line: string): void {
    let raw: RawEvent;
    try {
      raw = JSON.parse(line) as RawEvent;
    } catch {
      return;
    }
    const id = raw.Actor?.ID ?? raw.id;
    const action = dockerAction(raw.Action ?? raw.status);
    if (!id || !action) return;
    let nano: bigint;
    try {
      nano = raw.timeNano !== undefined ? BigInt(raw.timeNano) : BigInt(raw.time ?? 0) * 1_000_000_000n;
    } catch {
      nano = 0n;
    }
    if (this.lastNano === undefined || nano > this.lastNano) this.lastNano = nano;
    const handler = this.handlers.get(id);
    if (!handler) return;
    try {
      handler({ action, id, attributes: raw.Actor?.Attributes ?? {}, timeNano: nano });
    } catch (err) {
      this.callbacks.debug?.(`event handler for ${id.slice(0, 12)} threw: ${String(err)}`);
    }
  }

  private async recover(why: string): Promise<void> {
    if (this.closed || this.down) return;
    this.down = true;
    this.callbacks.onDown(`lost the Docker engine: ${why}`);
    let delay = 250;
    while (!this.closed) {
      try {
        await this.docker.ping();
        // Resubscribe before reconciling (with `since`), so exits during the reconciliation are seen.
        await this.connect();
        break;
      } catch (err) {
        this.callbacks.debug?.(`engine still down: ${String(err)}`);
        await new Promise<void>((resolve) => {
          this.retryWake = resolve;
          this.retryTimer = setTimeout(resolve, delay);
        });
        this.retryTimer = undefined;
        this.retryWake = undefined;
        delay = Math.min(delay * 2, 5000);
      }
    }
    if (this.closed) return;
    this.down = false;
    try {
      await this.callbacks.onUp();
    } catch (err) {
      this.callbacks.debug?.(`reconciling after the engine came back failed: ${String(err)}`);
    }
    if (!this.stream && !this.closed) void this.recover('the event stream ended again');
  }
}
