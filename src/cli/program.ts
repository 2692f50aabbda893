// The command tree (commander 14). Each command lives in src/cli/commands and returns its exit code.
// A command's module (and everything it imports) is loaded only when that command runs: `tjob get
// jobs` loads about 60 modules instead of the whole tree's 165, a third of its start-up CPU. Help,
// an unknown word (for the did-you-mean suggestion) and shell completion load every command.

import { Command, Option } from 'commander';
import type { CliContext, ExitCodeAction, GlobalOptions, RegisterCommand } from './context.js';
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
  const registered = new Set<string>();
  const register = async (names: readonly string[]): Promise<void> => {
    for (const name of names) {
      const module = COMMAND_MODULES.find((m) => m.commands.includes(name));
      if (!module || registered.has(module.file)) continue;
      registered.add(module.file);
      const before = program.commands.length;
      (await module.load())(program, ctx, globals, exitWith);
      for (const cmd of program.commands.slice(before)) {
        cmd.exitOverride().configureOutput({
          writeOut: (s) => ctx.stdout.write(s),
          writeErr: (s) => ctx.stderr.write(s),
          outputError: (s, write) => write(s.endsWith('\n') ? s : `${s}\n`),
        });
        cmd.showSuggestionAfterError(true);
      }
    }
  };
  const ALL = COMMAND_MODULES.flatMap((m) => m.commands);

  return {
    async run(argv: string[]): Promise<number> {
      exitCode = 0;
      // The shell completion stubs' hidden command: its words are a line to complete, not options.
      if (argv[2] === COMPLETE_COMMAND) {
        await register(ALL);
        const { runComplete } = await import('./commands/completion.js');
        return runComplete(program, argv.slice(3), ctx);
      }
      const word = commandWord(argv.slice(2));
      await register(word !== undefined && ALL.includes(word) ? [word] : ALL);
      await program.parseAsync(argv);
      return exitCode;
    },
  };
}

/** The hidden command the completion stubs call (Cobra's ShellCompRequestCmd). */
const COMPLETE_COMMAND = '__complete';

/** Which module registers which top-level commands, in the order `tjob --help` lists them. */
const COMMAND_MODULES: { file: string; commands: readonly string[]; load: () => Promise<RegisterCommand> }[] =
  [
    { file: 'run', commands: ['run'], load: async () => (await import('./commands/run.js')).registerRun },
    {
      file: 'validate',
      commands: ['validate'],
      load: async () => (await import('./commands/validate.js')).registerValidate,
    },
    {
      file: 'render',
      commands: ['render'],
      load: async () => (await import('./commands/render.js')).registerRender,
    },
    { file: 'get', commands: ['get'], load: async () => (await import('./commands/get.js')).registerGet },
    {
      file: 'describe',
      commands: ['describe'],
      load: async () => (await import('./commands/describe.js')).registerDescribe,
    },
    { file: 'logs', commands: ['logs'], load: async () => (await import('./commands/logs.js')).registerLogs },
    { file: 'wait', commands: ['wait'], load: async () => (await import('./commands/wait.js')).registerWait },
    {
      file: 'delete',
      commands: ['delete'],
      load: async () => (await import('./commands/delete.js')).registerDelete,
    },
    {
      file: 'controller',
      commands: ['controller'],
      load: async () => (await import('./commands/controller.js')).registerController,
    },
    {
      file: 'suspend-resume',
      commands: ['suspend', 'resume'],
      load: async () => (await import('./commands/suspend-resume.js')).registerSuspendResume,
    },
    {
      file: 'apply',
      commands: ['apply'],
      load: async () => (await import('./commands/apply.js')).registerApply,
    },
    { file: 'cron', commands: ['cron'], load: async () => (await import('./commands/cron.js')).registerCron },
    { file: 'ui', commands: ['ui'], load: async () => (await import('./commands/ui.js')).registerUi },
    {
      file: 'completion',
      commands: ['completion'],
      load: async () => (await import('./commands/completion.js')).registerCompletion,
    },
    {
      file: 'version',
      commands: ['version'],
      load: async () => (await import('./commands/version.js')).registerVersion,
    },
  ];

/** Global options that take a value as the next word (`--state-dir DIR`). */
const GLOBAL_VALUE_OPTIONS = new Set(['--state-dir']);

/** The first word that is not a global option or its value: the command, if any. */
export function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    if (!arg.startsWith('-') || arg === '-') return arg;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
  }
  return undefined;
}
