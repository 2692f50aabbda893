// Jobs on a real three-node Swarm through the engine's JobRunner and the SwarmRuntime: pods spread
// over the nodes, nodeSelector placement, an unschedulable pod, logs in the state directory, and
// the Job rules (backoff, activeDeadlineSeconds, Indexed with backoffLimitPerIndex,
// podFailurePolicy) ending with the same status fields as the same job on the Docker engine.
// (The CLI's --runtime choice is another change; these drive the runner in-process.)

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

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
