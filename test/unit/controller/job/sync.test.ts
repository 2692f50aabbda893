// syncJob tables in the shape of Kubernetes' TestControllerSyncJob:
// job setup / observed pods / expected actions / expected status. § numbers: docs/job.md.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../../../src/api/k8s.js';
import type { BackoffRecord } from '../../../../src/controller/job/types.js';
import { actionsOf, at, conditionsOf, counters, iso, job, pod, sync, type PodBuilder } from './builders.js';

interface Case {
  name: string;
  // job setup
  job: Job;
  // observed pods
  pods?: PodBuilder[];
  backoff?: BackoffRecord;
  now?: Date;
  /** What the engine has still to release (finished pods' containers, prepared sandboxes). */
  releasesPending?: number;
  // expected actions
  wantActions: string[];
  wantUntrack?: string[];
  wantRequeueMs?: number;
  wantEvents?: string[];
  // expected status
  want: { active: number; ready: number; terminating: number; succeeded: number; failed: number };
  wantConditions?: string[];
  wantStartTime?: string;
  wantCompletionTime?: string;
  wantCompletedIndexes?: string;
  wantFailedIndexes?: string;
  wantMessage?: string;
  wantBackoff?: BackoffRecord;
  wantAwaitingReleases?: true;
}

const zero = { active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0 };
const started = { startTime: iso(0) };
const running = (status: object = {}) => ({ ...started, ...status });

function runCases(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const got = sync({
        job: c.job,
        pods: c.pods ?? [],
        ...(c.backoff ? { backoff: c.backoff } : {}),
        now: c.now ?? at(0),
        ...(c.releasesPending !== undefined ? { releasesPending: c.releasesPending } : {}),
      });
      assert.deepEqual(actionsOf(got), c.wantActions, 'actions');
      assert.deepEqual(counters(got.status), c.want, 'counters');
      assert.deepEqual(conditionsOf(got.status), c.wantConditions ?? [], 'conditions');
      if (c.wantUntrack) assert.deepEqual([...got.untrack].sort(), [...c.wantUntrack].sort(), 'untrack');
      if ('wantRequeueMs' in c) assert.equal(got.requeueAfterMs, c.wantRequeueMs, 'requeueAfterMs');
      if (c.wantEvents)
        assert.deepEqual(
          got.events.map((e) => `${e.type} ${e.reason}: ${e.message}`),
          c.wantEvents,
          'events',
        );
      if ('wantStartTime' in c) assert.equal(got.status.startTime, c.wantStartTime, 'startTime');
      if ('wantCompletionTime' in c)
        assert.equal(got.status.completionTime, c.wantCompletionTime, 'completionTime');
      if ('wantCompletedIndexes' in c)
        assert.equal(got.status.completedIndexes, c.wantCompletedIndexes, 'completedIndexes');
      if ('wantFailedIndexes' in c)
        assert.equal(got.status.failedIndexes, c.wantFailedIndexes, 'failedIndexes');
      if (c.wantMessage) assert.equal(got.status.conditions?.[0]?.message, c.wantMessage, 'message');
      if (c.wantBackoff) assert.deepEqual(got.backoff, c.wantBackoff, 'backoff');
      if ('releasesPending' in c)
        assert.equal(got.awaitingReleases, c.wantAwaitingReleases, 'awaitingReleases');
      assert.equal(got.status.uncountedTerminatedPods, undefined);
    });
  }
}

