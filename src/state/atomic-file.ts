// Whole-file writes: a reader sees the old content or the new, never a mix (temp file, rename).
// writeFileAtomic is also durable: even a machine crash right after it returns loses nothing
// (fsync of the file and of the directory). writeFileReplacing is for what a machine crash may
// lose (a killed process loses neither): leases, caches, state that can be recomputed.

import { open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

let counter = 0;

export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  await replaceFile(path, (tmp) => writeFileSynced(tmp, data, mode));
  await syncDir(dirname(path));
}

export async function writeFileReplacing(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  await replaceFile(path, (tmp) => writeFile(tmp, data, { mode }));
}

/** Writes a file in place and syncs it: for a file that nobody reads before it is renamed. */
export async function writeFileSynced(path: string, data: string, mode = 0o600): Promise<void> {
  const fh = await open(path, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a temp file beside `path` and renames it over `path`; no temp file is left on failure. */
async function replaceFile(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Makes a directory's entries durable. Concurrent calls share fsyncs (group commit): a caller
 * joins the next fsync to begin, never one already under way, which may predate its change.
 */
export function syncDir(dir: string): Promise<void> {
  let entry = dirSyncs.get(dir);
  if (!entry) {
    entry = {};
    dirSyncs.set(dir, entry);
  }
  const e = entry;
  if (!e.running) return (e.running = runDirSync(dir, e));
  e.next ??= e.running.then(() => {
    e.next = undefined;
    return (e.running = runDirSync(dir, e));
  });
  return e.next;
}

const dirSyncs = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();

async function runDirSync(dir: string, e: { running?: Promise<void>; next?: Promise<void> }): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    e.running = undefined;
    if (!e.next && dirSyncs.get(dir) === e) dirSyncs.delete(dir);
  }
}
