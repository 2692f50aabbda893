// The template flags of the commands that read manifests (`run`, `cron start`, `render`,
// `validate`): `--set`, `--items`, `--items-file`, expanded by src/cli/load-manifests.ts.

import type { Command } from 'commander';

/** Commander's accumulator for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds the template flags; `itemsHelp` says what one item makes (a Job, an object, a copy). */
export function addTemplateFlags(command: Command, itemsHelp: string): Command {
  return command
    .option('--set <name=value>', 'replace $NAME / ${NAME} in the manifests (repeatable)', collect, [])
    .option('--items <list>', itemsHelp)
    .option('--items-file <file>', 'like --items, one item per line');
}

/** A command that reads manifest FILEs (`run`, `render`, `validate`), with the template flags. */
export function addManifestCommand(
  parent: Command,
  name: string,
  description: string,
  itemsHelp: string,
): Command {
  return addTemplateFlags(
    parent
      .command(name)
      .description(description)
      .argument('<file...>', 'manifest files or directories; - reads standard input'),
    itemsHelp,
  );
}
