// Reads of state files: a missing file is an answer (undefined), anything else that stops the
// read is a StateError naming the file; a file that is not the JSON expected is "damaged".

import { access, readFile } from 'node:fs/promises';
import { StateError } from '../api/errors.js';

/** The file's text, or undefined when there is no such file. */
export async function readStateFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The file's JSON, or undefined when there is no such file; `hint` says what to do if damaged. */
export async function readStateJson<T>(path: string, hint: string): Promise<T | undefined> {
  const text = await readStateFile(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new StateError(`${path} is damaged: ${(err as Error).message}`, hint);
  }
}

export async function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
