// The detached controller behind `run -d`, `tjob resume` and `cron trigger`: a `tjob controller`
// process that takes the jobs' leases and drives them, logging to the state directory.

import { join } from 'node:path';
import { StateError } from '../api/errors.js';
import type { StateStore } from '../ports/state-store.js';
import type { CliContext, GlobalOptions } from './context.js';

export interface ControllerSettings {
  backoffMs: number;
  maxBackoffMs: number;
  keepContainers: boolean;
  maxJobs: number;
}

/** Starts a controller for the jobs and returns once it holds every job's lease. */
export async function startController(
  ctx: CliContext,
  _global: GlobalOptions,
  stateDir: string,
  store: StateStore,
  names: string[],
  s: ControllerSettings,
): Promise<number> {
  const logFile = join(stateDir, 'controllers.log');
  const args = [
    '--state-dir',
    stateDir,
    'controller',
    '--backoff',
    `${s.backoffMs}ms`,
    '--max-backoff',
    `${s.maxBackoffMs}ms`,
    ...(s.keepContainers ? ['--keep-containers'] : []),
    ...(Number.isFinite(s.maxJobs) ? ['--max-jobs', String(s.maxJobs)] : []),
    ...names,
  ];
  const pid = await ctx.spawnDetached(args, logFile);
  // With --max-jobs the later jobs are leased only when they start; wait for the first ones.
  const first = names.slice(0, Number.isFinite(s.maxJobs) ? s.maxJobs : names.length);
  const deadline = ctx.clock.now().getTime() + 30_000;
  for (;;) {
    const holders = await Promise.all(first.map((n) => store.jobLeaseHolder(n)));
    if (holders.every((h) => h?.pid === pid)) return pid;
    const other = holders.find((h) => h !== undefined && h.pid !== pid);
    if (other) return pid; // another process drives one of them; the controller follows it
    if (ctx.clock.now().getTime() > deadline) {
      throw new StateError(
        `the background controller (pid ${pid}) did not take the job${names.length > 1 ? 's' : ''} within 30 s`,
        `see ${logFile}`,
      );
    }
    await ctx.clock.sleep(50);
  }
}
