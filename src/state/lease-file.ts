// A lease held in one file: who holds it (pid, process start time, pid namespace), taken with
// O_EXCL so only one process gets it, taken over only when its holder is gone, renewed by
// rewriting it (its heartbeat), and released by its holder alone. Jobs and the cron scheduler
// each have one.
//
// Whether the holder is gone: in the reader's own pid namespace its pid and start time say so at
// once (a crashed `tjob run` is taken over by the next without waiting). A stale heartbeat does
// not overrule a live pid there: a stopped process (Ctrl-Z, a suspended laptop) does not renew,
// and taking its lease would leave two controllers when it continues. A holder in another pid
// namespace (tjob in a container sharing the state directory with the host) cannot be checked by
// pid, which names another process or none: there its heartbeat alone says it lives.

import { link, rename, unlink, writeFile } from 'node:fs/promises';
import { StateError } from '../api/errors.js';
import type { Lease, LeaseHolder } from '../ports/lease.js';
import { writeFileReplacing } from './atomic-file.js';
import { readStateJson } from './read-state-file.js';
import { isProcessAlive, pidNamespace, processStartTime } from './process-identity.js';

let leaseCounter = 0;

/** How often holders renew their lease (`tjob run`, the cron daemon). */
export const LEASE_RENEW_MS = 10_000;
/** A holder of another pid namespace whose heartbeat is older than this is gone. */
const HEARTBEAT_STALE_MS = 3 * LEASE_RENEW_MS;

/** Whether the holder of a lease still lives (see the top of this file). */
export function holderAlive(holder: LeaseHolder, now = Date.now()): boolean {
  if (holder.pidNamespace === undefined || holder.pidNamespace === pidNamespace())
    return isProcessAlive(holder.pid, holder.processStart);
  const beat = Date.parse(holder.heartbeat);
  return Number.isFinite(beat) && now - beat < HEARTBEAT_STALE_MS;
}

function sameProcess(a: LeaseHolder, b: LeaseHolder): boolean {
  return a.pid === b.pid && a.processStart === b.processStart && a.pidNamespace === b.pidNamespace;
}

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
  const namespace = pidNamespace();
  if (namespace !== undefined) holder.pidNamespace = namespace;
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
    if (current && sameProcess(current, holder)) return leaseFor(path, holder);
    if (current && holderAlive(current)) return current;
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
  return current && holderAlive(current) ? current : undefined;
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
      if (current && sameProcess(current, holder)) await unlink(path).catch(() => undefined);
    },
  };
}
