// Images on the nodes of a real three-node Swarm whose nodes pull (as a real cluster's do) from a
// private registry inside the cluster's network (Debian's docker-registry with htpasswd auth, in
// the manager's network namespace, trusted by every node's dockerd over plain HTTP). A node that
// cannot have a pod's image leaves the container Waiting with ErrImagePull, then ImagePullBackOff,
// the pod Pending and the Job not failed; the pull is tried again on that node and succeeds once
// the node can have the image, also after a tjob killed meanwhile. A pod's imagePullSecret
// reaches the node that pulls.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import type { Job } from '../../../src/api/k8s.js';
import type { PodObservation } from '../../../src/api/pod.js';
import { SwarmRuntime } from '../../../src/runtime/swarm/swarm-runtime.js';
import { FileStore } from '../../../src/state/file-store.js';
import { tempDir, testJob } from '../../support/jobs.js';
import { authOf, registryUnavailable, TestRegistry } from '../../support/registry.js';
import { useSwarmCluster } from '../../support/swarm.js';
import { runJob } from '../../support/swarm-jobs.js';

const run = promisify(execFile);

const child = resolve(fileURLToPath(import.meta.url), '../run-job-process.js');

const Subnet = '10.203.7';
const RegistryHost = `${Subnet}.11:5000`;
const User = { username: 'tjob', password: 'swarm-pull-secret' };

const { cluster, skip: swarmSkip } = useSwarmCluster({
  prefix: 'tjsimg',
  subnet: Subnet,
  nodePulls: true,
  insecureRegistries: [RegistryHost],
});
const skip = swarmSkip ?? registryUnavailable();

let registry: TestRegistry | undefined;
/** An empty Docker config for tjob: no credential but the pods' own. */
let dockerConfig: string;

