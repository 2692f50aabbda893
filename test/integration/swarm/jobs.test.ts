// Jobs on a real three-node Swarm through the engine's JobRunner and the SwarmRuntime: pods spread
// over the nodes, nodeSelector placement, an unschedulable pod, logs in the state directory, and
// the Job rules (backoff, activeDeadlineSeconds, Indexed with backoffLimitPerIndex,
// podFailurePolicy) ending with the same status fields as the same job on the Docker engine.
// (The CLI's --runtime choice is another change; these drive the runner in-process.)

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ImageUnavailableError, RuntimeUnavailableError } from '../../../src/api/errors.js';
import type { Job, JobSpec } from '../../../src/api/k8s.js';
import type { PodObservation } from '../../../src/api/pod.js';
import { testJob } from '../../support/jobs.js';
import { useSwarmCluster } from '../../support/swarm.js';
import { dockerRuntime, project, runJob, swarmRuntime } from '../../support/swarm-jobs.js';

const { cluster, skip } = useSwarmCluster({ prefix: 'tjsj', subnet: '10.203.2' });

function job(
  name: string,
  script: string,
  spec: Partial<JobSpec> = {},
  extra: Record<string, unknown> = {},
): Job {
  const j = testJob(name, spec);
  const pod = j.spec.template.spec;
  pod.terminationGracePeriodSeconds = 2;
  pod.containers = [
    { name: 'main', image: 'busybox:latest', imagePullPolicy: 'Never', command: ['sh', '-c', script] },
  ];
  Object.assign(pod, extra);
  return j;
}

