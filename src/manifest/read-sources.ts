// The only file of the manifest module that touches the file system: FILE arguments to texts.
// `-` is standard input (read by the caller's function, once); a directory means every
// *.yaml / *.yml in it, sorted by name. Nothing is read past the size limit: a huge file, a
// device or an endless pipe is refused after at most 3 MiB.

import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../api/errors.js';
import type { ManifestSource } from './types.js';
import { MaxSourceBytes, tooLong } from './yaml-limits.js';

export const StdinName = '<stdin>';
/** The file name extensions of the manifests a directory holds (and that completion offers). */
export const MANIFEST_EXTENSIONS = ['yaml', 'yml'] as const;

const isManifestName = (n: string): boolean =>
  MANIFEST_EXTENSIONS.some((ext) => n.toLowerCase().endsWith(`.${ext}`));

export async function readManifestSources(
  paths: readonly string[],
  stdin: (maxBytes: number) => Promise<string>,
): Promise<ManifestSource[]> {
  if (paths.length === 0)
    throw new UsageError('no manifest given', 'e.g. tjob run job.yaml (or - for standard input)');
  const out: ManifestSource[] = [];
  let stdinRead = false;
  for (const p of paths) {
    if (p === '-') {
      if (stdinRead) throw new UsageError('standard input (-) may be given only once');
      stdinRead = true;
      const text = await stdin(MaxSourceBytes);
      if (Buffer.byteLength(text) > MaxSourceBytes) throw tooBig(StdinName, undefined);
      out.push({ name: StdinName, text });
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
    const names = (await readdir(p)).filter(isManifestName).sort();
    if (names.length === 0)
      throw new UsageError(
        `no ${MANIFEST_EXTENSIONS.map((e) => `*.${e}`).join(' or ')} files in directory "${p}"`,
      );
    for (const n of names) {
      const f = join(p, n);
      if ((await stat(f)).isFile()) out.push({ name: f, text: await readText(f) });
    }
  }
  return out;
}

async function readText(p: string): Promise<string> {
  let fh;
  try {
    fh = await open(p, 'r');
  } catch (e) {
    throw new UsageError(`cannot read "${p}": ${(e as Error).message}`);
  }
  try {
    const st = await fh.stat();
    if (st.isFile() && st.size > MaxSourceBytes) throw tooBig(p, st.size);
    // Devices and pipes have no size (and a file may grow): read one byte past the limit at most.
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MaxSourceBytes + 1 - size));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      size += bytesRead;
      if (size > MaxSourceBytes) throw tooBig(p, undefined);
    }
    return Buffer.concat(chunks, size).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read "${p}": ${(e as Error).message}`);
  } finally {
    await fh.close();
  }
}

function tooBig(name: string, bytes: number | undefined): UsageError {
  return new UsageError(`${name}: ${tooLong(bytes ?? MaxSourceBytes + 1, bytes === undefined)}`);
}
