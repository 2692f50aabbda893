// jobs/<name>/summary.json: what `get jobs` reads instead of every journal. It must always agree
// with the journal (the source of truth): a missing, stale, torn or damaged summary falls back to
// the journal, whoever wrote it and whenever a crash came.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { StateError } from '../../../src/api/errors.js';
import type { JobStatus } from '../../../src/api/k8s.js';
import type { PodRecord } from '../../../src/api/pod.js';
import { podRecord, tempDir, testJob } from '../../support/jobs.js';

function pod(name: string): PodRecord {
  const p = podRecord(name);
  p.observation.ready = true;
  return p;
}

async function newStore(names: string[] = ['j']) {
  const root = tempDir();
  const store = new FileStore(root);
  for (const n of names) await store.createJob({ ...testJob(n), status: {} as JobStatus });
  return { root, store };
}

const summaryPath = (root: string, name = 'j') => join(root, 'jobs', name, 'summary.json');
const journalPath = (root: string, name = 'j') => join(root, 'jobs', name, 'journal.jsonl');

/** What a fresh process reads from the journal alone. */
async function journalJob(root: string, name = 'j') {
  return (await new FileStore(root).loadJob(name))?.job;
}

describe('job summaries', () => {
  it('are written with the job and after every change, private to the user, and agree with the journal', async () => {
    const { root, store } = await newStore(['b', 'a']);
    assert.ok(existsSync(summaryPath(root, 'a')));
    assert.equal(statSync(summaryPath(root, 'a')).mode & 0o777, 0o600);
    await store.commitJob('a', {
      status: { active: 1, startTime: '2026-01-01T00:00:00Z' },
      pods: [pod('a-1')],
    });
    await store.commitJob('a', { pods: [pod('a-2')] });
    const fresh = new FileStore(root);
    const listed = await fresh.listJobSummaries();
    assert.deepEqual(
      listed.map((s) => s.job.metadata.name),
      ['a', 'b'],
    );
    assert.deepEqual(listed[0]?.job, await journalJob(root, 'a'));
    assert.deepEqual(listed[1]?.job, await journalJob(root, 'b'));
    assert.equal(listed[0]?.job.status.active, 1);
  });

  it('falls back to the journal when a change was appended but the summary not rewritten (a crash between)', async () => {
    const { root, store } = await newStore();
    await store.commitJob('j', { status: { active: 1 } });
    const before = readFileSync(summaryPath(root), 'utf8');
    await store.commitJob('j', { status: { active: 0, succeeded: 1 } });
    writeFileSync(summaryPath(root), before); // the summary of the state before the last change
    const got = await new FileStore(root).loadJobSummary('j');
    assert.equal(got?.job.status.succeeded, 1);
    assert.deepEqual(got?.job, await journalJob(root));
    // ... and leaves a summary that is current again.
    const stamp = JSON.parse(readFileSync(summaryPath(root), 'utf8')) as { job: { status: JobStatus } };
    assert.equal(stamp.job.status.succeeded, 1);
  });

  it('are rebuilt for a state directory without them (an older tjob) or with a torn one', async () => {
    const { root, store } = await newStore(['gone', 'torn']);
    await store.commitJob('gone', { status: { failed: 2 } });
    await store.commitJob('torn', { status: { failed: 3 } });
    rmSync(summaryPath(root, 'gone'));
    writeFileSync(summaryPath(root, 'torn'), '{"v":1,"journal":{"ino":"');
    const listed = await new FileStore(root).listJobSummaries();
    assert.deepEqual(
      listed.map((s) => [s.job.metadata.name, s.job.status.failed]),
      [
        ['gone', 2],
        ['torn', 3],
      ],
    );
    assert.ok(existsSync(summaryPath(root, 'gone')), 'the missing summary is written again');
    JSON.parse(readFileSync(summaryPath(root, 'torn'), 'utf8'));
  });

  it('never hide a journal edited by hand: the damage is reported as loadJob reports it', async () => {
    const { root, store } = await newStore(['good', 'bad']);
    await store.commitJob('bad', { status: { active: 1 } });
    writeFileSync(journalPath(root, 'bad'), 'garbage\n' + readFileSync(journalPath(root, 'bad'), 'utf8'));
    // Reported, not hidden, and not hiding the other jobs either (RELIABILITY.md "Damaged state files").
    const damaged: StateError[] = [];
    const listed = await new FileStore(root, { onDamaged: (e) => damaged.push(e) }).listJobSummaries();
    assert.deepEqual(
      listed.map((s) => s.job.metadata.name),
      ['good'],
    );
    assert.equal(damaged.length, 1);
    const err = damaged[0]!;
    assert.match(err.message, /journal\.jsonl line 1: not valid JSON/);
    assert.match(err.hint ?? '', /tjob delete job bad/);
    await assert.rejects(new FileStore(root).loadJob('bad'), StateError);
    assert.ok(await new FileStore(root).loadJobSummary('good'));
  });

  it('ignore a torn last journal line, as the journal reader does', async () => {
    const { root, store } = await newStore();
    await store.commitJob('j', { status: { active: 1 } });
    appendFileSync(journalPath(root), '{"v":1,"change":{"status":{"act');
    const got = await new FileStore(root).loadJobSummary('j');
    assert.equal(got?.job.status.active, 1);
  });

  it('follow a journal folded into a new snapshot', async () => {
    const { root, store } = await newStore();
    for (let i = 0; i < 300; i++) await store.commitJob('j', { status: { active: i % 3, failed: i } });
    const lines = readFileSync(journalPath(root), 'utf8').trim().split('\n').length;
    assert.ok(lines < 300, `folded (${lines} lines)`);
    const got = await new FileStore(root).loadJobSummary('j');
    assert.equal(got?.job.status.failed, 299);
    assert.deepEqual(got?.job, await journalJob(root));
  });

  it('are read from memory by the process that holds the journal open, and not for a deleted job', async () => {
    const { root, store } = await newStore(['j', 'x']);
    await store.commitJob('j', { status: { active: 2 } });
    assert.equal((await store.loadJobSummary('j'))?.job.status.active, 2);
    await store.deleteJob('x');
    assert.equal(await new FileStore(root).loadJobSummary('x'), undefined);
    assert.deepEqual(
      (await new FileStore(root).listJobSummaries()).map((s) => s.job.metadata.name),
      ['j'],
    );
  });

  it('skip a job directory whose creation crashed before its journal was written', async () => {
    const { root } = await newStore();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(root, 'jobs', 'half'), { mode: 0o700 });
    assert.deepEqual(
      (await new FileStore(root).listJobSummaries()).map((s) => s.job.metadata.name),
      ['j'],
    );
  });
});
