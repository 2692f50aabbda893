// kubectl's resource arguments: `TYPE [NAME...]`, `TYPE/NAME...`, and `-l SELECTOR`, shared by
// `get`, `describe`, `delete`, `wait`, `logs`, `suspend` and `resume`.

import { UsageError } from '../../api/errors.js';
import type { Kind } from '../../output/printers.js';
import { parseSelector, type Selector } from '../label-selector.js';
import { KIND_WORDS, RESOURCE_KINDS } from '../resource-kinds.js';

/** A resource type word as kubectl accepts it (singular, plural, short, with group). */
export function kindOf(word: string, allowed: readonly Kind[] = RESOURCE_KINDS): Kind {
  const kind = KIND_WORDS[word.toLowerCase()];
  if (!kind || !allowed.includes(kind)) {
    throw new UsageError(
      `the server doesn't have a resource type "${word}"`,
      `this command takes ${allowed.map((k) => k.replace(/s$/, '')).join(', ')}`,
    );
  }
  return kind;
}

/**
 * kubectl's argument forms: `TYPE [NAME...]` or `TYPE/NAME...`. Returns the kinds asked for with
 * their names (an empty name list means all of that kind).
 */
export function parseResourceArgs(
  args: string[],
  allowed?: readonly Kind[],
): { kind: Kind; names: string[] }[] {
  if (args.length === 0)
    throw new UsageError('you must specify the type of resource', 'e.g. `jobs`, `pods`, `cronjobs`');
  if (args[0]!.includes('/')) {
    const groups: { kind: Kind; names: string[] }[] = [];
    for (const a of args) {
      const slash = a.indexOf('/');
      if (slash < 0)
        throw new UsageError(
          `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'tjob get job/NAME' instead of 'tjob get job job/NAME')`,
        );
      const kind = kindOf(a.slice(0, slash), allowed);
      const name = a.slice(slash + 1);
      if (!name) throw new UsageError(`"${a}": a resource name is required after the "/"`);
      const g = groups.find((x) => x.kind === kind);
      if (g) g.names.push(name);
      else groups.push({ kind, names: [name] });
    }
    return groups;
  }
  const [type, ...names] = args;
  const kinds = type!.split(',').map((w) => kindOf(w, allowed));
  for (const n of names) {
    if (n.includes('/'))
      throw new UsageError(
        `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'tjob get job/NAME' instead of 'tjob get job job/NAME')`,
      );
  }
  if (kinds.length > 1 && names.length > 0)
    throw new UsageError('names can only be given with a single resource type');
  return [...new Set(kinds)].map((kind) => ({ kind, names }));
}

/** `-l SELECTOR`, parsed; undefined when the flag is absent. */
export function selectorOf(text: string | undefined): Selector | undefined {
  return text === undefined ? undefined : parseSelector(text);
}
