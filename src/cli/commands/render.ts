// `tjob render FILE... [--set/--items]`: the expanded, defaulted manifests as YAML, ready for
// `kubectl apply -f -`.

import { addManifestCommand } from '../args/template-flags.js';
import type { KubeObject } from '../../api/k8s.js';
import { renderManifests } from '../../manifest/index.js';
import type { RegisterCommand } from '../context.js';
import { loadForChecking, type TemplateFlags } from '../load-manifests.js';

export const registerRender: RegisterCommand = (program, ctx, globals, exitWith) => {
  addManifestCommand(
    program,
    'render',
    'print the expanded, defaulted manifests as YAML, ready for kubectl apply -f -',
    'expand the template once per item ($ITEM)',
  )
    .addHelpText(
      'after',
      `
Examples:
  tjob render process-item.yaml --items apple,banana,cherry | kubectl apply -f -
  tjob render job.yaml --set IMAGE=busybox:1.36`,
    )
    .action(
      exitWith(async (files: string[], flags: TemplateFlags) => {
        const loaded = await loadForChecking(files, flags, ctx, globals());
        const objects = loaded.documents
          .map((d) => d.rendered)
          .filter((o): o is KubeObject => o !== undefined);
        ctx.stdout.write(renderManifests(objects));
        return 0;
      }),
    );
};
