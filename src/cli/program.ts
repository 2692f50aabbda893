// The command tree (commander 14). Each command lives in src/cli/commands and returns its exit code.

import { Command, Option } from 'commander';
import type { CliContext, ExitCodeAction, GlobalOptions } from './context.js';
import { registerRun } from './commands/run.js';
import { registerValidate } from './commands/validate.js';
import { registerRender } from './commands/render.js';
import { registerGet } from './commands/get.js';
import { registerDescribe } from './commands/describe.js';
import { registerLogs } from './commands/logs.js';
import { registerWait } from './commands/wait.js';
import { registerDelete } from './commands/delete.js';
import { registerController } from './commands/controller.js';
import { registerSuspendResume } from './commands/suspend-resume.js';
import { registerApply } from './commands/apply.js';
import { registerCron } from './commands/cron.js';
import { registerUi } from './commands/ui.js';
import { COMPLETE_COMMAND, registerCompletion, runComplete } from './commands/completion.js';
import { registerVersion } from './commands/version.js';
import { VERSION } from './version.js';

export interface Program {
  run(argv: string[]): Promise<number>;
}

export function buildProgram(ctx: CliContext): Program {
  let exitCode = 0;
  // The one place a command's exit code is taken: each action returns it.
  const exitWith: ExitCodeAction =
    (action) =>
    async (...args) => {
      exitCode = await action(...args);
    };
  const program = new Command('tjob')
    .description(
      "Run Kubernetes batch/v1 Jobs and CronJobs on the local Docker engine, with the cluster's semantics.",
    )
    .version(VERSION, '--version', 'print the version')
    .addOption(
      new Option('--state-dir <dir>', 'where jobs, pod records, events and logs live (env TJOB_STATE_DIR)'),
    )
    .option('--no-color', 'never colour the output (also NO_COLOR=1)')
    .option('-v, --verbose', 'debug lines on stderr, stack traces on errors')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(s.endsWith('\n') ? s : `${s}\n`),
    })
    .addHelpText(
      'after',
      `
Examples:
  tjob run samples/job-hello.yaml                               run a Job, wait for its outcome
  tjob run samples/templates/process-item.yaml --items a,b,c   one Job per item ($ITEM)
  tjob validate samples/                                        check manifests, print the field report
  tjob render job.yaml | kubectl apply -f -                     the same objects on a cluster

Exit codes: 0 success, 1 a job failed or a command failed, 2 usage or invalid manifest,
3 engine unreachable or image unavailable, 130/143 interrupted.`,
    );

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerRun(program, ctx, globals, exitWith);
  registerValidate(program, ctx, globals, exitWith);
  registerRender(program, ctx, globals, exitWith);
  registerGet(program, ctx, globals, exitWith);
  registerDescribe(program, ctx, globals, exitWith);
  registerLogs(program, ctx, globals, exitWith);
  registerWait(program, ctx, globals, exitWith);
  registerDelete(program, ctx, globals, exitWith);
  registerController(program, ctx, globals, exitWith);
  registerSuspendResume(program, ctx, globals, exitWith);
  registerApply(program, ctx, globals, exitWith);
  registerCron(program, ctx, globals, exitWith);
  registerUi(program, ctx, globals, exitWith);
  registerCompletion(program, ctx, globals, exitWith);
  registerVersion(program, ctx, globals, exitWith);

  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(s.endsWith('\n') ? s : `${s}\n`),
    });
    cmd.showSuggestionAfterError(true);
  }

  return {
    async run(argv: string[]): Promise<number> {
      exitCode = 0;
      // The shell completion stubs' hidden command: its words are a line to complete, not options.
      if (argv[2] === COMPLETE_COMMAND) return runComplete(program, argv.slice(3), ctx);
      await program.parseAsync(argv);
      return exitCode;
    },
  };
}
