// tjob finds the engine as the docker CLI does: a context made with `docker context create` and
// chosen with `docker context use` (in a private DOCKER_CONFIG) names a socket other than the
// default one, a loopback forwarder this test serves there and counts connections on; tjob runs a
// job through it and says so under -v and in `tjob version`. DOCKER_HOST still wins over the
// context; a context that does not exist is an error naming it and its file.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newStateDir, tjob, writeManifest } from './tjob-cli.js';
import { tempDir } from '../../support/jobs.js';

/** The engine this suite runs against (DOCKER_HOST for the Podman run, else the local socket). */
const EngineSocket = (process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: via-context
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo reached through the context"]
`;

describe('the docker context decides the engine', { timeout: 180_000 }, () => {
  let dir: string;
  let config: string;
  let forwarder: Server;
  let forwarderSocket: string;
  let connections = 0;
  const open = new Set<Socket>();
  // No DOCKER_HOST: it would win over any context.
  const env = (): Record<string, string> => ({ DOCKER_CONFIG: config, DOCKER_HOST: '', DOCKER_CONTEXT: '' });

  before(async () => {
    dir = tempDir('tjob-context-');
    config = join(dir, 'docker-config');
    forwarderSocket = join(dir, 'forwarded.sock');
    forwarder = createServer((client) => {
      connections++;
      const engine = createConnection(EngineSocket);
      for (const s of [client, engine]) {
        open.add(s);
        s.on('close', () => open.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve) => forwarder.listen(forwarderSocket, resolve));
    const docker = (args: string[]): string =>
      execFileSync('docker', args, {
        env: { ...process.env, ...env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
    docker(['context', 'create', 'tjobtest', '--docker', `host=unix://${forwarderSocket}`]);
    docker(['context', 'use', 'tjobtest']);
    assert.match(docker(['context', 'show']), /^tjobtest$/m);
  });

  after(async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((resolve) => forwarder.close(() => resolve()));
    const ids = containersOf('via-context');
    if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a job on the engine the current context names; -v says which', async () => {
    const before = connections;
    const got = await tjob(['-v', 'run', writeManifest(job)], newStateDir(), env());
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /reached through the context/);
    assert.match(
      got.stderr,
      new RegExp(
        `^debug: engine: (Docker|Podman) \\S+ \\(API \\d+\\.\\d+\\) at unix://${forwarderSocket} \\(context "tjobtest"\\)$`,
        'm',
      ),
    );
    assert.ok(connections > before, 'tjob connected through the context socket');
  });

  it('tjob version names the engine, its API version and the context', async () => {
    const got = await tjob(['version'], newStateDir(), env());
    assert.equal(got.code, 0, got.stderr);
    assert.match(
      got.stdout,
      new RegExp(
        `^tjob \\S+\\nengine: (Docker|Podman) \\S+ \\(API \\d+\\.\\d+\\) at unix://${forwarderSocket} \\(context "tjobtest"\\)\\n$`,
      ),
    );
  });

  it('DOCKER_HOST wins over the current context', async () => {
    const before = connections;
    const got = await tjob(['version'], newStateDir(), { ...env(), DOCKER_HOST: `unix://${EngineSocket}` });
    assert.match(got.stdout, new RegExp(`at unix://${EngineSocket}\\n`));
    assert.equal(connections, before, 'the context socket was not used');
  });

  it('DOCKER_CONTEXT naming no context: exit 3, the name and the file looked for', async () => {
    const got = await tjob(['run', writeManifest(job)], newStateDir(), { ...env(), DOCKER_CONTEXT: 'nope' });
    assert.equal(got.code, 3);
    assert.match(
      got.stderr,
      /Docker context "nope" \(from DOCKER_CONTEXT\) does not exist: no .*docker-config\/contexts\/meta\/[0-9a-f]{64}\/meta\.json/,
    );
    assert.match(got.stderr, /hint: .*docker context use/);
    assert.doesNotMatch(got.stderr, /at .*\.js:\d+/, 'no stack trace');
  });

  it('tjob version without an engine says so, and succeeds', async () => {
    const got = await tjob(['version'], newStateDir(), { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    assert.equal(got.code, 0, got.stderr);
    assert.match(
      got.stdout,
      /^tjob \S+\nengine: not reached: cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker\.sock: .*ENOENT/,
    );
  });
});

function containersOf(job: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=io.tjob.job=${job}`])
    .toString()
    .split('\n')
    .filter(Boolean);
}
