// State that survives anything, on the real engine: SIGKILL and resume, SIGINT and resume,
// two runs of one job at once, run -d, suspend and resume from another process.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { containersOf, newStateDir, start, tjob, until, writeManifest } from './tjob-cli.js';

function slowJob(name: string, completions = 4, parallelism = 2, seconds = 2, markerDir?: string): string {
  // With a marker directory, pods sleep only until the test creates the file `fast` in it.
  const wait = markerDir
    ? `i=0; while [ ! -e /marker/fast ] && [ $i -lt ${seconds * 10} ]; do sleep 0.1; i=$((i+1)); done`
    : `sleep ${seconds}`;
  const volume = markerDir
    ? `
        volumeMounts: [{name: marker, mountPath: /marker}]
      volumes:
      - name: marker
        hostPath: {path: ${markerDir}, type: Directory}`
    : '';
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completions: ${completions}
  parallelism: ${parallelism}
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 5
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "trap 'echo stopping; exit 143' TERM; echo start; ${wait} & wait; echo done"]${volume}
`;
}

async function stored(state: string, name: string) {
  const s = await new FileStore(state).loadJob(name);
  assert.ok(s, `job ${name} is recorded`);
  return s;
}

describe('resumption on the real engine', { timeout: 300_000 }, () => {
  it('SIGKILL mid-job: the next run adopts the containers and counts every pod exactly once', async () => {
    const state = newStateDir();
    const file = writeManifest(slowJob('killed'));
    const first = start(['run', file], state);
    const podContainers = async (job: string) =>
      (await containersOf(state, job, true)).filter((c) => !/-pause /.test(c));
    await until(async () => (await podContainers('killed')).length === 2);
    first.child.kill('SIGKILL');
    const firstEnd = await first.done;
    assert.equal(firstEnd.signal, 'SIGKILL');
    assert.equal((await podContainers('killed')).length, 2, 'the containers go on without tjob');

    const second = await tjob(['run', file], state);
    assert.equal(second.code, 0, second.stderr);
    const s = await stored(state, 'killed');
    assert.equal(s.job.status.succeeded, 4);
    assert.equal(s.job.status.failed, 0);
    assert.equal(s.pods.length, 4, 'no pod created twice');
    assert.equal(new Set(s.pods.map((p) => p.name)).size, 4);
    // The adopted pods' logs are whole and not doubled.
    for (const p of s.pods) {
      const lines = await new FileStore(state).readLogs('killed', p.name, 'main');
      assert.deepEqual(
        lines.map((l) => l.text),
        ['start', 'done'],
      );
    }
    assert.deepEqual(await containersOf(state, 'killed'), []);
  });

  it('SIGINT stops the pods, suspends the job, exits 130; running again resumes it', async () => {
    const state = newStateDir();
    const marker = newStateDir();
    const file = writeManifest(slowJob('interrupted', 4, 2, 60, marker));
    const first = start(['run', file], state);
    // Both pods' containers running (a sandbox prepared for the next pod is no pod's container).
    await until(
      async () =>
        (await containersOf(state, 'interrupted', true)).filter((c) => !/-pause /.test(c)).length === 2,
    );
    first.child.kill('SIGINT');
    const firstEnd = await first.done;
    assert.equal(firstEnd.code, 130, firstEnd.stderr);
    assert.deepEqual(await containersOf(state, 'interrupted', true), [], 'no container left running');
    let s = await stored(state, 'interrupted');
    assert.equal(s.job.spec.suspend, true);
    assert.equal(s.job.status.conditions?.find((c) => c.type === 'Suspended')?.status, 'True');
    assert.equal(s.job.status.failed ?? 0, 0, 'pods stopped for suspension are not failures');
    assert.match(firstEnd.stdout, /stopping/);

    writeFileSync(join(marker, 'fast'), '');
    const second = await tjob(['run', file, '--no-logs'], state, {});
    assert.equal(second.code, 0, second.stderr);
    s = await stored(state, 'interrupted');
    assert.equal(s.job.status.succeeded, 4);
    assert.equal(s.job.spec.suspend, false);
    assert.equal(s.job.status.conditions?.find((c) => c.type === 'Suspended')?.status, 'False');
  });

  it('two runs of one job at once: one controller, the other follows and ends with it', async () => {
    const state = newStateDir();
    const file = writeManifest(slowJob('twice'));
    const a = start(['run', file], state);
    await until(async () => (await new FileStore(state).jobLeaseHolder('twice')) !== undefined);
    const b = await tjob(['run', file], state);
    const aEnd = await a.done;
    assert.equal(aEnd.code, 0, aEnd.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /driven by another tjob \(pid \d+, tjob run\): following it/);
    assert.match(b.stderr, /job\.batch\/twice Complete/);
    const s = await stored(state, 'twice');
    assert.equal(s.pods.length, 4);
    assert.equal(s.job.status.succeeded, 4);
  });

  it('run -d returns at once; suspend and resume reach its background controller; tjob wait sees it finish', async () => {
    const state = newStateDir();
    const marker = newStateDir();
    const file = writeManifest(slowJob('bg', 2, 1, 120, marker));
    const started = Date.now();
    const d = await tjob(['run', '-d', file], state);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, 'job.batch/bg created\n');
    assert.ok(Date.now() - started < 20_000);
    const holder = await new FileStore(state).jobLeaseHolder('bg');
    assert.equal(holder?.command, 'tjob run -d');

    await until(
      async () => (await containersOf(state, 'bg', true)).filter((c) => !/-pause /.test(c)).length === 1,
      90_000,
    );
    const susp = await tjob(['suspend', 'job', 'bg'], state);
    assert.equal(susp.code, 0, susp.stderr);
    assert.equal(susp.stdout, 'job.batch/bg suspended\n');
    await until(
      async () =>
        (await stored(state, 'bg')).job.status.conditions?.some(
          (c) => c.type === 'Suspended' && c.status === 'True',
        ) ?? false,
      90_000,
    );
    await until(async () => (await containersOf(state, 'bg', true)).length === 0, 90_000);

    // From here on the pods finish at once.
    writeFileSync(join(marker, 'fast'), '');
    const res = await tjob(['resume', 'job', 'bg'], state);
    assert.equal(res.code, 0, res.stderr);
    const waited = await tjob(['wait', 'job/bg', '--for=finished', '--timeout=120s'], state);
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(waited.stdout, 'job.batch/bg condition met\n');
    const s = await stored(state, 'bg');
    assert.equal(s.job.status.succeeded, 2);
    assert.equal(s.job.status.conditions?.find((c) => c.type === 'Complete')?.status, 'True');
    await until(async () => (await new FileStore(state).jobLeaseHolder('bg')) === undefined, 60_000);
  });

  it('run -d of a suspended job returns promptly every time, however fast its controller ends', async () => {
    // The controller takes the job, records it Suspended and leaves within milliseconds: the
    // starting process must still learn that the job was taken (it used to wait 30 s and fail).
    const yaml = slowJob('susp', 1, 1, 1).replace(
      'spec:\n  completions',
      'spec:\n  suspend: true\n  completions',
    );
    const file = writeManifest(yaml);
    for (let i = 0; i < 6; i++) {
      const state = newStateDir();
      const started = Date.now();
      const d = await tjob(['run', '-d', file], state);
      const took = Date.now() - started;
      assert.equal(d.code, 0, d.stderr);
      assert.equal(d.stdout, 'job.batch/susp created\n');
      assert.ok(took < 20_000, `run -d ${i + 1} took ${took} ms`);
      await until(
        async () =>
          (await stored(state, 'susp')).job.status.conditions?.some(
            (c) => c.type === 'Suspended' && c.status === 'True',
          ) ?? false,
      );
      assert.deepEqual(await containersOf(state, 'susp'), []);
    }
  });

  it('a job that finished or changed is not run again without --replace', async () => {
    const state = newStateDir();
    const file = writeManifest(slowJob('done', 1, 1, 0));
    assert.equal((await tjob(['run', file], state)).code, 0);
    const again = await tjob(['run', file], state);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /job "done" already exists and has finished \(Complete\)/);
    assert.match(again.stderr, /--replace/);
    const changed = await tjob(['run', writeManifest(slowJob('done', 2, 1, 0))], state);
    assert.equal(changed.code, 2);
    assert.match(changed.stderr, /already exists/);
    const replaced = await tjob(['run', '--replace', file], state);
    assert.equal(replaced.code, 0, replaced.stderr);
  });
});
