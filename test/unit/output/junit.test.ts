import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { junitReport } from '../../../src/output/junit.js';
import type { PodRecord } from '../../../src/api/pod.js';
import type { StoredJob } from '../../../src/ports/state-store.js';
import { podRecord, testJob, tempDir } from '../../support/jobs.js';

const XSD = resolve(import.meta.dirname, '../../../../test/fixtures/junit/JUnit.xsd');

/** A finished pod whose one container exited with `exitCode`, its containers removed. */
function pod(
  name: string,
  phase: 'Succeeded' | 'Failed',
  exitCode: number,
  extra: Partial<PodRecord> = {},
): PodRecord {
  const base = podRecord(name, phase);
  return {
    ...base,
    tracked: false,
    removed: true,
    observation: {
      ...base.observation,
      startTime: '2026-01-01T00:00:01Z',
      finishTime: '2026-01-01T00:00:03Z',
      containerStatuses: [
        {
          name: 'main',
          ready: false,
          restartCount: 0,
          image: 'busybox',
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : exitCode === 137 ? 'OOMKilled' : 'Error',
            },
          },
        },
      ],
    },
    ...extra,
  };
}

function stored(
  name: string,
  pods: PodRecord[],
  outcome: 'Complete' | 'Failed',
  reason: string,
  message: string,
): StoredJob {
  const job = testJob(name, { backoffLimit: 1 });
  return {
    job: {
      ...job,
      status: {
        startTime: '2026-01-01T00:00:00Z',
        succeeded: pods.filter((p) => p.observation.phase === 'Succeeded').length,
        failed: pods.filter((p) => p.observation.phase === 'Failed').length,
        conditions: [
          { type: outcome, status: 'True', reason, message, lastTransitionTime: '2026-01-01T00:00:05Z' },
        ],
      },
    },
    backoff: { failuresAfterLastSuccess: 0 },
    pods,
    events: [],
  };
}

function validate(xml: string): void {
  const file = join(tempDir('tjob-junit-'), 'report.xml');
  writeFileSync(file, xml);
  // Throws (with xmllint's message) when the report does not validate.
  execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' });
}

describe('JUnit report', () => {
  const failing = stored(
    'failing',
    [pod('failing-aaaaa', 'Failed', 3), pod('failing-bbbbb', 'Failed', 137)],
    'Failed',
    'BackoffLimitExceeded',
    'Job has reached the specified backoff limit',
  );
  const passing = stored(
    'passing',
    [pod('passing-ccccc', 'Succeeded', 0)],
    'Complete',
    'CompletionsReached',
    'Reached expected number of succeeded pods',
  );
  const xml = junitReport(
    [
      { state: failing, logTail: (p) => [`log of ${p.name}`, 'a <tag> & "quotes"', 'bell \u0007 here'] },
      { state: passing, logTail: () => [] },
    ],
    'host',
    new Date('2026-01-01T00:01:00Z'),
  );

  it('validates against the JUnit schema that CI tools read', () => {
    validate(xml);
  });

  it('has one suite per job, one case per pod attempt plus the job outcome', () => {
    assert.equal((xml.match(/<testsuite /g) ?? []).length, 2);
    assert.match(
      xml,
      /<testsuite package="tjob" id="0" name="failing" timestamp="2026-01-01T00:00:00" hostname="host" tests="3" failures="3" errors="0" time="5.000">/,
    );
    assert.match(xml, /<testsuite package="tjob" id="1" name="passing" [^>]*tests="2" failures="0"/);
    assert.match(xml, /<testcase name="passing-ccccc" classname="job.batch\/passing" time="2.000"\/>/);
  });

  it('carries the reason, the exit code and the log tail of each failure, escaped', () => {
    assert.match(
      xml,
      /<failure message="Error: container main exited with code 3" type="Error">log of failing-aaaaa\na &lt;tag&gt; &amp; "quotes"\nbell \uFFFD here<\/failure>/,
    );
    assert.match(xml, /<failure message="OOMKilled: container main exited with code 137" type="OOMKilled">/);
    assert.match(
      xml,
      /<testcase name="job outcome" classname="job.batch\/failing" time="5.000">\n\s+<failure message="BackoffLimitExceeded: Job has reached the specified backoff limit" type="BackoffLimitExceeded">/,
    );
  });

  it('reports an Indexed job per index, with its attempts', () => {
    const job = stored(
      'idx',
      [
        pod('idx-0-aaaaa', 'Succeeded', 0, { index: 0 }),
        pod('idx-1-bbbbb', 'Failed', 1, { index: 1 }),
        pod('idx-1-ccccc', 'Failed', 1, { index: 1 }),
      ],
      'Failed',
      'BackoffLimitExceeded',
      'Job has reached the specified backoff limit',
    );
    job.job.spec.completionMode = 'Indexed';
    const out = junitReport([{ state: job, logTail: () => ['x'] }], 'host', new Date('2026-01-01T00:01:00Z'));
    validate(out);
    assert.match(out, /<testcase name="index 0" /);
    assert.match(out, /<testcase name="index 1" [^>]*>\n\s+<failure [^>]*>2 attempts\nx<\/failure>/);
    assert.doesNotMatch(out, /idx-1-bbbbb/);
  });
  it('pods the controller stopped without counting them (Ctrl-C, excess) are no failed cases, but named', () => {
    const job = stored(
      'resumed',
      [
        pod('resumed-aaaaa', 'Failed', 143, {
          deletionRequestedAt: '2026-01-01T00:00:02Z',
          deletionReason: 'Suspended',
        }),
        pod('resumed-bbbbb', 'Succeeded', 0),
        pod('resumed-ccccc', 'Failed', 1),
        pod('resumed-ddddd', 'Failed', 143, {
          deletionRequestedAt: '2026-01-01T00:00:04Z',
          deletionReason: 'JobFinished',
        }),
      ],
      'Failed',
      'BackoffLimitExceeded',
      'Job has reached the specified backoff limit',
    );
    const out = junitReport([{ state: job, logTail: () => ['x'] }], 'host', new Date('2026-01-01T00:01:00Z'));
    validate(out);
    assert.doesNotMatch(out, /<testcase name="resumed-aaaaa"/);
    // A finishing job's pods count as failures (job_controller.go deletes them as failed).
    assert.match(out, /<testcase name="resumed-ddddd" [^>]*>\n\s+<failure /);
    assert.match(out, /tests="4" failures="3"/);
    assert.match(
      out,
      /<system-out>Stopped, not counted as failures:\nresumed-aaaaa: deleted by the job controller \(Suspended\)<\/system-out>/,
    );
  });
});
