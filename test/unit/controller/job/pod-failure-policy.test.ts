// The § numbers in the test names are sections of docs/job.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodFailurePolicyRule } from '../../../../src/api/k8s.js';
import { matchPodFailurePolicy } from '../../../../src/controller/job/pod-failure-policy.js';
import { job, pod, type PodBuilder } from './builders.js';

interface Case {
  name: string;
  rules: PodFailurePolicyRule[];
  pod: PodBuilder;
  want: { countFailed: boolean; action?: string; failJobMessage?: string };
}

const cases: Case[] = [
  {
    name: 'no rule matches: counted',
    rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [42] } }],
    pod: pod('p').phase('Failed').exitCode(1),
    want: { countFailed: true },
  },
  {
    name: 'FailJob In: message names container, namespace/pod, code and rule index',
    rules: [
      { action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } },
      { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
    ],
    pod: pod('pi-abc').phase('Failed').exitCode(42, 'c'),
    want: {
      countFailed: true,
      action: 'FailJob',
      failJobMessage:
        'Container c for pod default/pi-abc failed with exit code 42 matching FailJob rule at index 1',
    },
  },
  {
    name: 'Ignore: not counted',
    rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [42] } }],
    pod: pod('p').phase('Failed').exitCode(42),
    want: { countFailed: false, action: 'Ignore' },
  },
  {
    name: 'Count rule',
    rules: [
      { action: 'Count', onExitCodes: { operator: 'In', values: [10] } },
      { action: 'FailJob', onExitCodes: { operator: 'In', values: [5] } },
    ],
    pod: pod('p').phase('Failed').exitCode(10),
    want: { countFailed: true, action: 'Count' },
  },
  {
    name: 'FailIndex rule',
    rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }],
    pod: pod('p').phase('Failed').exitCode(1),
    want: { countFailed: true, action: 'FailIndex' },
  },
  {
    name: 'NotIn matches a code outside the list',
    rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1, 2] } }],
    pod: pod('p').phase('Failed').exitCode(3),
    want: {
      countFailed: true,
      action: 'FailJob',
      failJobMessage:
        'Container main for pod default/p failed with exit code 3 matching FailJob rule at index 0',
    },
  },
  {
    name: 'NotIn does not match a listed code',
    rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1, 2] } }],
    pod: pod('p').phase('Failed').exitCode(1),
    want: { countFailed: true },
  },
  {
    name: 'exit 0 never matches, not even NotIn',
    rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }],
    pod: pod('p').phase('Failed').exitCode(1, 'main').exitCode(0, 'side'),
    want: { countFailed: true },
  },
  {
    name: 'containerName restriction: the code came from another container',
    rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [5] } }],
    pod: pod('p').phase('Failed').exitCode(42, 'main').exitCode(5, 'side'),
    want: { countFailed: true },
  },
  {
    name: 'app containers are looked at before init containers',
    rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [3, 4] } }],
    pod: pod('p').phase('Failed').exitCode(4, 'setup', true).exitCode(3, 'main'),
    want: {
      countFailed: true,
      action: 'FailJob',
      failJobMessage:
        'Container main for pod default/p failed with exit code 3 matching FailJob rule at index 0',
    },
  },
  {
    name: 'init container matches when no app container does',
    rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [4] } }],
    pod: pod('p').phase('Failed').exitCode(4, 'setup', true),
    want: {
      countFailed: true,
      action: 'FailJob',
      failJobMessage:
        'Container setup for pod default/p failed with exit code 4 matching FailJob rule at index 0',
    },
  },
  {
    name: 'onPodConditions (status defaults to True)',
    rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget' }] }],
    pod: pod('p').phase('Failed').exitCode(137).condition('DisruptionTarget'),
    want: {
      countFailed: true,
      action: 'FailJob',
      failJobMessage: 'Pod default/p has condition DisruptionTarget matching FailJob rule at index 0',
    },
  },
  {
    name: 'onPodConditions with another status does not match',
    rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }],
    pod: pod('p').phase('Failed').exitCode(137).condition('DisruptionTarget', 'False'),
    want: { countFailed: true },
  },
  {
    name: 'first matching rule wins',
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { operator: 'In', values: [137] } },
    ],
    pod: pod('p').phase('Failed').exitCode(137).condition('DisruptionTarget'),
    want: { countFailed: false, action: 'Ignore' },
  },
];

describe('matchPodFailurePolicy (§3.7)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = matchPodFailurePolicy(job({ pfp: c.rules }).spec, c.pod.build(), 'default');
      assert.deepEqual(got, c.want);
    });
  }
  it('uses the given namespace', () => {
    const got = matchPodFailurePolicy(
      job({ pfp: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [2] } }] }).spec,
      pod('x').phase('Failed').exitCode(2).build(),
      'team-a',
    );
    assert.equal(
      got.failJobMessage,
      'Container main for pod team-a/x failed with exit code 2 matching FailJob rule at index 0',
    );
  });
  it('no policy: counted', () => {
    assert.deepEqual(matchPodFailurePolicy(job().spec, pod('p').failed().build(), 'default'), {
      countFailed: true,
    });
  });
});
