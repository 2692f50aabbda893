// The README's CronJob and CI sections, run as shown: a short-lived scheduler (stopped by the
// test with SIGINT), and `tjob run --report junit.xml` for a passing and a failing job.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, getJob, line, startLine, terminalReason, workspace } from './readme-shell.js';
import { until } from '../cli/tjob-cli.js';

const T = { timeout: 90_000 };

describe('README: CronJobs and CI', { concurrency: true }, () => {
  it('cronjobs: apply, cron start, list, next, trigger, delete', T, async () => {
    const ws = workspace();
    const uids: string[] = [];
    let daemon: ReturnType<typeof startLine> | undefined;
    try {
      let got = await line('tjob apply -f samples/cronjob-hello.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /cronjob\.batch\/hello created/);

      daemon = startLine('tjob cron start', ws);
      let daemonErr = '';
      let daemonOut = '';
      daemon.child.stderr!.on('data', (d: Buffer) => (daemonErr += d.toString()));
      daemon.child.stdout!.on('data', (d: Buffer) => (daemonOut += d.toString()));
      await until(() => /scheduler \(pid \d+\) started/.test(daemonErr), 30_000);

      got = await line('tjob cron list', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/m);
      assert.match(got.stdout, /^hello\s+\*\/1 \* \* \* \*\s+<none>\s+False/m);

      got = await line('tjob cron next hello', ws);
      assert.equal(got.code, 0, got.stderr);
      const times = got.stdout.match(/^\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:00 /gm) ?? [];
      assert.equal(times.length, 5, got.stdout);

      got = await line('tjob cron trigger hello', ws);
      assert.equal(got.code, 0, got.stderr);
      const name = /job\.batch\/(hello-manual-\w{5}) created/.exec(got.stdout)?.[1];
      assert.ok(name, got.stdout);
      uids.push(getJob(name, ws).metadata.uid ?? '');
      // The running scheduler drives it.
      await until(() => /Hello from the Kubernetes cluster/.test(daemonOut), 30_000);
      await until(() => terminalReason(getJob(name, ws)) === 'CompletionsReached', 30_000);

      daemon.child.kill('SIGINT');
      const end = await daemon.done;
      assert.equal(end.code, 130, end.stderr);

      got = await line('tjob delete cronjob hello', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /cronjob\.batch "hello" deleted/);
      got = await line('tjob get jobs', ws);
      assert.match(got.stderr, /No resources found/, "the cronjob's jobs went with it");
    } finally {
      if (daemon && daemon.child.exitCode === null) {
        daemon.child.kill('SIGKILL');
        await daemon.done;
      }
      cleanup(ws, uids);
    }
  });

  it('ci: tjob run --report junit.xml', T, async () => {
    const ws = workspace();
    const uids: string[] = [];
    try {
      let got = await line('tjob run samples/job-hello.yaml --report junit.xml', ws);
      assert.equal(got.code, 0, got.stderr);
      uids.push(getJob('hello', ws).metadata.uid ?? '');
      const report = join(ws.cwd, 'junit.xml');
      assert.ok(existsSync(report));
      let xml = readFileSync(report, 'utf8');
      assert.match(xml, /^<\?xml /);
      assert.equal(xml.match(/<testsuite\b/g)?.length, 1);
      assert.match(xml, /<testsuite\b[^>]*name="hello"[^>]*failures="0"/);
      assert.match(xml, /<testcase\b[^>]*name="hello-\w{5}"/);
      assert.doesNotMatch(xml, /<failure\b/);

      got = await line('tjob run samples/job-fails.yaml --backoff 1s --report junit.xml', ws);
      assert.equal(got.code, 1, got.stderr);
      uids.push(getJob('fails', ws).metadata.uid ?? '');
      xml = readFileSync(report, 'utf8');
      assert.match(xml, /<testsuite\b[^>]*name="fails"/);
      // Three failed pod attempts, each with its exit code and log tail.
      const failures =
        xml.match(/<testcase\b[^>]*name="fails-\w{5}"[^>]*>\s*<failure\b[^>]*>[^<]*<\/failure>/g) ?? [];
      assert.equal(failures.length, 3, xml);
      for (const f of failures) {
        assert.match(f, /exit(ed with)? code 3/);
        assert.match(f, /about to fail/);
      }
      assert.match(xml, /BackoffLimitExceeded/);
    } finally {
      cleanup(ws, uids);
    }
  });
});
