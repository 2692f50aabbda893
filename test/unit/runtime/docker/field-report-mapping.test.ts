// Walks the field report against the Docker runtime: every pod field the report calls honoured or
// approximated must have a probe here showing that the runtime's mapping (container config, pause
// config, pod volumes, termination message) acts on it. A new honoured/approximated rule without
// a probe fails this test; so does a probe whose field the mapping stops applying.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, PodSpec, Volume } from '../../../../src/api/k8s.js';
import { FieldRules } from '../../../../src/manifest/field-report.js';
import { buildContainerConfig, buildPauseConfig } from '../../../../src/runtime/docker/container-config.js';
import { fallsBackToLogs } from '../../../../src/runtime/docker/termination-message.js';
import { preparePodVolumes, type NamedVolumes } from '../../../../src/runtime/docker/volumes.js';
import { node, testContainer, testPlan } from './plan.js';
import { tempDir } from '../../../support/jobs.js';

/** The owner types whose fields the Docker runtime maps (the rest belong to the controllers). */
const PodOwners = [
  'PodSpec',
  'Container',
  'VolumeMount',
  'Volume',
  'EmptyDirVolumeSource',
  'ResourceRequirements',
];

const named: NamedVolumes = {
  claim: (n) => Promise.resolve({ name: `pvc-${n}`, mountpoint: `/v/${n}` }),
  ephemeral: (n) => Promise.resolve({ name: `e-${n}`, mountpoint: `/v/e-${n}` }),
};

/** What the runtime makes of a pod: the first container's config, the pause config, the mounts. */
async function mapping(spec: Partial<PodSpec>, container: Partial<Container> = {}, volumes: Volume[] = []) {
  const plan = testPlan({}, { ...spec, volumes, containers: [testContainer(container)] });
  const dir = tempDir('tjob-map-');
  const mounts = await preparePodVolumes(plan, dir, {}, named);
  const c = plan.spec.containers[0]!;
  const ctx = {
    dockerName: 'x',
    labels: {},
    role: 'app' as const,
    volumes: mounts,
    node,
    terminationMessageFile: '/tm',
  };
  const alone = buildContainerConfig(plan, c, {
    ...ctx,
    nodeDns: { nameservers: ['10.0.0.2'], searches: [], options: [] },
  });
  const pause = buildPauseConfig(plan, { dockerName: 'p', labels: {}, image: 'pause' });
  // Host paths of pod volumes differ per call: compare their shape only.
  return JSON.parse(JSON.stringify({ alone: alone.options, pause }).replaceAll(dir, '<pod>')) as unknown;
}

/** The field changes the mapping: `with` differs from `without`. */
function changes(
  without: Parameters<typeof mapping>,
  withField: Parameters<typeof mapping>,
): () => Promise<void> {
  return async () => assert.notDeepEqual(await mapping(...withField), await mapping(...without));
}

const mount = (extra: object = {}) => ({ volumeMounts: [{ name: 'v', mountPath: '/v', ...extra }] });
const emptyDir: Volume[] = [{ name: 'v', emptyDir: {} }];

/** A storage volume without provider is approximated by an empty directory: it must mount. */
const mountsAsEmptyDir = (source: string) => async () => {
  const m = (await mapping({}, mount(), [{ name: 'v', [source]: {} }])) as {
    alone: { HostConfig: { Mounts: { Source: string }[] } };
  };
  assert.match(m.alone.HostConfig.Mounts[0]!.Source, /<pod>\/empty-dir\/v$/);
};

