// The pod's network and hostAliases as Docker create options: set on the container that owns the
// pod's network namespace (the pause container, or the only container), never on a container that
// joins it (Docker refuses a network or extra hosts there, and shares the owner's /etc/hosts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from '../../../../src/api/k8s.js';
import type { PodPlan } from '../../../../src/api/pod.js';
import { buildContainerConfig, buildPauseConfig } from '../../../../src/runtime/docker/container-config.js';
import { hostAliasEntries, podNetworkMode } from '../../../../src/runtime/docker/pod-network.js';
import { node, testContainer, testPlan } from './plan.js';

const labels = { 'io.tjob.pod': 'p' };
const aliases = [
  { ip: '10.0.0.7', hostnames: ['db', 'db.internal'] },
  { ip: 'fd00::7', hostnames: ['cache'] },
];

/** HostConfig of an app container: alone in its pod, or joined to the pause container's namespace. */
function appConfig(spec: Partial<PodSpec>, plan: Partial<PodPlan>, pauseContainerId?: string) {
  return buildContainerConfig(testPlan(plan, spec), testContainer({}), {
    dockerName: 'c',
    labels,
    role: 'app',
    volumes: {},
    node,
    ...(pauseContainerId === undefined ? {} : { pauseContainerId }),
  }).options.HostConfig;
}
const alone = (spec: Partial<PodSpec>, plan: Partial<PodPlan> = {}) => appConfig(spec, plan);
const joined = (spec: Partial<PodSpec>, plan: Partial<PodPlan> = {}) => appConfig(spec, plan, 'pause1');
function pause(spec: Partial<PodSpec>, plan: Partial<PodPlan> = {}) {
  return buildPauseConfig(testPlan(plan, spec), { dockerName: 'p', labels, image: 'pause' }).HostConfig;
}

describe('pod network: NetworkMode', () => {
  const table: [string, Partial<PodSpec>, Partial<PodPlan>, string | undefined][] = [
    ['no network given: the default bridge', {}, {}, undefined],
    ['--network: the user-defined network', {}, { network: 'brokers' }, 'brokers'],
    ['hostNetwork: the host', { hostNetwork: true }, {}, 'host'],
    [
      'hostNetwork wins over --network, as on a cluster',
      { hostNetwork: true },
      { network: 'brokers' },
      'host',
    ],
  ];
  for (const [name, spec, plan, want] of table) {
    it(name, () => {
      assert.equal(podNetworkMode(testPlan(plan, spec)), want);
      assert.equal(alone(spec, plan)?.NetworkMode, want, 'a single container owns the namespace');
      assert.equal(pause(spec, plan)?.NetworkMode, want, 'the pause container owns the namespace');
      assert.equal(joined(spec, plan)?.NetworkMode, 'container:pause1', 'its containers join the pause');
    });
  }

  it('on a user-defined network the pod keeps its own hostname (not the host UTS namespace)', () => {
    assert.equal(alone({}, { network: 'brokers' })?.UTSMode, undefined);
    assert.equal(alone({ hostNetwork: true }, { network: 'brokers' })?.UTSMode, 'host');
  });
});

describe('pod network: hostAliases', () => {
  it('one HOSTNAME:IP entry per hostname, in the pod order (IPv6 too)', () => {
    assert.deepEqual(hostAliasEntries(aliases), ['db:10.0.0.7', 'db.internal:10.0.0.7', 'cache:fd00::7']);
  });
  it('entries without an IP or hostnames add nothing; none is no ExtraHosts', () => {
    assert.deepEqual(hostAliasEntries([{ hostnames: ['x'] }, { ip: '1.2.3.4' }]), []);
    assert.deepEqual(hostAliasEntries(undefined), []);
    assert.equal(alone({})?.ExtraHosts, undefined);
    assert.equal(pause({})?.ExtraHosts, undefined);
  });
  it('go to the container that owns the network namespace, not to those that join it', () => {
    const want = ['db:10.0.0.7', 'db.internal:10.0.0.7', 'cache:fd00::7'];
    assert.deepEqual(alone({ hostAliases: aliases })?.ExtraHosts, want);
    assert.deepEqual(pause({ hostAliases: aliases })?.ExtraHosts, want);
    assert.equal(joined({ hostAliases: aliases })?.ExtraHosts, undefined);
  });
  it('are written for host-network pods as well, as the kubelet does', () => {
    assert.deepEqual(alone({ hostNetwork: true, hostAliases: aliases })?.ExtraHosts?.length, 3);
    assert.deepEqual(pause({ hostNetwork: true, hostAliases: aliases })?.ExtraHosts?.length, 3);
  });
});