describe('syncJob: skip rules (§2.2)', () => {
  it('a finished job is left alone', () => {
    const j = job({
      status: { ...started, succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
    });
    const got = sync({ job: j, pods: [pod('p').succeeded()] });
    assert.deepEqual(got.actions, []);
    assert.deepEqual(got.untrack, []);
    assert.deepEqual(got.status, j.status);
  });
  it('a job managed by another controller is left alone', () => {
    const j = job({ managedBy: 'example.com/other' });
    const got = sync({ job: j });
    assert.deepEqual(got.actions, []);
    assert.deepEqual(got.status, {});
  });
  it('the built-in manager name is ours', () => {
    assert.deepEqual(actionsOf(sync({ job: job({ managedBy: 'kubernetes.io/job-controller' }) })), [
      'create',
    ]);
  });
});

describe('syncJob: pod-count arithmetic (§2.5)', () => {
  runCases([
    {
      name: 'new job: startTime set, one pod, no conditions',
      job: job(),
      now: new Date('2026-01-01T00:00:00.750Z'),
      wantActions: ['create'],
      want: { ...zero, active: 1 },
      wantStartTime: '2026-01-01T00:00:00Z',
      wantRequeueMs: undefined,
    },
    {
      name: 'too few active pods',
      job: job({ parallelism: 2, completions: 5, status: running() }),
      pods: [pod('a').ready(0)],
      wantActions: ['create'],
      want: { ...zero, active: 2, ready: 1 },
    },
    {
      name: 'too many active pods: the least valuable goes, not counted',
      job: job({ parallelism: 2, completions: 5, status: running() }),
      pods: [pod('a').ready(0), pod('b').pending(), pod('c').ready(0)],
      wantActions: ['delete:b:Excess'],
      want: { ...zero, active: 2, ready: 2, terminating: 1 },
    },
    {
      name: 'more active pods than remaining completions',
      job: job({ parallelism: 5, completions: 2, status: running() }),
      pods: [pod('a').succeeded(), pod('b').created(1), pod('c').created(2)],
      wantActions: ['delete:c:Excess'],
      wantUntrack: ['a'],
      want: { ...zero, active: 1, terminating: 1, succeeded: 1 },
    },
    {
      name: 'parallelism larger than completions: creates only what remains',
      job: job({ parallelism: 5, completions: 2 }),
      wantActions: ['create', 'create'],
      want: { ...zero, active: 2 },
    },
    {
      name: 'completions 0: complete at once, no pods',
      job: job({ completions: 0 }),
      wantActions: [],
      want: zero,
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'],
      wantCompletionTime: iso(0),
      wantEvents: ['Normal Completed: Job completed'],
    },
    {
      name: 'parallelism 0: nothing runs, startTime set',
      job: job({ parallelism: 0, completions: 1 }),
      wantActions: [],
      want: zero,
      wantStartTime: iso(0),
    },
    {
      name: 'creations capped at 500 per sync',
      job: job({ parallelism: 700, completions: 700 }),
      wantActions: Array.from({ length: 500 }, () => 'create'),
      want: { ...zero, active: 500 },
    },
    {
      name: 'counted successes are not recounted; new ones are, once',
      job: job({ completions: 3, parallelism: 1, status: running({ succeeded: 1 }) }),
      pods: [pod('old').succeeded().untracked(), pod('new').succeeded(3)],
      wantActions: ['create'],
      wantUntrack: ['new'],
      want: { ...zero, active: 1, succeeded: 2 },
    },
    {
      name: 'succeeded pods reach completions: complete',
      job: job({ completions: 2, parallelism: 2, status: running({ succeeded: 1 }) }),
      pods: [pod('a').succeeded().untracked(), pod('b').succeeded(4)],
      now: at(5),
      wantActions: [],
      wantUntrack: ['b'],
      want: { ...zero, succeeded: 2 },
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'],
      wantCompletionTime: iso(5),
      wantMessage: 'Reached expected number of succeeded pods',
      wantEvents: ['Normal Completed: Job completed'],
    },
    {
      name: 'too many succeeded pods (NonIndexed)',
      job: job({ completions: 1, parallelism: 2, status: running() }),
      pods: [pod('a').succeeded(1), pod('b').succeeded(2)],
      wantActions: [],
      want: { ...zero, succeeded: 2 },
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'],
      wantEvents: [
        'Warning TooManySucceededPods: Too many succeeded pods running after completion count reached',
        'Normal Completed: Job completed',
      ],
    },
    {
      name: 'complete waits for a terminating pod',
      job: job({ completions: 1, parallelism: 1, status: running() }),
      pods: [pod('a').succeeded(1), pod('gone').terminating(0).untracked()],
      wantActions: [],
      want: { ...zero, succeeded: 1, terminating: 1 },
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached'],
      wantEvents: [],
    },
    {
      // Upstream's enactJobFinished waits for pods still holding their tracking finalizer.
      name: 'complete waits for the finished pods to be released',
      job: job({ completions: 1, parallelism: 1, status: running() }),
      pods: [pod('a').succeeded(1)],
      releasesPending: 1,
      wantAwaitingReleases: true,
      wantActions: [],
      wantUntrack: ['a'],
      want: { ...zero, succeeded: 1 },
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached'],
      wantCompletionTime: undefined,
      wantEvents: [],
    },
    {
      name: 'once released, the interim condition becomes Complete',
      job: job({
        completions: 1,
        parallelism: 1,
        status: running({
          succeeded: 1,
          conditions: [
            {
              type: 'SuccessCriteriaMet',
              status: 'True',
              reason: 'CompletionsReached',
              message: 'Reached expected number of succeeded pods',
            },
          ],
        }),
      }),
      pods: [pod('a').succeeded(1).untracked()],
      releasesPending: 0,
      wantActions: [],
      want: { ...zero, succeeded: 1 },
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'],
      wantCompletionTime: iso(0),
      wantEvents: ['Normal Completed: Job completed'],
    },
    {
      name: 'a failing job waits for its released pods too: FailureTarget, then Failed',
      job: job({ completions: 1, parallelism: 1, backoffLimit: 0, status: running() }),
      pods: [pod('a').failed(1)],
      releasesPending: 1,
      wantAwaitingReleases: true,
      wantActions: [],
      want: { ...zero, failed: 1 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded'],
      wantEvents: [],
    },
  ]);
});

describe('syncJob: work queue (completions unset)', () => {
  runCases([
    {
      name: 'starts parallelism pods',
      job: job({ parallelism: 3 }),
      wantActions: ['create', 'create', 'create'],
      want: { ...zero, active: 3 },
    },
    {
      name: 'WQ job finishing: waits for stragglers, creates nothing',
      job: job({ parallelism: 2, status: running() }),
      pods: [pod('a').succeeded(1), pod('b').ready(0)],
      wantActions: [],
      want: { ...zero, active: 1, ready: 1, succeeded: 1 },
    },
    {
      name: 'WQ job: a failure after the first success is not replaced',
      job: job({ parallelism: 2, status: running({ succeeded: 1 }) }),
      pods: [pod('a').succeeded(1).untracked(), pod('b').failed(2), pod('c').ready(0)],
      now: at(60),
      wantActions: [],
      want: { ...zero, active: 1, ready: 1, succeeded: 1, failed: 1 },
    },
    {
      name: 'WQ job all finished despite one failure',
      job: job({ parallelism: 2, status: running() }),
      pods: [pod('a').succeeded(1), pod('b').failed(2)],
      wantActions: [],
      wantUntrack: ['a', 'b'],
      want: { ...zero, succeeded: 1, failed: 1 },
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'],
    },
  ]);
});

describe('syncJob: restartPolicy Never, backoffLimit and recreation backoff (§3.2, §3.4)', () => {
  runCases([
    {
      name: 'backoffLimit 6 with 6 failures: still running, replacement waits for the backoff',
      job: job({ status: running({ failed: 5 }) }),
      pods: [pod('f6').failed(100)],
      backoff: { failuresAfterLastSuccess: 5, lastFailureTime: at(50).toISOString() },
      now: at(100),
      wantActions: [],
      want: { ...zero, failed: 6 },
      wantRequeueMs: 320_000,
      wantBackoff: { failuresAfterLastSuccess: 6, lastFailureTime: at(100).toISOString() },
    },
    {
      name: 'backoffLimit 6 with 7 failures: FailureTarget and Failed at once (no pod left)',
      job: job({ status: running({ failed: 6 }) }),
      pods: [pod('f7').failed(100)],
      now: at(100),
      wantActions: [],
      wantUntrack: ['f7'],
      want: { ...zero, failed: 7 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded'],
      wantMessage: 'Job has reached the specified backoff limit',
      wantEvents: ['Warning BackoffLimitExceeded: Job has reached the specified backoff limit'],
      wantCompletionTime: undefined,
    },
    {
      name: 'backoff not yet expired',
      job: job({ status: running() }),
      pods: [pod('f').failed(0)],
      now: at(4),
      wantActions: [],
      want: { ...zero, failed: 1 },
      wantRequeueMs: 6_000,
    },
    {
      name: 'backoff expired: the replacement is created',
      job: job({ status: running({ failed: 1 }) }),
      pods: [pod('f').failed(0).untracked()],
      backoff: { failuresAfterLastSuccess: 1, lastFailureTime: at(0).toISOString() },
      now: at(10),
      wantActions: ['create'],
      want: { ...zero, active: 1, failed: 1 },
    },
    {
      name: 'failed + succeeded pods: reset backoff delay',
      job: job({ completions: 3, status: running({ failed: 1 }) }),
      pods: [pod('s').succeeded(20)],
      backoff: { failuresAfterLastSuccess: 3, lastFailureTime: at(10).toISOString() },
      now: at(21),
      wantActions: ['create'],
      want: { ...zero, active: 1, succeeded: 1, failed: 1 },
      wantBackoff: { failuresAfterLastSuccess: 0 },
    },
    {
      name: 'simultaneous failures add up (20 s)',
      job: job({ completions: 2, parallelism: 2, status: running() }),
      pods: [pod('a').failed(3), pod('b').failed(3)],
      now: at(3),
      wantActions: [],
      want: { ...zero, failed: 2 },
      wantRequeueMs: 20_000,
    },
    {
      name: 'backoffLimit 0: count ready pods when job fails',
      job: job({ completions: 3, parallelism: 3, backoffLimit: 0, status: running() }),
      pods: [pod('a').ready(0), pod('b').ready(0), pod('c').failed(1)],
      now: at(1),
      wantActions: ['delete:a:JobFinished', 'delete:b:JobFinished'],
      wantUntrack: ['a', 'b', 'c'],
      want: { ...zero, terminating: 2, failed: 3 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded'],
      wantEvents: [],
    },
    {
      name: 'FailureTarget already set: Failed once nothing terminates',
      job: job({
        status: running({
          failed: 3,
          terminating: 2,
          conditions: [
            {
              type: 'FailureTarget',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            },
          ],
        }),
      }),
      pods: [pod('a').failed(2).untracked(), pod('b').failed(3).untracked(), pod('c').failed(1).untracked()],
      now: at(3),
      wantActions: [],
      want: { ...zero, failed: 3 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded'],
      wantEvents: ['Warning BackoffLimitExceeded: Job has reached the specified backoff limit'],
    },
    {
      name: 'FailureTarget already set: no Failed while a pod terminates',
      job: job({
        status: running({
          failed: 2,
          conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'x' }],
        }),
      }),
      pods: [pod('a').terminating(1).untracked()],
      now: at(3),
      wantActions: [],
      want: { ...zero, terminating: 1, failed: 2 },
      wantConditions: ['FailureTarget=True/DeadlineExceeded'],
    },
  ]);
});

describe('syncJob: restartPolicy OnFailure (§3.3)', () => {
  runCases([
    {
      name: 'backoffLimit 1 with restartCount 1: pod deleted and counted',
      job: job({ restartPolicy: 'OnFailure', backoffLimit: 1, status: running() }),
      pods: [pod('a').restarts(1).ready(0)],
      wantActions: ['delete:a:JobFinished'],
      wantUntrack: ['a'],
      want: { ...zero, terminating: 1, failed: 1 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded'],
    },
    {
      name: 'not enough failures: backoffLimit 3, restarts {1,1}',
      job: job({
        restartPolicy: 'OnFailure',
        backoffLimit: 3,
        completions: 2,
        parallelism: 2,
        status: running(),
      }),
      pods: [pod('a').restarts(1), pod('b').restarts(1)],
      wantActions: [],
      want: { ...zero, active: 2 },
    },
    {
      name: 'backoffLimit 0: the first restart fails the job',
      job: job({ restartPolicy: 'OnFailure', backoffLimit: 0, status: running() }),
      pods: [pod('a').restarts(1)],
      wantActions: ['delete:a:JobFinished'],
      want: { ...zero, terminating: 1, failed: 1 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded'],
    },
    {
      name: 'restarts of finished pods do not count',
      job: job({
        restartPolicy: 'OnFailure',
        backoffLimit: 2,
        completions: 2,
        status: running({ succeeded: 1 }),
      }),
      pods: [pod('a').succeeded().restarts(5).untracked(), pod('b').restarts(1)],
      wantActions: [],
      want: { ...zero, active: 1, succeeded: 1 },
    },
  ]);
});

describe('syncJob: pod failure policy (§3.7)', () => {
  const failJob42 = { action: 'FailJob' as const, onExitCodes: { operator: 'In' as const, values: [42] } };
  runCases([
    {
      name: 'FailJob on exit code: running pods killed and counted',
      job: job({ completions: 4, parallelism: 2, pfp: [failJob42], status: running() }),
      pods: [pod('a').phase('Failed').exitCode(42, 'c').finished(1), pod('b').ready(0)],
      now: at(1),
      wantActions: ['delete:b:JobFinished'],
      want: { ...zero, terminating: 1, failed: 2 },
      wantConditions: ['FailureTarget=True/PodFailurePolicy'],
      wantMessage: 'Container c for pod default/a failed with exit code 42 matching FailJob rule at index 0',
    },
    {
      name: 'FailJob is checked before backoffLimit',
      job: job({ backoffLimit: 0, pfp: [failJob42], namespace: 'ns1', status: running() }),
      pods: [pod('a').failed(1, 42)],
      wantActions: [],
      want: { ...zero, failed: 1 },
      wantConditions: ['FailureTarget=True/PodFailurePolicy', 'Failed=True/PodFailurePolicy'],
      wantMessage: 'Container main for pod ns1/a failed with exit code 42 matching FailJob rule at index 0',
    },
    {
      name: 'Ignore: not counted, but it feeds the recreation backoff',
      job: job({
        backoffLimit: 0,
        pfp: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [42] } }],
        status: running(),
      }),
      pods: [pod('a').failed(1, 42)],
      now: at(1),
      wantActions: [],
      wantUntrack: ['a'],
      want: zero,
      wantRequeueMs: 10_000,
    },
    {
      name: 'Count rule with backoffLimit 0: BackoffLimitExceeded',
      job: job({
        backoffLimit: 0,
        pfp: [
          { action: 'Count', onExitCodes: { operator: 'In', values: [10] } },
          { action: 'FailJob', onExitCodes: { operator: 'In', values: [5] } },
        ],
        status: running(),
      }),
      pods: [pod('a').failed(1, 10)],
      wantActions: [],
      want: { ...zero, failed: 1 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded'],
    },
    {
      name: 'with a policy a deleted pod is not a failure until terminal',
      job: job({ pfp: [failJob42], status: running() }),
      pods: [pod('a').terminating(0)],
      wantActions: [],
      wantUntrack: [],
      want: { ...zero, terminating: 1 },
    },
  ]);
});

describe('syncJob: podReplacementPolicy (§3.8)', () => {
  runCases([
    {
      name: 'TerminatingOrFailed: a deleted pod is a failure at once; replacement after the backoff',
      job: job({ status: running() }),
      pods: [pod('a').terminating(2)],
      now: at(2),
      wantActions: [],
      wantUntrack: ['a'],
      want: { ...zero, terminating: 1, failed: 1 },
      wantRequeueMs: 10_000,
    },
    {
      name: 'TerminatingOrFailed: replacement created while the old pod still terminates',
      job: job({ status: running({ failed: 1 }) }),
      pods: [pod('a').terminating(2).untracked()],
      backoff: { failuresAfterLastSuccess: 1, lastFailureTime: at(2).toISOString() },
      now: at(12),
      wantActions: ['create'],
      want: { ...zero, active: 1, terminating: 1, failed: 1 },
    },
    {
      name: 'Failed: terminating pod neither counted nor replaced',
      job: job({ podReplacementPolicy: 'Failed', status: running() }),
      pods: [pod('a').terminating(2)],
      now: at(30),
      wantActions: [],
      wantUntrack: [],
      want: { ...zero, terminating: 1 },
    },
    {
      name: 'Failed: counted once terminal',
      job: job({ podReplacementPolicy: 'Failed', status: running() }),
      pods: [pod('a').failed(5, 143)],
      now: at(5),
      wantActions: [],
      wantUntrack: ['a'],
      want: { ...zero, failed: 1 },
      wantRequeueMs: 10_000,
    },
  ]);
});

describe('syncJob: activeDeadlineSeconds (§4)', () => {
  runCases([
    {
      name: 'deadline not reached: requeue at the deadline',
      job: job({ activeDeadlineSeconds: 30, status: running() }),
      pods: [pod('a')],
      now: at(12),
      wantActions: [],
      want: { ...zero, active: 1 },
      wantRequeueMs: 18_000,
    },
    {
      name: 'deadline exceeded kills active pods and counts them',
      job: job({ activeDeadlineSeconds: 5, completions: 4, parallelism: 2, status: running() }),
      pods: [pod('a').ready(1), pod('b').pending()],
      now: at(5),
      wantActions: ['delete:a:JobFinished', 'delete:b:JobFinished'],
      want: { ...zero, terminating: 2, failed: 2 },
      wantConditions: ['FailureTarget=True/DeadlineExceeded'],
      wantMessage: 'Job was active longer than specified deadline',
    },
    {
      name: 'activeDeadlineSeconds 0 fails at once',
      job: job({ activeDeadlineSeconds: 0 }),
      wantActions: [],
      want: zero,
      wantConditions: ['FailureTarget=True/DeadlineExceeded', 'Failed=True/DeadlineExceeded'],
    },
    {
      name: 'backoffLimit beats the deadline in the same sync',
      job: job({ activeDeadlineSeconds: 1, backoffLimit: 0, status: running() }),
      pods: [pod('a').failed(1)],
      now: at(2),
      wantActions: [],
      want: { ...zero, failed: 1 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded'],
    },
    {
      name: 'the deadline wins over a pending retry',
      job: job({ activeDeadlineSeconds: 15, status: running({ failed: 2 }) }),
      pods: [pod('a').failed(1).untracked(), pod('b').failed(11).untracked()],
      backoff: { failuresAfterLastSuccess: 2, lastFailureTime: at(11).toISOString() },
      now: at(15),
      wantActions: [],
      want: { ...zero, failed: 2 },
      wantConditions: ['FailureTarget=True/DeadlineExceeded', 'Failed=True/DeadlineExceeded'],
    },
    {
      name: 'not triggered while suspended',
      job: job({ activeDeadlineSeconds: 5, suspend: true, status: running() }),
      now: at(100),
      wantActions: [],
      want: zero,
      wantConditions: ['Suspended=True/JobSuspended'],
      wantRequeueMs: undefined,
    },
  ]);
});

describe('syncJob: suspend and resume (§2.6)', () => {
  const suspendedCond = {
    type: 'Suspended',
    status: 'True' as const,
    reason: 'JobSuspended',
    message: 'Job suspended',
    lastProbeTime: iso(1),
    lastTransitionTime: iso(1),
  };
  runCases([
    {
      name: 'created suspended: no pods, no startTime, Suspended=True',
      job: job({ suspend: true, parallelism: 2, completions: 4 }),
      wantActions: [],
      want: zero,
      wantConditions: ['Suspended=True/JobSuspended'],
      wantStartTime: undefined,
      wantEvents: ['Normal Suspended: Job suspended'],
    },
    {
      name: 'suspending a running job deletes pods without counting them',
      job: job({ suspend: true, parallelism: 2, completions: 4, status: running() }),
      pods: [pod('a').ready(0), pod('b').ready(0)],
      now: at(3),
      wantActions: ['delete:a:Suspended', 'delete:b:Suspended'],
      want: { ...zero, terminating: 2 },
      wantConditions: ['Suspended=True/JobSuspended'],
      wantStartTime: iso(0),
      wantEvents: ['Normal Suspended: Job suspended'],
    },
    {
      name: 'resuming: Suspended=False, startTime reset, pods created',
      job: job({
        parallelism: 2,
        completions: 4,
        status: { startTime: iso(0), succeeded: 2, conditions: [suspendedCond] },
      }),
      now: at(50),
      wantActions: ['create', 'create'],
      want: { ...zero, active: 2, succeeded: 2 },
      wantConditions: ['Suspended=False/JobResumed'],
      wantStartTime: iso(50),
      wantEvents: ['Normal Resumed: Job resumed'],
    },
    {
      name: 'resuming restarts the deadline clock',
      job: job({ activeDeadlineSeconds: 10, status: { startTime: iso(0), conditions: [suspendedCond] } }),
      now: at(50),
      wantActions: ['create'],
      want: { ...zero, active: 1 },
      wantConditions: ['Suspended=False/JobResumed'],
      wantRequeueMs: 10_000,
    },
  ]);
  it('a condition is not rewritten when nothing changed', () => {
    const first = sync({ job: job({ suspend: true }), now: at(1) });
    const again = sync({ job: job({ suspend: true, status: first.status }), now: at(9) });
    assert.deepEqual(again.status.conditions, [suspendedCond]);
    assert.deepEqual(again.events, []);
  });
});

describe('syncJob: Indexed (§5)', () => {
  const indexed = (o: Parameters<typeof job>[0] = {}) => job({ completionMode: 'Indexed', ...o });
  runCases([
    {
      name: 'indexed job start: lowest indexes first',
      job: indexed({ parallelism: 2, completions: 5 }),
      wantActions: ['create:0', 'create:1'],
      want: { ...zero, active: 2 },
      wantCompletedIndexes: undefined,
    },
    {
      name: 'indexed job some running and completed pods',
      job: indexed({
        parallelism: 8,
        completions: 20,
        status: running({ succeeded: 5, completedIndexes: '2,4,5,7,8' }),
      }),
      pods: [pod('r0').index(0), pod('r3').index(3), pod('s9').index(9).succeeded()],
      wantActions: ['create:1', 'create:6', 'create:10', 'create:11', 'create:12', 'create:13'],
      want: { ...zero, active: 8, succeeded: 6 },
      wantCompletedIndexes: '2,4,5,7-9',
    },
    {
      name: 'a second success of the same index is counted once; its duplicate is deleted',
      job: indexed({
        parallelism: 3,
        completions: 3,
        status: running({ succeeded: 1, completedIndexes: '1' }),
      }),
      pods: [pod('a1').index(1).succeeded(2), pod('b1').index(1), pod('c0').index(0), pod('d2').index(2)],
      wantActions: ['delete:b1:DuplicateIndex'],
      want: { ...zero, active: 2, terminating: 1, succeeded: 1 },
      wantCompletedIndexes: '1',
    },
    {
      name: 'duplicate and invalid indexes are deleted before anything else',
      job: indexed({ parallelism: 2, completions: 2, status: running() }),
      pods: [pod('a').index(0).ready(0), pod('b').index(0), pod('none'), pod('big').index(5)],
      wantActions: ['delete:big:InvalidIndex', 'delete:none:InvalidIndex', 'delete:b:DuplicateIndex'],
      want: { ...zero, active: 1, ready: 1, terminating: 3 },
    },
    {
      name: 'failed index is re-created after the backoff',
      job: indexed({ parallelism: 2, completions: 2, status: running({ failed: 1 }) }),
      pods: [pod('f0').index(0).failed(0).untracked(), pod('r1').index(1)],
      backoff: { failuresAfterLastSuccess: 1, lastFailureTime: at(0).toISOString() },
      now: at(10),
      wantActions: ['create:0'],
      want: { ...zero, active: 2, failed: 1 },
    },
    {
      name: 'pods with an invalid index are never counted',
      job: indexed({ parallelism: 1, completions: 1, status: running() }),
      pods: [pod('x').succeeded(1), pod('y').index(3).failed(1), pod('r').index(0)],
      wantActions: [],
      wantUntrack: ['x', 'y'],
      want: { ...zero, active: 1 },
    },
    {
      name: 'all indexes succeeded: complete',
      job: indexed({
        parallelism: 2,
        completions: 2,
        status: running({ succeeded: 1, completedIndexes: '0' }),
      }),
      pods: [pod('a').index(1).succeeded(3)],
      now: at(3),
      wantActions: [],
      want: { ...zero, succeeded: 2 },
      wantCompletedIndexes: '0,1',
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached'],
    },
    {
      name: 'Failed replacement policy: a terminating pod holds its index',
      job: indexed({ parallelism: 2, completions: 2, podReplacementPolicy: 'Failed', status: running() }),
      pods: [pod('t0').index(0).terminating(0), pod('r1').index(1)],
      wantActions: [],
      want: { ...zero, active: 1, terminating: 1 },
    },
    {
      name: 'elastic scale-down: pods above the new completions go, completedIndexes clipped',
      job: indexed({
        parallelism: 1,
        completions: 1,
        status: running({ succeeded: 1, completedIndexes: '2' }),
      }),
      pods: [pod('p0').index(0), pod('p1').index(1), pod('s2').index(2).succeeded().untracked()],
      wantActions: ['delete:p1:InvalidIndex'],
      want: { ...zero, active: 1, terminating: 1 },
      wantCompletedIndexes: undefined,
    },
    {
      name: 'elastic scale to 0 completes',
      job: indexed({ parallelism: 0, completions: 0, status: running() }),
      pods: [pod('p0').index(0)],
      wantActions: ['delete:p0:InvalidIndex'],
      want: { ...zero, terminating: 1 },
      wantConditions: ['SuccessCriteriaMet=True/CompletionsReached'],
    },
  ]);
});

describe('syncJob: backoffLimitPerIndex (§3.6)', () => {
  const perIndex = (o: Parameters<typeof job>[0] = {}) =>
    job({ completionMode: 'Indexed', backoffLimitPerIndex: 1, completions: 2, parallelism: 2, ...o });
  runCases([
    {
      name: 'first pods carry failure count 0; failedIndexes is "" and present',
      job: perIndex(),
      wantActions: ['create:0', 'create:1'],
      want: { ...zero, active: 2 },
      wantFailedIndexes: '',
    },
    {
      name: 'a failure within the budget: index retried after its own backoff',
      job: perIndex({ status: running({ failedIndexes: '' }) }),
      pods: [pod('a0').index(0).failureCount(0).failed(3), pod('r1').index(1)],
      now: at(3),
      wantActions: [],
      want: { ...zero, active: 1, failed: 1 },
      wantFailedIndexes: '',
      wantRequeueMs: 10_000,
    },
    {
      name: 'a failure at the limit fails the index, others keep running',
      job: perIndex({ completions: 3, status: running({ failed: 1, failedIndexes: '' }) }),
      pods: [
        pod('a0').index(0).failureCount(0).failed(1).untracked(),
        pod('b0').index(0).failureCount(1).failed(20),
        pod('r1').index(1),
      ],
      now: at(20),
      wantActions: ['create:2'],
      want: { ...zero, active: 2, failed: 2 },
      wantFailedIndexes: '0',
    },
    {
      name: 'every index succeeded or failed: FailedIndexes',
      job: perIndex({
        status: running({ failed: 1, succeeded: 1, completedIndexes: '1', failedIndexes: '' }),
      }),
      pods: [pod('b0').index(0).failureCount(1).failed(20)],
      now: at(20),
      wantActions: [],
      want: { ...zero, failed: 2, succeeded: 1 },
      wantFailedIndexes: '0',
      wantCompletedIndexes: '1',
      wantConditions: ['FailureTarget=True/FailedIndexes', 'Failed=True/FailedIndexes'],
      wantMessage: 'Job has failed indexes',
    },
    {
      name: 'maxFailedIndexes exceeded: remaining pods terminated',
      job: perIndex({ backoffLimitPerIndex: 0, maxFailedIndexes: 0, completions: 4, status: running() }),
      pods: [pod('a0').index(0).failureCount(0).failed(2), pod('r1').index(1)],
      now: at(2),
      wantActions: ['delete:r1:JobFinished'],
      want: { ...zero, terminating: 1, failed: 2 },
      wantFailedIndexes: '0',
      wantConditions: ['FailureTarget=True/MaxFailedIndexesExceeded'],
      wantMessage: 'Job has exceeded the specified maximal number of failed indexes',
    },
    {
      name: 'FailIndex rule fails the index without retry',
      job: perIndex({
        pfp: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }],
        status: running(),
      }),
      pods: [pod('a1').index(1).failureCount(0).failed(2), pod('r0').index(0)],
      now: at(2),
      wantActions: [],
      want: { ...zero, active: 1, failed: 1 },
      wantFailedIndexes: '1',
    },
    {
      name: 'the global backoff is not applied in this mode',
      job: perIndex({ completions: 3, parallelism: 3, status: running({ failed: 1, failedIndexes: '' }) }),
      pods: [pod('a0').index(0).failureCount(0).failed(0).untracked(), pod('r1').index(1)],
      backoff: { failuresAfterLastSuccess: 5, lastFailureTime: at(0).toISOString() },
      now: at(10),
      wantActions: ['create:0', 'create:2'],
      want: { ...zero, active: 3, failed: 1 },
    },
  ]);
  it('the replacement carries the failure count (+1), ignored failures separately', () => {
    const pfp = [{ action: 'Ignore' as const, onExitCodes: { operator: 'In' as const, values: [42] } }];
    const got = sync({
      job: perIndex({ completions: 2, parallelism: 2, pfp, status: running({ failed: 1 }) }),
      pods: [
        pod('a0').index(0).failureCount(0).failed(0).untracked(),
        pod('b0').index(0).failureCount(1).failed(20, 42).untracked(),
        pod('c1').index(1).failureCount(0).failed(30).untracked(),
      ],
      now: at(60),
    });
    assert.deepEqual(got.actions, [
      { type: 'createPod', index: 0, indexFailureCount: 1, indexIgnoredFailureCount: 1 },
      { type: 'createPod', index: 1, indexFailureCount: 1 },
    ]);
  });
  it('per-index backoff grows with the index failure count', () => {
    const got = sync({
      job: perIndex({
        backoffLimitPerIndex: 5,
        completions: 1,
        parallelism: 1,
        status: running({ failed: 3 }),
      }),
      pods: [pod('c0').index(0).failureCount(2).failed(100).untracked()],
      now: at(110),
    });
    assert.deepEqual(got.actions, []);
    assert.equal(got.requeueAfterMs, 30_000);
  });
});

describe('syncJob: success policy (§5.5)', () => {
  const withPolicy = (o: Parameters<typeof job>[0] = {}) =>
    job({
      completionMode: 'Indexed',
      completions: 5,
      parallelism: 2,
      successPolicy: { rules: [{ succeededIndexes: '0' }] },
      ...o,
    });
  runCases([
    {
      name: 'met: lingering pods deleted and not counted; Complete waits',
      job: withPolicy({ status: running() }),
      pods: [pod('s0').index(0).succeeded(2), pod('r1').index(1).ready(0)],
      now: at(2),
      wantActions: ['delete:r1:Excess'],
      wantUntrack: ['r1', 's0'],
      want: { ...zero, terminating: 1, succeeded: 1 },
      wantConditions: ['SuccessCriteriaMet=True/SuccessPolicy'],
      wantMessage: 'Matched rules at index 0',
      wantCompletedIndexes: '0',
    },
    {
      name: 'SuccessCriteriaMet set: Complete once nothing terminates',
      job: withPolicy({
        status: running({
          succeeded: 1,
          completedIndexes: '0',
          conditions: [
            {
              type: 'SuccessCriteriaMet',
              status: 'True',
              reason: 'SuccessPolicy',
              message: 'Matched rules at index 0',
            },
          ],
        }),
      }),
      pods: [pod('s0').index(0).succeeded(2).untracked(), pod('r1').index(1).failed(3, 143).untracked()],
      now: at(4),
      wantActions: [],
      want: { ...zero, succeeded: 1 },
      wantConditions: ['SuccessCriteriaMet=True/SuccessPolicy', 'Complete=True/SuccessPolicy'],
      wantCompletionTime: iso(4),
      wantEvents: ['Normal Completed: Job completed'],
    },
    {
      name: 'failures beat the success policy',
      job: withPolicy({ backoffLimit: 0, status: running() }),
      pods: [pod('s0').index(0).succeeded(2), pod('f1').index(1).failed(2)],
      now: at(2),
      wantActions: [],
      want: { ...zero, succeeded: 1, failed: 1 },
      wantConditions: ['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded'],
    },
    {
      name: 'succeededCount equal to completions: reason SuccessPolicy',
      job: withPolicy({
        completions: 2,
        successPolicy: { rules: [{ succeededCount: 2 }] },
        status: running(),
      }),
      pods: [pod('a').index(0).succeeded(1), pod('b').index(1).succeeded(2)],
      now: at(2),
      wantActions: [],
      want: { ...zero, succeeded: 2 },
      wantConditions: ['SuccessCriteriaMet=True/SuccessPolicy', 'Complete=True/SuccessPolicy'],
    },
  ]);
});