const probes: Record<string, () => Promise<void>> = {
  'PodSpec.dnsPolicy': changes(
    [{ dnsConfig: { nameservers: ['1.1.1.1'] } }],
    [{ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] } }],
  ),
  'PodSpec.dnsConfig': changes([{}], [{ dnsConfig: { nameservers: ['1.1.1.1'] } }]),
  'PodSpec.hostAliases': changes([{}], [{ hostAliases: [{ ip: '10.0.0.7', hostnames: ['db'] }] }]),
  'PodSpec.securityContext': changes([{}], [{ securityContext: { runAsUser: 1000 } }]),
  'PodSpec.terminationGracePeriodSeconds': changes([{}], [{ terminationGracePeriodSeconds: 3 }]),
  'Container.terminationMessagePath': changes([{}], [{}, { terminationMessagePath: '/dev/termination-log' }]),
  'Container.terminationMessagePolicy': () => {
    const t = { exitCode: 1, reason: 'Error' };
    assert.equal(fallsBackToLogs({ name: 'c', terminationMessagePolicy: 'FallbackToLogsOnError' }, t), true);
    assert.equal(fallsBackToLogs({ name: 'c', terminationMessagePolicy: 'File' }, t), false);
    return Promise.resolve();
  },
  'Container.securityContext': changes([{}], [{}, { securityContext: { privileged: true } }]),
  'ResourceRequirements.requests': changes(
    [{}, { env: [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } }] }],
    [
      {},
      {
        env: [{ name: 'R', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } }],
        resources: { requests: { memory: '64Mi' } },
      },
    ],
  ),
  'ResourceRequirements.limits': changes([{}], [{}, { resources: { limits: { memory: '64Mi' } } }]),
  // images.ts: the pull policy decides before any container is made (a present image is not
  // pulled under IfNotPresent, and is under Always).
  'Container.imagePullPolicy': async () => {
    const { ensureImages } = await import('../../../../src/runtime/docker/images.js');
    const pulls: string[] = [];
    const docker = {
      getImage: () => ({
        inspect: () => Promise.resolve({ Id: 'sha256:old', RepoDigests: [] }),
        distribution: () => Promise.resolve({ Descriptor: { digest: `sha256:${'1'.repeat(64)}` } }),
      }),
      pull: (image: string) => {
        pulls.push(image);
        return Promise.reject(new Error('offline'));
      },
    } as unknown as Parameters<typeof ensureImages>[0];
    const opts = { credentials: { env: { DOCKER_CONFIG: '/nonexistent/tjob-docker-config' } } };
    await ensureImages(docker, [{ image: 'a:1', pullPolicy: 'IfNotPresent' }], opts);
    assert.deepEqual(pulls, []);
    await ensureImages(docker, [{ image: 'a:1', pullPolicy: 'Always' }], opts).catch(() => undefined);
    assert.deepEqual(pulls, ['a:1']);
  },
  'Volume.persistentVolumeClaim': changes(
    [{}, mount(), emptyDir],
    [{}, mount(), [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }]],
  ),
  'Volume.ephemeral': changes(
    [{}, mount(), emptyDir],
    [{}, mount(), [{ name: 'v', ephemeral: { volumeClaimTemplate: { spec: {} } } }]],
  ),
  'EmptyDirVolumeSource.medium': changes(
    [{}, mount(), emptyDir],
    [{}, mount(), [{ name: 'v', emptyDir: { medium: 'Memory' } }]],
  ),
  'EmptyDirVolumeSource.sizeLimit': changes(
    [{}, mount(), [{ name: 'v', emptyDir: { medium: 'Memory' } }]],
    [{}, mount(), [{ name: 'v', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]],
  ),
  'VolumeMount.mountPropagation': changes(
    [{}, mount(), emptyDir],
    [{}, mount({ mountPropagation: 'HostToContainer' }), emptyDir],
  ),
};

describe('the field report against the Docker runtime', () => {
  const rules = Object.entries(FieldRules).filter(
    ([key, rule]) => PodOwners.includes(key.split('.')[0]!) && rule.class !== 'ignored',
  );
  for (const [key, rule] of rules) {
    it(`${key} (${rule.class}) is applied`, async () => {
      const probe =
        probes[key] ??
        (rule.note.includes('empty directory') ? mountsAsEmptyDir(key.split('.')[1]!) : undefined);
      assert.ok(probe, `${key} is reported ${rule.class} but no probe shows the runtime applying it`);
      await probe();
    });
  }
  it('every probe names a rule the report holds as applied', () => {
    for (const key of Object.keys(probes))
      assert.notEqual(FieldRules[key]?.class ?? 'ignored', 'ignored', key);
  });
});
