// Reads of state files: a missing file is an answer (undefined), anything else that stops the
// read (EACCES, EIO, EISDIR...) is a StateError naming the file, never taken for "nothing there";
// a file that is not the JSON expected is "damaged".

import { access, readFile, readdir } from 'node:fs/promises';
import { StateError } from '../api/errors.js';

const UNREADABLE_HINT =
  'check the permissions of the state directory (it belongs to the user who runs tjob) and the file system under it';

/** Whether `err` says the file (or a directory on its path) does not exist. */
export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** The StateError for a read of `path` that failed for another reason than a missing file. */
export function unreadable(path: string, err: unknown): StateError {
  return new StateError(`cannot read ${path}: ${(err as Error).message}`, UNREADABLE_HINT);
}

/** The file's text, or undefined when there is no such file. */
export async function readStateFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw unreadable(path, err);
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

/** The names in a directory, or undefined when there is no such directory. */
export async function readStateDir(path: string): Promise<string[] | undefined> {
  try {
    return await readdir(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw unreadable(path, err);
  }
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw unreadable(path, err);
  }
}
