// Every sample runs, unchanged, to its expected end on the real engine.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { ROOT, containersOf, newStateDir, tjob } from './tjob-cli.js';

interface Expect {
  code: number;
  args?: string[];
  jobs: Record<string, { reason: string; succeeded?: number; failed?: number; completedIndexes?: string }>;
  stdout?: RegExp[];
}

const expectations: Record<string, Expect> = {
  'job-hello.yaml': {
    code: 0,
    jobs: { hello: { reason: 'CompletionsReached', succeeded: 1 } },
    stdout: [/^\[hello-\w{5}\/hello\] Hello from tjob$/m],
  },
  'job-parallel.yaml': {
    code: 0,
    jobs: { parallel: { reason: 'CompletionsReached', succeeded: 6, failed: 0 } },
  },
  'job-indexed.yaml': {
    code: 0,
    jobs: { indexed: { reason: 'CompletionsReached', succeeded: 5, completedIndexes: '0-4' } },
    stdout: [/index 3 on indexed-3/],
  },
  'job-configmap.yaml': {
    code: 0,
    jobs: { 'configmap-demo': { reason: 'CompletionsReached', succeeded: 1 } },
    stdout: [/Hello, world/],
  },
  'job-deadline.yaml': { code: 1, jobs: { deadline: { reason: 'DeadlineExceeded' } } },
  'job-fails.yaml': {
    code: 1,
    args: ['--backoff', '200ms'],
    jobs: { fails: { reason: 'BackoffLimitExceeded', succeeded: 0 } },
  },
  'job-wq-1.yaml': { code: 0, jobs: { 'job-wq-1': { reason: 'CompletionsReached', succeeded: 8 } } },
  'job-wq-2.yaml': { code: 0, jobs: { 'job-wq-2': { reason: 'CompletionsReached' } } },
  'templates/process-item.yaml': {
    code: 0,
    args: ['--items', 'apple,banana,cherry'],
    jobs: {
      'process-item-apple': { reason: 'CompletionsReached', succeeded: 1 },
      'process-item-banana': { reason: 'CompletionsReached', succeeded: 1 },
      'process-item-cherry': { reason: 'CompletionsReached', succeeded: 1 },
    },
    stdout: [/Processing item apple/, /Processing item cherry/],
  },
};

// Three at a time: each sample has its own state directory and job names, and mostly waits
// (its pods' sleeps, a deadline, a backoff).
describe('samples run to their expected end', { concurrency: 3 }, () => {
  it('has an expectation for every Job sample', () => {
    const jobSamples = [
      ...readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.yaml') && !f.startsWith('cronjob')),
      ...readdirSync(join(ROOT, 'samples', 'templates')).map((f) => `templates/${f}`),
    ];
    assert.deepEqual(jobSamples.sort(), Object.keys(expectations).sort());
  });

  for (const [file, want] of Object.entries(expectations)) {
    it(file, { timeout: 120_000 }, async () => {
      const state = newStateDir();
      const got = await tjob(['run', join('samples', file), ...(want.args ?? [])], state);
      assert.equal(got.code, want.code, `exit code; stderr:\n${got.stderr}`);
      for (const re of want.stdout ?? []) assert.match(got.stdout, re);
      const store = new FileStore(state);
      for (const [name, w] of Object.entries(want.jobs)) {
        const stored = await store.loadJob(name);
        assert.ok(stored, `job ${name} recorded`);
        const s = stored.job.status;
        const terminal = s.conditions?.find(
          (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
        );
        assert.equal(terminal?.reason, w.reason);
        if (w.succeeded !== undefined) assert.equal(s.succeeded, w.succeeded);
        if (w.failed !== undefined) assert.equal(s.failed, w.failed);
        if (w.completedIndexes !== undefined) assert.equal(s.completedIndexes, w.completedIndexes);
        assert.equal(s.active, 0);
        // No container of a finished run is left behind (deviation 4 removes them).
        assert.deepEqual(await containersOf(state, name), []);
        assert.match(got.stderr, new RegExp(`job\\.batch/${name} (Complete|Failed) \\(${w.reason}\\)`));
      }
    });
  }

  it('a file with only a CronJob is refused with a hint', async () => {
    const got = await tjob(['run', 'samples/cronjob-hello.yaml'], newStateDir());
    assert.equal(got.code, 2);
    assert.match(got.stderr, /no Job in samples\/cronjob-hello\.yaml/);
    assert.match(got.stderr, /tjob cron start/);
  });
});
