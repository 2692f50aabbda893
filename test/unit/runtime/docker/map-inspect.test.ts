import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { containerStatusFromInspect, isoSeconds } from '../../../../src/runtime/docker/map-inspect.js';

const zero = '0001-01-01T00:00:00Z';
function inspect(state: Partial<Dockerode.ContainerInspectInfo['State']>): Dockerode.ContainerInspectInfo {
  return {
    Id: 'abc123full',
    Image: 'sha256:deadbeef',
    Config: { Image: 'busybox:latest' },
    State: {
      Status: 'created',
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: zero,
      FinishedAt: zero,
      ...state,
    },
  } as unknown as Dockerode.ContainerInspectInfo;
}

describe('isoSeconds', () => {
  const table: [string, string | undefined][] = [
    ['2026-01-01T00:00:00.123456789Z', '2026-01-01T00:00:00Z'],
    ['2026-01-01T00:00:00.999999999Z', '2026-01-01T00:00:00Z'],
    ['2026-01-01T00:00:05Z', '2026-01-01T00:00:05Z'],
    ['2026-01-01T02:00:05.5+02:00', '2026-01-01T00:00:05Z'],
    [zero, undefined],
    ['', undefined],
    ['garbage', undefined],
  ];
  for (const [input, want] of table)
    it(`${JSON.stringify(input)}`, () => assert.equal(isoSeconds(input), want));
});

describe('containerStatusFromInspect', () => {
  it('created, not started: waiting ContainerCreating', () => {
    assert.deepEqual(containerStatusFromInspect('main', inspect({}), 0), {
      name: 'main',
      state: { waiting: { reason: 'ContainerCreating' } },
      ready: false,
      restartCount: 0,
      image: 'busybox:latest',
      imageID: 'docker://sha256:deadbeef',
      containerID: 'docker://abc123full',
      started: false,
    });
  });
  it('running: ready, started, startedAt in seconds', () => {
    const s = containerStatusFromInspect(
      'main',
      inspect({ Status: 'running', Running: true, StartedAt: '2026-03-01T10:00:00.5Z' }),
      2,
    );
    assert.deepEqual(s.state, { running: { startedAt: '2026-03-01T10:00:00Z' } });
    assert.equal(s.ready, true);
    assert.equal(s.started, true);
    assert.equal(s.restartCount, 2);
  });
  const exited = {
    Status: 'exited',
    StartedAt: '2026-03-01T10:00:00.1Z',
    FinishedAt: '2026-03-01T10:00:09.9Z',
  };
  const table: [string, Partial<Dockerode.ContainerInspectInfo['State']>, number, string][] = [
    ['exit 0 is Completed', { ExitCode: 0 }, 0, 'Completed'],
    ['non-zero is Error', { ExitCode: 3 }, 3, 'Error'],
    ['SIGKILL is Error', { ExitCode: 137 }, 137, 'Error'],
    ['OOM kill is OOMKilled', { ExitCode: 137, OOMKilled: true }, 137, 'OOMKilled'],
  ];
  for (const [title, state, code, reason] of table) {
    it(title, () => {
      const s = containerStatusFromInspect('main', inspect({ ...exited, ...state }), 0);
      assert.deepEqual(s.state, {
        terminated: {
          exitCode: code,
          reason,
          startedAt: '2026-03-01T10:00:00Z',
          finishedAt: '2026-03-01T10:00:09Z',
          containerID: 'docker://abc123full',
        },
      });
      assert.equal(s.ready, false);
      assert.equal(s.started, false);
    });
  }
  it('exited without ever starting (start failed): zero dates unset, engine error as message', () => {
    const s = containerStatusFromInspect(
      'main',
      inspect({ Status: 'exited', ExitCode: 127, Error: 'exec: "nope": not found' }),
      0,
    );
    assert.deepEqual(s.state.terminated, {
      exitCode: 127,
      reason: 'Error',
      message: 'exec: "nope": not found',
      containerID: 'docker://abc123full',
    });
  });
});
