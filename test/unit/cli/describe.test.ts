import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { complete, event, harness, pod, storeJob, tjob } from './helpers.js';

describe('tjob describe', () => {
  it('describes a job in kubectl layout, with aggregated events and secret references only', async () => {
    const h = harness();
    await storeJob(h, {
      name: 'pi',
      spec: { completions: 3, parallelism: 2, completionMode: 'Indexed', activeDeadlineSeconds: 100 },
      status: {
        startTime: '2026-01-01T00:00:01Z',
        completionTime: '2026-01-01T00:00:21Z',
        ready: 0,
        succeeded: 3,
        completedIndexes: '0-2',
        conditions: complete('2026-01-01T00:00:21Z'),
      },
      pods: [pod('pi-0-aaaaa', 'Succeeded', { index: 0 })],
      events: [
        event('SuccessfulCreate', 'Created pod: pi-0-aaaaa', 'Job/pi', '2026-01-01T00:00:01Z'),
        {
          ...event('BackOff', 'Back-off restarting failed container', 'Job/pi', '2026-01-01T00:05:00Z', 3),
          firstTimestamp: '2026-01-01T00:00:00Z',
        },
        event('Started', 'Started container main', 'Pod/pi-0-aaaaa'),
      ],
      mutate: (job) => {
        job.spec.template.spec.containers[0]!.env = [
          { name: 'PLAIN', value: 'v' },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
          { name: 'CFG', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } } },
        ];
        job.spec.template.spec.containers[0]!.volumeMounts = [
          { name: 'data', mountPath: '/data', readOnly: true },
        ];
        job.spec.template.spec.volumes = [{ name: 'data', emptyDir: {} }];
      },
    });
    assert.equal(await tjob(h, 'describe', 'job', 'pi'), 0);
    const page = h.out();
    for (const want of [
      'Name:                     pi\n',
      'Namespace:                default\n',
      'Selector:                 batch.kubernetes.io/controller-uid=',
      'Parallelism:              2\n',
      'Completions:              3\n',
      'Completion Mode:          Indexed\n',
      'Suspend:                  false\n',
      'Backoff Limit:            6\n',
      'Start Time:               Thu, 01 Jan 2026 00:00:01 +0000\n',
      'Completed At:             Thu, 01 Jan 2026 00:00:21 +0000\n',
      'Duration:                 20s\n',
      'Active Deadline Seconds:  100s\n',
      'Pods Statuses:            0 Active (0 Ready) / 3 Succeeded / 0 Failed\n',
      'Completed Indexes:        0-2\n',
      'Pod Template:\n  Labels:  batch.kubernetes.io/controller-uid=',
      '  Containers:\n   main:\n    Image:      busybox:latest\n',
      '    Command:\n      sh\n      -c\n      exit 0\n',
      "      TOKEN:  <set to the key 'token' in secret 'creds'>  Optional: false\n",
      "      CFG:    <set to the key 'k' of config map 'cm'>     Optional: true\n",
      '      /data from data (ro)\n',
      "   data:\n    Type:          EmptyDir (a temporary directory that shares a pod's lifetime)\n",
      'Events:\n  Type    Reason            Age               From            Message\n  ----    ------            ----              ----            -------\n',
      '  Normal  SuccessfulCreate  9m59s             job-controller  Created pod: pi-0-aaaaa\n',
      '  Normal  BackOff           5m (x3 over 10m)  job-controller  Back-off restarting failed container\n',
    ]) {
      assert.ok(page.includes(want), `missing ${JSON.stringify(want)} in\n${page}`);
    }
    assert.ok(!page.includes('Started container'), 'pod events stay on the pod page');
  });

  it('describes a pod with container state and its events; Events: <none> without events', async () => {
    const h = harness();
    await storeJob(h, {
      name: 'j',
      pods: [pod('j-aaaaa', 'Failed', { exitCode: 2 })],
      events: [event('Started', 'Started container main', 'Pod/j-aaaaa')],
    });
    assert.equal(await tjob(h, 'describe', 'pod/j-aaaaa'), 0);
    for (const want of [
      'Status:         Failed\n',
      'Controlled By:  Job/j\n',
      '    State:          Terminated\n      Reason:       Error\n      Exit Code:    2\n',
      '    Restart Count:  0\n',
      '  Normal  Started  9m59s  kubelet  Started container main\n',
    ]) {
      assert.ok(h.out().includes(want), `missing ${JSON.stringify(want)} in\n${h.out()}`);
    }
    const e = harness();
    await storeJob(e, { name: 'quiet' });
    assert.equal(await tjob(e, 'describe', 'job', 'quiet'), 0);
    assert.match(e.out(), /\nEvents: +<none>\n$/);
  });

  it('reports missing objects as NotFound, exit 1', async () => {
    const h = harness();
    assert.equal(await tjob(h, 'describe', 'job', 'nope'), 1);
    assert.equal(h.err(), 'Error from server (NotFound): jobs.batch "nope" not found\n');
    const p = harness();
    assert.equal(await tjob(p, 'describe', 'pod', 'nope'), 1);
    assert.equal(p.err(), 'Error from server (NotFound): pods "nope" not found\n');
  });
});
