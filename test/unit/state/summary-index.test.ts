// <root>/job-summaries.jsonl: the one file a listing of many jobs reads. A cache of the journals:
// missing, stale, torn, damaged or written by racing processes, it never changes what a listing
// says, which is always what the journals say.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { SUMMARY_INDEX_FILE, jobBrief } from '../../../src/state/summary-index.js';
import { journalKey, stampKey, stampOf } from '../../../src/state/summary-file.js';
import { briefOf, type JobRow, type JobSummary } from '../../../src/ports/job-summaries.js';
import type { JobSpec, JobStatus } from '../../../src/api/k8s.js';
import { jobRow, rowOf } from '../../../src/state/job-row.js';
import { tempDir, testJob } from '../../support/jobs.js';

async function newStore(names: string[]) {
  const root = tempDir();
  const store = new FileStore(root);
  for (const n of names) await store.createJob({ ...testJob(n), status: {} as JobStatus });
  return { root, store };
}

const indexPath = (root: string) => join(root, SUMMARY_INDEX_FILE);
const summaryPath = (root: string, name: string) => join(root, 'jobs', name, 'summary.json');
const journalPath = (root: string, name: string) => join(root, 'jobs', name, 'journal.jsonl');

/** What the journals say, read by a fresh process without any cache. */
async function truth(root: string) {
  const all = await new FileStore(root).listJobs();
  return all.map((s) => s.job);
}

/** A listing by a fresh process: the whole objects and the briefs. */
async function listing(root: string) {
  const listed = await new FileStore(root).listJobSummaries();
  return { jobs: listed.map((s) => s.job), briefs: listed.map(briefOf) };
}

/** A row's fields alone (a row read from the index is its head as well). */
function rowFields(r: JobRow): JobRow {
  const { name, finished, ttlExpiry, status, completions, duration, runningSince, createdMs } = r;
  return { name, finished, ttlExpiry, status, completions, duration, runningSince, createdMs };
}

function removeSummaries(root: string, names: string[]) {
  for (const n of names) rmSync(summaryPath(root, n));
}

