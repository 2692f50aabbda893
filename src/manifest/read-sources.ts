// The only file of the manifest module that touches the file system: FILE arguments to texts.
// `-` is standard input (read by the caller's function, once); a directory means every
// *.yaml / *.yml in it, sorted by name.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../api/errors.js';
import type { ManifestSource } from './types.js';

export const StdinName = '<stdin>';

export async function readManifestSources(
  paths: readonly string[],
  stdin: () => Promise<string>,
): Promise<ManifestSource[]> {
  if (paths.length === 0)
    throw new UsageError('no manifest given', 'e.g. tjob run job.yaml (or - for standard input)');
  const out: ManifestSource[] = [];
  let stdinRead = false;
  for (const p of paths) {
    if (p === '-') {
      if (stdinRead) throw new UsageError('standard input (-) may be given only once');
      stdinRead = true;
      out.push({ name: StdinName, text: await stdin() });
      continue;
    }
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      throw new UsageError(`the path "${p}" does not exist`);
    }
    if (!isDir) {
      out.push({ name: p, text: await readText(p) });
      continue;
    }
    const names = (await readdir(p)).filter((n) => /\.ya?ml$/i.test(n)).sort();
    if (names.length === 0) throw new UsageError(`no *.yaml or *.yml files in directory "${p}"`);
    for (const n of names) {
      const f = join(p, n);
      if ((await stat(f)).isFile()) out.push({ name: f, text: await readText(f) });
    }
  }
  return out;
}

async function readText(p: string): Promise<string> {
  try {
    return await readFile(p, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read "${p}": ${(e as Error).message}`);
  }
}
