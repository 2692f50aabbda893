// Job semantics that only a real engine shows, through `tjob run` as a user types it; the scenarios
// every runtime shares are the table of job-scenarios.ts, run here on the Docker engine.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FileStore } from '../../../src/state/file-store.js';
import { containersOf, newStateDir, tjob, writeManifest } from './tjob-cli.js';
import { job, jobScenarios, scenarioRuntime, sh } from './job-scenarios.js';

/** The Docker engine as a user's `tjob run` meets it. */
const onDocker = scenarioRuntime({}, [], (state, name) => containersOf(state, name, true));
const runJob = onDocker.runJob;

describe('tjob run on the real engine', { timeout: 300_000 }, () => {
  for (const scenario of jobScenarios) it(scenario.title, () => scenario.check(onDocker));

  it('a container over its memory limit is OOMKilled with exit code 137', async () => {
    const { got, stored } = await runJob(
      job(
        'oom',
        'backoffLimit: 0',
        sh('x=a; while true; do x="$x$x"; done', '  resources:\n    limits:\n      memory: 16Mi'),
      ),
    );
    assert.equal(got.code, 1);
    const t = stored.pods[0]!.observation.containerStatuses[0]?.state.terminated;
    assert.equal(t?.reason, 'OOMKilled', `${JSON.stringify(t)}\n${got.stderr}`);
    assert.equal(t?.exitCode, 137);
    assert.match(got.stderr, /137 OOMKilled/);
  });

  it('two containers of a pod talk over localhost; an init container fills an emptyDir', async () => {
    const pod = `initContainers:
- name: fill
  image: busybox
  imagePullPolicy: IfNotPresent
  command: ["sh", "-c", "echo from-init > /work/data"]
  volumeMounts: [{name: work, mountPath: /work}]
containers:
- name: server
  image: busybox
  imagePullPolicy: IfNotPresent
  command: ["sh", "-c", "cat /work/data | nc -l -p 8080"]
  volumeMounts: [{name: work, mountPath: /work}]
- name: client
  image: busybox
  imagePullPolicy: IfNotPresent
  command: ["sh", "-c", "for i in $(seq 300); do nc localhost 8080 && exit 0; sleep 0.1; done; exit 1"]
volumes:
- name: work
  emptyDir: {}`;
    const { got } = await runJob(job('pair', '', pod));
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /^\[pair-\w{5}\/client\] from-init$/m);
  });

  it('a native sidecar does not block completion and is stopped', async () => {
    const pod = `initContainers:
- name: side
  image: busybox
  imagePullPolicy: IfNotPresent
  restartPolicy: Always
  command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
containers:
- name: main
  image: busybox
  imagePullPolicy: IfNotPresent
  command: ["sh", "-c", "echo main done"]`;
    const started = Date.now();
    const { got, stored, state } = await runJob(job('sidecar', '', pod));
    assert.equal(got.code, 0, got.stderr);
    assert.ok(Date.now() - started < 30_000);
    assert.equal(stored.pods[0]?.observation.phase, 'Succeeded');
    assert.deepEqual(await containersOf(state, 'sidecar', true), []);
    // The record shows how the sidecar ended, as the kubelet reports it.
    const listed = await tjob(['get', 'pods', '-o', 'json'], state);
    const status = JSON.parse(listed.stdout).items[0].status;
    const side = status.initContainerStatuses[0];
    assert.equal(side.state.terminated?.exitCode, 0, JSON.stringify(side));
    assert.equal(side.state.terminated.reason, 'Completed');
    assert.ok(side.state.terminated.finishedAt);
    assert.ok(side.state.terminated.startedAt <= status.containerStatuses[0].state.terminated.startedAt);
    const described = await tjob(['describe', 'pod', stored.pods[0]!.name], state);
    const sideSection =
      /Init Containers:\n {2}side:\n[\s\S]*?\nContainers:/.exec(described.stdout)?.[0] ?? '';
    assert.match(sideSection, /State:\s+Terminated\n\s+Reason:\s+Completed\n\s+Exit Code:\s+0\n/);
  });

  it('a ConfigMap value reaches the environment', async () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: teal
---
${job('cm', '', sh('echo "color=$COLOR"', '  env:\n  - name: COLOR\n    valueFrom:\n      configMapKeyRef: {name: settings, key: color}'))}`;
    const { got } = await runJob(
      yaml.replace(/name: settings[\s\S]*?---/, (m) => m),
      [],
    );
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /color=teal/);
  });

  it('binary ConfigMap and Secret data reach volume files byte for byte; a Secret env var is its text', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const sha = createHash('sha256').update(all).digest('hex');
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: blobs
binaryData:
  all.bin: ${all.toString('base64')}
---
apiVersion: v1
kind: Secret
metadata:
  name: keys
data:
  all.bin: ${all.toString('base64')}
  word: ${Buffer.from('pässwörd', 'utf8').toString('base64')}
---
${job(
  'bytes',
  '',
  sh(
    'sha256sum /cm/all.bin /sec/all.bin; od -An -tx1 -N8 -j248 /cm/all.bin; echo "word=$WORD"',
    `  env:
  - name: WORD
    valueFrom:
      secretKeyRef: {name: keys, key: word}
  volumeMounts:
  - {name: cm, mountPath: /cm}
  - {name: sec, mountPath: /sec}
volumes:
- name: cm
  configMap: {name: blobs}
- name: sec
  secret: {secretName: keys}`,
  ),
)}`;
    const { got } = await runJob(yaml, ['--show-secrets']);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, new RegExp(`${sha}  /cm/all\\.bin`), got.stdout);
    assert.match(got.stdout, new RegExp(`${sha}  /sec/all\\.bin`), got.stdout);
    assert.match(got.stdout, /f8 f9 fa fb fc fd fe ff/);
    assert.match(got.stdout, /word=pässwörd/);
  });

  it('an image that cannot be had stops the run before anything starts (exit 3)', async () => {
    const { got, stored } = await runJob(
      job(
        'noimage',
        '',
        'containers:\n- name: main\n  image: tjob.invalid/nothing:1\n  imagePullPolicy: Never',
      ),
    );
    assert.equal(got.code, 3);
    assert.match(got.stderr, /tjob\.invalid\/nothing:1/);
    assert.equal(stored, undefined, 'nothing was created');
  });

  it('an unreachable engine exits 3 and creates nothing', async () => {
    const state = newStateDir();
    const got = await tjob(['run', 'samples/job-hello.yaml'], state, {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    assert.equal(got.code, 3);
    assert.match(got.stderr, /Docker engine/);
    assert.equal(await new FileStore(state).loadJob('hello'), undefined);
  });

  it('an invalid manifest exits 2 with the API server message and creates nothing', async () => {
    const state = newStateDir();
    const bad = job('bad', 'parallelism: -1', sh('true')).replace(
      'restartPolicy: Never',
      'restartPolicy: Always',
    );
    const got = await tjob(['run', writeManifest(bad)], state);
    assert.equal(got.code, 2);
    assert.match(got.stderr, /spec\.parallelism: Invalid value: -1: must be greater than or equal to 0/);
    assert.match(
      got.stderr,
      /spec\.template\.spec\.restartPolicy: Required value: valid values: "OnFailure", "Never"/,
    );
    assert.doesNotMatch(got.stderr, /at .*\.js:\d+/, 'no stack trace');
  });
});
