// The test cluster itself (scripts/swarm-cluster.sh): three Ready nodes with their own hostnames,
// the label the placement tests rely on, the test images on every node, and a teardown that
// leaves no process, mount, namespace or cgroup behind (and can run twice).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import Docker from 'dockerode';

import { useSwarmCluster } from '../../support/swarm.js';

const { cluster, skip } = useSwarmCluster({ prefix: 'tjsc', subnet: '10.203.1' });

describe('the three-node test Swarm', { skip, timeout: 300_000 }, () => {
  it('has three Ready nodes named by their hostnames, node 2 labelled pool=b', async () => {
    const nodes = await cluster.manager().listNodes();
    const byName = new Map(nodes.map((n) => [n.Description?.Hostname, n]));
    assert.deepEqual([...byName.keys()].sort(), ['tjscn1', 'tjscn2', 'tjscn3']);
    for (const n of nodes) assert.equal(n.Status?.State, 'ready');
    assert.equal(byName.get('tjscn1')?.ManagerStatus?.Leader, true);
    assert.equal(byName.get('tjscn2')?.Spec?.Labels?.['pool'], 'b');
    assert.equal(byName.get('tjscn3')?.Spec?.Labels?.['pool'], undefined);
  });

  it('has the test images on every node', async () => {
    for (const node of cluster.nodes) {
      const docker = new Docker({ socketPath: node.host.slice('unix://'.length) });
      const tags = (await docker.listImages()).flatMap((i) => i.RepoTags ?? []);
      assert.ok(tags.includes('busybox:latest'), `${node.name}: ${tags.join(', ')}`);
      assert.ok(tags.includes('registry.k8s.io/pause:3.10'), `${node.name}: ${tags.join(', ')}`);
    }
  });

  it('goes down leaving no process, mount, namespace, cgroup or file, and down can run again', async () => {
    await cluster.down();
    await cluster.down();
    const processes = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${cluster.dir}/`);
        } catch {
          return false;
        }
      });
    assert.deepEqual(processes, []);
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.split(' ')[1]?.startsWith(`${cluster.dir}/`));
    assert.deepEqual(mounts, []);
    const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(' ')[0])
      // This cluster's names exactly: another file's cluster (prefix tjscli) may be up meanwhile.
      .filter((name) => ['br', 'n1', 'n2', 'n3'].some((suffix) => name === `${cluster.prefix}${suffix}`));
    assert.deepEqual(namespaces, []);
    const cgroups = readdirSync('/sys/fs/cgroup').flatMap((ctrl) => {
      try {
        return readdirSync(`/sys/fs/cgroup/${ctrl}`).filter((d) => d.startsWith(`${cluster.prefix}-n`));
      } catch {
        return [];
      }
    });
    assert.deepEqual(cgroups, []);
    assert.equal(existsSync(cluster.dir), false);
  });
});
