// The state directory watched with inotify (fs.watch), for `tjob ui`: the `jobs/` directory (jobs
// appear and go), each job's directory (its journal and summary change), `cronjobs/`,
// `cronjob-status/` and `cronjob-events/`, and a container's log directory while a page follows
// it. One watcher per directory, not a recursive one: a job's log directories are watched only
// when followed, so a thousand jobs cost a thousand watches, not tens of thousands.

import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateChange, StateWatch } from '../ports/state-watch.js';

/** How often directories that did not exist yet are looked for again (and jobs re-listed). */
const REARM_MS = 1000;

function tryWatch(dir: string, onEvent: (file: string | null) => void): FSWatcher | undefined {
  try {
    const w = watch(dir, { persistent: false }, (_event, file) => onEvent(file ? String(file) : null));
    w.on('error', () => w.close());
    return w;
  } catch {
    return undefined;
  }
}

export class FileStateWatch implements StateWatch {
  private readonly listeners = new Set<(change: StateChange) => void>();
  private readonly dirs = new Map<string, FSWatcher>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly root: string) {
    this.arm();
    this.timer = setInterval(() => this.arm(), REARM_MS);
    this.timer.unref();
  }

  watch(onChange: (change: StateChange) => void): () => void {
    this.listeners.add(onChange);
    return () => this.listeners.delete(onChange);
  }

  watchLogs(job: string, pod: string, container: string, onChange: () => void): () => void {
    const dir = join(this.root, 'jobs', job, 'logs', pod, container);
    let watcher: FSWatcher | undefined;
    const arm = () => {
      watcher ??= tryWatch(dir, () => onChange());
      if (watcher) onChange();
    };
    // Until the directory exists (the container has written nothing yet), a change of the job
    // (its pod started, its log directory made) tries again.
    const off = this.watch((c) => {
      if (!watcher && c.kind === 'job' && c.name === job) arm();
    });
    const retry = setInterval(() => (watcher ? clearInterval(retry) : arm()), REARM_MS);
    retry.unref();
    arm();
    return () => {
      off();
      clearInterval(retry);
      watcher?.close();
    };
  }

  close(): void {
    clearInterval(this.timer);
    for (const w of this.dirs.values()) w.close();
    this.dirs.clear();
    this.listeners.clear();
  }

  private emit(change: StateChange): void {
    for (const l of this.listeners) l(change);
  }

  /** Watches what is not watched yet: the top directories, and every job's directory. */
  private arm(): void {
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
    if (this.dirs.has(jobs)) {
      void readdir(jobs).then(
        (names) => {
          for (const n of names) if (!n.startsWith('.')) this.addJob(n);
          // A job directory gone (deleted): its watcher goes too.
          for (const dir of [...this.dirs.keys()]) {
            const rel = dir.slice(jobs.length + 1);
            if (dir.startsWith(jobs + '/') && !rel.includes('/') && !names.includes(rel)) {
              this.dirs.get(dir)!.close();
              this.dirs.delete(dir);
            }
          }
        },
        () => undefined,
      );
    }
  }

  private addJob(name: string): void {
    this.add(join(this.root, 'jobs', name), (file) => {
      if (file === 'journal.jsonl' || file === 'summary.json' || file === 'requests' || file === null)
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
