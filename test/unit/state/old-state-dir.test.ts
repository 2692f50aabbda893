// A state directory written by tjob 014da0f (test/fixtures/state-014da0f: finished, failed,
// suspended and interrupted jobs, an OnFailure job restarted in place, a CronJob with history,
// an applied ConfigMap and Secret) is read by every command of this version. Each test works on
// a fresh copy; the fixture is never written. Resuming its jobs on the engine:
// test/integration/cli/old-state-dir.test.ts.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { copyOldStateDir, OLD_STATE_FIXTURE } from '../../support/old-state-dir.js';
import { fixedClock, harness, tjob, type Harness } from '../cli/helpers.js';

/** A little after the fixture was made (its last write: 2026-12-06T07:53:14Z). */
const NOW = '2026-12-06T08:00:00Z';

function oldState(): Harness {
  const h = harness({ clock: fixedClock(NOW) });
  copyOldStateDir(h.dir);
  return h;
}

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const h = oldState();
  const code = await tjob(h, ...args);
  return { code, out: h.out(), err: h.err() };
}

/** Every file of the fixture and a digest of its content. */
function fixtureDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else
        hash
          .update(`${relative(OLD_STATE_FIXTURE, p)}\0`)
          .update(readFileSync(p))
          .update('\0');
    }
  };
  walk(OLD_STATE_FIXTURE);
  return hash.digest('hex');
}

