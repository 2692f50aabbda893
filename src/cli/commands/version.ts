// `tjob version`: tjob's version, then which engine answers (Docker or Podman, its version, the API
// version tjob talks, where it is). No engine answering is said, not an error: the version of tjob
// is still the answer (`--version` prints only that, without asking the engine).

import { TjobError } from '../../api/errors.js';
import type { CliContext, GlobalOptions, RegisterCommand } from '../context.js';
import { stateDirOf } from '../context.js';
import { openRuntime } from '../open-state.js';
import { VERSION } from '../version.js';

export const registerVersion: RegisterCommand = (program, ctx, globals, exitWith) => {
  program
    .command('version')
    .description('print the version, and which container engine answers')
    .addHelpText('after', '\nExamples:\n  tjob version\n  tjob --version')
    .action(
      exitWith(async () => {
        ctx.stdout.write(`tjob ${VERSION}\n`);
        ctx.stdout.write(`engine: ${await engineLine(ctx, globals())}\n`);
        return 0;
      }),
    );
};

async function engineLine(ctx: CliContext, global: GlobalOptions): Promise<string> {
  let runtime;
  try {
    runtime = await openRuntime(ctx, stateDirOf(global, ctx.env));
    if (!runtime.describeEngine) return 'this runtime does not say which engine it is';
    const e = await runtime.describeEngine();
    return `${e.product} ${e.version} (API ${e.apiVersion}) at ${e.address}`;
  } catch (err) {
    if (err instanceof TjobError) return `not reached: ${err.message}`;
    throw err;
  } finally {
    await runtime?.close();
  }
}
