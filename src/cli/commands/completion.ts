// `tjob completion bash|zsh|fish` prints the shell's stub; the hidden `tjob __complete WORDS...`
// answers it (Cobra's protocol, see completion/engine.ts).

import type { Command } from 'commander';
import { UsageError } from '../../api/errors.js';
import type { CliContext, RegisterCommand } from '../context.js';
import { complete, Directive, formatCompletion } from '../completion/engine.js';
import { completionScript, INSTALL, SHELLS, type Shell } from '../completion/scripts.js';
import { storedNames } from '../completion/stored-names.js';

/**
 * `tjob __complete WORDS...`: always exit 0 with the protocol's answer. The words are the line
 * being completed, so they must not go through commander (its root would take `--state-dir`,
 * `--version` or `-h` among them): program.ts hands them here before parsing.
 */
export async function runComplete(program: Command, words: string[], ctx: CliContext): Promise<number> {
  try {
    ctx.stdout.write(formatCompletion(await complete(program, words, ctx.env, storedNames)));
  } catch (err) {
    // A bug of ours: the shell completes nothing, the stub drops this line.
    ctx.stderr.write(`tjob __complete: ${(err as Error).message}\n`);
    ctx.stdout.write(formatCompletion({ candidates: [], directive: Directive.Error }));
  }
  return 0;
}

export const registerCompletion: RegisterCommand = (program, ctx, _globals, exitWith) => {
  const install = SHELLS.map((s) => `  ${s.padEnd(6)} ${INSTALL[s][0]}`).join('\n');
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText(
      'after',
      `
Commands, options, resource types and the names of your jobs, pods and cronjobs (from the
--state-dir given on the line, or TJOB_STATE_DIR): the script asks \`tjob __complete\` each time.

Install:
${install}`,
    )
    .action(
      exitWith((shell: string) => {
        if (!(SHELLS as readonly string[]).includes(shell))
          throw new UsageError(`unsupported shell "${shell}"`, `use one of: ${SHELLS.join(', ')}`);
        ctx.stdout.write(completionScript(shell as Shell));
        return 0;
      }),
    );
};