describe('the summaries index', () => {
  it('is written by a listing, then answers alone: no job file but the journals is read', async () => {
    const { root, store } = await newStore(['b', 'a', 'c']);
    await store.commitJob('a', { status: { active: 1, startTime: '2026-01-01T00:00:00Z' } });
    assert.equal(existsSync(indexPath(root)), false);
    const first = await listing(root);
    assert.deepEqual(first.jobs, await truth(root));
    assert.ok(existsSync(indexPath(root)));
    assert.equal(statSync(indexPath(root)).mode & 0o777, 0o600);
    // Without the summaries, a listing from the index neither misses them nor writes them again.
    removeSummaries(root, ['a', 'b', 'c']);
    const before = readFileSync(indexPath(root));
    const second = await listing(root);
    assert.deepEqual(second.jobs, first.jobs);
    assert.deepEqual(second.briefs, first.jobs.map(jobBrief));
    assert.equal(existsSync(summaryPath(root, 'a')), false);
    assert.deepEqual(
      readFileSync(indexPath(root)),
      before,
      'an index that answered for all is not rewritten',
    );
  });

  it('keeps what a listing reads of a job in its brief, which agrees with the object', async () => {
    const { root, store } = await newStore(['j']);
    const at = '2026-01-01T00:01:00Z';
    await store.commitJob('j', {
      status: {
        startTime: '2026-01-01T00:00:00Z',
        completionTime: at,
        succeeded: 1,
        conditions: [
          {
            type: 'Complete',
            status: 'True',
            reason: 'R',
            message: 'a long message',
            lastTransitionTime: at,
          },
        ],
      },
    });
    await listing(root);
    const [s] = await new FileStore(root).listJobSummaries();
    const brief = briefOf(s!);
    assert.deepEqual(brief.status?.conditions, [
      { type: 'Complete', status: 'True', lastTransitionTime: at },
    ]);
    assert.equal(brief.metadata.name, 'j');
    assert.deepEqual(brief.spec.template.spec.containers, [{ name: 'main', image: 'busybox:latest' }]);
    assert.deepEqual(brief.metadata.labels, s!.job.metadata.labels);
    assert.equal(brief.spec.completions, 1);
    assert.deepEqual(s!.job, (await truth(root))[0]);
    const [, headLine, briefLine] = readFileSync(indexPath(root), 'utf8').split('\n');
    assert.ok(headLine!.startsWith('["j",'), headLine);
    assert.ok(briefLine!.startsWith('j\t'), briefLine);
    assert.ok(!briefLine!.includes('a long message'), 'the brief leaves out what no listing reads');
    assert.ok(!headLine!.includes('busybox'), 'the head holds the row alone');
  });

  it('keeps a brief exactly, whichever of its optional fields a job has or lacks', async () => {
    const { root, store } = await newStore([]);
    const bare = testJob('bare', { completions: undefined, parallelism: undefined, selector: undefined });
    delete bare.metadata.labels;
    delete bare.metadata.creationTimestamp;
    delete bare.spec.template.metadata;
    await store.createJob({ ...bare, status: {} as JobStatus });
    await store.createJob({
      ...testJob('full', { ttlSecondsAfterFinished: 0, completions: 3, parallelism: 2 }),
      status: {} as JobStatus,
    });
    await store.commitJob('full', {
      status: {
        startTime: '2026-01-01T00:00:00Z',
        succeeded: 0,
        conditions: [{ type: 'Suspended', status: 'False' }],
      },
    });
    const first = await listing(root);
    assert.equal(first.jobs.length, 2);
    const second = await listing(root);
    assert.deepEqual(second.briefs, first.jobs.map(jobBrief));
    assert.deepEqual(second.jobs, await truth(root));
  });

  it('is stale after a change, and the journal wins: a commit, a line appended by hand', async () => {
    const { root, store } = await newStore(['a', 'b']);
    await listing(root);
    await store.commitJob('a', { status: { active: 3 } });
    assert.equal((await listing(root)).jobs[0]?.status.active, 3);
    // A change appended behind the summaries' back (a crash right after the journal append).
    const line = JSON.stringify({ v: 1, change: { status: { failed: 7 } } }) + '\n';
    appendFileSync(journalPath(root, 'b'), line);
    const after = await listing(root);
    assert.equal(after.jobs[1]?.status.failed, 7);
    assert.equal(after.briefs[1]?.status?.succeeded, undefined);
    assert.deepEqual(after.jobs, await truth(root));
    // ... and the index now says so.
    removeSummaries(root, ['a', 'b']);
    assert.deepEqual((await listing(root)).jobs, await truth(root));
  });

  it('is rebuilt when missing, of another format, torn or damaged', async () => {
    const { root } = await newStore(['a', 'b', 'c']);
    const want = await truth(root);
    await listing(root);
    const good = readFileSync(indexPath(root), 'utf8');
    for (const damage of [
      () => rmSync(indexPath(root)),
      () => writeFileSync(indexPath(root), good.replace('{"v":2,', '{"v":99,')),
      () => writeFileSync(indexPath(root), good.replace('{"v":2,', '{"v":1,')),
      // Torn in the heads, or in the objects after them (the heads whole: the size says it).
      () => truncateSync(indexPath(root), good.indexOf('\n', good.indexOf('\n') + 1) + 10),
      () => truncateSync(indexPath(root), good.length - 10),
      () => truncateSync(indexPath(root), Math.floor(good.length / 2)),
      // b's head (`["b",ino,size,mtime,...]`, before the briefs) broken, of the wrong shape, of another type.
      ...[
        (head: string) => head.replace('["b",', '[["b",'),
        (head: string) => head.replace(/,[^,]*\]$/, ']'),
        (head: string) => head.replace(/^\["b",(\d+)/, '["b","$1"'),
        (head: string) => head.replace(',"Running",', ',7,'),
        (head: string) => head.replace(/,1767225600000\]$/, ',"x"]'),
      ].map((damage) => () => {
        const bad = good.replace(/^\["b",.*$/m, damage);
        assert.notEqual(bad, good);
        writeFileSync(indexPath(root), bad);
      }),
      () => writeFileSync(indexPath(root), 'garbage'),
      () => writeFileSync(indexPath(root), ''),
    ]) {
      damage();
      assert.deepEqual((await listing(root)).jobs, want);
      assert.equal(readFileSync(indexPath(root), 'utf8'), good, 'written whole again');
    }
  });

  it("keeps each job's row, which is what its brief says, whatever state the job is in", async () => {
    const { root, store } = await newStore([]);
    const at = '2026-01-01T00:05:00Z';
    const jobs: [string, Partial<JobSpec>, JobStatus][] = [
      ['created', {}, {}],
      [
        'running',
        { completions: undefined, parallelism: 3 },
        { startTime: '2026-01-01T00:00:00Z', active: 2 },
      ],
      ['suspended', { suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }],
      [
        'done',
        { ttlSecondsAfterFinished: 600, completions: 2 },
        {
          startTime: '2026-01-01T00:00:00Z',
          completionTime: at,
          succeeded: 2,
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at }],
        },
      ],
      [
        'failed',
        {},
        {
          startTime: '2026-01-01T00:00:00Z',
          conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: at }],
        },
      ],
    ];
    for (const [name, spec, status] of jobs) {
      const job = testJob(name, spec);
      if (name === 'created') delete job.metadata.creationTimestamp;
      await store.createJob({ ...job, status: {} as JobStatus });
      await store.commitJob(name, { status });
    }
    await listing(root);
    // Read from the index alone (no summaries): each row is the one its job gives.
    removeSummaries(
      root,
      jobs.map(([n]) => n),
    );
    const listed = await new FileStore(root).listJobSummaries();
    const want = (await truth(root)).map(jobRow);
    assert.deepEqual(
      listed.map((s) => rowFields(s.row!)),
      want.map(rowFields),
    );
    assert.deepEqual(
      listed.map((s) => rowFields(rowOf(s))),
      listed.map((s) => jobRow(briefOf(s))),
    );
    const byName = new Map(want.map((r) => [r.name, r] as const));
    assert.equal(byName.get('done')!.ttlExpiry, Date.parse(at) + 600_000);
    assert.equal(byName.get('done')!.finished, true);
    assert.equal(byName.get('failed')!.finished, true);
    assert.equal(byName.get('running')!.runningSince, '2026-01-01T00:00:00Z');
    assert.ok(Number.isNaN(byName.get('created')!.createdMs));
  });

  it("a damaged brief behind a good head: the row stands, the brief is read from the job's own files", async () => {
    const { root, store } = await newStore(['a']);
    await store.commitJob('a', { status: { failed: 2 } });
    await listing(root);
    const text = readFileSync(indexPath(root), 'utf8');
    writeFileSync(indexPath(root), text.replace(/^(a\t[^\t]*\t)\{"metadata"/m, '$1{"metadata_'));
    assert.notEqual(readFileSync(indexPath(root), 'utf8'), text);
    const [s] = await new FileStore(root).listJobSummaries();
    const [job] = await truth(root);
    assert.deepEqual(rowFields(s!.row!), rowFields(jobRow(job!)));
    assert.deepEqual(briefOf(s!), jobBrief(job!));
  });

  it('reads an index of the earlier format (v2: briefs as heads) as a miss, and writes it anew', async () => {
    const { root, store } = await newStore(['a', 'b']);
    await store.commitJob('b', { status: { failed: 3 } });
    const want = await truth(root);
    // v2, as the release before wrote it: `{"v":2,"heads":H,"size":S}`, then `name TAB stamp TAB
    // brief` per job, then `name TAB stamp TAB job` per job; stamps of the journals as they are.
    const key = (n: string) => stampKey(stampOf(statSync(journalPath(root, n), { bigint: true })));
    const heads = want.map(
      (j) => `${j.metadata.name}\t${key(j.metadata.name)}\t${JSON.stringify(jobBrief(j))}\n`,
    );
    const objects = want.map((j) => `${j.metadata.name}\t${key(j.metadata.name)}\t${JSON.stringify(j)}\n`);
    const body = heads.join('') + objects.join('');
    const header = (size: number) => JSON.stringify({ v: 2, heads: heads.join('').length, size }) + '\n';
    let size = body.length;
    while (header(size).length + body.length !== size) size = header(size).length + body.length;
    writeFileSync(indexPath(root), header(size) + body);
    removeSummaries(root, ['a', 'b']);
    const listed = await listing(root);
    assert.deepEqual(listed.jobs, want);
    const rewritten = readFileSync(indexPath(root), 'utf8');
    assert.ok(rewritten.startsWith('{"v":3,'), rewritten.slice(0, 40));
    // ... and the new index answers alone.
    assert.deepEqual((await listing(root)).jobs, want);
    assert.equal(readFileSync(indexPath(root), 'utf8'), rewritten, 'not rewritten again');
  });

  it("a damaged object behind a good brief is read from the job's own files when asked for", async () => {
    const { root, store } = await newStore(['a']);
    await store.commitJob('a', { status: { failed: 2 } });
    await listing(root);
    const text = readFileSync(indexPath(root), 'utf8');
    // The last line is the object's: `a TAB stamp TAB {...}`.
    const at = text.lastIndexOf('\t') + 1;
    assert.ok(text.slice(at).startsWith('{"apiVersion"'), text.slice(at, at + 20));
    writeFileSync(indexPath(root), `${text.slice(0, at)}{"broken${text.slice(at + 1)}`);
    const [s] = (await new FileStore(root).listJobSummaries()) as JobSummary[];
    assert.equal(briefOf(s!).metadata.name, 'a');
    assert.deepEqual(s!.job, (await truth(root))[0]);
  });

  it('drops a job removed or replaced since, and lists a job added since', async () => {
    const { root, store } = await newStore(['a', 'b']);
    await listing(root);
    await store.deleteJob('a');
    await store.createJob({ ...testJob('z'), status: {} as JobStatus });
    await store.deleteJob('b');
    await store.createJob({ ...testJob('b', { parallelism: 5 }), status: {} as JobStatus });
    const after = await listing(root);
    assert.deepEqual(after.jobs, await truth(root));
    assert.deepEqual(
      after.jobs.map((j) => [j.metadata.name, j.spec.parallelism]),
      [
        ['b', 5],
        ['z', 1],
      ],
    );
    assert.ok(!readFileSync(indexPath(root), 'utf8').includes('"name":"a"'));
  });

  it('stays right under listings, commits, creations and deletions racing in several stores', async () => {
    const { root, store } = await newStore(['j0', 'j1', 'j2', 'j3', 'j4', 'j5']);
    const readers = Array.from({ length: 4 }, () => new FileStore(root));
    let stop = false;
    const listings = readers.map(async (r) => {
      let n = 0;
      while (!stop) {
        const listed = await r.listJobSummaries();
        // Every job a listing shows is whole: its brief and object name the same job.
        for (const s of listed) assert.equal(briefOf(s).metadata.name, s.job.metadata.name);
        n++;
      }
      return n;
    });
    for (let i = 0; i < 40; i++) {
      const name = `j${i % 6}`;
      await store.commitJob(name, { status: { active: i } });
      if (i % 10 === 9) {
        await store.deleteJob(name);
        await store.createJob({ ...testJob(name), status: { failed: i } as JobStatus });
      }
      await new Promise((r) => setImmediate(r));
    }
    stop = true;
    const rounds = await Promise.all(listings);
    assert.ok(rounds.every((n) => n > 0));
    const want = await truth(root);
    assert.deepEqual((await listing(root)).jobs, want);
    // Whatever the racing writers left, the index read alone agrees with the journals.
    removeSummaries(root, ['j0', 'j1', 'j2', 'j3', 'j4', 'j5']);
    assert.deepEqual((await listing(root)).jobs, want);
    assert.deepEqual(
      readdirSync(root).filter((n) => n.endsWith('.tmp')),
      [],
      'no temp file is left behind',
    );
  });

  it('removes the temp file of a write killed half-way (its process gone, a minute old)', async () => {
    const { root, store } = await newStore(['a']);
    const dead = join(root, `.${SUMMARY_INDEX_FILE}.999999999.0.tmp`);
    writeFileSync(dead, 'half');
    const { utimesSync } = await import('node:fs');
    utimesSync(dead, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    await store.commitJob('a', { status: { active: 1 } });
    await listing(root);
    assert.equal(existsSync(dead), false);
  });

  it('is read as far as the heads: the objects only when one is asked for', async () => {
    const { root, store } = await newStore(['a', 'b']);
    await store.commitJob('b', { status: { failed: 1 } });
    await listing(root);
    const good = readFileSync(indexPath(root), 'utf8');
    // The objects overwritten (same length): a listing that prints briefs never sees it...
    const headsEnd =
      good.indexOf('\n') + 1 + (JSON.parse(good.slice(0, good.indexOf('\n'))) as { heads: number }).heads;
    writeFileSync(indexPath(root), good.slice(0, headsEnd) + 'x'.repeat(good.length - headsEnd - 1) + '\n');
    const listed = await new FileStore(root).listJobSummaries();
    assert.deepEqual(
      listed.map((s) => briefOf(s).metadata.name),
      ['a', 'b'],
    );
    // ... and an object asked for is read from the job's own files.
    assert.deepEqual(
      listed.map((s) => s.job),
      await truth(root),
    );
  });

  it("takes an object only at its head's stamp: not from another index nor another state", async () => {
    const { root, store } = await newStore(['a']);
    await listing(root);
    const older = readFileSync(indexPath(root), 'utf8');
    await store.commitJob('a', { status: { failed: 4 } });
    await listing(root);
    const newer = readFileSync(indexPath(root), 'utf8');
    // The newer heads with the older objects: a head of the current state, an object of the last.
    const split = (text: string) => {
      const nl = text.indexOf('\n') + 1;
      const heads = (JSON.parse(text.slice(0, nl)) as { heads: number }).heads;
      return { heads: text.slice(nl, nl + heads), objects: text.slice(nl + heads) };
    };
    const mixed = split(newer).heads + split(older).objects;
    const header = (size: number) => JSON.stringify({ v: 2, heads: split(newer).heads.length, size }) + '\n';
    let size = mixed.length;
    while (header(size).length + mixed.length !== size) size = header(size).length + mixed.length;
    writeFileSync(indexPath(root), header(size) + mixed);
    removeSummaries(root, ['a']);
    const [s] = await new FileStore(root).listJobSummaries();
    assert.equal(briefOf(s!).metadata.name, 'a');
    assert.equal(s!.job.status.failed, 4, 'the object of the older state is not taken');
    assert.deepEqual(s!.job, (await truth(root))[0]);
  });

  it("an object asked for after the index was replaced is the one at its head's stamp", async () => {
    const { root, store } = await newStore(['a']);
    await store.commitJob('a', { status: { failed: 1 } });
    await listing(root);
    const [first] = await new FileStore(root).listJobSummaries();
    // Another process changes the job and lists (a new index) before this one reads the object.
    await store.commitJob('a', { status: { failed: 2 } });
    await listing(root);
    assert.equal(briefOf(first!).metadata.name, 'a');
    assert.equal(first!.job.status.failed, 1, 'the state its brief was read at');
  });

  it('an object asked for after its job was deleted and the index replaced is the one the listing saw', async () => {
    const { root, store } = await newStore(['a', 'b']);
    await store.commitJob('a', { status: { failed: 1 } });
    await listing(root);
    const listed = await new FileStore(root).listJobSummaries();
    // Another process deletes the job, and a listing writes an index without it, before this
    // listing's objects are read: neither the index nor the job's own files have it any more.
    await store.deleteJob('a');
    await listing(root);
    const a = listed.find((s) => briefOf(s).metadata.name === 'a')!;
    assert.equal(a.job.status.failed, 1);
    assert.equal(listed.find((s) => briefOf(s).metadata.name === 'b')!.job.metadata.name, 'b');
  });

  it("compares the journal's state as a plain stat gives it, the same as its exact stamp", () => {
    const root = tempDir();
    const file = join(root, 'f');
    for (let i = 0; i < 50; i++) {
      writeFileSync(file, 'x'.repeat(i));
      assert.equal(journalKey(file), stampKey(stampOf(statSync(file, { bigint: true }))));
    }
    assert.equal(journalKey(join(root, 'none')), undefined);
  });
});
