// The README's quick start, first job, manifest checks, configuration and troubleshooting, run as
// the README shows them, on the real engine.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, getJob, line, terminalReason, workspace } from './readme-shell.js';

const T = { timeout: 90_000 };

describe('README: first steps', { concurrency: true }, () => {
  it('quick start: ./bin/tjob.js run --replace samples/job-hello.yaml', T, async () => {
    const ws = workspace();
    const uids: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        // Twice: --replace makes the quick start repeatable.
        const got = await line('./bin/tjob.js run --replace samples/job-hello.yaml', ws);
        assert.equal(got.code, 0, got.stderr);
        assert.match(got.stdout, /^\[hello-\w{5}\/hello\] Hello from tjob$/m);
        uids.push(getJob('hello', ws).metadata.uid ?? '');
      }
    } finally {
      cleanup(ws, uids);
    }
  });

  it('a first job: tjob run samples/job-parallel.yaml', T, async () => {
    const ws = workspace();
    let uid = '';
    try {
      const got = await line('tjob run samples/job-parallel.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout.match(/^\[parallel-\w{5}\/worker\] working on parallel-\w{5}$/gm)?.length, 6);
      assert.match(
        got.stderr,
        /job\.batch\/parallel Complete \(CompletionsReached\): succeeded 6, failed 0, \d+s/,
      );
      uid = getJob('parallel', ws).metadata.uid ?? '';
    } finally {
      cleanup(ws, [uid]);
    }
  });

  it('a failing job, with --backoff and with TJOB_BACKOFF', T, async () => {
    const ws = workspace();
    const uids: string[] = [];
    try {
      let got = await line('tjob run samples/job-fails.yaml --backoff 1s', ws);
      assert.equal(got.code, 1, got.stderr);
      assert.match(got.stderr, /job\.batch\/fails Failed \(BackoffLimitExceeded\): succeeded 0, failed 3/);
      assert.match(got.stderr, /about to fail/);
      uids.push(getJob('fails', ws).metadata.uid ?? '');
      got = await line('tjob delete job fails', ws);
      assert.equal(got.code, 0, got.stderr);

      got = await line('TJOB_BACKOFF=1s tjob run samples/job-fails.yaml', ws);
      assert.equal(got.code, 1, got.stderr);
      const job = getJob('fails', ws);
      uids.push(job.metadata.uid ?? '');
      assert.equal(terminalReason(job), 'BackoffLimitExceeded');
      // 1 s then 2 s between the three attempts, not 10 s and 20 s.
      const failedAt = job.status?.conditions?.find((c) => c.type === 'Failed')?.lastTransitionTime;
      const took = Date.parse(failedAt ?? '') - Date.parse(job.status?.startTime ?? '');
      assert.ok(took < 15_000, `took ${took} ms`);
    } finally {
      cleanup(ws, uids);
    }
  });

  it('checking manifests: validate, --dry-run, render', T, async () => {
    const ws = workspace();
    try {
      let got = await line('tjob validate samples/job-parallel.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /samples\/job-parallel\.yaml: Job parallel\n\s+honoured:/);

      got = await line('tjob validate samples/', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /Job parallel/);
      assert.match(got.stdout, /CronJob hello/);
      assert.doesNotMatch(got.stdout, /process-item/, 'templates live in samples/templates/');

      got = await line('tjob run samples/job-parallel.yaml --dry-run', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout + got.stderr, /job\.batch\/parallel \(dry run\)/);
      got = await line('tjob get jobs', ws);
      assert.match(got.stderr, /No resources found/, 'a dry run creates nothing');

      got = await line('tjob render samples/job-parallel.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /^kind: Job$/m);
      assert.match(got.stdout, /backoffLimit: 6/);
      assert.match(got.stdout, /completionMode: NonIndexed/);
      assert.doesNotMatch(got.stdout, /^\s*status:|selector:/m);
    } finally {
      cleanup(ws);
    }
  });

  it('configuration: --state-dir and --keep-containers', T, async () => {
    const ws = workspace();
    let uid = '';
    rmSync('/tmp/tjob-demo', { recursive: true, force: true });
    try {
      let got = await line(
        'tjob --state-dir /tmp/tjob-demo run samples/job-hello.yaml --keep-containers',
        ws,
      );
      assert.equal(got.code, 0, got.stderr);
      got = await line('tjob --state-dir /tmp/tjob-demo get pods', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /^hello-\w{5}\s+0\/1\s+Completed\s+0/m);
      uid =
        getJob('hello', { ...ws, env: { ...ws.env, TJOB_STATE_DIR: '/tmp/tjob-demo' } }).metadata.uid ?? '';
      const kept = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.tjob.job-uid=${uid}`])
        .toString()
        .trim();
      assert.notEqual(kept, '', 'the finished container is kept');
      // The workspace's own state directory was not used.
      got = await line('tjob get jobs', ws);
      assert.match(got.stderr, /No resources found/);
    } finally {
      cleanup(ws, [uid]);
      rmSync('/tmp/tjob-demo', { recursive: true, force: true });
    }
  });

  it('troubleshooting: no engine and a missing image both exit 3, nothing started', T, async () => {
    const ws = workspace({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    const ws2 = workspace();
    try {
      let got = await line('tjob run samples/job-hello.yaml', ws);
      assert.equal(got.code, 3);
      assert.match(
        got.stderr,
        /^error: cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker\.sock/m,
      );

      const file = join(ws2.cwd, 'missing-image.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: batch/v1',
          'kind: Job',
          'metadata: {name: missing-image}',
          'spec:',
          '  template:',
          '    spec:',
          '      restartPolicy: Never',
          '      containers: [{name: c, image: "tjob-docs-test/no-such-image:1", imagePullPolicy: Never}]',
          '',
        ].join('\n'),
      );
      got = await line(`tjob run ${file}`, ws2);
      assert.equal(got.code, 3, got.stderr);
      assert.match(got.stderr, /image "tjob-docs-test\/no-such-image:1"/);
      got = await line('tjob get pods', ws2);
      assert.match(got.stderr, /No resources found/);

      // The second run of a finished job is refused with the README's hint.
      got = await line('tjob run samples/job-hello.yaml', ws2);
      assert.equal(got.code, 0, got.stderr);
      const uid = getJob('hello', ws2).metadata.uid ?? '';
      got = await line('tjob run samples/job-hello.yaml', ws2);
      assert.equal(got.code, 2);
      assert.match(got.stderr, /error: job "hello" already exists and has finished/);
      cleanup(ws2, [uid]);
    } finally {
      cleanup(ws);
      cleanup(ws2);
    }
  });
});
