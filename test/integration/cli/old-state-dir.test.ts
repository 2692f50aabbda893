// A state directory written by tjob 014da0f (test/fixtures/state-014da0f) goes on working on the
// engine: `tjob run` of the interrupted job's manifest takes over the dead controller's lease,
// counts the pod whose container vanished as failed and completes the job; `tjob resume` of the
// suspended job completes it; `tjob delete` removes jobs and the CronJob with its history. Every
// read command on the same fixture: test/unit/state/old-state-dir.test.ts.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { copyOldStateDir, oldStateManifest } from '../../support/old-state-dir.js';
import { newStateDir, tjob } from './tjob-cli.js';

/** The fixture's jobs that this test starts pods for, by uid (names may be in use elsewhere). */
const UIDS = {
  interrupted: 'd640742f-8c7c-4033-be45-b7735bb090fd',
  held: '94c26614-aaae-4592-9fa5-84cb953f3cec',
};

function containersOfUid(uid: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=io.tjob.job-uid=${uid}`])
    .toString()
    .split('\n')
    .filter(Boolean);
}

describe('a state directory of tjob 014da0f on the real engine', { timeout: 180_000 }, () => {
  const state = copyOldStateDir(newStateDir());
  after(() => {
    const left = Object.values(UIDS).flatMap(containersOfUid);
    if (left.length) execFileSync('docker', ['rm', '-f', ...left]);
  });

  it('run resumes the interrupted job, resume completes the suspended one, delete removes them', async () => {
    // Both at once: the two jobs are independent, and the test stays short.
    const [resumed, held] = await Promise.all([
      tjob(['run', '--backoff', '1s', oldStateManifest('interrupted')], state),
      (async () => {
        const resume = await tjob(['resume', 'job', 'held'], state);
        const wait = await tjob(['wait', 'job/held', '--for=condition=Complete', '--timeout=120s'], state);
        return { resume, wait };
      })(),
    ]);

    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /^[\d:]+ job\.batch\/interrupted resumed$/m);
    // Its container removed behind tjob's back: a pod lost with its node, counted failed once.
    assert.match(
      resumed.stderr,
      /^[\d:]+ job\/interrupted: pod interrupted-pxmf2 Failed \(ContainersLost\)$/m,
    );
    assert.match(
      resumed.stderr,
      /^job\.batch\/interrupted Complete \(CompletionsReached\): succeeded 2, failed 1, /m,
    );
    // The new pod gets the ConfigMap stored with apply by the old version.
    assert.match(
      resumed.stdout,
      /^\[interrupted-([a-z0-9]{5})\/main\] hello from settings, pod interrupted-\1$/m,
    );
    const store = new FileStore(state);
    const job = (await store.loadJob('interrupted'))!.job;
    assert.equal(job.status.succeeded, 2);
    assert.equal(job.status.failed, 1);
    assert.equal(await store.jobLeaseHolder('interrupted'), undefined, 'the lease is released');

    // Logs of the old version's pods (one file per container) and of the new one (per run).
    const logs = await tjob(['logs', 'interrupted'], state);
    assert.equal(logs.code, 0, logs.stderr);
    const lines = logs.stdout.split('\n').filter(Boolean);
    assert.deepEqual(lines.slice(0, 3), [
      '[interrupted-6cczv/main] hello from settings, pod interrupted-6cczv',
      '[interrupted-6cczv/main] finished',
      '[interrupted-pxmf2/main] hello from settings, pod interrupted-pxmf2',
    ]);
    assert.match(
      lines[3]!,
      /^\[interrupted-[a-z0-9]{5}\/main\] hello from settings, pod interrupted-[a-z0-9]{5}$/,
    );
    assert.match(lines[4]!, /^\[interrupted-[a-z0-9]{5}\/main\] finished$/);

    assert.equal(held.resume.code, 0, held.resume.stderr);
    assert.equal(held.resume.stdout, 'job.batch/held resumed\n');
    assert.equal(held.wait.code, 0, held.wait.stderr);
    const heldLogs = await tjob(['logs', 'held'], state);
    assert.equal(heldLogs.stdout, 'held job ran\n');

    const deleted = await tjob(['delete', 'job', 'interrupted', 'held', 'done'], state);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(
      deleted.stdout,
      'job.batch "interrupted" deleted\njob.batch "held" deleted\njob.batch "done" deleted\n',
    );
    const cron = await tjob(['delete', 'cronjob', 'tick'], state);
    assert.equal(cron.code, 0, cron.stderr);
    assert.match(cron.stdout, /^cronjob\.batch "tick" deleted$/m);
    const left = await tjob(['get', 'jobs', '-o', 'name'], state);
    assert.equal(left.stdout, 'job.batch/broken\njob.batch/restarted\n');
    for (const name of ['interrupted', 'held', 'done', 'tick-1796543572', 'tick-1796543574'])
      assert.equal(existsSync(join(state, 'jobs', name)), false, `jobs/${name} is removed`);
    assert.equal(existsSync(join(state, 'cronjobs', 'tick.json')), false);
    for (const uid of Object.values(UIDS)) assert.deepEqual(containersOfUid(uid), [], 'no container is left');
  });
});
