// The state directory's watch for the web view and the followers: a job's journal growing, a job
// appearing, a CronJob's status, and a followed container's log each raise a change, without
// polling (inotify through fs.watch).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

  it('one job: its journal, its appearing, its going, and a new directory of the same name', async () => {
    let calls = 0;
    const stop = watch.watchJob('three', () => calls++);
    try {
      // Made aside and renamed into place, as the store creates a job.
      mkdirSync(join(root, 'jobs/.creating-three'));
      writeFileSync(join(root, 'jobs/.creating-three/journal.jsonl'), '{}\n');
      renameSync(join(root, 'jobs/.creating-three'), join(root, 'jobs/three'));
      await waitFor(() => calls > 0, { what: 'job three appearing' });
      calls = 0;
      appendFileSync(join(root, 'jobs/three/journal.jsonl'), '{"status":{}}\n');
      await waitFor(() => calls > 0, { what: "job three's journal growing" });
      calls = 0;
      renameSync(join(root, 'jobs/three'), join(root, 'jobs/.deleted-three'));
      await waitFor(() => calls > 0, { what: 'job three going' });
      mkdirSync(join(root, 'jobs/.creating-three-2'));
      renameSync(join(root, 'jobs/.creating-three-2'), join(root, 'jobs/three'));
      await waitFor(() => calls > 1, { what: 'job three made again' });
      calls = 0;
      // The directory watched now is the new one.
      writeFileSync(join(root, 'jobs/three/journal.jsonl'), '{}\n');
      await waitFor(() => calls > 0, { what: "the new job three's journal" });
    } finally {
      stop();
    }
  });

  it('a log of a job that does not exist yet: found as its directories are made one by one', async () => {
    let calls = 0;
    const stop = watch.watchLogs('four', 'four-abc', 'main', () => calls++);
    try {
      let dir = join(root, 'jobs');
      for (const part of ['four', 'logs', 'four-abc', 'main']) {
        dir = join(dir, part);
        assert.equal(calls, 0, `nothing to report before ${part} exists`);
        mkdirSync(dir);
        await new Promise((r) => setTimeout(r, 20));
      }
      await waitFor(() => calls > 0, { what: 'the log directory found' });
      calls = 0;
      appendFileSync(join(dir, '0.log'), '2026-01-01T00:00:00Z O hello\n');
      await waitFor(() => calls > 0, { what: 'the log grown' });
    } finally {
      stop();
    }
  });
});
