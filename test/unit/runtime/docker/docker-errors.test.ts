// How the Docker adapter classifies the engine's errors: which mean "the engine is going away"
// (a create/start that meets them is tried again, the pod does not fail), which are the engine
// refusing what was asked (the pod fails), and the stale-task answer after an engine restart.
// The 5xx messages are the ones a dockerd 20.10 gave while it shut down (issue #9).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  dockerMessage,
  isConnectionError,
  isConflict,
  isEngineGoingAway,
  isStaleRuntimeTask,
} from '../../../../src/runtime/docker/docker-errors.js';

/** An error as dockerode rejects with it when the engine answered. */
function answered(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message} `), {
    statusCode,
    json: { message },
  });
}

function connection(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('docker errors: the engine going away', () => {
  const goingAway: [string, Error][] = [
    ['socket gone (dockerd closed it at SIGTERM)', connection('ENOENT', 'connect ENOENT /run/docker.sock')],
    ['connection reset mid-request', connection('ECONNRESET', 'socket hang up')],
    ['write to a closed connection', connection('EPIPE', 'write EPIPE')],
    ['containerd closing', answered(500, 'transport is closing: unavailable')],
    [
      'network store closed',
      answered(
        500,
        'failed to update the store state of sandbox: failed to update store for object type *libnetwork.sbState: open : no such file or directory',
      ),
    ],
    ['containerd unavailable (gRPC)', answered(500, 'rpc error: code = Unavailable desc = connection error')],
    [
      'containerd socket',
      answered(500, 'dial unix /run/containerd/containerd.sock: connect: connection refused'),
    ],
    ['request cancelled by the shutdown', answered(500, 'context canceled')],
    ['shutting down', answered(500, 'daemon is shutting down')],
    ['service unavailable', answered(503, 'anything at all')],
  ];
  for (const [what, err] of goingAway) {
    it(`${what}: going away`, () => assert.equal(isEngineGoingAway(err), true, dockerMessage(err)));
  }

  const refused: [string, Error][] = [
    ['no such image', answered(404, 'No such image: nope:latest')],
    ['invalid config', answered(400, 'invalid reference format')],
    ['name in use', answered(409, 'Conflict. The container name "/x" is already in use')],
    [
      'executable not found',
      answered(
        400,
        'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
      ),
    ],
    [
      'port already allocated',
      answered(500, 'driver failed programming external connectivity: port is already allocated'),
    ],
    ['a 400 in a shutdown word is still the engine refusing', answered(400, 'context canceled')],
    ['not an engine error', new Error('boom')],
    ['nothing at all', undefined as unknown as Error],
  ];
  for (const [what, err] of refused) {
    it(`${what}: not going away`, () => assert.equal(isEngineGoingAway(err), false));
  }

  it('a connection error is going away, and only a connection error is a connection error', () => {
    assert.equal(isConnectionError(connection('ECONNRESET', 'socket hang up')), true);
    assert.equal(isConnectionError(answered(500, 'transport is closing: unavailable')), false);
  });
});

describe('docker errors: a stale containerd task after a restart', () => {
  it('task <id>: already exists (500) and id already in use (500) are stale tasks', () => {
    assert.equal(isStaleRuntimeTask(answered(500, `task ${'ab12'.repeat(16)}: already exists`)), true);
    assert.equal(isStaleRuntimeTask(answered(500, 'id already in use')), true);
  });
  it('a name conflict (409), another 500 or a connection error is not', () => {
    assert.equal(
      isStaleRuntimeTask(answered(409, 'Conflict. The container name "/x" is already in use')),
      false,
    );
    assert.equal(isStaleRuntimeTask(answered(500, 'transport is closing: unavailable')), false);
    assert.equal(isStaleRuntimeTask(connection('ECONNRESET', 'socket hang up')), false);
  });
});

describe('docker errors: a name in use', () => {
  it("Docker's 409 and Podman's 500 naming the taken name are conflicts", () => {
    assert.equal(
      isConflict(
        answered(409, 'Conflict. The container name "/p-main" is already in use by container "ab12".'),
      ),
      true,
    );
    const podman =
      'container create: creating container storage: the container name "p-main" is already in use by daa56b13. You have to remove that container to be able to reuse that name: that name is already in use';
    assert.equal(isConflict(answered(500, podman)), true);
  });

  it('another 500 (a dependent container, a stale task) or a connection error is not', () => {
    assert.equal(
      isConflict(answered(500, 'container ab12 has dependent containers which must be removed before it')),
      false,
    );
    assert.equal(isConflict(answered(500, 'id already in use')), false);
    assert.equal(isConflict(connection('ENOENT', 'connect ENOENT /run/docker.sock')), false);
  });
});
