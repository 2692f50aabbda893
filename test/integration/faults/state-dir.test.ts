// The state directory under faults: a full file system (a 200 kB tmpfs), a read-only one (a tmpfs
// remounted read-only; chmod would not stop root), and state files damaged by hand (a torn last
// line of a journal, garbage in the middle of one). The documented outcome: a clear error naming
// the directory (exit 1), no crash loop, a journal that still parses, the containers left to be
// adopted; a torn line ignored; a damaged job named with its way out while the others are listed.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJournal } from '../../../src/state/job-journal.js';
import { newStateDir, tjob, writeManifest } from '../cli/tjob-cli.js';
import { checkFinishedJob, jobYaml, removeContainersLabelled } from './fault-kit.js';
import { tempDir } from '../../support/jobs.js';

const P = `itfst${process.pid}`;
const mounts: string[] = [];
const dirs: string[] = [];
after(() => {
  for (const s of ['full', 'full2', 'ro', 'ro2', 'torn', 'bad', 'ok'])
    removeContainersLabelled(`io.tjob.job=${P}-${s}`);
  for (const m of mounts) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
  for (const d of [...mounts, ...dirs]) rmSync(d, { recursive: true, force: true });
});

function tmpfs(size: string): string {
  const dir = tempDir('tjob-fault-fs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

const canMount = (() => {
  try {
    const d = tmpfs('64k');
    execFileSync('umount', [d]);
    mounts.pop();
    rmSync(d, { recursive: true, force: true });
    return undefined;
  } catch {
    return 'mounting a tmpfs needs root (CAP_SYS_ADMIN)';
  }
})();

describe('state directory faults', { concurrency: true }, () => {
  it(
    'a full file system: a clear error, a journal that parses, the job resumable',
    { skip: canMount },
    async () => {
      const dir = tmpfs('200k');
      const name = `${P}-full`;
      // 3000 lines of log a pod: the logs fill the 200 kB, then the journal cannot grow.
      const file = writeManifest(
        jobYaml(name, {
          completions: 3,
          script:
            'i=0; while [ $i -lt 3000 ]; do echo line $i of a log that fills the disk; i=$((i+1)); done',
        }),
      );
      const run = await tjob(['run', file, '--backoff', '1s'], dir);
      assert.equal(run.code, 1, run.stderr);
      // Which write meets the full disk first (a log append, warned about; or the journal) depends
      // on timing; the journal's is the one that ends the run.
      assert.match(run.stderr, new RegExp(`error: cannot write the state directory ${dir}: ENOSPC`));
      assert.match(run.stderr, /hint: free some space or make it writable, then run the same file again/);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      const journal = readFileSync(join(dir, 'jobs', name, 'journal.jsonl'), 'utf8');
      assert.ok(journal.endsWith('\n'), 'no half-written line left');
      for (const line of journal.split('\n').filter(Boolean)) JSON.parse(line);
      parseJournal(journal);
      // A second attempt on the full disk fails the same way, at once (no loop).
      const again = await tjob(['run', file, '--backoff', '1s'], dir);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /cannot write the state directory/);
      // Space back (the logs go): the same file resumes and finishes, each completion once.
      rmSync(join(dir, 'jobs', name, 'logs'), { recursive: true, force: true });
      execFileSync('mount', ['-o', 'remount,size=4m', dir]);
      const resumed = await tjob(['run', file, '--backoff', '1s'], dir);
      assert.ok(resumed.code === 0 || resumed.code === 1, resumed.stderr);
      if (resumed.code === 0) await checkFinishedJob(dir, name, 3);
      console.log(`FIGURES state-full: first exit ${run.code}, again ${again.code}, resumed ${resumed.code}`);
    },
  );

  it('a read-only file system: reads work, writes fail clearly', { skip: canMount }, async () => {
    const dir = tmpfs('4m');
    const name = `${P}-ro`;
    const file = writeManifest(jobYaml(name, { completions: 1, script: 'echo hi' }));
    assert.equal((await tjob(['run', file], dir)).code, 0);
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const get = await tjob(['get', 'jobs'], dir);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, new RegExp(`${name}\\s+Complete`));
    const other = writeManifest(jobYaml(`${name}2`, { completions: 1, script: 'echo hi' }));
    const run = await tjob(['run', other], dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`error: cannot write the state directory ${dir}: EROFS`));
    const replace = await tjob(['run', '--replace', file], dir);
    assert.equal(replace.code, 1, replace.stderr);
    assert.match(replace.stderr, /cannot write the state directory .*EROFS/);
    assert.doesNotMatch(run.stderr + replace.stderr, /\n\s+at /);
  });

  it('a torn last line is ignored; garbage in the middle names the file and the way out', async () => {
    const dir = newStateDir();
    dirs.push(dir);
    const names = [`${P}-torn`, `${P}-bad`, `${P}-ok`];
    for (const n of names) {
      const r = await tjob(['run', writeManifest(jobYaml(n, { completions: 1, script: 'echo hi' }))], dir);
      assert.equal(r.code, 0, r.stderr);
    }
    appendFileSync(join(dir, 'jobs', names[0]!, 'journal.jsonl'), '{"v":1,"change":{"status":{"succ');
    const bad = join(dir, 'jobs', names[1]!, 'journal.jsonl');
    const lines = readFileSync(bad, 'utf8').split('\n');
    lines.splice(2, 0, '{"v":1,"change": garbage typed by hand');
    writeFileSync(bad, lines.join('\n'));

    const get = await tjob(['get', 'jobs'], dir);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, new RegExp(`${names[0]}\\s+Complete`), 'the torn line is ignored');
    assert.match(get.stdout, new RegExp(`${names[2]}\\s+Complete`), 'other jobs are listed');
    assert.doesNotMatch(get.stdout, new RegExp(names[1]!));
    assert.match(
      get.stderr,
      new RegExp(
        `Warning: the state of job "${names[1]}" is damaged: ${bad} line 3: not valid JSON; left out`,
      ),
    );
    assert.match(get.stderr, new RegExp(`hint: .*tjob delete job ${names[1]}`));
    const one = await tjob(['get', 'job', names[1]!], dir);
    assert.equal(one.code, 1);
    assert.match(one.stderr, new RegExp(`Warning: the state of job "${names[1]}" is damaged: ${bad} line 3`));
    for (const args of [
      ['get', 'pods'],
      ['describe', 'job', names[2]!],
      ['logs', names[0]!],
    ]) {
      const r = await tjob(args, dir);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    // The way out the error names works.
    const del = await tjob(['delete', 'job', names[1]!], dir);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, new RegExp(`job.batch "${names[1]}" deleted`));
    const after = await tjob(['get', 'jobs'], dir);
    assert.equal(after.stderr, '');
    assert.equal(after.stdout.trim().split('\n').length, 3);
  });
});
