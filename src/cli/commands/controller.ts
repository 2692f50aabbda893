// `tjob controller JOB...` (internal): the detached process of `run -d` and `tjob resume`. It
// drives stored jobs to their end, writing progress to its log file in the state directory.

import { join } from 'node:path';
import type { Command } from 'commander';
import { FileStore } from '../../state/file-store.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { stateDirOf } from '../context.js';
import type { CommandResult } from '../program.js';
import { driveJobs } from '../drive-jobs.js';
import { RunPrinter } from '../run-printer.js';
import { backoffSettings } from './run.js';

export function registerController(
  program: Command,
  ctx: CliContext,
  globals: () => GlobalOptions,
  result: CommandResult,
): void {
  program
    .command('controller', { hidden: true })
    .description('drive stored jobs to their end (the background process of run -d and resume)')
    .argument('<job...>', 'job names')
    .option('--backoff <duration>')
    .option('--max-backoff <duration>', undefined, '6m')
    .option('--max-jobs <n>')
    .option('--keep-containers')
    .action(
      async (
        names: string[],
        flags: { backoff?: string; maxBackoff?: string; maxJobs?: string; keepContainers?: boolean },
      ) => {
        const stateDir = stateDirOf(globals(), ctx.env);
        const store = new FileStore(stateDir);
        await store.init();
        const backoff = backoffSettings(flags, ctx.env);
        const runtime = await ctx.createRuntime({
          workDir: join(stateDir, 'volumes'),
          restartBackoffBaseMs: backoff.backoffMs,
          restartBackoffCapMs: Math.min(backoff.maxBackoffMs, 5 * 60_000),
        });
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
        try {
          await runtime.ping();
          result.code = await driveJobs({
            store,
            runtime,
            ctx,
            printer,
            names,
            maxJobs: flags.maxJobs ? Number(flags.maxJobs) : Infinity,
            ...backoff,
            keepContainers: !!flags.keepContainers,
            command: 'tjob run -d',
            leaveWhenSuspended: true,
          });
        } finally {
          await runtime.close();
        }
      },
    );
}