/** Builds a tiny image (a static busybox FROM scratch, and a file saying `marker`) on node n. */
async function buildImage(n: number, tag: string, marker: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tjob-swarm-image-'));
  try {
    await copyFile('/bin/busybox', join(dir, 'busybox'));
    await writeFile(join(dir, 'marker'), `${marker}\n`);
    await writeFile(
      join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nCOPY marker /marker\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
    );
    await run('docker', ['-H', cluster.node(n).host, 'build', '-q', '-t', tag, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Copies `image` from node `from` onto node `to` (docker save | docker load). */
async function copyImage(image: string, from: number, to: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tjob-swarm-image-tar-'));
  try {
    await run('docker', ['-H', cluster.node(from).host, 'save', '-o', join(dir, 'image.tar'), image]);
    await run('docker', ['-H', cluster.node(to).host, 'load', '-q', '-i', join(dir, 'image.tar')]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runtime(): SwarmRuntime {
  return new SwarmRuntime({
    docker: cluster.manager(),
    restartBackoffBaseMs: 1000,
    restartBackoffCapMs: 4000,
    env: { DOCKER_CONFIG: dockerConfig, PATH: process.env['PATH'] },
  });
}

function imageJob(name: string, image: string, extra: Record<string, unknown> = {}): Job {
  const j = testJob(name, { completions: 1, parallelism: 1, backoffLimit: 0 });
  const pod = j.spec.template.spec;
  pod.terminationGracePeriodSeconds = 2;
  pod.containers = [
    { name: 'main', image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'cat /marker'] },
  ];
  Object.assign(pod, extra);
  return j;
}

function waitingReason(obs: PodObservation): string | undefined {
  return obs.containerStatuses[0]?.state.waiting?.reason;
}

async function untilAsync(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('images on the nodes of a three-node Swarm', { skip, timeout: 600_000 }, () => {
  // Inside the suite: after the cluster is up (its namespace), and stopped before it goes.
  before(
    async () => {
      dockerConfig = await mkdtemp(join(tmpdir(), 'tjob-swarm-images-config-'));
      await writeFile(join(dockerConfig, 'config.json'), '{}');
      registry = await TestRegistry.start(User, {
        netns: cluster.netns(1),
        address: `${Subnet}.11`,
        port: 5000,
      });
    },
    { timeout: 60_000 },
  );

  after(
    async () => {
      await registry?.stop();
      if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
    },
    { timeout: 30_000 },
  );

  it('an image only the manager has: the pod on node 2 waits in ErrImagePull, ImagePullBackOff, Pending; once node 2 has it, the job completes', async () => {
    // Named by the cluster's registry (which has not got it), so node 2's pulls go nowhere else.
    const image = `${RegistryHost}/tjsimg/manager-only:1`;
    await buildImage(1, image, 'built on the manager');
    const rt = runtime();
    const seen: PodObservation[] = [];
    rt.subscribe({ onPod: (_uid, obs) => seen.push(obs) });
    let settled = false;
    try {
      const job = imageJob('only-manager', image, { nodeSelector: { pool: 'b' } });
      const running = runJob(rt, job).finally(() => (settled = true));
      await until('ErrImagePull', () => seen.some((o) => waitingReason(o) === 'ErrImagePull'));
      await until('ImagePullBackOff', () => seen.some((o) => waitingReason(o) === 'ImagePullBackOff'));
      const backingOff = seen.find((o) => waitingReason(o) === 'ImagePullBackOff')!;
      assert.equal(backingOff.phase, 'Pending');
      assert.equal(backingOff.nodeName, cluster.node(2).name);
      assert.match(
        backingOff.containerStatuses[0]!.state.waiting!.message ?? '',
        new RegExp(
          `^Back-off pulling image "${image}": ErrImagePull: Failed to pull image "${image}": No such image`,
        ),
      );
      const pulling = seen.find((o) => waitingReason(o) === 'ErrImagePull')!;
      assert.equal(pulling.phase, 'Pending');
      assert.equal(pulling.containerStatuses[0]!.restartCount, 0);
      assert.equal(settled, false, 'the job ended while its pod waited for its image');

      await copyImage(image, 1, 2);
      const { end, state, store } = await running;
      assert.equal(end, 'Complete');
      assert.equal(state.job.status.succeeded, 1);
      assert.equal(state.job.status.failed ?? 0, 0);
      assert.equal(state.pods.length, 1, 'one pod, its pull retried in place');
      assert.equal(state.pods[0]!.observation.nodeName, cluster.node(2).name);
      assert.equal(state.pods[0]!.observation.containerStatuses[0]!.restartCount, 0);
      const logs = await store.readLogs('only-manager', state.pods[0]!.name, 'main');
      assert.deepEqual(
        logs.map((l) => l.text),
        ['built on the manager'],
      );
      const reasons = ((await store.loadJob('only-manager'))?.events ?? []).map((e) => e.reason);
      assert.ok(reasons.includes('Failed'), reasons.join(' '));
      assert.ok(reasons.includes('BackOff'), reasons.join(' '));
      assert.deepEqual(await cluster.manager().listServices(), []);
    } finally {
      await rt.close();
    }
  });

  it('kill -9 of tjob while the pod waits for its image: the next run adopts the pod, which waits on and completes once its node has the image', async () => {
    const image = `${RegistryHost}/tjsimg/adopted:1`;
    await buildImage(1, image, 'adopted while it waited');
    const job = imageJob('adopted-wait', image, { nodeSelector: { pool: 'b' } });
    const root = tempDir('tjob-swarm-images-');
    const store = new FileStore(root);
    await store.init();
    await store.createJob({ ...job, status: {} });
    const proc = spawn(process.execPath, [child, root, 'adopted-wait', `${cluster.dir}/n1/docker.sock`], {
      stdio: 'ignore',
    });
    let first: string | undefined;
    try {
      await untilAsync('ImagePullBackOff recorded by the first run', async () => {
        const pod = (await store.loadJob('adopted-wait'))?.pods[0];
        first = pod?.name;
        return pod !== undefined && waitingReason(pod.observation) === 'ImagePullBackOff';
      });
    } finally {
      proc.kill('SIGKILL');
      await new Promise((r) => (proc.exitCode !== null ? r(undefined) : proc.once('exit', r)));
    }
    // The rejected service stays while the pod waits: the next run finds the pod by it.
    assert.equal((await cluster.manager().listServices()).length, 1);

    const rt = runtime();
    const seen: PodObservation[] = [];
    rt.subscribe({ onPod: (_uid, obs) => seen.push(obs) });
    try {
      const running = runJob(rt, job, root);
      await until('ErrImagePull after adoption', () =>
        seen.some((o) => o.name === first && waitingReason(o) === 'ErrImagePull'),
      );
      await copyImage(image, 1, 2);
      const { end, state } = await running;
      assert.equal(end, 'Complete');
      assert.equal(state.job.status.failed ?? 0, 0);
      assert.deepEqual(
        state.pods.map((p) => p.name),
        [first],
      );
      assert.deepEqual(
        (await store.readLogs('adopted-wait', first!, 'main')).map((l) => l.text),
        ['adopted while it waited'],
      );
      assert.deepEqual(await cluster.manager().listServices(), []);
    } finally {
      await rt.close();
      await rm(root, { recursive: true, force: true });
    }
  });

  it('a private registry: with the imagePullSecret the job completes on a node that had no copy; without it, ErrImagePull then ImagePullBackOff until the deadline ends it', async () => {
    const source = `${RegistryHost}/tjsimg/private-build:1`;
    await buildImage(1, source, 'from the private registry');
    const { image } = await registry!.push(source, 'private/app:1', cluster.node(1).host);
    await run('docker', ['-H', cluster.node(1).host, 'rmi', source, image]);
    const secret = {
      regcred: {
        '.dockerconfigjson': JSON.stringify({
          auths: { [RegistryHost]: { auth: authOf(User.username, User.password) } },
        }),
      },
    };

    const rt = runtime();
    try {
      // Each part on its own node: a node that pulled the image keeps it.
      const withSecret = imageJob('with-secret', image, {
        imagePullSecrets: [{ name: 'regcred' }],
        nodeName: cluster.node(3).name,
      });
      const { end, state, store } = await runJob(rt, withSecret, undefined, {
        configMaps: {},
        secrets: secret,
      });
      assert.equal(end, 'Complete', JSON.stringify(state.job.status));
      const pod = state.pods[0]!;
      assert.equal(pod.observation.nodeName, cluster.node(3).name);
      const logs = await store.readLogs('with-secret', pod.name, 'main');
      assert.deepEqual(
        logs.map((l) => l.text),
        ['from the private registry'],
      );
      // The credential went with the create only: no service spec shows it.
      assert.deepEqual(await cluster.manager().listServices(), []);
    } finally {
      await rt.close();
    }

    const rt2 = runtime();
    const seen: PodObservation[] = [];
    rt2.subscribe({ onPod: (_uid, obs) => seen.push(obs) });
    try {
      const without = imageJob('without-secret', image, { nodeSelector: { pool: 'b' } });
      without.spec.activeDeadlineSeconds = 45;
      const { end, state } = await runJob(rt2, without, undefined, { configMaps: {}, secrets: secret });
      // Until the deadline ended it, the pod was Pending, waiting for its image.
      const untilEnd = seen.slice(
        0,
        seen.findIndex((o) => o.phase === 'Failed'),
      );
      assert.ok(untilEnd.some((o) => waitingReason(o) === 'ErrImagePull'));
      assert.ok(untilEnd.some((o) => waitingReason(o) === 'ImagePullBackOff'));
      assert.deepEqual([...new Set(untilEnd.map((o) => o.phase))], ['Pending']);
      // The pull never failed the job: its deadline did.
      assert.equal(end, 'Failed');
      const failed = state.job.status.conditions?.find((c) => c.type === 'Failed');
      assert.equal(failed?.reason, 'DeadlineExceeded');
      assert.deepEqual(await cluster.manager().listServices(), []);
    } finally {
      await rt2.close();
    }
  });
});
