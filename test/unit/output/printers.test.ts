import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, PodStatus } from '../../../src/api/k8s.js';
import type { PodObject } from '../../../src/output/objects.js';
import { jobCompletionsText, jobStatusText, podCells, podSummary } from '../../../src/output/printers.js';
import { podObject } from '../../../src/output/objects.js';
import { describePod } from '../../../src/output/describe.js';
import { podRecord, testJob } from '../../support/jobs.js';
import { tabulate, DESCRIBE_TABS, TABLE_TABS } from '../../../src/output/tabwriter.js';
import { listOf, toJson, toYaml } from '../../../src/output/serialize.js';
import { rfc1123z, rfc3339Nano } from '../../../src/output/time-format.js';
import { formatLabelSelector } from '../../../src/output/selector-format.js';
import { load } from 'js-yaml';

const now = new Date('2026-01-01T00:10:00Z');

function podWith(status: Partial<PodStatus>, extra: Partial<PodObject> = {}): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z', ...extra.metadata },
    spec: { containers: [{ name: 'main' }], ...extra.spec },
    status: { phase: 'Running', ...status },
  };
}

function cs(state: ContainerStatus['state'], more: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: 'main', state, ready: false, restartCount: 0, image: 'busybox', ...more };
}

describe('printJob', () => {
  it('STATUS follows kubectl 1.31+ precedence', () => {
    const cases: [string[], string][] = [
      [[], 'Running'],
      [['SuccessCriteriaMet', 'Complete'], 'Complete'],
      [['FailureTarget', 'Failed'], 'Failed'],
      [['Suspended'], 'Suspended'],
      [['FailureTarget'], 'FailureTarget'],
      [['SuccessCriteriaMet'], 'SuccessCriteriaMet'],
      [['Complete', 'Failed'], 'Complete'],
    ];
    for (const [types, want] of cases) {
      const job = testJob('j');
      job.status = { conditions: types.map((type) => ({ type, status: 'True' })) };
      assert.equal(jobStatusText(job), want, types.join(','));
    }
    const j = testJob('j');
    j.status = { conditions: [{ type: 'Complete', status: 'False' }] };
    assert.equal(jobStatusText(j), 'Running');
  });

  it('COMPLETIONS reads succeeded/completions, n/1 or n/1 of P for a work queue', () => {
    const cases: [number | null, number, string][] = [
      [5, 1, '3/5'],
      [null, 1, '3/1'],
      [null, 3, '3/1 of 3'],
    ];
    for (const [completions, parallelism, want] of cases) {
      const job = testJob('j', { completions, parallelism });
      job.status = { succeeded: 3 };
      assert.equal(jobCompletionsText(job), want);
    }
  });
});

describe('printPod', () => {
  const cases: [string, PodObject, string, string, string][] = [
    [
      'completed',
      podWith({
        phase: 'Succeeded',
        containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })],
      }),
      '0/1',
      'Completed',
      '0',
    ],
    [
      'error',
      podWith({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 1, reason: 'Error' } })] }),
      '0/1',
      'Error',
      '0',
    ],
    [
      'oom',
      podWith({
        phase: 'Failed',
        containerStatuses: [cs({ terminated: { exitCode: 137, reason: 'OOMKilled' } })],
      }),
      '0/1',
      'OOMKilled',
      '0',
    ],
    [
      'no reason',
      podWith({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 3 } })] }),
      '0/1',
      'ExitCode:3',
      '0',
    ],
    [
      'signal',
      podWith({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 137, signal: 9 } })] }),
      '0/1',
      'Signal:9',
      '0',
    ],
    [
      'running',
      podWith({ containerStatuses: [cs({ running: { startedAt: 'x' } }, { ready: true })] }),
      '1/1',
      'Running',
      '0',
    ],
    ['pending', podWith({ phase: 'Pending' }), '0/1', 'Pending', '0'],
    [
      'creating',
      podWith({ phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ContainerCreating' } })] }),
      '0/1',
      'ContainerCreating',
      '0',
    ],
    [
      'crash loop',
      podWith({
        containerStatuses: [
          cs(
            { waiting: { reason: 'CrashLoopBackOff' } },
            {
              restartCount: 5,
              lastState: { terminated: { exitCode: 1, finishedAt: '2026-01-01T00:09:55Z' } },
            },
          ),
        ],
      }),
      '0/1',
      'CrashLoopBackOff',
      '5 (5s ago)',
    ],
    [
      'init running',
      podWith(
        {
          phase: 'Pending',
          initContainerStatuses: [cs({ running: {} }, { name: 'init' })],
          containerStatuses: [cs({ waiting: { reason: 'PodInitializing' } })],
        },
        { spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'main' }] } },
      ),
      '0/1',
      'Init:0/1',
      '0',
    ],
    [
      'init failed',
      podWith(
        {
          phase: 'Failed',
          initContainerStatuses: [cs({ terminated: { exitCode: 1, reason: 'Error' } }, { name: 'init' })],
        },
        { spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'main' }] } },
      ),
      '0/1',
      'Init:Error',
      '0',
    ],
    [
      'sidecar counts in READY',
      podWith(
        {
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [cs({ running: {} }, { name: 'side', started: true, ready: true })],
          containerStatuses: [cs({ running: {} }, { ready: true })],
        },
        {
          spec: {
            initContainers: [{ name: 'side', restartPolicy: 'Always' }],
            containers: [{ name: 'main' }],
          },
        },
      ),
      '2/2',
      'Running',
      '0',
    ],
    [
      'terminating',
      podWith(
        { containerStatuses: [cs({ running: {} }, { ready: true })] },
        { metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:10:30Z' } },
      ),
      '1/1',
      'Terminating',
      '0',
    ],
    ['pod reason', podWith({ phase: 'Failed', reason: 'DeadlineExceeded' }), '0/1', 'DeadlineExceeded', '0'],
  ];
  for (const [title, p, ready, reason, restarts] of cases) {
    it(title, () => {
      assert.deepEqual(podSummary(p, now), { ready, reason, restarts });
    });
  }
});

