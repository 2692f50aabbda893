// The README's "Inspecting jobs" and "State, interruption and resumption" sections, run as shown.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, getJob, line, startLine, terminalReason, workspace } from './readme-shell.js';
import { until } from '../cli/tjob-cli.js';

const T = { timeout: 180_000 };

describe('README: inspecting, interrupting and resuming jobs', { concurrency: true }, () => {
  it('inspecting: run -d, suspend, resume, wait, get, describe, logs, delete', T, async () => {
    const ws = workspace();
    let uid = '';
    try {
      let got = await line('tjob run -d samples/job-parallel.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /job\.batch\/parallel created/);
      uid = getJob('parallel', ws).metadata.uid ?? '';

      got = await line('tjob suspend job parallel', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(getJob('parallel', ws).spec?.suspend, true);
      got = await line('tjob resume job parallel', ws);
      assert.equal(got.code, 0, got.stderr);
      got = await line('tjob wait job/parallel --for=condition=Complete --timeout=2m', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /job\.batch\/parallel condition met/);

      got = await line('tjob get jobs', ws);
      assert.match(got.stdout, /^parallel\s+Complete\s+6\/6/m);
      got = await line('tjob get pods --job parallel', ws);
      assert.match(got.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
      assert.ok((got.stdout.match(/^parallel-\w{5}\s/gm)?.length ?? 0) >= 6);
      got = await line('tjob get job parallel -o yaml', ws);
      assert.match(got.stdout, /^kind: Job$/m);
      assert.match(got.stdout, /succeeded: 6/);
      got = await line('tjob describe job parallel', ws);
      assert.match(got.stdout, /^Events:/m);
      assert.match(got.stdout, /Suspended/);
      assert.match(got.stdout, /Completed\s+.*Job completed/);
      got = await line('tjob logs parallel', ws);
      assert.ok(
        (got.stdout.match(/^\[parallel-\w{5}\/worker\] working on parallel-\w{5}$/gm)?.length ?? 0) >= 6,
      );
      got = await line('tjob logs parallel --tail 1 --timestamps', ws);
      assert.match(got.stdout, /^\[parallel-\w{5}\/worker\] \d{4}-\d\d-\d\dT[\d:.]+Z working on/m);

      got = await line('tjob delete job parallel', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /job\.batch "parallel" deleted/);
    } finally {
      cleanup(ws, [uid]);
    }
  });

  it('resumption: Ctrl-C, run again, kill -9, resume, --replace', T, async () => {
    const ws = workspace();
    const uids: string[] = [];
    try {
      // Ctrl-C after the first pods have succeeded.
      let run = startLine('tjob run samples/job-parallel.yaml', ws);
      let stderr = '';
      run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await until(() => /pod parallel-\w{5} Succeeded/.test(stderr), 30_000);
      uids.push(getJob('parallel', ws).metadata.uid ?? '');
      run.child.kill('SIGINT');
      let got = await run.done;
      assert.equal(got.code, 130, got.stderr);
      let job = getJob('parallel', ws);
      assert.equal(job.spec?.suspend, true);
      const before = job.status?.succeeded ?? 0;
      assert.ok(before >= 1);

      got = await line('tjob run samples/job-parallel.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      job = getJob('parallel', ws);
      assert.equal(terminalReason(job), 'CompletionsReached');
      assert.equal(job.status?.succeeded, 6);

      // kill -9 while pods run, then tjob resume job parallel adopts them.
      got = await line('tjob run --replace samples/job-parallel.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      uids.push(getJob('parallel', ws).metadata.uid ?? '');
      await line('tjob delete job parallel', ws);
      run = startLine('tjob run samples/job-parallel.yaml', ws);
      stderr = '';
      run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      await until(() => /created pod/.test(stderr), 30_000);
      uids.push(getJob('parallel', ws).metadata.uid ?? '');
      run.child.kill('SIGKILL');
      await run.done;
      got = await line('tjob resume job parallel', ws);
      assert.equal(got.code, 0, got.stderr);
      got = await line('tjob wait job/parallel --for=condition=Complete --timeout=2m', ws);
      assert.equal(got.code, 0, got.stderr);
      job = getJob('parallel', ws);
      assert.equal(job.status?.succeeded, 6);
      assert.equal(job.status?.failed ?? 0, 0);
    } finally {
      cleanup(ws, uids);
    }
  });
});