describe('Jobs on a three-node Swarm', { skip, timeout: 600_000 }, () => {
  it('completions 6, parallelism 3: completes with pods on at least two nodes, logs recorded', async () => {
    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    try {
      const { end, state, store } = await runJob(
        runtime,
        job('spread', 'echo "on $(hostname)"; sleep 2', { completions: 6, parallelism: 3 }),
      );
      assert.equal(end, 'Complete');
      assert.equal(state.job.status.succeeded, 6);
      const nodes = new Set(state.pods.map((p) => p.observation.nodeName));
      assert.ok(
        [...nodes].every((n) => n !== undefined && cluster.nodeByName(n) !== undefined),
        `nodes: ${[...nodes].join(', ')}`,
      );
      assert.ok(nodes.size >= 2, `all pods on ${[...nodes].join(', ')}`);
      const pod = state.pods[0]!;
      const logs = await store.readLogs('spread', pod.name, 'main');
      assert.deepEqual(
        logs.map((l) => l.text),
        [`on ${pod.hostname}`],
      );
      // Every service is gone once its pod is recorded.
      assert.deepEqual(await cluster.manager().listServices(), []);
    } finally {
      await runtime.close();
    }
  });

  it('hostAliases and dnsConfig reach the container on its node: /etc/hosts and resolv.conf', async () => {
    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    try {
      const { end, state, store } = await runJob(
        runtime,
        job(
          'dnsconf',
          'cat /etc/hosts /etc/resolv.conf',
          {},
          {
            hostAliases: [{ ip: '10.9.8.7', hostnames: ['db.internal', 'db'] }],
            dnsPolicy: 'None',
            dnsConfig: {
              nameservers: ['10.9.8.53'],
              searches: ['corp.example'],
              options: [{ name: 'ndots', value: '2' }],
            },
          },
        ),
      );
      assert.equal(end, 'Complete');
      const text = (await store.readLogs('dnsconf', state.pods[0]!.name, 'main'))
        .map((l) => l.text)
        .join('\n');
      // Swarm writes one line per name (the kubelet one per IP): both names resolve alike.
      assert.match(text, /^10\.9\.8\.7\s+(\S+\s+)*db\.internal(\s|$)/m);
      assert.match(text, /^10\.9\.8\.7\s+(\S+\s+)*db(\s|$)/m);
      assert.match(text, /^nameserver 10\.9\.8\.53$/m);
      assert.match(text, /^search corp\.example$/m);
      assert.match(text, /^options ndots:2$/m);
    } finally {
      await runtime.close();
    }
  });

  it('nodeSelector pool=b pins every pod to the labelled node', async () => {
    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    try {
      const { end, state } = await runJob(
        runtime,
        job('pinned', 'true', { completions: 3, parallelism: 3 }, { nodeSelector: { pool: 'b' } }),
      );
      assert.equal(end, 'Complete');
      assert.deepEqual(
        state.pods.map((p) => p.observation.nodeName),
        state.pods.map(() => cluster.node(2).name),
      );
    } finally {
      await runtime.close();
    }
  });

  it('a request no node can satisfy leaves the pod Pending, PodScheduled False Unschedulable', async () => {
    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    const seen: PodObservation[] = [];
    runtime.subscribe({ onPod: (_uid, obs) => seen.push(obs) });
    try {
      const j = job('huge', 'true');
      j.spec.template.spec.containers[0]!.resources = { requests: { cpu: '500' } };
      await runtime.startPod({
        name: 'huge-1',
        uid: 'huge-1',
        namespace: 'default',
        jobName: 'huge',
        jobUid: 'huge-uid',
        labels: {},
        annotations: {},
        hostname: 'huge-1',
        spec: j.spec.template.spec,
        configMaps: {},
        secrets: {},
      });
      const deadline = Date.now() + 30_000;
      while (
        !seen.some((o) => o.conditions?.some((c) => c.reason === 'Unschedulable')) &&
        Date.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 200));
      const last = seen[seen.length - 1]!;
      assert.equal(last.phase, 'Pending');
      const scheduled = last.conditions?.find((c) => c.type === 'PodScheduled');
      assert.equal(scheduled?.status, 'False');
      assert.equal(scheduled?.reason, 'Unschedulable');
      assert.match(scheduled?.message ?? '', /no suitable node/);
      assert.deepEqual(last.containerStatuses, []);
      await runtime.removePod('huge-uid', 'huge-1');
      assert.deepEqual(await cluster.manager().listServices(), []);
    } finally {
      await runtime.close();
    }
  });

  it('logs come while the container runs, and each line once when it ends', async () => {
    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    const seen: PodObservation[] = [];
    const lines: { text: string; phase: string | undefined }[] = [];
    runtime.subscribe({
      onPod: (_uid, obs) => seen.push(obs),
      onLogs: (_uid, chunk) => {
        for (const text of chunk.text.split('\n').slice(0, -1))
          lines.push({ text, phase: seen[seen.length - 1]?.phase });
      },
    });
    try {
      const j = job('follow', 'echo early; sleep 4; echo late; echo partial | tr -d "\\n"');
      await runtime.startPod({
        name: 'follow-1',
        uid: 'follow-1',
        namespace: 'default',
        jobName: 'follow',
        jobUid: 'follow-uid',
        labels: {},
        annotations: {},
        hostname: 'follow-1',
        spec: j.spec.template.spec,
        configMaps: {},
        secrets: {},
      });
      const deadline = Date.now() + 60_000;
      while (seen[seen.length - 1]?.phase !== 'Succeeded' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      assert.equal(seen[seen.length - 1]?.phase, 'Succeeded');
      assert.deepEqual(
        lines.map((l) => l.text),
        ['early', 'late', 'partial'],
      );
      assert.equal(lines[0]!.phase, 'Running', 'the first line came while the pod ran');
      await runtime.removePod('follow-uid', 'follow-1');
    } finally {
      await runtime.close();
    }
  });

  it('refuses a worker as the engine, and an image the manager does not have, with hints', async () => {
    const worker = swarmRuntime(`${cluster.dir}/n2/docker.sock`);
    const manager = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    try {
      await assert.rejects(worker.ping(), (err: Error) => {
        assert.ok(err instanceof RuntimeUnavailableError);
        assert.match(err.message, /is not a Swarm manager/);
        return true;
      });
      await manager.ping();
      assert.deepEqual(
        await manager.ensureImages([{ image: 'busybox:latest', pullPolicy: 'IfNotPresent' }]),
        [],
      );
      await assert.rejects(
        manager.ensureImages([{ image: 'tjob-missing:1', pullPolicy: 'IfNotPresent' }]),
        (err: Error) => {
          assert.ok(err instanceof ImageUnavailableError);
          assert.match(err.message, /image "tjob-missing:1" is not on the Swarm manager/);
          return true;
        },
      );
    } finally {
      await Promise.all([worker.close(), manager.close()]);
    }
  });

  it("deletePod honours a grace shorter than the pod's: SIGKILL after it, the pod Failed with 137", async () => {
    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    const seen: PodObservation[] = [];
    runtime.subscribe({ onPod: (_uid, obs) => seen.push(obs) });
    try {
      const j = job('stubborn', 'trap "" TERM; echo up; while true; do sleep 1; done');
      j.spec.template.spec.terminationGracePeriodSeconds = 60;
      await runtime.startPod({
        name: 'stubborn-1',
        uid: 'stubborn-1',
        namespace: 'default',
        jobName: 'stubborn',
        jobUid: 'stubborn-uid',
        labels: {},
        annotations: {},
        hostname: 'stubborn-1',
        spec: j.spec.template.spec,
        configMaps: {},
        secrets: {},
      });
      const last = () => seen[seen.length - 1];
      let deadline = Date.now() + 30_000;
      while (last()?.phase !== 'Running' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      assert.equal(last()?.phase, 'Running');
      const asked = Date.now();
      await runtime.deletePod('stubborn-uid', 'stubborn-1', 2);
      deadline = Date.now() + 30_000;
      while (last()?.phase === 'Running' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const took = Date.now() - asked;
      assert.equal(last()?.phase, 'Failed');
      assert.equal(last()?.containerStatuses[0]?.state.terminated?.exitCode, 137);
      assert.ok(took >= 2000 && took < 15_000, `stopped after ${took} ms`);
      await runtime.removePod('stubborn-uid', 'stubborn-1');
      assert.deepEqual(await cluster.manager().listServices(), []);
    } finally {
      await runtime.close();
    }
  });

  it('init containers first, on the pod node; configMap and secret files, emptyDir; all removed with the pod', async () => {
    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    const seen: PodObservation[] = [];
    const lines: string[] = [];
    runtime.subscribe({
      onPod: (_uid, obs) => seen.push(obs),
      onLogs: (_uid, chunk) => {
        for (const text of chunk.text.split('\n').slice(0, -1)) lines.push(`${chunk.container}: ${text}`);
      },
    });
    try {
      await runtime.startPod({
        name: 'files-1',
        uid: 'files-1',
        namespace: 'default',
        jobName: 'files',
        jobUid: 'files-uid',
        labels: {},
        annotations: {},
        hostname: 'files-1',
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 2,
          initContainers: [
            {
              name: 'prep',
              image: 'busybox:latest',
              command: ['sh', '-c', 'echo prepared on $NODE'],
              env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            },
          ],
          containers: [
            {
              name: 'main',
              image: 'busybox:latest',
              command: [
                'sh',
                '-c',
                'cat /etc/c/greeting; echo; cat /etc/s/token; echo; touch /scratch/x && echo writable; echo "$NODE $TPL"',
              ],
              env: [
                { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'TPL', value: '{{.Node.ID}}' },
              ],
              volumeMounts: [
                { name: 'c', mountPath: '/etc/c' },
                { name: 's', mountPath: '/etc/s' },
                { name: 'scratch', mountPath: '/scratch' },
              ],
            },
          ],
          volumes: [
            { name: 'c', configMap: { name: 'cm' } },
            { name: 's', secret: { secretName: 'sec' } },
            { name: 'scratch', emptyDir: {} },
          ],
        },
        configMaps: { cm: { greeting: 'hello' } },
        secrets: { sec: { token: { base64: Buffer.from('s3cr3t').toString('base64') } } },
      });
      const deadline = Date.now() + 60_000;
      while (!['Succeeded', 'Failed'].includes(seen[seen.length - 1]?.phase ?? '') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const last = seen[seen.length - 1]!;
      assert.equal(last.phase, 'Succeeded', JSON.stringify(last));
      // spec.nodeName is the pod's node for its first service too (Swarm's {{.Node.Hostname}}).
      assert.ok(cluster.nodeByName(last.nodeName ?? ''), last.nodeName);
      assert.deepEqual(lines, [
        `prep: prepared on ${last.nodeName}`,
        'main: hello',
        'main: s3cr3t',
        'main: writable',
        `main: ${last.nodeName} {{.Node.ID}}`,
      ]);
      assert.equal(last.initContainerStatuses[0]?.state.terminated?.reason, 'Completed');
      const prepEnd = last.initContainerStatuses[0]!.state.terminated!.finishedAt!;
      const mainStart = last.containerStatuses[0]!.state.terminated!.startedAt!;
      assert.ok(prepEnd <= mainStart, `${prepEnd} ${mainStart}`);
      assert.ok(cluster.nodeByName(last.nodeName ?? ''), last.nodeName);
      const manager = cluster.manager();
      assert.equal((await manager.listConfigs()).length, 1);
      assert.equal((await manager.listSecrets()).length, 1);
      await runtime.removePod('files-uid', 'files-1');
      assert.deepEqual(await manager.listServices(), []);
      assert.deepEqual(await manager.listConfigs(), []);
      assert.deepEqual(await manager.listSecrets(), []);
    } finally {
      await runtime.close();
    }
  });

  // One table, two runtimes: the job ends with the same status fields on both.
  const same: { name: string; make: () => Job }[] = [
    { name: 'backoffLimit exceeded', make: () => job('backoff', 'exit 1', { backoffLimit: 1 }) },
    {
      name: 'activeDeadlineSeconds',
      make: () => job('deadline', 'sleep 60', { activeDeadlineSeconds: 4 }),
    },
    {
      name: 'Indexed with backoffLimitPerIndex',
      make: () =>
        job('perindex', '[ "$JOB_COMPLETION_INDEX" = 1 ] && exit 3; exit 0', {
          completions: 3,
          parallelism: 3,
          completionMode: 'Indexed',
          backoffLimitPerIndex: 1,
          backoffLimit: 2147483647,
        }),
    },
    {
      name: 'podFailurePolicy FailJob on an exit code',
      make: () =>
        job('policy', 'exit 42', {
          backoffLimit: 6,
          podFailurePolicy: {
            rules: [
              { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
            ],
          },
        }),
    },
  ];
  for (const c of same) {
    it(`${c.name}: the same status fields as on the Docker engine`, async () => {
      const swarm = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
      const docker = dockerRuntime();
      try {
        const [onSwarm, onDocker] = await Promise.all([runJob(swarm, c.make()), runJob(docker, c.make())]);
        // Pod names are random: messages that name one are compared without it.
        const norm = (p: ReturnType<typeof project>) => ({
          ...p,
          ...(p.message ? { message: p.message.replace(/default\/[a-z0-9-]+/g, 'default/POD') } : {}),
        });
        assert.deepEqual(norm(project(onSwarm.state.job.status)), norm(project(onDocker.state.job.status)));
        assert.equal(onSwarm.end, onDocker.end);
      } finally {
        await Promise.all([swarm.close(), docker.close()]);
      }
    });
  }
});
