// `tjob run` in process on the fake runtime: the exit codes, the result and reason lines, the
// failed pod's log tail, the JUnit report and an interrupt, without Docker (the same command on a
// real engine: test/integration/cli).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../support/jobs.js';
import { waitFor } from '../../support/wait-for.js';
import { fakeEngine, jobManifest } from './fake-engine.js';

describe('tjob run on the fake runtime', { timeout: 120_000 }, () => {
  it('exits 0 when the pods succeed, with their logs and the Complete line', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 3000, logs: ['hello from ok'] }));
    const code = await h.run('run', h.manifest(jobManifest('ok')));
    assert.equal(code, 0, h.err());
    assert.match(h.err(), /^[\d:]+ job\.batch\/ok created$/m);
    assert.match(h.out(), /hello from ok/);
    assert.match(h.err(), /^job\.batch\/ok Complete \(CompletionsReached\): succeeded 1, failed 0, /m);
    const stored = await h.store.loadJob('ok');
    assert.equal(stored?.job.status.succeeded, 1);
    assert.ok(stored?.job.status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'));
    assert.deepEqual(h.runtime.created.length, 1);
    // The lease is released when the run ends.
    assert.equal(await h.store.jobLeaseHolder('ok'), undefined);
  });

  it('exits 1 when the job fails, with the reason, its message and the last failed pod’s log', async () => {
    const h = fakeEngine(() => ({ exitCode: 3, runMs: 1000, logs: ['working', 'broken'] }));
    const code = await h.run('run', h.manifest(jobManifest('bad', 'backoffLimit: 1')), '--backoff', '1s');
    assert.equal(code, 1, h.err());
    assert.match(h.err(), /^job\.batch\/bad Failed \(BackoffLimitExceeded\): succeeded 0, failed 2, /m);
    assert.match(h.err(), /^ {2}Job has reached the specified backoff limit$/m);
    assert.match(h.err(), /^ {2}last 2 log lines of the last failed pod:\n {2}\| working\n {2}\| broken$/m);
    assert.equal(h.runtime.created.length, 2, 'backoffLimit 1: one retry');
  });

  it('writes the JUnit report of a run: one test case per pod, failures with their reason and log', async () => {
    const h = fakeEngine((plan) =>
      plan.jobName === 'report-bad'
        ? { exitCode: 4, runMs: 1000, logs: ['broken'] }
        : { exitCode: 0, runMs: 1000, logs: ['fine'] },
    );
    const report = join(tempDir('tjob-report-'), 'junit.xml');
    const file = h.manifest(jobManifest('report-$ITEM', 'backoffLimit: 0'));
    const code = await h.run('run', file, '--items', 'good,bad', '--report', report);
    assert.equal(code, 1, h.err());
    const xml = readFileSync(report, 'utf8');
    assert.match(xml, /<testsuite package="tjob" id="\d" name="report-good" [^>]*tests="2" failures="0"/);
    assert.match(xml, /<testsuite package="tjob" id="\d" name="report-bad" [^>]*tests="2" failures="2"/);
    assert.match(
      xml,
      /<failure message="Error: container main exited with code 4" type="Error">broken<\/failure>/,
    );
    assert.match(xml, /type="BackoffLimitExceeded"/);
    assert.match(h.err(), /^report-good\s+Complete\s+1\s+0\s+/m);
    assert.match(h.err(), /^report-bad\s+Failed\s+0\s+1\s+/m);
    assert.match(h.err(), new RegExp(`JUnit report written to ${report}`));
  });

  it('refuses a Job another controller manages (spec.managedBy): exit 2, nothing created', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 1000 }));
    const code = await h.run('run', h.manifest(jobManifest('theirs', 'managedBy: example.com/batch')));
    assert.equal(code, 2, h.err());
    assert.match(h.err(), /job "theirs": spec\.managedBy is "example\.com\/batch"/);
    assert.match(h.err(), /hint: remove spec\.managedBy/);
    assert.equal(await h.store.loadJob('theirs'), undefined);
    assert.equal(h.runtime.created.length, 0);
    // The built-in controller's own name is the default and runs as usual.
    const ours = await h.run(
      'run',
      h.manifest(jobManifest('ours', 'managedBy: kubernetes.io/job-controller')),
    );
    assert.equal(ours, 0, h.err());
  });

  it('a resumed run reports only the pods that end now, not those counted before', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 2000 }));
    const file = h.manifest(jobManifest('twice', 'completions: 3'));
    const first = h.start('run', file);
    await waitFor(async () => (await h.store.loadJob('twice'))?.job.status.succeeded === 1, {
      what: 'the first pod to be counted',
    });
    h.signal('SIGINT');
    assert.equal(await first.done, 130, h.err());
    // Pods whose outcome was settled before the interrupt: counted, or (one that ended while the
    // suspension deleted it) untracked uncounted, as upstream's deleteJobPods does.
    const suspended = (await h.store.loadJob('twice'))!;
    const settled = suspended.pods.filter((p) => p.observation.phase === 'Succeeded' && !p.tracked);
    const succeeded = suspended.job.status.succeeded ?? 0;
    assert.ok(succeeded >= 1 && succeeded < 3, `${succeeded} counted`);
    const before = h.err().length;
    assert.equal(await h.run('run', file), 0, h.err());
    const second = h.err().slice(before);
    for (const p of settled) assert.doesNotMatch(second, new RegExp(`pod ${p.name} Succeeded`));
    assert.equal(second.match(/ Succeeded, exit 0/g)?.length, 3 - succeeded, second);
  });

  it('an interrupt stops the pods, suspends the job and exits 130', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 3_600_000 }));
    const { done } = h.start('run', h.manifest(jobManifest('long')));
    await waitFor(async () => (await h.store.loadJob('long'))?.job.status.active === 1, {
      what: 'job long to have its pod running',
    });
    h.signal('SIGINT');
    const code = await done;
    assert.equal(code, 130, h.err());
    assert.match(h.err(), /SIGINT received: stopping the pods and suspending the job/);
    assert.match(h.err(), /^job\.batch\/long Suspended\b/m);
    assert.equal(h.runtime.deleted.length, 1, 'its pod was stopped');
    const stored = await h.store.loadJob('long');
    assert.equal(stored?.job.spec.suspend, true);
    assert.ok(stored?.job.status.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True'));
    assert.equal(await h.store.jobLeaseHolder('long'), undefined);
  });
  it('ttlSecondsAfterFinished 0: the job is deleted, containers and records, once its result is printed', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 1000 }));
    const code = await h.run('run', h.manifest(jobManifest('short', 'ttlSecondsAfterFinished: 0')));
    assert.equal(code, 0, h.err());
    assert.match(h.err(), /^job\.batch\/short Complete \(CompletionsReached\)/m);
    assert.equal(await h.store.loadJob('short'), undefined);
    assert.deepEqual(h.runtime.removed.length, 1, 'its pod was removed');
  });

  it('a longer TTL runs out from the finish condition while the run still drives other jobs', async () => {
    const h = fakeEngine((plan) =>
      plan.jobName === 'ttl-a' ? { exitCode: 0, runMs: 1000 } : { exitCode: 0, runMs: 60_000 },
    );
    const file = h.manifest(jobManifest('ttl-$ITEM', 'ttlSecondsAfterFinished: 10'));
    const { done } = h.start('run', file, '--items', 'a,b');
    // Complete follows the count once the pod's containers are gone (the finalizer order).
    const complete = async () =>
      (await h.store.loadJob('ttl-a'))?.job.status.conditions?.find((c) => c.type === 'Complete');
    await waitFor(async () => (await complete()) !== undefined, { what: 'job ttl-a to complete' });
    const finishedAt = Date.parse((await complete())?.lastTransitionTime ?? '');
    // The line is printed once the deletion is done: waited for, not the record's going alone.
    const deletedLine = /^[\d:]+ job\.batch\/ttl-a deleted \(ttlSecondsAfterFinished\)$/m;
    await waitFor(() => deletedLine.test(h.err()), { what: 'the deletion of ttl-a to be reported' });
    const goneAt = h.clock.now().getTime();
    assert.equal(await h.store.loadJob('ttl-a'), undefined);
    assert.ok(goneAt >= finishedAt + 10_000, `deleted ${goneAt - finishedAt} ms after it finished`);
    assert.equal((await h.store.loadJob('ttl-b'))?.job.status.active, 1, 'ttl-b still runs');
    assert.equal(await done, 0, h.err());
  });
});
