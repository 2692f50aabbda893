// A lease held in one file: who holds it (pid and process start time), taken with O_EXCL so only
// one process gets it, taken over only when its holder is gone, renewed by rewriting it, and
// released by its holder alone. Jobs and the cron scheduler each have one.

import { link, rename, unlink, writeFile } from 'node:fs/promises';
import { StateError } from '../api/errors.js';
import type { Lease, LeaseHolder } from '../ports/state-store.js';
import { writeFileReplacing } from './atomic-file.js';
import { readStateJson } from './read-state-file.js';
import { isProcessAlive, processStartTime } from './process-identity.js';

let leaseCounter = 0;

/** Takes the lease at `path`, or returns the live holder that has it. */
export async function acquireLeaseFile(
  path: string,
  command: string,
  what: string,
): Promise<Lease | LeaseHolder> {
  const holder: LeaseHolder = {
    pid: process.pid,
    processStart: processStartTime(process.pid) ?? '',
    command,
    heartbeat: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    // Written aside, then linked into place (link fails if the lease exists): a lease file is
    // never seen empty, which a reader would take for a dead holder's and take over.
    const tmp = `${path}.${process.pid}.${leaseCounter++}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(holder, null, 2) + '\n', { mode: 0o600 });
      await link(tmp, path);
      return leaseFor(path, holder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    const current = await readLeaseFile(path);
    if (current && current.pid === holder.pid && current.processStart === holder.processStart) {
      return leaseFor(path, holder);
    }
    if (current && isProcessAlive(current.pid, current.processStart)) return current;
    // The holder is gone: move its lease aside (only one taker's rename succeeds), then retry.
    try {
      await rename(path, `${path}.stale-${process.pid}`);
      await unlink(`${path}.stale-${process.pid}`).catch(() => undefined);
    } catch {
      // another process is taking over at the same moment; look again
    }
  }
  const current = await readLeaseFile(path);
  if (current) return current;
  throw new StateError(`could not take the lease of ${what} (${path})`);
}

/** The live holder of the lease at `path`, if any. */
export async function leaseFileHolder(path: string): Promise<LeaseHolder | undefined> {
  const current = await readLeaseFile(path);
  return current && isProcessAlive(current.pid, current.processStart) ? current : undefined;
}

/**
 * The holder written in the lease file; undefined when there is none. A lease file that cannot be
 * read, or does not name a holder, is an error: taking it for "no holder" would let a second
 * controller start beside a live one (tjob writes lease files whole: link, or rename).
 */
export async function readLeaseFile(path: string): Promise<LeaseHolder | undefined> {
  const parsed = await readStateJson<Partial<LeaseHolder>>(path, removeHint(path));
  if (parsed === undefined) return undefined;
  if (typeof parsed.pid !== 'number')
    throw new StateError(`${path} is damaged: it names no holder pid`, removeHint(path));
  return parsed as LeaseHolder;
}

function removeHint(path: string): string {
  return `remove ${path} if the tjob process it names is gone`;
}

function leaseFor(path: string, holder: LeaseHolder): Lease {
  return {
    holder,
    renew: async () => {
      holder.heartbeat = new Date().toISOString();
      await writeFileReplacing(path, JSON.stringify(holder, null, 2) + '\n').catch(() => undefined);
    },
    release: async () => {
      // Unreadable: whose it is cannot be told, so it stays (its holder's death frees it).
      const current = await readLeaseFile(path).catch(() => undefined);
      if (current && current.pid === holder.pid && current.processStart === holder.processStart) {
        await unlink(path).catch(() => undefined);
      }
    },
  };
}