describe('the node a pod runs on', () => {
  it('a runtime with nodes (Swarm) binds the pod: spec.nodeName, the NODE column, describe’s Node', () => {
    const job = testJob('j');
    const record = podRecord('j-abcde', 'Succeeded');
    const placed = podObject(job, { ...record, observation: { ...record.observation, nodeName: 'tjn2' } });
    assert.equal(placed.spec.nodeName, 'tjn2');
    assert.deepEqual(podCells(placed, now, true).slice(5), ['<none>', 'tjn2', '<none>', '<none>']);
    assert.match(describePod(placed, [], { now }), /^Node:\s+tjn2\/$/m);

    const local = podObject(job, record);
    assert.equal(local.spec.nodeName, undefined, 'one engine: no node, as before');
    assert.deepEqual(podCells(local, now, true).slice(5), ['<none>', '<none>', '<none>', '<none>']);
    assert.match(describePod(local, [], { now }), /^Node:\s+<none>$/m);
  });
});

describe('tabwriter', () => {
  it('pads table columns to the widest cell plus 3, at least 6', () => {
    assert.equal(tabulate('NAME\tAGE\nfoo\t<unknown>\n', TABLE_TABS), 'NAME   AGE\nfoo    <unknown>\n');
  });
  it('aligns describe blocks separately, broken by lines without a tab', () => {
    const text = 'Name:\tx\nLonger Key:\ty\nPod Template:\n  Labels:\ta=b\n\tc=d\n';
    assert.equal(
      tabulate(text, DESCRIBE_TABS),
      'Name:        x\nLonger Key:  y\nPod Template:\n  Labels:  a=b\n           c=d\n',
    );
  });
});

describe('serialize', () => {
  it('JSON: keys sorted, 4-space indent, Go HTML escaping, List wrapper', () => {
    const text = toJson(listOf([{ b: '<none> & more', a: 1 }]));
    assert.equal(
      text,
      '{\n    "apiVersion": "v1",\n    "items": [\n        {\n            "a": 1,\n            "b": "\\u003cnone\\u003e \\u0026 more"\n        }\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n',
    );
    assert.deepEqual(JSON.parse(text).items[0], { a: 1, b: '<none> & more' });
  });
  it('YAML: unindented sequences, quoted timestamps, round trip', () => {
    const obj = { metadata: { creationTimestamp: '2026-01-01T00:00:00Z' }, items: [{ status: 'True' }] };
    const text = toYaml(obj);
    assert.equal(text, 'items:\n- status: "True"\nmetadata:\n  creationTimestamp: "2026-01-01T00:00:00Z"\n');
    assert.deepEqual(load(text), obj);
  });
});

describe('time and selector formats', () => {
  it('RFC1123Z and RFC3339Nano as Go prints them', () => {
    assert.equal(rfc1123z('2026-01-02T03:04:05Z'), 'Fri, 02 Jan 2026 03:04:05 +0000');
    assert.equal(rfc1123z('2026-01-02T03:04:05Z', -300), 'Thu, 01 Jan 2026 22:04:05 -0500');
    assert.equal(rfc3339Nano('2026-01-01T00:00:01.123450000Z'), '2026-01-01T00:00:01.12345Z');
    assert.equal(rfc3339Nano('2026-01-01T00:00:01.000000000Z'), '2026-01-01T00:00:01Z');
  });
  it('formats a LabelSelector sorted by key', () => {
    assert.equal(
      formatLabelSelector({
        matchLabels: { z: '1', a: '2' },
        matchExpressions: [
          { key: 'm', operator: 'In', values: ['y', 'x'] },
          { key: 'n', operator: 'DoesNotExist' },
        ],
      }),
      'a=2,m in (x,y),!n,z=1',
    );
    assert.equal(formatLabelSelector(undefined), '<none>');
  });
});
