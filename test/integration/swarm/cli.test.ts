// The CLI with --runtime swarm on a real three-node Swarm, as a user runs it (node bin/tjob.js with
// DOCKER_HOST naming the manager): `tjob run` of the README's sample, and `tjob cron start` with a
// `cron trigger` that the scheduler drives on the cluster.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { TjobLabel } from '../../../src/api/labels.js';
import { FileStore } from '../../../src/state/file-store.js';
import { newStateDir, start, tjob } from '../cli/tjob-cli.js';
import { useSwarmCluster } from '../../support/swarm.js';
import { waitFor } from '../../support/wait-for.js';

const { cluster, skip } = useSwarmCluster({ prefix: 'tjscli', subnet: '10.203.4' });

/** The manager as a user names it; TJOB_RUNTIME is left to the flags. */
const onCluster = (): Record<string, string> => ({ DOCKER_HOST: cluster.managerHost, TJOB_RUNTIME: '' });

function recordedRuntime(stateDir: string, job: string): string | undefined {
  const config = JSON.parse(readFileSync(join(stateDir, 'jobs', job, 'config.json'), 'utf8')) as {
    runtime?: string;
  };
  return config.runtime;
}

describe('tjob --runtime swarm on a three-node Swarm', { skip, timeout: 600_000 }, () => {
  it('tjob run --runtime swarm samples/job-parallel.yaml: completes on the cluster’s nodes', async () => {
    const stateDir = newStateDir();
    const got = await tjob(['run', '--runtime', 'swarm', 'samples/job-parallel.yaml'], stateDir, onCluster());
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stderr, /job\.batch\/parallel Complete/);
    assert.equal(recordedRuntime(stateDir, 'parallel'), 'swarm');

    const pods = await tjob(['get', 'pods', '-o', 'wide'], stateDir, onCluster());
    assert.equal(pods.code, 0, pods.stderr);
    const nodes = new Set(
      pods.stdout
        .split('\n')
        .slice(1)
        .filter((l) => l.trim() !== '')
        .map((l) => l.split(/\s+/)[6]),
    );
    assert.ok(
      [...nodes].every((n) => n !== undefined && cluster.nodeByName(n) !== undefined),
      `NODE column: ${pods.stdout}`,
    );
    assert.deepEqual(await cluster.manager().listServices(), [], 'every service is gone');

    // Deleted through the runtime it recorded (no --runtime needed).
    const deleted = await tjob(['delete', 'job', 'parallel'], stateDir, onCluster());
    assert.equal(deleted.code, 0, deleted.stderr);
  });

  it('tjob cron start --runtime swarm: a triggered job runs on the cluster, driven by the scheduler', async () => {
    const stateDir = newStateDir();
    const applied = await tjob(['apply', '-f', 'samples/cronjob-hello.yaml'], stateDir, onCluster());
    assert.equal(applied.code, 0, applied.stderr);
    const daemon = start(['cron', 'start', '--runtime', 'swarm'], stateDir, onCluster());
    let uid: string | undefined;
    let daemonErr = '';
    daemon.child.stderr!.on('data', (d: Buffer) => (daemonErr += d.toString()));
    try {
      await waitFor(() => /scheduler \(pid \d+\) started/.test(daemonErr), {
        what: 'the scheduler to start',
        timeout: 60_000,
      });
      // No --runtime: the job goes on the running scheduler's runtime.
      const triggered = await tjob(['cron', 'trigger', 'hello'], stateDir, onCluster());
      assert.equal(triggered.code, 0, triggered.stderr);
      const job = /job\.batch\/(\S+) created/.exec(triggered.stdout)?.[1];
      assert.ok(job, triggered.stdout);
      assert.equal(recordedRuntime(stateDir, job), 'swarm');
      await waitFor(() => new RegExp(`job\\.batch/${job} Complete`).test(daemonErr), {
        what: `job ${job} to complete under the scheduler`,
        timeout: 120_000,
      });
      const described = await tjob(['describe', 'job', job], stateDir, onCluster());
      assert.match(described.stdout, /Succeeded/);
      const logs = await tjob(['logs', job], stateDir, onCluster());
      assert.match(logs.stdout, /Hello from the Kubernetes cluster/);

      // Asking for Docker while the scheduler runs on Swarm is refused, naming both.
      const refused = await tjob(['cron', 'trigger', 'hello', '--runtime', 'docker'], stateDir, onCluster());
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /runs the jobs of cronjob\/hello on swarm, not docker/);
      uid = (await new FileStore(stateDir).loadJob(job))?.job.metadata.uid;
      assert.ok(uid, `job ${job} has a uid`);
    } finally {
      daemon.child.kill('SIGINT');
      await daemon.done;
    }
    // The triggered job's services are gone. A job its schedule (every minute) started meanwhile
    // keeps its services when the scheduler stops (the next one adopts it): they are not counted.
    const left = await cluster.manager().listServices({ filters: { label: [`${TjobLabel.jobUid}=${uid}`] } });
    assert.deepEqual(left, [], 'every service of the triggered job is gone');
  });
});
