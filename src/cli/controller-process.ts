// The detached controller behind `run -d`, `tjob resume` and `cron trigger`: a `tjob controller`
// process that takes the jobs' leases and drives them, logging to the state directory.

import { join } from 'node:path';
import { StateError } from '../api/errors.js';
import type { StateStore } from '../ports/state-store.js';
import type { CliContext, GlobalOptions } from './context.js';
import type { DriveSettings } from './drive-jobs.js';

/** The controller's end of the pipe `spawnDetached` gives it, and what it says there. */
export const READY_FD = 3;
export const READY_LINE = 'taken';
const TAKE_TIMEOUT_MS = 30_000;

/**
 * Starts a controller for the jobs and returns once it has taken them (holds their leases, or
 * follows another process that does). The controller says so on a pipe: watching the leases
 * instead missed a controller that took a job and let it go at once (a suspended job is done
 * within milliseconds), and then waited for ever.
 */
export async function startController(
  ctx: CliContext,
  _global: GlobalOptions,
  stateDir: string,
  _store: StateStore,
  names: string[],
  s: DriveSettings,
): Promise<number> {
  const logFile = join(stateDir, 'controllers.log');
  const args = [
    '--state-dir',
    stateDir,
    'controller',
    '--ready-fd',
    String(READY_FD),
    '--backoff',
    `${s.backoffMs}ms`,
    '--max-backoff',
    `${s.maxBackoffMs}ms`,
    ...(s.keepContainers ? ['--keep-containers'] : []),
    ...(Number.isFinite(s.maxJobs) ? ['--max-jobs', String(s.maxJobs)] : []),
    ...names,
  ];
  const child = await ctx.spawnDetached(args, logFile);
  const timeout = new AbortController();
  const said = await Promise.race([
    child.said,
    ctx.clock.sleep(TAKE_TIMEOUT_MS, timeout.signal).then(() => 'timeout' as const),
  ]);
  timeout.abort();
  const jobs = `job${names.length > 1 ? 's' : ''}`;
  if (said === READY_LINE) return child.pid;
  if (said === 'timeout') {
    throw new StateError(
      `the background controller (pid ${child.pid}) did not take the ${jobs} within ${TAKE_TIMEOUT_MS / 1000} s`,
      `see ${logFile}`,
    );
  }
  throw new StateError(
    `the background controller (pid ${child.pid}) ended before taking the ${jobs}`,
    `see ${logFile}`,
  );
}
