// Job semantics that only a real engine shows, through `tjob run` as a user types it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FileStore } from '../../../src/state/file-store.js';
import { containersOf, newStateDir, tjob, writeManifest } from './tjob-cli.js';

function job(name: string, spec: string, podSpec: string, restartPolicy = 'Never'): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec
  .split('\n')
  .filter(Boolean)
  .map((l) => '  ' + l)
  .join('\n')}
  template:
    spec:
      restartPolicy: ${restartPolicy}
      terminationGracePeriodSeconds: 2
${podSpec
  .split('\n')
  .filter(Boolean)
  .map((l) => '      ' + l)
  .join('\n')}
`;
}

async function runJob(yaml: string, args: string[] = []) {
  const state = newStateDir();
  const got = await tjob(['run', writeManifest(yaml), '--backoff', '300ms', ...args], state);
  const name = /name: (\S+)/.exec(yaml)![1]!;
  const stored = await new FileStore(state).loadJob(name);
  return { got, stored: stored!, state, name };
}

const sh = (script: string, extra = '') => `containers:
- name: main
  image: busybox
  imagePullPolicy: IfNotPresent
  command: ["sh", "-c", ${JSON.stringify(script)}]
${extra}`;

describe('tjob run on the real engine', { timeout: 300_000 }, () => {
  it('maps exit codes to pod phases and counts them', async () => {
    const { got, stored } = await runJob(job('exits', 'backoffLimit: 0', sh('exit 7')));
    assert.equal(got.code, 1);
    const pod = stored.pods[0]!;
    assert.equal(pod.observation.phase, 'Failed');
    assert.equal(pod.observation.containerStatuses[0]?.state.terminated?.exitCode, 7);
    assert.equal(stored.job.status.failed, 1);
  });

  it('backoffLimit with restartPolicy Never: backoffLimit + 1 pods', async () => {
    const { got, stored } = await runJob(job('never', 'backoffLimit: 2', sh('echo try; exit 1')));
    assert.equal(got.code, 1);
    assert.equal(stored.pods.length, 3);
    assert.equal(stored.job.status.failed, 3);
    assert.match(got.stderr, /Failed \(BackoffLimitExceeded\)/);
    assert.match(got.stderr, /Job has reached the specified backoff limit/);
    assert.match(got.stderr, /\| try/);
  });

  it('backoffLimit with restartPolicy OnFailure: restarts in place, restartCount visible', async () => {
    const { got, stored } = await runJob(
      job('onfail', 'backoffLimit: 2', sh('echo run; exit 1'), 'OnFailure'),
    );
    assert.equal(got.code, 1);
    assert.equal(stored.pods.length, 1, 'one pod, restarted in place');
    const restarts = stored.pods[0]!.observation.containerStatuses[0]?.restartCount ?? 0;
    assert.ok(restarts >= 2, `restartCount ${restarts}`);
    assert.match(got.stderr, /BackoffLimitExceeded/);
  });

  it('logs shows the current run of a restarted container, -p the one before it', async () => {
    // The emptyDir outlives the in-place restarts: it counts the runs.
    const script = 'echo x >> /runs/count; n=`wc -l < /runs/count`; echo "run $n"; [ $n -ge 3 ]';
    const pod = `${sh(script, '  volumeMounts: [{name: runs, mountPath: /runs}]')}\nvolumes: [{name: runs, emptyDir: {}}]`;
    const { got, stored, state, name } = await runJob(job('reruns', 'backoffLimit: 5', pod, 'OnFailure'));
    assert.equal(got.code, 0, got.stderr);
    assert.equal(stored.pods[0]?.observation.containerStatuses[0]?.restartCount, 2);
    // `tjob run` streamed every run.
    assert.match(got.stdout, /run 1\n[\s\S]*run 2\n[\s\S]*run 3\n/);
    const current = await tjob(['logs', name], state);
    assert.equal(current.stdout, 'run 3\n', current.stderr);
    const previous = await tjob(['logs', name, '-p'], state);
    assert.equal(previous.stdout, 'run 2\n', previous.stderr);
  });

  it('activeDeadlineSeconds stops a running container', async () => {
    const started = Date.now();
    const { got, stored, state } = await runJob(
      job('deadline-it', 'activeDeadlineSeconds: 2', sh("trap 'exit 143' TERM; sleep 60 & wait")),
    );
    assert.equal(got.code, 1);
    assert.ok(Date.now() - started < 20_000);
    const failed = stored.job.status.conditions?.find((c) => c.type === 'Failed');
    assert.equal(failed?.reason, 'DeadlineExceeded');
    assert.equal(failed?.message, 'Job was active longer than specified deadline');
    assert.deepEqual(await containersOf(state, 'deadline-it', true), []);
  });

  it('Indexed pods get JOB_COMPLETION_INDEX and the <job>-<index> hostname', async () => {
    const { got, stored } = await runJob(
      job(
        'idx',
        'completions: 3\nparallelism: 3\ncompletionMode: Indexed',
        sh('echo "i=$JOB_COMPLETION_INDEX h=$(hostname)"'),
      ),
    );
    assert.equal(got.code, 0);
    for (const i of [0, 1, 2]) assert.match(got.stdout, new RegExp(`i=${i} h=idx-${i}$`, 'm'));
    assert.equal(stored.job.status.completedIndexes, '0-2');
  });

  it('podFailurePolicy FailJob on exit code 42', async () => {
    const spec = `backoffLimit: 5
podFailurePolicy:
  rules:
  - action: FailJob
    onExitCodes:
      containerName: main
      operator: In
      values: [42]`;
    const { got, stored } = await runJob(job('pfp', spec, sh('exit 42')));
    assert.equal(got.code, 1);
    assert.equal(stored.pods.length, 1);
    const failed = stored.job.status.conditions?.find((c) => c.type === 'Failed');
    assert.equal(failed?.reason, 'PodFailurePolicy');
    assert.match(
      failed?.message ?? '',
      /^Container main for pod default\/pfp-\w{5} failed with exit code 42 matching FailJob rule at index 0$/,
    );
  });

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
