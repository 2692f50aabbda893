// The names of stored objects for completion: read only, quiet, and nothing from a directory tjob
// has not written (completing `--state-dir ~/typo get jobs <TAB>` must not create that directory).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Kind } from '../../output/printers.js';
import { storesAt } from '../open-state.js';
import { listKind } from '../listed-objects.js';

export async function storedNames(kind: Kind, stateDir: string): Promise<string[]> {
  if (!existsSync(join(stateDir, 'state.json'))) return [];
  // Damaged records are left out without a word: a warning would land in the middle of the line.
  const { store } = storesAt(stateDir, () => undefined);
  return (await listKind(store, kind)).map((x) => x.name);
}
