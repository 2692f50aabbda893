// Durable file writes: a reader sees the old content or the new, never a mix, and a crash right
// after the call returns loses nothing (temp file, fsync, rename, fsync of the directory).

import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

let counter = 0;

export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dirname(path));
}

export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  }
}
