// CronJobs in the state directory (beside FileStore's jobs):
//   <root>/cronjobs/<name>.json            the CronJob's metadata and spec, as `apply` stores them
//   <root>/cronjobs/.poke-<name>           a request for the daemon to sync <name> now
//   <root>/cronjobs.lock                   held for a moment by each read-modify-write of a CronJob
//   <root>/cronjob-status/<name>.json      its status ({uid, status}), written by the daemon alone
//   <root>/cronjob-events/<name>.jsonl     its events, append-only
//   <root>/cron-daemon.lease.json          the scheduler daemon (one per state directory)
// `apply` writes metadata and spec, the daemon writes status, each in a file of its own: neither
// can lose the other's change, a status write needs no lock, and the daemon's watch of cronjobs/
// sees only what users change (with status beside the spec, every scheduled run looked like an
// edit and made the daemon re-read everything). A status belongs to one uid: a CronJob deleted
// and created again starts without one. Loading a CronJob merges the two files.

import { canonical } from '../api/canonical.js';
import { constants, watch } from 'node:fs';
import { appendFile, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CronJob, CronJobStatus } from '../api/k8s.js';
import { StateError } from '../api/errors.js';
import { rfc3339 } from '../api/time.js';
import type { CronJobStore, SaveOutcome } from '../ports/cron-store.js';
import type { Lease, LeaseHolder } from '../ports/lease.js';
import type { StoredEvent } from '../ports/job-records.js';
import { syncDir, writeFileAtomic, writeFileReplacing } from './atomic-file.js';
import { readStateDir, readStateFile, readStateJson } from './read-state-file.js';
import { acquireLeaseFile, leaseFileHolder } from './lease-file.js';
import { isProcessAlive, processStartTime } from './process-identity.js';

const POKE_PREFIX = '.poke-';
/** Past this size an events file is folded (repeats counted) and its oldest entries dropped. */
const EVENTS_COMPACT_BYTES = 256 * 1024;
const EVENTS_KEEP = 500;
const POLL_MS = 1000;

export class FileCronStore implements CronJobStore {
  /** The events directory is made once per store (a scheduled run appends an event). */
  private eventsDirMade: Promise<unknown> | undefined;

  constructor(readonly root: string) {}

  private get dir(): string {
    return join(this.root, 'cronjobs');
  }

