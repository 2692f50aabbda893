// The state directory's watch for the web view: a job's journal growing, a job appearing, a
// CronJob's status, and a followed container's log each raise a change, without polling by the
// page (inotify through fs.watch).

import { after, describe, it } from 'node:test';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateChange } from '../../../src/ports/state-watch.js';
import { FileStateWatch } from '../../../src/state/state-watch.js';
import { tempDir } from '../../support/jobs.js';
import { waitFor } from '../../support/wait-for.js';

describe('FileStateWatch', () => {
  const root = tempDir('tjob-watch-');
  for (const d of ['jobs/one', 'cronjobs', 'cronjob-status']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'jobs/one/journal.jsonl'), '{}\n');
  const watch = new FileStateWatch(root);
  const seen: StateChange[] = [];
  watch.watch((c) => seen.push(c));
  after(() => {
    watch.close();
    rmSync(root, { recursive: true, force: true });
  });
  const saw = (kind: string, name?: string) => seen.some((c) => c.kind === kind && c.name === name);

  it('a job whose journal grows is named', async () => {
    await new Promise((r) => setTimeout(r, 100)); // the watches are armed
    appendFileSync(join(root, 'jobs/one/journal.jsonl'), '{"status":{}}\n');
    await waitFor(() => saw('job', 'one'), { what: 'a change of job one' });
  });

  it('a new job is a change of the listing, then its own changes are named', async () => {
    seen.length = 0;
    mkdirSync(join(root, 'jobs/two'));
    await waitFor(() => saw('job', undefined), { what: 'a change of the job listing' });
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(join(root, 'jobs/two/summary.json'), '{}');
    await waitFor(() => saw('job', 'two'), { what: 'a change of job two' });
  });

  it('a CronJob status written is named', async () => {
    writeFileSync(join(root, 'cronjob-status/nightly.json'), '{}');
    await waitFor(() => saw('cronjob', 'nightly'), { what: 'a change of cronjob nightly' });
  });

  it('a followed log calls back when it grows, also when its directory appears later', async () => {
    let calls = 0;
    const stop = watch.watchLogs('one', 'one-abc', 'main', () => calls++);
    try {
      const dir = join(root, 'jobs/one/logs/one-abc/main');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(root, 'jobs/one/journal.jsonl'), '{}\n'); // the job changes as its pod starts
      await waitFor(() => calls > 0, { what: 'the log directory found' });
      const before = calls;
      await new Promise((r) => setTimeout(r, 50));
      appendFileSync(join(dir, '0.log'), '2026-01-01T00:00:00Z O hello\n');
      await waitFor(() => calls > before, { what: 'the log grown' });
    } finally {
      stop();
    }
  });
});
