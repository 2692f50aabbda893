// jobs/<name>/requests/<id>.json: changes asked of a job's controller by other processes, one
// file each, named so that they sort in the order they were made. The controller watches the
// directory; jobs/.requests-stamp, rewritten by every request, is what its safety-net poll reads.

import { watch } from 'node:fs';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobRequest, JobRequestMailbox } from '../ports/job-requests.js';
import { writeFileAtomic, writeFileReplacing } from './atomic-file.js';
import { readStateDir, readStateFile } from './read-state-file.js';
import type { StateDirectory } from './state-directory.js';

let requestCounter = 0;

export class FileJobRequestMailbox implements JobRequestMailbox {
  /** The request watches of this process: one poll of the requests stamp serves them all. */
  private readonly requestWatches = new Set<{ arm: () => void; onChange: () => void }>();
  private requestPoll: NodeJS.Timeout | undefined;
  private requestStamp: string | undefined;

  constructor(private readonly dir: StateDirectory) {}

  private requestDir(name: string): string {
    return join(this.dir.jobDir(name), 'requests');
  }

  private get requestStampPath(): string {
    return join(this.dir.jobsDir, '.requests-stamp');
  }

  async requestJobChange(name: string, request: Omit<JobRequest, 'id'>): Promise<JobRequest> {
    await this.dir.init();
    const dir = this.requestDir(name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Fixed widths, so that names sort in the order the requests were made.
    const seq = String(requestCounter++).padStart(10, '0');
    const id = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${seq}`;
    const full: JobRequest = { id, ...request };
    await writeFileAtomic(join(dir, `${id}.json`), JSON.stringify(full, null, 2) + '\n');
    // For the watchers whose file system misses the directory's change (their poll reads this).
    await writeFileReplacing(this.requestStampPath, `${id}\n`).catch(() => undefined);
    return full;
  }

  async pendingJobRequests(name: string): Promise<JobRequest[]> {
    const dir = this.requestDir(name);
    const files = ((await readStateDir(dir)) ?? [])
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort();
    const out: JobRequest[] = [];
    for (const f of files) {
      // Gone meanwhile: another process completed it.
      const text = await readStateFile(join(dir, f));
      if (text === undefined) continue;
      try {
        out.push(JSON.parse(text) as JobRequest);
      } catch {
        // A request damaged by hand is dropped rather than retried for ever.
        await unlink(join(dir, f)).catch(() => undefined);
      }
    }
    return out;
  }

  async completeJobRequest(name: string, id: string): Promise<void> {
    await unlink(join(this.requestDir(name), `${id}.json`)).catch(() => undefined);
  }

  watchJobRequests(name: string, onChange: () => void): () => void {
    const dir = this.requestDir(name);
    let watcher: ReturnType<typeof watch> | undefined;
    let stopped = false;
    const arm = () => {
      if (watcher || stopped) return;
      try {
        watcher = watch(dir, { persistent: false }, () => onChange());
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        // the directory does not exist yet: the poll below arms it
        return;
      }
      // A request written before the watch was armed raised no event: look once now.
      onChange();
    };
    void mkdir(dir, { recursive: true, mode: 0o700 }).then(arm, () => undefined);
    const entry = { arm, onChange };
    this.requestWatches.add(entry);
    this.pollRequests();
    return () => {
      stopped = true;
      this.requestWatches.delete(entry);
      watcher?.close();
      if (this.requestWatches.size === 0 && this.requestPoll) {
        clearInterval(this.requestPoll);
        this.requestPoll = undefined;
      }
    };
  }

  /**
   * fs.watch misses events on some file systems; this slow poll is the safety net. It reads one
   * stamp that every request rewrites, not each job's directory: a daemon driving a thousand jobs
   * polled a thousand directories a second.
   */
  private pollRequests(): void {
    if (this.requestPoll) return;
    this.requestPoll = setInterval(() => {
      void readFile(this.requestStampPath, 'utf8').then(
        (stamp) => {
          // The first read has nothing to compare with: a request may have come since the
          // watchers started, so they look (a look finds nothing if nothing came).
          const changed = stamp !== this.requestStamp;
          this.requestStamp = stamp;
          for (const w of [...this.requestWatches]) {
            w.arm();
            if (changed) w.onChange();
          }
        },
        () => {
          this.requestStamp ??= '';
          for (const w of [...this.requestWatches]) w.arm();
        },
      );
    }, 1000);
    this.requestPoll.unref();
  }
}
