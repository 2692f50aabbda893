// docs/job.md §10 scenarios that need no real engine, as fake-clock simulations: the simulator
// applies syncJob's actions to an in-memory pod list and syncs again at the next instant due.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobStatus } from '../../../../src/api/k8s.js';
import { T0, condition, conditionsOf, counters, iso, job, type JobSetup } from './builders.js';
import { Sim, creationTimes, type PodScript, type Scripter } from './simulator.js';

const sleeper: PodScript = {}; // runs until deleted, exits 143 one second after SIGTERM
const exit = (code: number, runMs = 1000): PodScript => ({ exitCode: code, runMs });
const always =
  (script: PodScript): Scripter =>
  () =>
    script;
const sim = (setup: JobSetup, scripter: Scripter) => new Sim(job(setup), scripter);
const final = (s: JobStatus) => counters(s);
const done = (succeeded: number, failed: number) => ({
  active: 0,
  ready: 0,
  terminating: 0,
  succeeded,
  failed,
});
const eventsOf = (s: Sim) => s.events.map((e) => `${e.reason}: ${e.message}`);
/** Creation instants in seconds from T0. */
const times = creationTimes;
/** Gaps between a pod's finish and the next creation, for pods run one at a time. */
function gaps(s: Sim): number[] {
  const out: number[] = [];
  for (let i = 1; i < s.created.length; i++) {
    const prev = s.pod(s.created[i - 1]?.name ?? '');
    out.push(((s.created[i]?.atMs ?? 0) - (prev.finishedAt?.getTime() ?? 0)) / 1000);
  }
  return out;
}

describe('§10 A. basic completion', () => {
  it('A1 single success, all defaults', () => {
    const s = sim({}, always(exit(0))).run();
    assert.equal(s.created.length, 1);
    assert.deepEqual(conditionsOf(s.status), [
      'SuccessCriteriaMet=True/CompletionsReached',
      'Complete=True/CompletionsReached',
    ]);
    assert.equal(condition(s.status, 'Complete')?.message, 'Reached expected number of succeeded pods');
    assert.deepEqual(final(s.status), done(1, 0));
    assert.equal(s.status.startTime, iso(0));
    assert.equal(s.status.completionTime, iso(1));
    assert.deepEqual(eventsOf(s), ['Completed: Job completed']);
    assert.equal(s.t, 1);
  });

  it('A2 fixed count, parallel: 4 pods, never more than 2 active', () => {
    const s = sim({ parallelism: 2, completions: 4 }, always(exit(0))).run();
    assert.equal(s.created.length, 4);
    assert.equal(s.maxActive, 2);
    assert.ok(s.finished);
    assert.deepEqual(final(s.status), done(4, 0));
  });

  it('A3 parallelism larger than completions: only 2 pods', () => {
    const s = sim({ parallelism: 5, completions: 2 }, always(exit(0, 2000))).run();
    assert.equal(s.created.length, 2);
    assert.deepEqual(final(s.status), done(2, 0));
  });

  it('A4 completions 0: complete at once, no pods', () => {
    const s = sim({ completions: 0 }, always(exit(0))).run();
    assert.equal(s.created.length, 0);
    assert.ok(s.finished);
    assert.equal(s.t, 0);
    assert.deepEqual(final(s.status), done(0, 0));
  });

  it('A5 parallelism 0 pauses; patching it to 1 runs the job', () => {
    const s = sim({ parallelism: 0, completions: 1 }, always(exit(0))).run(10);
    assert.equal(s.created.length, 0);
    assert.deepEqual(s.status.conditions, undefined);
    assert.equal(s.status.startTime, iso(0));
    s.patch((spec) => (spec.parallelism = 1));
    s.run();
    assert.equal(s.created.length, 1);
    assert.equal(condition(s.status, 'Complete')?.status, 'True');
  });

  it('A6 work queue, all succeed: complete only after all finished', () => {
    const s = sim({ parallelism: 3 }, ({ ordinal }) => exit(0, 2000 + ordinal * 1000)).run();
    assert.equal(s.created.length, 3);
    assert.equal(s.t, 4);
    assert.deepEqual(final(s.status), done(3, 0));
    assert.equal(s.job.spec.completions, null);
  });

  it('A7 work queue: no new pods after the first success; later failures not replaced', () => {
    const s = sim({ parallelism: 3 }, ({ ordinal }) => (ordinal === 0 ? exit(0, 1000) : exit(1, 5000))).run();
    assert.equal(s.created.length, 3);
    assert.deepEqual(final(s.status), done(1, 2));
    assert.equal(condition(s.status, 'Complete')?.reason, 'CompletionsReached');
    assert.equal(s.t, 5);
  });

  it('A8 work queue waits for stragglers; deleting the loser completes it', () => {
    const s = sim({ parallelism: 2 }, ({ ordinal }) => (ordinal === 0 ? exit(0) : sleeper)).run(30);
    assert.equal(s.finished, false);
    assert.deepEqual(final(s.status), { active: 1, ready: 1, terminating: 0, succeeded: 1, failed: 0 });
    assert.deepEqual(s.status.conditions, undefined);
    s.deletePod('pod-1');
    assert.deepEqual(final(s.status), { active: 0, ready: 0, terminating: 1, succeeded: 1, failed: 1 });
    s.run();
    assert.equal(s.created.length, 2);
    assert.deepEqual(final(s.status), done(1, 1));
    assert.equal(condition(s.status, 'Complete')?.status, 'True');
  });

  it('A9 scale a work queue down and up: removed pods are not failures', () => {
    const s = sim({ parallelism: 5, backoffLimit: 2 }, always(sleeper)).run(5);
    assert.equal(s.status.active, 5);
    s.patch((spec) => (spec.parallelism = 2));
    s.run(10);
    assert.deepEqual(final(s.status), { active: 2, ready: 2, terminating: 0, succeeded: 0, failed: 0 });
    s.patch((spec) => (spec.parallelism = 4));
    assert.equal(s.status.active, 4);
    for (const p of s.views().filter((v) => v.phase === 'Running' && !v.terminating))
      s.scheduleExit(p.name, 0);
    s.run();
    assert.deepEqual(final(s.status), done(4, 0));
    assert.equal(condition(s.status, 'Complete')?.status, 'True');
  });
});

