// An image that cannot be had once the job runs, as a user meets it with `tjob run` and a real
// registry on loopback (test/support/registry.ts): the pod waits in ErrImagePull, then
// ImagePullBackOff (the kubelet's 10 s doubling backoff), shown by `get pods` and `describe pod`
// with the kubelet's events; the job keeps running, and the container runs once the image is
// pushed, or the job's activeDeadlineSeconds ends it. The up-front check passes (the image is
// local then); an init container holds the app container back while the local copy is removed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { registryUnavailable, removeLocal, TestRegistry } from '../../support/registry.js';
import {
  containersOf,
  newStateDir,
  removeContainersOf,
  start,
  tjob,
  until,
  writeManifest,
} from '../cli/tjob-cli.js';
import { Image } from '../docker/harness.js';

const run = promisify(execFile);
const Timeout = 240_000;
const skip = registryUnavailable();

function job(name: string, image: string, deadlineSeconds?: number): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  backoffLimit: 0
${deadlineSeconds !== undefined ? `  activeDeadlineSeconds: ${deadlineSeconds}\n` : ''}  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: hold
        image: ${Image}
        imagePullPolicy: IfNotPresent
        command: [sleep, '5']
      containers:
      - name: main
        image: ${image}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'echo pulled-late-and-ran']
`;
}

/** The STATUS column of the job's pod in `tjob get pods`. */
async function podStatus(dir: string, jobName: string): Promise<string> {
  const out = await tjob(['get', 'pods', '--no-headers'], dir);
  const line = out.stdout.split('\n').find((l) => l.startsWith(`${jobName}-`));
  return line?.trim().split(/\s+/)[2] ?? '';
}

async function podName(dir: string, jobName: string): Promise<string> {
  const out = await tjob(['get', 'pods', '--no-headers'], dir);
  return (
    out.stdout
      .split('\n')
      .find((l) => l.startsWith(`${jobName}-`))
      ?.split(/\s+/)[0] ?? ''
  );
}

// Both tests at once: each has its own image, job and state directory, and mostly waits (the pull
// backoff, the deadline).
const Suite = { skip, timeout: 3 * Timeout, concurrency: 2 };

describe('an image that cannot be pulled once the job runs', Suite, () => {
  let registry: TestRegistry;
  const images: string[] = [];
  const dirs: string[] = [];
  const jobs: string[] = [];

  /** A local tag the registry does not have (yet): the up-front check passes on it. */
  const localOnly = async (repo: string): Promise<string> => {
    const image = `${registry.host}/${repo}`;
    await run('docker', ['tag', Image, image]);
    images.push(image);
    return image;
  };

  /** `tjob run` in the background; the local copy is removed once the init container is made. */
  const runThenRemove = async (name: string, manifest: string, image: string) => {
    const dir = newStateDir();
    dirs.push(dir);
    jobs.push(name);
    const r = start(['run', writeManifest(manifest)], dir);
    await until(async () => (await containersOf(dir, name)).some((c) => c.includes('-hold')), 60_000);
    await removeLocal(image);
    return { dir, done: r.done };
  };

  before(async () => {
    registry = await TestRegistry.start();
  });

  after(async () => {
    for (const j of jobs) removeContainersOf(j);
    await removeLocal(...images);
    await registry?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(
    'ErrImagePull, then ImagePullBackOff in get pods and describe pod; runs once the image is pushed',
    { timeout: Timeout },
    async () => {
      const image = await localOnly('late/app:1');
      const { dir, done } = await runThenRemove('pull-late', job('pull-late', image), image);
      await until(async () => (await podStatus(dir, 'pull-late')) === 'ErrImagePull', 60_000);
      await until(async () => (await podStatus(dir, 'pull-late')) === 'ImagePullBackOff', 90_000);
      const pod = await podName(dir, 'pull-late');
      const described = await tjob(['describe', 'pod', pod], dir);
      assert.equal(described.code, 0, described.stderr);
      const text = described.stdout;
      assert.match(text, /Status:\s+Pending/);
      assert.match(text, /State:\s+Waiting\n\s+Reason:\s+ImagePullBackOff/);
      assert.match(text, /Normal\s+Pulling\s+.*kubelet\s+Pulling image "127\.0\.0\.1:\d+\/late\/app:1"/);
      assert.match(
        text,
        /Warning\s+Failed\s+.*kubelet\s+Failed to pull image "127\.0\.0\.1:\d+\/late\/app:1": .*not found/i,
      );
      assert.match(
        text,
        /Normal\s+BackOff\s+.*kubelet\s+Back-off pulling image "127\.0\.0\.1:\d+\/late\/app:1"/,
      );
      const jobs = await tjob(['get', 'jobs', '--no-headers'], dir);
      assert.match(jobs.stdout, /pull-late\s+Running/, 'the job keeps running');

      // The image is pushed (and not local): the next pull after the backoff gets it.
      await registry.push(Image, 'late/app:1');
      await removeLocal(image);
      const out = await done;
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /pulled-late-and-ran/);
      assert.match(
        out.stderr,
        /pod\/pull-late-\w+: Failed: Failed to pull image "127\.0\.0\.1:\d+\/late\/app:1"/,
      );
      const after = await tjob(['describe', 'pod', pod], dir);
      assert.match(
        after.stdout,
        /Normal\s+Pulled\s+.*kubelet\s+Successfully pulled image "127\.0\.0\.1:\d+\/late\/app:1"/,
      );
    },
  );

  it(
    'activeDeadlineSeconds ends the job DeadlineExceeded while the pod backs off',
    { timeout: Timeout },
    async () => {
      const image = await localOnly('never/app:1');
      const { dir, done } = await runThenRemove('pull-deadline', job('pull-deadline', image, 30), image);
      await until(async () => (await podStatus(dir, 'pull-deadline')) === 'ErrImagePull', 60_000);
      const out = await done;
      assert.equal(out.code, 1, out.stderr);
      const described = await tjob(['describe', 'job', 'pull-deadline'], dir);
      assert.match(described.stdout, /DeadlineExceeded/);
      assert.doesNotMatch(out.stdout, /pulled-late-and-ran/);
    },
  );
});
