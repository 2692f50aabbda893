// The Engine API calls tjob makes per pod, counted by a proxy on a second unix socket
// (docs/warm-sandboxes.md#engine-calls-per-pod). Every call costs dockerd time the other pods
// wait for: this pins the count, so a call added to a pod's path is a decision, not an accident.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EngineCallProxy } from '../../support/engine-call-proxy.js';
import { newStateDir, removeContainersOf, tjob, writeManifest } from '../cli/tjob-cli.js';
import { tempDir } from '../../support/jobs.js';

const chain = (name: string, completions: number): string => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completions: ${completions}
  parallelism: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:latest
        imagePullPolicy: IfNotPresent
        command: ["true"]
`;

describe('engine calls per pod (real Docker)', { timeout: 300_000 }, () => {
  it('a chain of `true` pods: one create, inspect, attach, start and remove per container, one listing at the end', async () => {
    const proxy = new EngineCallProxy(join(tempDir('tjob-calls-'), 'engine.sock'));
    await proxy.start();
    const name = `calls-${process.pid}`;
    const pods = 4;
    try {
      const out = await tjob(['run', '--no-logs', '-q', writeManifest(chain(name, pods))], newStateDir(), {
        DOCKER_HOST: proxy.dockerHost,
      });
      assert.equal(out.code, 0, out.stderr);
      const t = proxy.tally();
      const n = (key: string): number => t[key] ?? 0;
      // Sandboxes prepared ahead of the pods (the first pod has none before it).
      const sandboxes = n('POST /containers/create') - pods;
      assert.ok(sandboxes >= 0 && sandboxes <= pods - 1, JSON.stringify(t));
      const containers = pods + sandboxes;
      assert.deepEqual(t, {
        'GET /_ping': 1,
        'GET /events': 1,
        // up front (deviation 1), then the kubelet's EnsureImageExists before each app container
        'GET /images/{id}/json': 1 + pods,
        'POST /containers/create': containers,
        'POST /containers/{id}/start': containers,
        'GET /containers/{id}/json': pods,
        'POST /containers/{id}/attach': pods,
        'DELETE /containers/{id}': containers,
        // At the job's end, one listing for a sandbox a pod took while it was being removed.
        ...(sandboxes > 0 ? { 'GET /containers/json': 1 } : {}),
      });
      const perPod = Object.values(t).reduce((a, b) => a + b, 0) / pods;
      assert.ok(perPod <= 9.75, `calls per pod: ${perPod}`);
    } finally {
      await proxy.stop();
      removeContainersOf(name);
    }
  });

  it('the proxy counts what the docker CLI asks for a `run --rm` (the comparison)', async () => {
    const proxy = new EngineCallProxy(join(tempDir('tjob-calls-'), 'engine.sock'));
    await proxy.start();
    try {
      // Not execFileSync: the proxy runs in this process and must keep forwarding.
      await promisify(execFile)(
        'docker',
        ['run', '--rm', '--label', 'io.tjob.test=calls', 'busybox:latest', 'true'],
        {
          env: { ...process.env, DOCKER_HOST: proxy.dockerHost },
        },
      );
      const t = proxy.tally((c) => c.path !== '/_ping');
      assert.equal(t['POST /containers/create'], 1, JSON.stringify(t));
      assert.equal(t['POST /containers/{id}/start'], 1, JSON.stringify(t));
      assert.equal(t['DELETE /containers/{id}'] ?? 0, 0, 'AutoRemove: the engine removes it');
    } finally {
      await proxy.stop();
    }
  });
});