describe('§10 B. failures, backoffLimit, recreation backoff', () => {
  it('B10 backoffLimit 0', () => {
    const s = sim({ backoffLimit: 0 }, always(exit(1))).run();
    assert.equal(s.created.length, 1);
    assert.deepEqual(conditionsOf(s.status), [
      'FailureTarget=True/BackoffLimitExceeded',
      'Failed=True/BackoffLimitExceeded',
    ]);
    assert.equal(condition(s.status, 'Failed')?.message, 'Job has reached the specified backoff limit');
    assert.deepEqual(final(s.status), done(0, 1));
    assert.equal(s.status.completionTime, undefined);
    assert.deepEqual(eventsOf(s), ['BackoffLimitExceeded: Job has reached the specified backoff limit']);
    assert.equal(s.events[0]?.type, 'Warning');
  });

  it('B11 backoffLimit 1: two pods, the second 10 s after the first finished', () => {
    const s = sim({ backoffLimit: 1 }, always(exit(1))).run();
    assert.equal(s.created.length, 2);
    assert.deepEqual(gaps(s), [10]);
    assert.deepEqual(final(s.status), done(0, 2));
    assert.equal(condition(s.status, 'Failed')?.reason, 'BackoffLimitExceeded');
  });

  it('B12 default backoffLimit: 7 pods, gaps 10, 20, 40, 80, 160, 320 s', () => {
    const s = sim({}, always(exit(1))).run();
    assert.equal(s.created.length, 7);
    assert.deepEqual(gaps(s), [10, 20, 40, 80, 160, 320]);
    assert.deepEqual(final(s.status), done(0, 7));
  });

  it('B13 the backoff resets after a success', () => {
    const s = sim({ completions: 2, parallelism: 1 }, ({ ordinal }) => exit(ordinal % 2 === 0 ? 1 : 0)).run();
    assert.equal(s.created.length, 4);
    assert.deepEqual(gaps(s), [10, 0, 10]);
    assert.deepEqual(final(s.status), done(2, 2));
  });

  it('B14 simultaneous failures add up: rounds of 2, gaps 20, 80, 320 s, 8 pods', () => {
    const s = sim({ completions: 2, parallelism: 2 }, always(exit(1))).run();
    assert.equal(s.created.length, 8);
    assert.deepEqual(times(s), [0, 0, 21, 21, 102, 102, 423, 423]);
    assert.deepEqual(final(s.status), done(0, 8));
    assert.equal(condition(s.status, 'Failed')?.reason, 'BackoffLimitExceeded');
  });

  it('B15 a failure kills the rest; Failed only after they terminated', () => {
    const s = sim({ completions: 2, parallelism: 2, backoffLimit: 0 }, ({ ordinal }) =>
      ordinal === 0 ? exit(1) : { graceMs: 2000 },
    );
    s.runUntil((x) => condition(x.status, 'FailureTarget') !== undefined);
    assert.equal(s.t, 1);
    assert.equal(condition(s.status, 'Failed'), undefined);
    assert.deepEqual(final(s.status), { active: 0, ready: 0, terminating: 1, succeeded: 0, failed: 2 });
    s.run();
    assert.equal(s.t, 3);
    assert.equal(condition(s.status, 'Failed')?.lastTransitionTime, iso(3));
    assert.deepEqual(final(s.status), done(0, 2));
    assert.equal(s.created.length, 2);
  });

  it('B16 OnFailure: in-place restarts count; fails when restartCount reaches 2', () => {
    const s = sim({ restartPolicy: 'OnFailure', backoffLimit: 2 }, always(exit(1))).run();
    assert.equal(s.created.length, 1);
    assert.equal(s.pod('pod-0').restartCount, 2);
    assert.equal(condition(s.status, 'FailureTarget')?.lastTransitionTime, iso(12));
    assert.equal(condition(s.status, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.deepEqual(final(s.status), done(0, 1));
    assert.equal(s.deleted[0]?.reason, 'JobFinished');
  });

  it('B17 OnFailure, backoffLimit 0: fails at the first restart', () => {
    const s = sim({ restartPolicy: 'OnFailure', backoffLimit: 0 }, always(exit(1))).run();
    assert.equal(s.created.length, 1);
    assert.equal(s.pod('pod-0').restartCount, 1);
    assert.deepEqual(final(s.status), done(0, 1));
  });

  it('B18 OnFailure, local retry succeeds: restarts are not pod failures', () => {
    const s = sim(
      { restartPolicy: 'OnFailure', parallelism: 2, completions: 4 },
      always({ runs: [1, 0], runMs: 1000 }),
    ).run();
    assert.equal(s.created.length, 4);
    assert.deepEqual(
      s.views().map((p) => p.restartCount),
      [1, 1, 1, 1],
    );
    assert.deepEqual(final(s.status), done(4, 0));
  });

  it('B19 Never, the retry in a new pod succeeds', () => {
    const s = sim({ parallelism: 2, completions: 4 }, ({ ordinal }) => exit(ordinal < 2 ? 1 : 0)).run();
    assert.deepEqual(final(s.status), done(4, 2));
    assert.deepEqual(conditionsOf(s.status), [
      'SuccessCriteriaMet=True/CompletionsReached',
      'Complete=True/CompletionsReached',
    ]);
    assert.equal(s.created.length, 6);
  });

  it('B20 pending forever is not a failure', () => {
    const s = sim({ backoffLimit: 0 }, always({ pendingMs: Infinity })).run(60);
    assert.equal(s.created.length, 1);
    assert.deepEqual(final(s.status), { active: 1, ready: 0, terminating: 0, succeeded: 0, failed: 0 });
    assert.equal(s.status.conditions, undefined);
  });
});

describe('§10 C. pod failure policy', () => {
  const rule = (
    action: 'FailJob' | 'Ignore' | 'Count',
    operator: 'In' | 'NotIn',
    values: number[],
    containerName?: string,
  ) => ({
    action,
    onExitCodes: { operator, values, ...(containerName ? { containerName } : {}) },
  });

  it('C21 FailJob on exit code: no retry, running pods killed and counted', () => {
    const s = sim({ parallelism: 2, completions: 4, pfp: [rule('FailJob', 'In', [42])] }, ({ ordinal }) =>
      ordinal === 0 ? exit(42) : sleeper,
    ).run();
    assert.deepEqual(conditionsOf(s.status), [
      'FailureTarget=True/PodFailurePolicy',
      'Failed=True/PodFailurePolicy',
    ]);
    assert.equal(
      condition(s.status, 'Failed')?.message,
      'Container main for pod default/pod-0 failed with exit code 42 matching FailJob rule at index 0',
    );
    assert.equal(s.created.length, 2);
    assert.deepEqual(final(s.status), done(0, 2));
  });

  it('C22 Ignore on exit code (Indexed): failed 0, 6 pods, replacements delayed by the backoff (n = 3)', () => {
    const s = sim(
      {
        completionMode: 'Indexed',
        completions: 3,
        parallelism: 3,
        backoffLimit: 2,
        pfp: [rule('Ignore', 'In', [42])],
      },
      ({ attempt }) => exit(attempt === 1 ? 42 : 0),
    ).run();
    assert.equal(s.created.length, 6);
    assert.deepEqual(final(s.status), done(3, 0));
    assert.equal(s.status.completedIndexes, '0-2');
    assert.deepEqual(times(s), [0, 0, 0, 41, 41, 41]);
  });

  it('C23 a non-matching failure counts', () => {
    const s = sim({ backoffLimit: 1, pfp: [rule('Ignore', 'In', [42])] }, always(exit(1))).run();
    assert.equal(s.created.length, 2);
    assert.deepEqual(final(s.status), done(0, 2));
    assert.equal(condition(s.status, 'Failed')?.reason, 'BackoffLimitExceeded');
  });

  it('C24 Count rule: BackoffLimitExceeded, not PodFailurePolicy', () => {
    const s = sim(
      { backoffLimit: 0, pfp: [rule('Count', 'In', [10]), rule('FailJob', 'In', [5])] },
      always(exit(10)),
    ).run();
    assert.deepEqual(final(s.status), done(0, 1));
    assert.equal(condition(s.status, 'Failed')?.reason, 'BackoffLimitExceeded');
  });

  it('C25 NotIn: exit 3 fails the job at once; exit 1 is retried', () => {
    const a = sim({ pfp: [rule('FailJob', 'NotIn', [1, 2])] }, always(exit(3))).run();
    assert.equal(a.created.length, 1);
    assert.equal(condition(a.status, 'Failed')?.reason, 'PodFailurePolicy');
    const b = sim({ backoffLimit: 1, pfp: [rule('FailJob', 'NotIn', [1, 2])] }, always(exit(1))).run();
    assert.equal(b.created.length, 2);
    assert.equal(condition(b.status, 'Failed')?.reason, 'BackoffLimitExceeded');
  });

  it('C26 containerName restriction: no match, counted, replaced', () => {
    const s = sim(
      { pfp: [rule('FailJob', 'In', [5], 'main')] },
      always({ ...exit(42), containers: [{ name: 'side', exitCode: 5 }] }),
    );
    s.runUntil((x) => x.created.length === 2);
    assert.equal(s.status.failed, 1);
    assert.equal(s.status.conditions, undefined);
  });

  it('C27 exit 0 never matches', () => {
    const s = sim(
      { pfp: [rule('FailJob', 'NotIn', [1])] },
      always({ ...exit(1), containers: [{ name: 'side', exitCode: 0 }] }),
    );
    s.runUntil((x) => x.created.length === 2);
    assert.equal(s.status.failed, 1);
    assert.equal(s.status.conditions, undefined);
  });

  it('C28 a FailJob match is decided before backoffLimit', () => {
    const s = sim({ backoffLimit: 0, pfp: [rule('FailJob', 'In', [42])] }, always(exit(42))).run();
    assert.equal(condition(s.status, 'Failed')?.reason, 'PodFailurePolicy');
  });
});

describe('§10 D. activeDeadlineSeconds', () => {
  it('D29 the deadline kills running pods', () => {
    const s = sim({ parallelism: 2, completions: 4, activeDeadlineSeconds: 5 }, always(sleeper));
    s.runUntil((x) => condition(x.status, 'FailureTarget') !== undefined);
    assert.equal(s.t, 5);
    assert.equal(
      condition(s.status, 'FailureTarget')?.message,
      'Job was active longer than specified deadline',
    );
    s.run();
    assert.equal(s.t, 6);
    assert.deepEqual(conditionsOf(s.status), [
      'FailureTarget=True/DeadlineExceeded',
      'Failed=True/DeadlineExceeded',
    ]);
    assert.deepEqual(final(s.status), done(0, 2));
  });

  it('D30 the deadline beats retries: exactly 2 pods', () => {
    const s = sim({ activeDeadlineSeconds: 15 }, always(exit(1, 0))).run();
    assert.deepEqual(times(s), [0, 10]);
    assert.equal(condition(s.status, 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(condition(s.status, 'Failed')?.lastTransitionTime, iso(15));
    assert.deepEqual(final(s.status), done(0, 2));
  });

  it('D31 the deadline counts Pending time', () => {
    const s = sim({ activeDeadlineSeconds: 10 }, always({ pendingMs: Infinity })).run();
    assert.equal(condition(s.status, 'FailureTarget')?.lastTransitionTime, iso(10));
    assert.equal(condition(s.status, 'Failed')?.reason, 'DeadlineExceeded');
    assert.deepEqual(final(s.status), done(0, 1));
  });

  it('D33 suspension stops the deadline clock', () => {
    const s = sim({ suspend: true, activeDeadlineSeconds: 5 }, always(exit(0, 3000))).run(10);
    assert.equal(s.created.length, 0);
    assert.equal(s.status.startTime, undefined);
    s.patch((spec) => (spec.suspend = false));
    assert.equal(s.status.startTime, iso(10));
    s.run();
    assert.equal(condition(s.status, 'Complete')?.status, 'True');
    assert.equal(condition(s.status, 'Failed'), undefined);
  });
});

describe('§10 E. suspend / resume', () => {
  it('E34 created suspended, then resumed', () => {
    const s = sim({ parallelism: 2, completions: 4, suspend: true }, always(exit(0))).run(5);
    assert.equal(s.created.length, 0);
    assert.deepEqual(conditionsOf(s.status), ['Suspended=True/JobSuspended']);
    assert.equal(condition(s.status, 'Suspended')?.message, 'Job suspended');
    assert.equal(s.status.startTime, undefined);
    assert.equal(s.status.ready, 0);
    s.patch((spec) => (spec.suspend = false));
    assert.equal(condition(s.status, 'Suspended')?.message, 'Job resumed');
    assert.equal(s.status.startTime, iso(5));
    s.run();
    assert.equal(s.created.length, 4);
    assert.deepEqual(conditionsOf(s.status), [
      'Suspended=False/JobResumed',
      'SuccessCriteriaMet=True/CompletionsReached',
      'Complete=True/CompletionsReached',
    ]);
    assert.deepEqual(eventsOf(s), [
      'Suspended: Job suspended',
      'Resumed: Job resumed',
      'Completed: Job completed',
    ]);
  });

  it('E35 suspending a running job deletes its pods without failures', () => {
    const s = sim({ parallelism: 2, completions: 4 }, always(sleeper)).run(3);
    assert.equal(s.status.ready, 2);
    s.patch((spec) => (spec.suspend = true));
    assert.deepEqual(final(s.status), { active: 0, ready: 0, terminating: 2, succeeded: 0, failed: 0 });
    s.run(10);
    assert.deepEqual(final(s.status), done(0, 0));
    assert.equal(condition(s.status, 'Suspended')?.status, 'True');
    assert.equal(s.finished, false);
  });

  it('E36 progress survives suspension', () => {
    const s = sim({ completions: 4, parallelism: 1 }, always(exit(0, 2000)));
    s.runUntil((x) => x.status.succeeded === 2);
    s.patch((spec) => (spec.suspend = true));
    s.run(20);
    const before = s.created.length;
    s.patch((spec) => (spec.suspend = false));
    s.run();
    assert.equal(s.created.length - before, 2);
    assert.deepEqual(final(s.status), done(4, 0));
  });
});

describe('§10 F. Indexed jobs', () => {
  const oddFails: Scripter = ({ index }) => exit((index ?? 0) % 2 === 1 ? 1 : 0);

  it('F37 indexes 0 and 1 first; completedIndexes 0-3', () => {
    const s = sim({ completionMode: 'Indexed', completions: 4, parallelism: 2 }, always(exit(0))).run();
    assert.deepEqual(
      s.created.slice(0, 2).map((c) => c.index),
      [0, 1],
    );
    assert.equal(s.status.completedIndexes, '0-3');
    assert.deepEqual(final(s.status), done(4, 0));
  });

  it('F38 completedIndexes formatting while others run', () => {
    const s = sim({ completionMode: 'Indexed', completions: 10, parallelism: 10 }, ({ index }) =>
      [1, 3, 4, 5, 7].includes(index ?? -1) ? exit(0) : sleeper,
    ).run(5);
    assert.equal(s.status.completedIndexes, '1,3-5,7');
    assert.equal(s.status.succeeded, 5);
    const two = sim({ completionMode: 'Indexed', completions: 4, parallelism: 4 }, ({ index }) =>
      (index ?? 9) < 2 ? exit(0) : sleeper,
    ).run(5);
    assert.equal(two.status.completedIndexes, '0,1');
  });

  it('F39 global backoffLimit with indexed failures', () => {
    const s = sim(
      { completionMode: 'Indexed', completions: 4, parallelism: 2, backoffLimit: 1 },
      oddFails,
    ).run();
    assert.equal(condition(s.status, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.ok((s.status.failed ?? 0) >= 2);
    assert.equal(s.status.failedIndexes, undefined);
    assert.ok(['0', '0,2', undefined].includes(s.status.completedIndexes));
  });

  it('F40 backoffLimitPerIndex runs every index', () => {
    const s = sim(
      { completionMode: 'Indexed', completions: 4, parallelism: 2, backoffLimitPerIndex: 1 },
      oddFails,
    ).run();
    assert.equal(condition(s.status, 'Failed')?.reason, 'FailedIndexes');
    assert.equal(condition(s.status, 'Failed')?.message, 'Job has failed indexes');
    assert.equal(s.status.failedIndexes, '1,3');
    assert.equal(s.status.completedIndexes, '0,2');
    assert.deepEqual(final(s.status), done(2, 4));
  });

  it('F41 maxFailedIndexes stops early', () => {
    const s = sim(
      {
        completionMode: 'Indexed',
        completions: 4,
        parallelism: 1,
        backoffLimitPerIndex: 0,
        maxFailedIndexes: 0,
      },
      always(exit(1)),
    ).run();
    assert.equal(condition(s.status, 'Failed')?.reason, 'MaxFailedIndexesExceeded');
    assert.equal(s.status.failedIndexes, '0');
    assert.equal(s.created.length, 1);
    assert.deepEqual(final(s.status), done(0, 1));
  });

  it('F42 per-index failure-count annotation and per-index backoff', () => {
    const s = sim(
      { completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimitPerIndex: 1 },
      always(exit(1)),
    ).run();
    assert.deepEqual(
      s.created.map((c) => `${c.index}:${c.indexFailureCount}@${(c.atMs - T0.getTime()) / 1000}`),
      ['0:0@0', '1:0@0', '0:1@11', '1:1@11'],
    );
    assert.equal(s.status.failedIndexes, '0,1');
    assert.equal(s.status.completedIndexes, undefined);
    assert.deepEqual(final(s.status), done(0, 4));
    assert.equal(condition(s.status, 'Failed')?.reason, 'FailedIndexes');
  });

  it('F43 FailIndex action', () => {
    const s = sim(
      {
        completionMode: 'Indexed',
        completions: 2,
        parallelism: 2,
        backoffLimitPerIndex: 1,
        pfp: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }],
      },
      oddFails,
    ).run();
    assert.equal(s.status.failedIndexes, '1');
    assert.equal(s.status.completedIndexes, '0');
    assert.deepEqual(final(s.status), done(1, 1));
    assert.equal(condition(s.status, 'Failed')?.reason, 'FailedIndexes');
    assert.equal(s.created.length, 2);
  });

  it('F44 success policy by index', () => {
    const s = sim(
      {
        completionMode: 'Indexed',
        completions: 5,
        parallelism: 2,
        successPolicy: { rules: [{ succeededIndexes: '0' }] },
      },
      ({ index }) => (index === 0 ? exit(0, 2000) : { ...exit(1, 1000) }),
    ).run();
    assert.deepEqual(conditionsOf(s.status), [
      'SuccessCriteriaMet=True/SuccessPolicy',
      'Complete=True/SuccessPolicy',
    ]);
    assert.equal(condition(s.status, 'Complete')?.message, 'Matched rules at index 0');
    assert.equal(s.status.completedIndexes, '0');
    assert.deepEqual(final(s.status), done(1, 1));
  });

  it('F45 success policy by count, lingering pods not counted', () => {
    const s = sim(
      {
        completionMode: 'Indexed',
        completions: 5,
        parallelism: 2,
        backoffLimit: 2147483647,
        successPolicy: { rules: [{ succeededCount: 1 }] },
      },
      ({ index }) => (index === 0 ? exit(0, 2000) : sleeper),
    ).run();
    assert.equal(condition(s.status, 'Complete')?.reason, 'SuccessPolicy');
    assert.deepEqual(final(s.status), done(1, 0));
    assert.equal(s.deleted[0]?.reason, 'Excess');
  });

  it('F46 success policy equal to completions: reason SuccessPolicy', () => {
    const s = sim(
      {
        completionMode: 'Indexed',
        completions: 2,
        parallelism: 2,
        successPolicy: { rules: [{ succeededCount: 2 }] },
      },
      always(exit(0)),
    ).run();
    assert.equal(condition(s.status, 'Complete')?.reason, 'SuccessPolicy');
    assert.deepEqual(final(s.status), done(2, 0));
  });

  it('F47 elastic scale-down', () => {
    const s = sim({ completionMode: 'Indexed', completions: 3, parallelism: 3 }, always(sleeper)).run(3);
    s.patch((spec) => {
      spec.completions = 1;
      spec.parallelism = 1;
    });
    assert.deepEqual(
      s.deleted.map((d) => d.name),
      ['pod-1-1', 'pod-2-1'],
    );
    s.run(6);
    assert.equal(s.status.failed, 0);
    s.scheduleExit('pod-0-1', 0);
    s.run();
    assert.equal(s.status.completedIndexes, '0');
    assert.deepEqual(final(s.status), done(1, 0));
    assert.equal(condition(s.status, 'Complete')?.status, 'True');
  });
});

describe('§10 G. deletion and replacement policy', () => {
  it('G48 podReplacementPolicy Failed: no replacement until the deleted pod is terminal', () => {
    const s = sim({ backoffLimit: 1, podReplacementPolicy: 'Failed' }, always({ graceMs: 5000 })).run(2);
    s.deletePod('pod-0');
    s.run(6);
    assert.deepEqual(final(s.status), { active: 0, ready: 0, terminating: 1, succeeded: 0, failed: 0 });
    assert.equal(s.created.length, 1);
    s.run(7.5);
    assert.deepEqual(final(s.status), { active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 1 });
    s.runUntil((x) => x.created.length === 2);
    assert.deepEqual(times(s), [0, 17]);
    assert.deepEqual(final(s.status), { active: 1, ready: 1, terminating: 0, succeeded: 0, failed: 1 });
  });

  it('G49 TerminatingOrFailed: counted at once, replaced while the old pod still terminates', () => {
    const s = sim({ backoffLimit: 1 }, always({ graceMs: 30_000 })).run(2);
    s.deletePod('pod-0');
    assert.deepEqual(final(s.status), { active: 0, ready: 0, terminating: 1, succeeded: 0, failed: 1 });
    s.runUntil((x) => x.created.length === 2);
    assert.deepEqual(times(s), [0, 12]);
    assert.equal(s.status.terminating, 1);
    s.run(40);
    assert.equal(s.status.terminating, 0);
    assert.equal(s.status.failed, 1);
  });
});
