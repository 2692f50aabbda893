// The runtimes of the jobs a command removes (`delete`, the TTL sweep, a Replace): each job's pods
// are removed through the runtime it recorded (src/cli/args/runtime.ts), each runtime opened once.

import type { JobConfigs } from '../ports/job-config.js';
import type { PodRuntime, RuntimeKind } from '../ports/pod-runtime.js';
import { recordedRuntime } from './args/runtime.js';
import type { CliContext } from './context.js';
import { openRuntime } from './open-state.js';

export class RecordedRuntimes {
  private readonly opened = new Map<RuntimeKind, Promise<PodRuntime>>();
  /** Every runtime made, answering or not. */
  private readonly toClose: PodRuntime[] = [];

  constructor(
    private readonly ctx: CliContext,
    private readonly stateDir: string,
    private readonly store: JobConfigs,
  ) {}

  /** The runtime the job recorded, opened and answering (RuntimeUnavailableError when not). */
  async forJob(name: string): Promise<PodRuntime> {
    return this.of(recordedRuntime(await this.store.loadJobConfig(name)));
  }

  /** The runtime of `kind`; removing and stopping start nothing, so the default backoff serves. */
  of(kind: RuntimeKind): Promise<PodRuntime> {
    let runtime = this.opened.get(kind);
    if (!runtime) {
      runtime = (async () => {
        const r = await openRuntime(this.ctx, this.stateDir, undefined, kind);
        this.toClose.push(r);
        await r.ping();
        return r;
      })();
      this.opened.set(kind, runtime);
    }
    return runtime;
  }

  async close(): Promise<void> {
    for (const runtime of this.toClose.splice(0)) await runtime.close();
    this.opened.clear();
  }
}