  private path(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  private statusPath(name: string): string {
    return join(this.root, 'cronjob-status', `${name}.json`);
  }

  private eventsPath(name: string): string {
    return join(this.root, 'cronjob-events', `${name}.jsonl`);
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async listCronJobs(): Promise<CronJob[]> {
    const names = ((await readStateDir(this.dir)) ?? [])
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort();
    const out: CronJob[] = [];
    for (const n of names) {
      const cj = await this.loadCronJob(n.slice(0, -'.json'.length));
      if (cj) out.push(cj);
    }
    return out;
  }

  async loadCronJob(name: string): Promise<CronJob | undefined> {
    const spec = await this.loadSpec(name);
    if (!spec) return undefined;
    const status = await this.loadStatus(name, spec.metadata.uid);
    // A state directory from before the status files keeps its status in the spec file.
    if (status !== undefined) spec.status = status;
    return spec;
  }

  /** The CronJob file as apply wrote it (status only in state directories of older versions). */
  private async loadSpec(name: string): Promise<CronJob | undefined> {
    return readStateJson<CronJob>(this.path(name), 'repair or remove that file');
  }

  private async loadStatus(name: string, uid: string | undefined): Promise<CronJobStatus | undefined> {
    const stored = await readStateJson<{ uid?: string; status?: CronJobStatus }>(
      this.statusPath(name),
      'remove that file (the scheduler writes it again at the next run)',
    );
    if (stored === undefined) return undefined;
    // The status of a CronJob of the same name deleted earlier is not this one's.
    return stored.uid === uid ? stored.status : undefined;
  }

  async saveCronJob(cronJob: CronJob, now: Date, newUid: () => string): Promise<SaveOutcome> {
    await this.ensureDir();
    return this.locked(() => this.saveUnlocked(cronJob, now, newUid));
  }

  async updateCronJob(
    name: string,
    change: (cronJob: CronJob) => CronJob,
    now: Date,
  ): Promise<SaveOutcome | undefined> {
    await this.ensureDir();
    return this.locked(async () => {
      const current = await this.loadSpec(name);
      if (!current) return undefined;
      return this.saveUnlocked(change(structuredClone(current)), now, () => current.metadata.uid ?? '');
    });
  }

  /** saveCronJob's read-modify-write; the caller holds the lock. */
  private async saveUnlocked(cronJob: CronJob, now: Date, newUid: () => string): Promise<SaveOutcome> {
    const name = cronJob.metadata.name;
    const before = await this.loadSpec(name);
    const incoming = structuredClone(cronJob);
    delete incoming.status;
    if (!before) {
      incoming.metadata.uid = newUid();
      incoming.metadata.creationTimestamp = rfc3339(now);
      incoming.metadata.generation = 1;
      await this.write(incoming);
      return 'created';
    }
    if (sameUserFields(before, incoming)) return 'unchanged';
    const next: CronJob = {
      ...incoming,
      metadata: {
        ...incoming.metadata,
        uid: before.metadata.uid,
        creationTimestamp: before.metadata.creationTimestamp,
        generation:
          JSON.stringify(before.spec) === JSON.stringify(incoming.spec)
            ? generationOf(before)
            : generationOf(before) + 1,
      },
    };
    if (before.status !== undefined) {
      // Moves an older state directory's status into its own file.
      await this.writeStatus(name, before.metadata.uid, before.status);
    }
    await this.write(next);
    return 'configured';
  }

  async deleteCronJob(name: string): Promise<boolean> {
    const existed = await this.locked(async () => {
      try {
        await unlink(this.path(name));
        await syncDir(this.dir);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    });
    await unlink(this.eventsPath(name)).catch(() => undefined);
    await unlink(this.statusPath(name)).catch(() => undefined);
    return existed;
  }

  async commitCronJobStatus(name: string, uid: string | undefined, status: CronJobStatus): Promise<boolean> {
    const current = await this.loadSpec(name);
    if (!current) return false;
    if (uid !== undefined && current.metadata.uid !== undefined && current.metadata.uid !== uid) return false;
    await this.writeStatus(name, current.metadata.uid, status);
    return true;
  }

  private async writeStatus(name: string, uid: string | undefined, status: CronJobStatus): Promise<void> {
    await mkdir(join(this.root, 'cronjob-status'), { recursive: true, mode: 0o700 });
    // Not synced (one fsync less per scheduled run): only a machine crash, not a killed process,
    // can lose it, and the sync after that finds the slot's job by its deterministic name.
    await writeFileReplacing(this.statusPath(name), JSON.stringify({ uid, status }) + '\n');
  }

  private async write(cronJob: CronJob): Promise<void> {
    await writeFileAtomic(this.path(cronJob.metadata.name), JSON.stringify(cronJob, null, 2) + '\n');
  }

  /** A short exclusive section over the CronJob files (lock file; a dead holder's lock is broken). */
  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const lock = join(this.root, 'cronjobs.lock');
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const me = JSON.stringify({ pid: process.pid, processStart: processStartTime(process.pid) ?? '' });
    const deadline = Date.now() + 10_000;
    for (let attempt = 0; ; attempt++) {
      try {
        const fh = await open(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
        try {
          await fh.writeFile(me);
        } finally {
          await fh.close();
        }
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readHolder(lock);
      const stale = holder
        ? !isProcessAlive(holder.pid, holder.processStart)
        : await stat(lock).then(
            (s) => Date.now() - s.mtimeMs > 2000,
            () => false,
          );
      if (stale) {
        const aside = `${lock}.stale-${process.pid}`;
        await rename(lock, aside).then(
          () => unlink(aside).catch(() => undefined),
          () => undefined,
        );
        continue;
      }
      if (Date.now() > deadline) {
        throw new StateError(
          `${lock} is held by pid ${holder?.pid ?? '?'}`,
          'remove it if that process is gone',
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(2 + attempt, 20)));
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  // ---- events ----

  async appendCronJobEvents(name: string, events: StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const path = this.eventsPath(name);
    this.eventsDirMade ??= mkdir(join(this.root, 'cronjob-events'), { recursive: true, mode: 0o700 });
    await this.eventsDirMade.catch((err: unknown) => {
      this.eventsDirMade = undefined;
      throw err;
    });
    await appendFile(path, events.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size > EVENTS_COMPACT_BYTES) {
      const folded = (await this.listCronJobEvents(name)).slice(-EVENTS_KEEP);
      await writeFileAtomic(path, folded.map((e) => JSON.stringify(e) + '\n').join(''));
    }
  }

  async listCronJobEvents(name: string): Promise<StoredEvent[]> {
    const text = await readStateFile(this.eventsPath(name));
    if (text === undefined) return [];
    const out: StoredEvent[] = [];
    const byKey = new Map<string, StoredEvent>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let e: StoredEvent;
      try {
        e = JSON.parse(line) as StoredEvent;
      } catch {
        continue; // a torn last line
      }
      const key = `${e.type}\0${e.reason}\0${e.message}\0${e.source}`;
      const prior = byKey.get(key);
      if (prior) {
        prior.count += e.count;
        if (e.lastTimestamp > prior.lastTimestamp) prior.lastTimestamp = e.lastTimestamp;
        // Keep the list ordered by the latest occurrence, as kubectl sorts events.
        out.splice(out.indexOf(prior), 1);
        out.push(prior);
      } else {
        const copy = { ...e };
        byKey.set(key, copy);
        out.push(copy);
      }
    }
    return out;
  }

  // ---- the daemon's lease ----

  async acquireDaemonLease(command: string): Promise<Lease | LeaseHolder> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    return acquireLeaseFile(join(this.root, 'cron-daemon.lease.json'), command, 'the scheduler');
  }

  async daemonLeaseHolder(): Promise<LeaseHolder | undefined> {
    return leaseFileHolder(join(this.root, 'cron-daemon.lease.json'));
  }

  // ---- change notification ----

  watchCronJobs(onChange: () => void): () => void {
    let watcher: ReturnType<typeof watch> | undefined;
    let lastSignature: string | undefined;
    let stopped = false;
    const arm = () => {
      if (watcher || stopped) return;
      try {
        watcher = watch(this.dir, { persistent: false }, () => onChange());
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        // not there yet: the poll arms it
      }
    };
    void this.ensureDir().then(arm, () => undefined);
    // fs.watch misses changes on some file systems: a poll of names, sizes and times is the net.
    const poll = setInterval(() => {
      arm();
      void this.signature().then((sig) => {
        if (lastSignature !== undefined && sig !== lastSignature) onChange();
        lastSignature = sig;
      });
    }, POLL_MS);
    poll.unref();
    return () => {
      stopped = true;
      clearInterval(poll);
      watcher?.close();
    };
  }

  private async signature(): Promise<string> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => !n.endsWith('.tmp')).sort();
    } catch {
      return '';
    }
    const parts: string[] = [];
    for (const n of names) {
      const s = await stat(join(this.dir, n)).catch(() => undefined);
      if (s) parts.push(`${n}:${s.size}:${s.mtimeMs}`);
    }
    return parts.join('|');
  }

  async pokeDaemon(name: string): Promise<void> {
    await this.ensureDir();
    await writeFileReplacing(join(this.dir, `${POKE_PREFIX}${name}`), `${Date.now()}\n`);
  }

  async takePokes(): Promise<string[]> {
    const names = ((await readStateDir(this.dir)) ?? []).filter(
      (n) => n.startsWith(POKE_PREFIX) && !n.endsWith('.tmp'),
    );
    for (const n of names) await unlink(join(this.dir, n)).catch(() => undefined);
    return names.map((n) => n.slice(POKE_PREFIX.length));
  }
}

function generationOf(c: CronJob): number {
  const g = c.metadata.generation;
  return typeof g === 'number' ? g : 1;
}

/** What `apply` compares: labels, annotations and spec (not uid, timestamps or status). */
function sameUserFields(a: CronJob, b: CronJob): boolean {
  const pick = (c: CronJob) =>
    canonical({
      apiVersion: c.apiVersion,
      labels: c.metadata.labels ?? {},
      annotations: c.metadata.annotations ?? {},
      spec: c.spec,
    });
  return JSON.stringify(pick(a)) === JSON.stringify(pick(b));
}

/**
 * The lock's holder; undefined when the lock is gone or not yet (or no longer) whole, which its
 * age decides. A lock that cannot be read is an error, not a lock to break.
 */
async function readHolder(path: string): Promise<{ pid: number; processStart?: string } | undefined> {
  const text = await readStateFile(path);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { pid?: unknown; processStart?: string };
    return typeof parsed.pid === 'number' ? (parsed as { pid: number; processStart?: string }) : undefined;
  } catch {
    return undefined;
  }
}
