// `tjob run --report`: a JUnit report CI tools read, and the summary of a multi-job run.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jobYaml } from '../faults/fault-kit.js';
import { newStateDir, removeContainersOf, start, tjob, until, writeManifest } from './tjob-cli.js';

const XSD = resolve(import.meta.dirname, '../../../../test/fixtures/junit/JUnit.xsd');

describe('run --report and the summary', { timeout: 120_000 }, () => {
  it('writes a valid JUnit report whose failures carry reason, exit code and log tail', async () => {
    const state = newStateDir();
    const report = join(newStateDir(), 'junit.xml');
    const file = writeManifest(`apiVersion: batch/v1
kind: Job
metadata:
  name: report-$ITEM
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo working on $ITEM; [ $ITEM = good ] || { echo broken >&2; exit 4; }"]
`);
    const got = await tjob(
      ['run', file, '--items', 'good,bad', '--backoff', '200ms', '--report', report],
      state,
    );
    assert.equal(got.code, 1, got.stderr);
    execFileSync('xmllint', ['--noout', '--schema', XSD, report], { stdio: 'pipe' });
    const xml = readFileSync(report, 'utf8');
    assert.match(xml, /<testsuite package="tjob" id="\d" name="report-good" [^>]*tests="2" failures="0"/);
    assert.match(xml, /<testsuite package="tjob" id="\d" name="report-bad" [^>]*tests="3" failures="3"/);
    // stdout and stderr reach the engine through separate pipes: their relative order is not kept.
    const failure =
      /<failure message="Error: container main exited with code 4" type="Error">([^<]*)<\/failure>/.exec(xml);
    assert.ok(failure, xml);
    assert.deepEqual(failure[1]!.split('\n').sort(), ['broken', 'working on bad']);
    assert.match(xml, /type="BackoffLimitExceeded"/);
    // The summary table of a multi-job run, on stderr.
    assert.match(got.stderr, /^NAME\s+STATUS\s+SUCCEEDED\s+FAILED\s+DURATION$/m);
    assert.match(got.stderr, /^report-good\s+Complete\s+1\s+0\s+\d+s$/m);
    assert.match(got.stderr, /^report-bad\s+Failed\s+0\s+2\s+\d+s$/m);
    assert.match(got.stderr, /JUnit report written to /);
  });
  it('a run interrupted by Ctrl-C and resumed: the stopped pods are no failed test cases', async () => {
    const state = newStateDir();
    const report = join(newStateDir(), 'junit.xml');
    const name = `report-resumed-${process.pid}`;
    const file = writeManifest(jobYaml(name, { completions: 2, parallelism: 2, script: 'sleep 4' }));
    const first = start(['run', '--no-logs', '-q', file], state);
    try {
      await until(async () => {
        const got = await tjob(['get', 'pods', '--job', name, '--no-headers'], state);
        return (got.stdout.match(/Running/g) ?? []).length === 2;
      }, 60_000);
      first.child.kill('SIGINT');
      assert.equal((await first.done).code, 130);
      const again = await tjob(['run', file, '--report', report], state);
      assert.equal(again.code, 0, again.stderr);
      execFileSync('xmllint', ['--noout', '--schema', XSD, report], { stdio: 'pipe' });
      const xml = readFileSync(report, 'utf8');
      // Two pods that succeeded and the job's outcome; the two stopped ones are named apart.
      assert.match(xml, new RegExp(`<testsuite [^>]*name="${name}" [^>]*tests="3" failures="0"`), xml);
      const stopped = /<system-out>Stopped, not counted as failures:\n([^<]*)<\/system-out>/.exec(xml);
      assert.ok(stopped, xml);
      assert.equal(stopped[1]!.split('\n').filter((l) => l.endsWith('(Suspended)')).length, 2, xml);
    } finally {
      first.child.kill('SIGKILL');
      removeContainersOf(name);
    }
  });
});
