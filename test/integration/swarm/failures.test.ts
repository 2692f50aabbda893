// Failures on a real three-node Swarm: a tjob process killed with SIGKILL mid-job, whose services
// the next run adopts (each pod counted once); a worker node lost mid-job, whose pod fails with a
// DisruptionTarget condition (ignored by the job's podFailurePolicy) and is replaced on the other
// nodes. (The CLI's --runtime choice is another change; these drive the runner directly.)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { TjobLabel } from '../../../src/api/labels.js';
import { FileStore } from '../../../src/state/file-store.js';
import { tempDir, testJob } from '../../support/jobs.js';
import { useSwarmCluster } from '../../support/swarm.js';
import { runJob, swarmRuntime } from '../../support/swarm-jobs.js';

const { cluster, skip } = useSwarmCluster({ prefix: 'tjsf', subnet: '10.203.3' });

const child = resolve(fileURLToPath(import.meta.url), '../run-job-process.js');

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('failures on a three-node Swarm', { skip, timeout: 600_000 }, () => {
  it('kill -9 of tjob mid-job: the next run adopts the services and counts each pod once', async () => {
    const root = tempDir('tjob-swarm-kill-');
    const store = new FileStore(root);
    await store.init();
    const job = testJob('killed', { completions: 4, parallelism: 2, backoffLimit: 0 });
    const pod = job.spec.template.spec;
    pod.terminationGracePeriodSeconds = 2;
    pod.containers = [
      { name: 'main', image: 'busybox:latest', command: ['sh', '-c', 'echo working; sleep 6'] },
    ];
    await store.createJob({ ...job, status: {} });
    const uid = job.metadata.uid!;
    const proc = spawn(process.execPath, [child, root, 'killed', `${cluster.dir}/n1/docker.sock`], {
      stdio: 'ignore',
    });
    const manager = cluster.manager();
    const tasksOfJob = async () =>
      (await manager.listTasks({ filters: { label: [`${TjobLabel.jobUid}=${uid}`] } })) as {
        Status?: { State?: string };
      }[];
    await until(
      'two running pods',
      async () => (await tasksOfJob()).filter((t) => t.Status?.State === 'running').length === 2,
    );
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));
    const before = (await manager.listServices({ filters: { label: [`${TjobLabel.jobUid}=${uid}`] } })).map(
      (s) => s.Spec?.Name,
    );
    assert.equal(before.length, 2);

    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    try {
      const { end, state } = await runJob(runtime, job, root);
      assert.equal(end, 'Complete');
      assert.equal(state.job.status.succeeded, 4);
      assert.equal(state.job.status.failed ?? 0, 0);
      // The pods of the killed run are among the four (adopted, not made again), and no fifth.
      const names = state.pods.map((p) => p.name);
      assert.equal(names.length, 4, names.join(' '));
      for (const name of before) assert.ok(names.includes(name!), `${name} not adopted: ${names.join(' ')}`);
      const logs = await store.readLogs('killed', before[0]!, 'main');
      assert.ok(logs.some((l) => l.text === 'working'));
      assert.deepEqual(await manager.listServices(), []);
    } finally {
      await runtime.close();
    }
  });

  it('a worker lost mid-job: its pod fails with DisruptionTarget, is ignored, and replaced on the others', async () => {
    const job = testJob('lost', {
      completions: 3,
      parallelism: 3,
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
    });
    const pod = job.spec.template.spec;
    pod.terminationGracePeriodSeconds = 2;
    // Every pod off node 1 (the manager) so that losing node 3 hits one; one per node.
    pod.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'kubernetes.io/hostname', operator: 'NotIn', values: [cluster.node(1).name] },
              ],
            },
          ],
        },
      },
    };
    pod.containers = [{ name: 'main', image: 'busybox:latest', command: ['sh', '-c', 'sleep 25'] }];
    const runtime = swarmRuntime(`${cluster.dir}/n1/docker.sock`);
    const lost = cluster.node(3);
    const manager = cluster.manager();
    try {
      const running = runJob(runtime, job);
      await until('a pod running on node 3', async () => {
        const tasks = (await manager.listTasks({
          filters: { label: [`${TjobLabel.jobUid}=${job.metadata.uid!}`] },
        })) as {
          NodeID?: string;
          Status?: { State?: string };
        }[];
        return tasks.some((t) => t.NodeID === lost.id && t.Status?.State === 'running');
      });
      await cluster.stopNode(3);
      const { end, state } = await running;
      assert.equal(end, 'Complete');
      assert.equal(state.job.status.succeeded, 3);
      assert.equal(state.job.status.failed ?? 0, 0);
      const disrupted = state.pods.filter((p) =>
        p.observation.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True'),
      );
      // Every pod Swarm had placed on the lost node (one or more: placement is Swarm's).
      const onLost = state.pods.filter((p) => p.observation.nodeName === lost.name);
      assert.ok(disrupted.length >= 1, JSON.stringify(state.pods.map((p) => p.observation)));
      assert.deepEqual(
        disrupted.map((p) => p.name),
        onLost.map((p) => p.name),
      );
      for (const p of disrupted) {
        assert.equal(p.observation.phase, 'Failed');
        const condition = p.observation.conditions!.find((c) => c.type === 'DisruptionTarget')!;
        assert.equal(condition.reason, 'DeletionByTaintManager');
      }
      // Its replacement ran elsewhere.
      const succeeded = state.pods.filter((p) => p.observation.phase === 'Succeeded');
      assert.equal(succeeded.length, 3);
      assert.ok(succeeded.every((p) => p.observation.nodeName !== lost.name));
    } finally {
      await runtime.close();
    }
  });
});