describe('a state directory of tjob 014da0f', () => {
  const before = fixtureDigest();

  it('get jobs lists every job with its status', async () => {
    const r = await run('get', 'jobs');
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      `NAME              STATUS      COMPLETIONS   DURATION   AGE
broken            Failed      0/1           9m22s      9m22s
done              Complete    3/3           4s         9m10s
held              Suspended   0/1                      9m2s
interrupted       Running     1/2           7m35s      7m37s
restarted         Complete    1/1           4s         9m28s
tick-1796543572   Complete    1/1           20s        7m8s
tick-1796543574   Complete    1/1           18s        7m6s
`,
    );
  });
  it('get pods lists every recorded pod, the interrupted one as last recorded (Running)', async () => {
    const r = await run('get', 'pods');
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      `NAME                    READY   STATUS      RESTARTS        AGE
broken-6jccq            0/1     Error       0               9m22s
broken-d7st9            0/1     Error       0               9m20s
done-5gkvd              0/1     Completed   0               9m8s
done-ngxt8              0/1     Completed   0               9m10s
done-xs42h              0/1     Completed   0               9m10s
interrupted-6cczv       0/1     Completed   0               7m35s
interrupted-pxmf2       1/1     Running     0               7m29s
restarted-bwxzd         0/1     Completed   2 (9m26s ago)   9m28s
tick-1796543572-ndvz6   0/1     Completed   0               7m8s
tick-1796543574-5frgg   0/1     Completed   0               7m6s
`,
    );
  });

  it('get cronjobs and cron list show the CronJob with its last schedule', async () => {
    const table = `NAME   SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE
tick   @every 2s   <none>     False     0        7m6s            7m18s
`;
    for (const args of [
      ['get', 'cronjobs'],
      ['cron', 'list'],
    ]) {
      const r = await run(...args);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, table, args.join(' '));
    }
  });

  it('get job -o yaml gives the stored object, status included', async () => {
    const r = await run('get', 'job', 'interrupted', '-o', 'yaml');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ {2}uid: d640742f-8c7c-4033-be45-b7735bb090fd$/m);
    assert.match(r.out, /^ {2}completions: 2$/m);
    assert.match(r.out, /^ {12}configMapKeyRef:\n {14}key: GREETING\n {14}name: settings$/m);
    assert.match(
      r.out,
      /^status:\n {2}active: 1\n {2}ready: 1\n {2}startTime: "2026-12-06T07:52:25Z"\n {2}succeeded: 1\n/m,
    );
  });

  it('describe job, pod and cronjob show the recorded state and events', async () => {
    const job = await run('describe', 'job', 'done');
    assert.equal(job.code, 0, job.err);
    assert.match(job.out, /^Pods Statuses: {4}0 Active \(0 Ready\) \/ 3 Succeeded \/ 0 Failed$/m);
    assert.match(job.out, /^ {6}token {8}Secret {5}Optional: false$/m);
    assert.match(job.out, /^ {2}Normal {2}Completed {9}9m6s {3}job-controller {2}Job completed$/m);

    const held = await run('describe', 'job', 'held');
    assert.equal(held.code, 0, held.err);
    assert.match(held.out, /^Suspend: {10}true$/m);
    assert.match(held.out, /^ {2}Normal {2}Suspended {2}9m {4}job-controller {2}Job suspended$/m);

    const pod = await run('describe', 'pod', 'restarted-bwxzd');
    assert.equal(pod.code, 0, pod.err);
    assert.match(pod.out, /^Status: {9}Succeeded$/m);
    assert.match(pod.out, /^ {4}Last State: {5}Terminated\n {6}Reason: {7}Error\n {6}Exit Code: {4}1$/m);
    assert.match(pod.out, /^ {4}Restart Count: {2}2$/m);

    const cron = await run('describe', 'cronjob', 'tick');
    assert.equal(cron.code, 0, cron.err);
    assert.match(cron.out, /^Successful Job History Limit: {2}2$/m);
    assert.match(cron.out, /^Last Schedule Time: {2}Sun, 06 Dec 2026 07:52:54 \+0000$/m);
    assert.match(
      cron.out,
      /^ {2}Normal {2}SuccessfulDelete {2}6m47s {2}cronjob-controller {2}Deleted job tick-1796543570$/m,
    );
  });

  it("logs prints every pod's log, with the job's Secret masked (or shown on request)", async () => {
    const masked = await run('logs', 'done');
    assert.equal(masked.code, 0, masked.err);
    assert.equal(
      masked.out,
      `[done-ngxt8/work] hello from settings from done-ngxt8
[done-ngxt8/work] token ***
[done-xs42h/work] hello from settings from done-xs42h
[done-xs42h/work] token ***
[done-5gkvd/work] hello from settings from done-5gkvd
[done-5gkvd/work] token ***
`,
    );
    const shown = await run('logs', 'done', '--show-secrets');
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, /^\[done-ngxt8\/work\] token fixture-token-value$/m);

    const failed = await run('logs', 'broken');
    assert.equal(
      failed.out,
      '[broken-6jccq/main] failing on purpose\n[broken-d7st9/main] failing on purpose\n',
    );

    const stamped = await run('logs', 'pod/interrupted-pxmf2', '--timestamps');
    assert.equal(stamped.code, 0, stamped.err);
    assert.equal(stamped.out, '2026-12-06T07:52:33.649Z hello from settings, pod interrupted-pxmf2\n');
  });

  it('logs of a container restarted in place: its one log file is one run, the current one; -p finds none before it', async () => {
    // tjob 014da0f wrote every run of a container into logs/<pod>/<container>.log; the runs
    // cannot be told apart afterwards, so the whole file is shown as the current run (see
    // runToShow in src/cli/commands/logs.ts) and `-p` prints nothing, without an error.
    const current = await run('logs', 'restarted');
    assert.equal(current.code, 0, current.err);
    assert.equal(current.out, 'run 1\nrun 2\nrun 3\n');
    const previous = await run('logs', 'restarted', '-p');
    assert.equal(previous.code, 0, previous.err);
    assert.equal(previous.out, '');
    assert.equal(previous.err, '');
  });

  it('wait finds the finished jobs’ conditions', async () => {
    const complete = await run('wait', 'job/done', '--for=condition=Complete', '--timeout=1s');
    assert.equal(complete.code, 0, complete.err);
    assert.equal(complete.out, 'job.batch/done condition met\n');
    const failed = await run('wait', 'job/broken', '--for=condition=Failed', '--timeout=1s');
    assert.equal(failed.code, 0, failed.err);
    assert.equal(failed.out, 'job.batch/broken condition met\n');
  });

  it('cron next gives the stored CronJob’s next runs', async () => {
    const r = await run('cron', 'next', 'tick', '--count', '3');
    assert.equal(r.code, 0, r.err);
    assert.equal(
      r.out,
      `@every 2s: every 2s (from the last run, or from creation) (UTC, the local zone)
Sun 2026-12-06 08:00:02 UTC+00:00
Sun 2026-12-06 08:00:04 UTC+00:00
Sun 2026-12-06 08:00:06 UTC+00:00
`,
    );
  });

  it('the fixture itself was not written', () => {
    assert.equal(fixtureDigest(), before);
  });
});
