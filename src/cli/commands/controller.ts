// `tjob controller JOB...` (internal): the detached process of `run -d` and `tjob resume`. It
// drives stored jobs to their end, writing progress to its log file in the state directory.

import { closeSync, writeSync } from 'node:fs';
import type { RegisterCommand } from '../context.js';
import { openRuntime, openState, stateWatchAt } from '../open-state.js';
import { driveJobs } from '../drive-jobs.js';
import { RunPrinter } from '../run-printer.js';
import { backoffSettings, DEFAULT_MAX_BACKOFF_FLAG } from '../args/backoff.js';
import { READY_LINE } from '../controller-process.js';
import { oneRuntime, recordedRuntime } from '../args/runtime.js';

export const registerController: RegisterCommand = (program, ctx, globals, exitWith) => {
  program
    .command('controller', { hidden: true })
    .description('drive stored jobs to their end (the background process of run -d and resume)')
    .argument('<job...>', 'job names')
    .option('--backoff <duration>')
    .option('--max-backoff <duration>', undefined, DEFAULT_MAX_BACKOFF_FLAG)
    .option('--max-jobs <n>')
    .option('--keep-containers')
    .option('--ready-fd <fd>', 'where to say that the jobs are taken (the pipe of the starting process)')
    .action(
      exitWith(
        async (
          names: string[],
          flags: {
            backoff?: string;
            maxBackoff?: string;
            maxJobs?: string;
            keepContainers?: boolean;
            readyFd?: string;
          },
        ) => {
          const { stateDir, store } = await openState(ctx, globals());
          const backoff = backoffSettings(flags, ctx.env);
          // The jobs' own runtime (they recorded it when created; `run` hands over jobs of one).
          const kinds = await Promise.all(
            names.map(async (name) => ({ name, kind: recordedRuntime(await store.loadJobConfig(name)) })),
          );
          const runtime = await openRuntime(ctx, stateDir, backoff, oneRuntime(kinds, 'docker'));
          const printer = new RunPrinter({
            stdout: ctx.stdout,
            stderr: ctx.stderr,
            colorStdout: false,
            colorStderr: false,
            live: false,
            quiet: false,
            showLogs: false,
            now: () => ctx.clock.now(),
          });
          printer.progress(`controller (pid ${process.pid}) driving ${names.join(', ')}`);
          const maxJobs = flags.maxJobs ? Number(flags.maxJobs) : Infinity;
          // With --max-jobs the later jobs are taken only when they start: the first ones count.
          const toTake = new Set(names.slice(0, Number.isFinite(maxJobs) ? maxJobs : names.length));
          try {
            await runtime.ping();
            const settings = { maxJobs, ...backoff, keepContainers: !!flags.keepContainers };
            const taken = (name: string): void => {
              // Once only: after the close, the descriptor's number may be another file's.
              if (!toTake.delete(name) || toTake.size > 0 || flags.readyFd === undefined) return;
              sayTaken(Number(flags.readyFd));
            };
            return await driveJobs(
              names,
              { store, runtime, ctx, printer, stateWatch: () => stateWatchAt(stateDir) },
              { ...settings, command: 'tjob run -d', taken, leaveWhenSuspended: true },
            );
          } finally {
            await runtime.close();
          }
        },
      ),
    );
};

/** Tells the process that started this one that the jobs are taken (once; it may be gone). */
function sayTaken(fd: number): void {
  try {
    writeSync(fd, `${READY_LINE}\n`);
  } catch {
    // the starting process has left: nobody to tell
  }
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
