// Swarm has no task events (only services, nodes, secrets, configs and networks emit any), so task
// changes are polled: ONE poller per manager, shared by every pod and job this process supervises,
// at a bounded rate. Each round is two requests whatever the number of pods: the tasks of tjob's
// services (by label) and the nodes (their hostnames and whether they are down).

import type Docker from 'dockerode';

import { TjobLabel, TjobManagedByValue } from '../../api/labels.js';
import { latestTask, type SwarmTask } from './task-status.js';

export interface SwarmNodeInfo {
  hostname: string;
  /** ready, down, unknown, disconnected */
  state: string;
}

export interface TaskWatcher {
  /** The service's latest task (undefined: it has none yet), with the nodes as last seen. */
  onTask(task: SwarmTask | undefined, nodes: Map<string, SwarmNodeInfo>): void;
}

export const DefaultPollIntervalMs = 250;

export class TaskPoller {
  private readonly watchers = new Map<string, TaskWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;
  nodes = new Map<string, SwarmNodeInfo>();

  constructor(
    private readonly docker: Docker,
    private readonly opts: {
      intervalMs?: number;
      debug: (message: string) => void;
      onError?: (err: unknown) => void;
      onOk?: () => void;
    },
  ) {}

  watch(serviceId: string, watcher: TaskWatcher): void {
    this.watchers.set(serviceId, watcher);
    this.schedule();
  }

  unwatch(serviceId: string): void {
    this.watchers.delete(serviceId);
  }

  /** The nodes now (for a pod's node name before the next round). */
  async refreshNodes(): Promise<Map<string, SwarmNodeInfo>> {
    const list = (await this.docker.listNodes()) as {
      ID?: string;
      Description?: { Hostname?: string };
      Status?: { State?: string };
    }[];
    const nodes = new Map<string, SwarmNodeInfo>();
    for (const n of list) {
      if (n.ID)
        nodes.set(n.ID, { hostname: n.Description?.Hostname ?? n.ID, state: n.Status?.State ?? 'unknown' });
    }
    this.nodes = nodes;
    return nodes;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watchers.clear();
  }

  private schedule(): void {
    if (this.timer || this.running || this.closed || this.watchers.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, this.opts.intervalMs ?? DefaultPollIntervalMs);
  }

  private async round(): Promise<void> {
    this.running = true;
    try {
      const [tasks] = await Promise.all([
        this.docker.listTasks({
          filters: { label: [`${TjobLabel.managedBy}=${TjobManagedByValue}`] },
        }) as Promise<SwarmTask[]>,
        this.refreshNodes(),
      ]);
      this.opts.onOk?.();
      const byService = new Map<string, SwarmTask[]>();
      for (const t of tasks) {
        const list = byService.get(t.ServiceID) ?? [];
        list.push(t);
        byService.set(t.ServiceID, list);
      }
      for (const [id, watcher] of [...this.watchers]) {
        try {
          watcher.onTask(latestTask(byService.get(id) ?? []), this.nodes);
        } catch (err) {
          this.opts.debug(`swarm: watching service ${id}: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      this.opts.onError?.(err);
      this.opts.debug(`swarm: polling tasks: ${(err as Error).message}`);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
