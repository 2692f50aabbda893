// `tjob validate FILE...`: exit 0 when every document is valid (warnings allowed), 2 otherwise;
// prints the field report (what tjob honours, approximates and ignores; with --runtime swarm, also
// what Swarm refuses, which makes it exit 2 too).

import { addManifestCommand } from '../args/template-flags.js';
import type { RegisterCommand } from '../context.js';
import { loadForChecking, type TemplateFlags } from '../load-manifests.js';
import { runtimeOf } from '../args/runtime.js';
import { refuseRefused } from '../swarm-report.js';

export const registerValidate: RegisterCommand = (program, ctx, globals, exitWith) => {
  addManifestCommand(
    program,
    'validate',
    'check manifests as the API server would; print what tjob honours, approximates and ignores',
    'expand the template once per item ($ITEM)',
  )
    .option('-q, --quiet', 'print nothing but errors and warnings')
    .option(
      '--runtime <docker|swarm>',
      'report for this runtime: swarm adds what Swarm honours, approximates and refuses (env TJOB_RUNTIME)',
    )
    .addHelpText(
      'after',
      `
Examples:
  tjob validate samples/
  tjob validate process-item.yaml --items apple,banana
  tjob validate --runtime swarm samples/       what Swarm honours, approximates and refuses
  cat job.yaml | tjob validate -`,
    )
    .action(
      exitWith(async (files: string[], flags: TemplateFlags & { quiet?: boolean; runtime?: string }) => {
        const { kind } = runtimeOf(flags, ctx.env);
        const loaded = await loadForChecking(files, flags, ctx, globals(), kind);
        if (!flags.quiet) ctx.stdout.write(loaded.reportText);
        // Valid for the API server, but not runnable there: exit 2 naming each refused field.
        refuseRefused(loaded.refused);
        const n = loaded.documents.length;
        ctx.stderr.write(`${n} document${n === 1 ? '' : 's'} valid\n`);
        return 0;
      }),
    );
};
