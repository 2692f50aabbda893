// `tjob validate FILE...`: exit 0 when every document is valid (warnings allowed), 2 otherwise;
// prints the field report (what tjob honours, approximates and ignores).

import { addManifestCommand } from '../args/template-flags.js';
import type { RegisterCommand } from '../context.js';
import { loadForChecking, type TemplateFlags } from '../load-manifests.js';

export const registerValidate: RegisterCommand = (program, ctx, globals, exitWith) => {
  addManifestCommand(
    program,
    'validate',
    'check manifests as the API server would; print what tjob honours, approximates and ignores',
    'expand the template once per item ($ITEM)',
  )
    .option('-q, --quiet', 'print nothing but errors and warnings')
    .addHelpText(
      'after',
      `
Examples:
  tjob validate samples/
  tjob validate process-item.yaml --items apple,banana
  cat job.yaml | tjob validate -`,
    )
    .action(
      exitWith(async (files: string[], flags: TemplateFlags & { quiet?: boolean }) => {
        const loaded = await loadForChecking(files, flags, ctx, globals());
        if (!flags.quiet) ctx.stdout.write(loaded.reportText);
        const n = loaded.documents.length;
        ctx.stderr.write(`${n} document${n === 1 ? '' : 's'} valid\n`);
        return 0;
      }),
    );
};
