// The state directory watched with inotify (fs.watch). Two uses:
// - a live view of everything (`tjob ui`, `tjob get -w`): the `jobs/` directory (jobs appear and
//   go), each job's directory (its journal and summary change), `cronjobs/`, `cronjob-status/`
//   and `cronjob-events/`; armed on the first `watch()`;
// - one job or one container's log (the followers, and a log the web view follows): only the
//   directories on that path, so `tjob wait` on a state directory of ten thousand jobs watches two.
// One watcher per directory, not a recursive one: a job's log directories are watched only when
// followed, so a thousand jobs cost a thousand watches, not tens of thousands. Watches are not
// persistent (they never keep the process alive) and a failed one is simply absent: the callers
// read again on a slow poll, which covers file systems that report nothing (NFS, FUSE).

import { readdirSync, watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateChange, StateWatch } from '../ports/state-watch.js';

/** How often directories that did not exist yet are looked for again (and jobs re-listed). */
const REARM_MS = 1000;

/** The file of a job's directory that holds its record (src/state/job-records.ts). */
const JOURNAL = 'journal.jsonl';

function tryWatch(dir: string, onEvent: (file: string | null) => void): FSWatcher | undefined {
  try {
    const w = watch(dir, { persistent: false }, (_event, file) => onEvent(file ? String(file) : null));
    w.on('error', () => w.close());
    return w;
  } catch {
    return undefined;
  }
}

/**
 * Watches the last of `path` (a directory and the directories leading to it, outermost first);
 * while it does not exist, the deepest one that does, moving down as they appear. The watch on a
 * directory is made before its child is looked for, so a child made in between is not missed.
 */
function watchDownTo(
  path: string[],
  onEvent: (file: string | null) => void,
  onReached: () => void,
): () => void {
  let level = -1;
  let watcher: FSWatcher | undefined;
  let stopped = false;
  const descend = () => {
    while (!stopped && level < path.length - 1) {
      const at = level + 1;
      const next = tryWatch(path[at]!, (file) => (at === path.length - 1 ? onEvent(file) : descend()));
      if (!next) return;
      watcher?.close();
      watcher = next;
      level = at;
      if (level === path.length - 1) onReached();
    }
  };
  descend();
  return () => {
    stopped = true;
    watcher?.close();
  };
}

export class FileStateWatch implements StateWatch {
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly dirs = new Map<string, FSWatcher>();
  /** The stop functions of the watches of one job or one log. */
  private readonly targeted = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly root: string) {}

  watch(onChange: (change: StateChange) => void): () => void {
    this.listeners.add(onChange);
    if (!this.timer) {
      // At once, so that every change from now on is reported.
      this.arm(true);
      this.timer = setInterval(() => this.arm(false), REARM_MS);
      this.timer.unref();
    }
    return () => this.listeners.delete(onChange);
  }

  watchJob(name: string, onChange: () => void): () => void {
    const jobs = join(this.root, 'jobs');
    const dir = join(jobs, name);
    const watchDir = () =>
      tryWatch(dir, (file) => {
        if (file === JOURNAL || file === null) onChange();
      });
    let watcher = watchDir();
    // The job appears (its directory renamed into place) or goes (renamed aside): the directory
    // watched is then another one, or none.
    const parent = tryWatch(jobs, (file) => {
      if (file !== name && file !== null) return;
      watcher?.close();
      watcher = watchDir();
      onChange();
    });
    return this.targetedStop(() => {
      parent?.close();
      watcher?.close();
    });
  }

  watchLogs(job: string, pod: string, container: string, onChange: () => void): () => void {
    const jobs = join(this.root, 'jobs');
    const path = [jobs, join(jobs, job), join(jobs, job, 'logs')];
    path.push(join(path[2]!, pod), join(path[2]!, pod, container));
    return this.targetedStop(watchDownTo(path, () => onChange(), onChange));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.dirs.values()) w.close();
    this.dirs.clear();
    this.listeners.clear();
    for (const stop of [...this.targeted]) stop();
  }

  private targetedStop(stop: () => void): () => void {
    const once = () => {
      if (this.targeted.delete(once)) stop();
    };
    this.targeted.add(once);
    return once;
  }

  private emit(change: StateChange): void {
    for (const l of this.listeners) l(change);
  }

  /** Watches what is not watched yet: the top directories, and every job's directory. */
  private arm(now: boolean): void {
    const jobs = join(this.root, 'jobs');
    this.add(jobs, (file) => {
      if (file && !file.startsWith('.')) this.addJob(file);
      this.emit({ kind: 'job' });
    });
    for (const sub of ['cronjobs', 'cronjob-status', 'cronjob-events']) {
      this.add(join(this.root, sub), (file) => {
        const name = file?.replace(/\.(json|jsonl)$/, '');
        this.emit(file && !file.startsWith('.') ? { kind: 'cronjob', name } : { kind: 'cronjob' });
      });
    }
    if (!this.dirs.has(jobs)) return;
    const armJobs = (names: string[]) => {
      if (!this.timer && !now) return; // closed meanwhile
      for (const n of names) if (!n.startsWith('.')) this.addJob(n);
      // A job directory gone (deleted): its watcher goes too.
      for (const dir of [...this.dirs.keys()]) {
        const rel = dir.slice(jobs.length + 1);
        if (dir.startsWith(jobs + '/') && !rel.includes('/') && !names.includes(rel)) {
          this.dirs.get(dir)!.close();
          this.dirs.delete(dir);
        }
      }
    };
    if (now) {
      try {
        armJobs(readdirSync(jobs));
      } catch {
        // gone meanwhile: the next arm looks again
      }
    } else void readdir(jobs).then(armJobs, () => undefined);
  }

  private addJob(name: string): void {
    this.add(join(this.root, 'jobs', name), (file) => {
      if (file === JOURNAL || file === 'summary.json' || file === 'requests' || file === null)
        this.emit({ kind: 'job', name });
    });
  }

  private add(dir: string, onEvent: (file: string | null) => void): void {
    if (this.dirs.has(dir)) return;
    const w = tryWatch(dir, onEvent);
    if (!w) return;
    w.on('close', () => {
      if (this.dirs.get(dir) === w) this.dirs.delete(dir);
    });
    this.dirs.set(dir, w);
  }
}
