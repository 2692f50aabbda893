import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  containerStatusOfTask,
  latestTask,
  rejectedForImage,
  taskView,
  type SwarmTask,
  type TaskView,
} from '../../../../src/runtime/swarm/task-status.js';

const now = '2026-12-06T12:00:09Z';
const at = '2026-12-06T12:00:05.123456789Z';

function task(
  state: string,
  extra: Partial<SwarmTask['Status']> = {},
  rest: Partial<SwarmTask> = {},
): SwarmTask {
  return {
    ID: 't1',
    ServiceID: 's1',
    NodeID: 'n2',
    DesiredState: 'running',
    Status: { State: state, Timestamp: at, ...extra },
    ...rest,
  };
}

describe('Swarm task → what the kubelet sees', () => {
  const rows: { name: string; task: SwarmTask; down?: string; want: TaskView }[] = [
    { name: 'new', task: task('new', {}, { NodeID: '' }), want: { kind: 'waiting' } },
    { name: 'preparing', task: task('preparing'), want: { kind: 'waiting' } },
    {
      name: 'pending with no suitable node: unschedulable, the scheduler words',
      task: task(
        'pending',
        { Err: 'no suitable node (scheduling constraints not satisfied on 3 nodes)' },
        { NodeID: '' },
      ),
      want: {
        kind: 'unschedulable',
        message: 'no suitable node (scheduling constraints not satisfied on 3 nodes)',
      },
    },
    {
      name: 'running',
      task: task('running', { ContainerStatus: { ContainerID: 'abc' } }),
      want: { kind: 'running', nodeId: 'n2', startedAt: '2026-12-06T12:00:05Z', containerID: 'docker://abc' },
    },
    {
      name: 'complete: exit 0',
      task: task(
        'complete',
        { ContainerStatus: { ContainerID: 'abc', ExitCode: 0 } },
        { DesiredState: 'shutdown' },
      ),
      want: {
        kind: 'exited',
        nodeId: 'n2',
        exitCode: 0,
        finishedAt: '2026-12-06T12:00:05Z',
        containerID: 'docker://abc',
      },
    },
    {
      name: 'failed: its exit code',
      task: task('failed', { Err: 'task: non-zero exit (3)', ContainerStatus: { ExitCode: 3 } }),
      want: { kind: 'exited', nodeId: 'n2', exitCode: 3, finishedAt: '2026-12-06T12:00:05Z' },
    },
    {
      name: 'shutdown after a stop: SIGTERM exit',
      task: task('shutdown', { ContainerStatus: { ExitCode: 143 } }, { DesiredState: 'shutdown' }),
      want: { kind: 'exited', nodeId: 'n2', exitCode: 143, finishedAt: '2026-12-06T12:00:05Z' },
    },
    {
      name: 'failed before its container started: StartError 128 with the words',
      task: task('failed', { Err: 'starting container failed: exec: "nope": not found' }),
      want: {
        kind: 'exited',
        nodeId: 'n2',
        exitCode: 128,
        finishedAt: '2026-12-06T12:00:05Z',
        message: 'starting container failed: exec: "nope": not found',
      },
    },
    {
      name: 'rejected: the node words',
      task: task('rejected', {
        Err: 'invalid mount config for type "bind": bind source path does not exist: /data',
      }),
      want: {
        kind: 'rejected',
        message: 'invalid mount config for type "bind": bind source path does not exist: /data',
        nodeId: 'n2',
      },
    },
    {
      name: 'rejected for want of the image: the pull failed on that node',
      task: task('rejected', { Err: 'No such image: 10.203.7.11:5000/x:1' }),
      want: { kind: 'imageUnavailable', message: 'No such image: 10.203.7.11:5000/x:1', nodeId: 'n2' },
    },
    {
      name: 'running on a node that is down, desired shutdown: node lost',
      task: task('running', {}, { DesiredState: 'shutdown' }),
      down: 'n2',
      want: { kind: 'nodeLost', nodeId: 'n2' },
    },
    {
      name: 'an end already reported from a node now down stays an end',
      task: task('complete', { ContainerStatus: { ExitCode: 0 } }),
      down: 'n2',
      want: { kind: 'exited', nodeId: 'n2', exitCode: 0, finishedAt: '2026-12-06T12:00:05Z' },
    },
    { name: 'orphaned: node lost', task: task('orphaned'), want: { kind: 'nodeLost', nodeId: 'n2' } },
  ];
  for (const r of rows) {
    it(r.name, () => {
      assert.deepEqual(
        taskView(r.task, (id) => id === r.down, now),
        r.want,
      );
    });
  }

  it('container statuses: running, Completed, Error, StartError', () => {
    assert.deepEqual(
      containerStatusOfTask(
        { kind: 'running', nodeId: 'n', startedAt: 'T1', containerID: 'docker://c' },
        'busybox',
        0,
        undefined,
      ),
      {
        name: '',
        image: 'busybox',
        restartCount: 0,
        containerID: 'docker://c',
        ready: true,
        started: true,
        state: { running: { startedAt: 'T1' } },
      },
    );
    const exited = (exitCode: number, message?: string) =>
      containerStatusOfTask(
        { kind: 'exited', nodeId: 'n', exitCode, finishedAt: 'T2', ...(message ? { message } : {}) },
        'busybox',
        1,
        'T1',
      ).state.terminated;
    assert.deepEqual(exited(0), { exitCode: 0, reason: 'Completed', startedAt: 'T1', finishedAt: 'T2' });
    assert.deepEqual(exited(3), { exitCode: 3, reason: 'Error', startedAt: 'T1', finishedAt: 'T2' });
    assert.deepEqual(exited(128, 'starting container failed'), {
      exitCode: 128,
      reason: 'StartError',
      message: 'starting container failed',
      startedAt: 'T1',
      finishedAt: 'T2',
    });
  });

  it('the latest task of a service is the one with the highest version', () => {
    assert.equal(latestTask([]), undefined);
    assert.equal(
      latestTask([
        task('failed', {}, { ID: 'a', Version: { Index: 5 } }),
        task('running', {}, { ID: 'b', Version: { Index: 9 } }),
      ])?.ID,
      'b',
    );
  });

  it('a rejection is a failed pull (ErrImagePull) only when it says the image could not be had', () => {
    const rows: [string, boolean][] = [
      // moby 20.10: the pull error is only logged by the node; the create that follows says this.
      ['No such image: 10.203.7.11:5000/priv/app:1', true],
      ['no such image: busybox:latest', true],
      ['Error response from daemon: pull access denied for app, repository does not exist', true],
      ['manifest unknown: manifest unknown', true],
      ['manifest for registry.example.com/app:2 not found: manifest unknown', true],
      ['unauthorized: authentication required', true],
      ['Head "http://10.203.7.11:5000/v2/x/manifests/1": no basic auth credentials', true],
      ['failed to resolve reference "registry.example.com/app:1": not found', true],
      ['invalid mount config for type "bind": bind source path does not exist: /data', false],
      ['starting container failed: exec: "nope": not found', false],
      ['', false],
    ];
    for (const [err, want] of rows) assert.equal(rejectedForImage(err), want, err);
  });
});
