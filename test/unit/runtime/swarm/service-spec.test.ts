import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { Container, PodSpec } from '../../../../src/api/k8s.js';
import { configFiles, swarmFileName } from '../../../../src/runtime/swarm/config-files.js';
import {
  buildServiceSpec,
  reservations,
  serviceName,
  type ServiceSpecContext,
} from '../../../../src/runtime/swarm/service-spec.js';
import { emptyDirVolumeName, podVolumeMounts } from '../../../../src/runtime/swarm/pod-volumes.js';
import { testContainer, testPlan } from '../docker/plan.js';

function build(
  container: Partial<Container>,
  spec: Partial<PodSpec> = {},
  ctx: Partial<ServiceSpecContext> = {},
) {
  const plan = testPlan({}, { ...spec, containers: [testContainer(container)] });
  const c = plan.spec.containers[0]!;
  const files = configFiles(plan, c);
  const { spec: service } = buildServiceSpec(plan, c, {
    name: 'pi-0-abcde',
    labels: { 'io.tjob.pod': 'pi-0-abcde' },
    role: 'app',
    volumes: podVolumeMounts(plan),
    files,
    fileIds: new Map(files.map((f) => [f.name, `id-of-${f.name}`])),
    ...ctx,
  });
  const task = service.TaskTemplate as {
    ContainerSpec: Record<string, unknown>;
    Resources: { Limits: Record<string, number>; Reservations: Record<string, number> };
    RestartPolicy: Record<string, unknown>;
    Placement: { Constraints: string[] };
  };
  return { service, task, cs: task.ContainerSpec };
}

describe('PodPlan → Swarm service spec', () => {
  it('one Replicated replica, restart none, labelled, named from the pod', () => {
    const { service, task } = build({});
    assert.equal(service.Name, 'pi-0-abcde');
    assert.deepEqual(service.Mode, { Replicated: { Replicas: 1 } });
    assert.deepEqual(task.RestartPolicy, { Condition: 'none', MaxAttempts: 0 });
    assert.deepEqual(service.Labels, { 'io.tjob.pod': 'pi-0-abcde' });
    assert.deepEqual(task.ContainerSpec['Labels'], { 'io.tjob.pod': 'pi-0-abcde' });
  });

  const cases: {
    name: string;
    container: Partial<Container>;
    spec?: Partial<PodSpec>;
    want: Record<string, unknown>;
  }[] = [
    {
      name: 'command is the entrypoint (Command), args the command (Args), $(VAR) expanded',
      container: { command: ['sh', '-c'], args: ['echo $(A)'], env: [{ name: 'A', value: 'x' }] },
      want: { Command: ['sh', '-c'], Args: ['echo x'], Env: ['A=x'] },
    },
    {
      name: 'args alone keep the image entrypoint',
      container: { args: ['a', 'b'] },
      want: { Args: ['a', 'b'] },
    },
    { name: 'workingDir', container: { workingDir: '/w' }, want: { Dir: '/w' } },
    {
      name: 'user and group, fsGroup and supplementalGroups',
      container: { securityContext: { runAsUser: 1000, runAsGroup: 3000 } },
      spec: { securityContext: { fsGroup: 2000, supplementalGroups: [4000] } },
      want: { User: '1000:3000', Groups: ['2000', '4000'] },
    },
    {
      name: 'read-only root and capabilities without CAP_',
      container: {
        securityContext: {
          readOnlyRootFilesystem: true,
          capabilities: { add: ['NET_ADMIN'], drop: ['CAP_ALL'] },
        },
      },
      want: { ReadOnly: true, CapabilityAdd: ['NET_ADMIN'], CapabilityDrop: ['ALL'] },
    },
    { name: 'hostname from the pod', container: {}, want: { Hostname: 'pi-0' } },
    {
      name: 'stop grace period in nanoseconds',
      container: {},
      spec: { terminationGracePeriodSeconds: 7 },
      want: { StopGracePeriod: 7e9 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { cs } = build(c.container, c.spec);
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(cs[k], v, k);
    });
  }

  it('the downward API and the completion index as on Docker', () => {
    const plan = testPlan({ index: 2, annotations: { 'batch.kubernetes.io/job-completion-index': '2' } });
    const c = testContainer({
      env: [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        {
          name: 'IDX',
          valueFrom: {
            fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
          },
        },
      ],
    });
    plan.spec.containers = [c];
    const { spec } = buildServiceSpec(plan, c, {
      name: 'x',
      labels: {},
      role: 'app',
      volumes: {},
      files: [],
      fileIds: new Map(),
    });
    const env = (spec.TaskTemplate as { ContainerSpec: { Env: string[] } }).ContainerSpec.Env;
    assert.ok(env.includes('POD=pi-0-abcde'), env.join(' '));
    assert.ok(env.includes('IDX=2'), env.join(' '));
  });

  it("spec.nodeName is Swarm's {{.Node.Hostname}} for every container; a literal {{ is escaped", () => {
    const { cs } = build({
      env: [
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'WHERE', value: 'on $(NODE)' },
        { name: 'TPL', value: '{{.Node.ID}} }}' },
      ],
    });
    const env = cs['Env'] as string[];
    assert.ok(env.includes('NODE={{.Node.Hostname}}'), env.join(' '));
    assert.ok(env.includes('WHERE=on {{.Node.Hostname}}'), env.join(' '));
    assert.ok(env.includes('TPL={{"{{"}}.Node.ID}} }}'), env.join(' '));
  });

  it('hostAliases are the Hosts lines, dnsConfig the DNSConfig', () => {
    const { cs } = build({}, {
      hostAliases: [{ ip: '10.0.0.5', hostnames: ['db', 'db.local'] }],
      dnsConfig: { nameservers: ['10.0.0.53'], searches: ['corp'], options: [{ name: 'ndots', value: '2' }] },
    } as Partial<PodSpec>);
    assert.deepEqual(cs['Hosts'], ['10.0.0.5 db', '10.0.0.5 db.local']);
    assert.deepEqual(cs['DNSConfig'], { Nameservers: ['10.0.0.53'], Search: ['corp'], Options: ['ndots:2'] });
  });

  it('limits are Limits, requests are Reservations', () => {
    const { task } = build({
      resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi' } },
    });
    assert.deepEqual(task.Resources.Limits, { NanoCPUs: 5e8, MemoryBytes: 64 * 1024 ** 2 });
    assert.deepEqual(task.Resources.Reservations, { NanoCPUs: 2.5e8, MemoryBytes: 32 * 1024 ** 2 });
    assert.deepEqual(reservations(testContainer({})), {});
  });

  it("an emptyDir is the pod's named volume, labelled with the pod; hostPath a bind of the node path", () => {
    const { cs } = build(
      {
        volumeMounts: [
          { name: 'scratch', mountPath: '/scratch' },
          { name: 'host', mountPath: '/host', readOnly: true },
        ],
      },
      {
        volumes: [
          { name: 'scratch', emptyDir: {} },
          { name: 'host', hostPath: { path: '/var/data' } },
        ],
      },
      { volumeLabels: { 'io.tjob.pod': 'pi-0-abcde', 'io.tjob.job-uid': 'job-uid-1' } },
    );
    assert.deepEqual(cs['Mounts'], [
      {
        Type: 'volume',
        Target: '/scratch',
        Source: 'pi-0-abcde-scratch-pod-uid-',
        VolumeOptions: {
          Labels: { 'io.tjob.pod': 'pi-0-abcde', 'io.tjob.job-uid': 'job-uid-1' },
          DriverConfig: { Name: 'local' },
        },
      },
      { Type: 'bind', Target: '/host', Source: '/var/data', ReadOnly: true },
    ]);
  });

  // Every service of the pod (init containers, the app, its in-place restarts) mounts one
  // volume per emptyDir; medium Memory is a tmpfs of the run only where no other run needs its files.
  const emptyDirCases: {
    name: string;
    spec: Partial<PodSpec>;
    mount: Record<string, unknown>;
  }[] = [
    {
      name: 'emptyDir of one container',
      spec: { volumes: [{ name: 'e', emptyDir: {} }] },
      mount: { Type: 'volume', Source: 'pi-0-abcde-e-pod-uid-' },
    },
    {
      name: 'a volume of no kind (an emptyDir)',
      spec: { volumes: [{ name: 'e' }] },
      mount: { Type: 'volume', Source: 'pi-0-abcde-e-pod-uid-' },
    },
    {
      name: 'emptyDir with a sizeLimit (not enforced)',
      spec: { volumes: [{ name: 'e', emptyDir: { sizeLimit: '1Mi' } }] },
      mount: { Type: 'volume', Source: 'pi-0-abcde-e-pod-uid-' },
    },
    {
      name: 'medium Memory of one container, restartPolicy Never: a tmpfs of its size',
      spec: { volumes: [{ name: 'e', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }] },
      mount: { Type: 'tmpfs', TmpfsOptions: { SizeBytes: 1024 * 1024, Mode: 0o1777 } },
    },
    {
      name: 'medium Memory without a size',
      spec: { volumes: [{ name: 'e', emptyDir: { medium: 'Memory' } }] },
      mount: { Type: 'tmpfs', TmpfsOptions: { SizeBytes: 0, Mode: 0o1777 } },
    },
    {
      name: 'medium Memory, restartPolicy OnFailure: the pod volume (a restart finds the files)',
      spec: { restartPolicy: 'OnFailure', volumes: [{ name: 'e', emptyDir: { medium: 'Memory' } }] },
      mount: { Type: 'volume', Source: 'pi-0-abcde-e-pod-uid-' },
    },
    {
      name: 'medium Memory shared with an init container: the pod volume',
      spec: {
        initContainers: [{ name: 'setup', image: 'busybox', volumeMounts: [{ name: 'e', mountPath: '/x' }] }],
        volumes: [{ name: 'e', emptyDir: { medium: 'Memory' } }],
      },
      mount: { Type: 'volume', Source: 'pi-0-abcde-e-pod-uid-' },
    },
  ];
  for (const c of emptyDirCases)
    it(`emptyDir mapping: ${c.name}`, () => {
      const { cs } = build({ volumeMounts: [{ name: 'e', mountPath: '/e' }] }, c.spec, { volumeLabels: {} });
      const [mount] = cs['Mounts'] as Record<string, unknown>[];
      const { VolumeOptions, ...rest } = mount!;
      assert.deepEqual(rest, { Target: '/e', ...c.mount });
      if (c.mount['Type'] === 'volume')
        assert.deepEqual(VolumeOptions, { Labels: {}, DriverConfig: { Name: 'local' } });
      else assert.equal(VolumeOptions, undefined);
    });

  it('the init container, the app and a restart of the app mount the same volume', () => {
    const spec: Partial<PodSpec> = {
      restartPolicy: 'OnFailure',
      initContainers: [{ name: 'setup', image: 'busybox', volumeMounts: [{ name: 'e', mountPath: '/in' }] }],
      volumes: [{ name: 'e', emptyDir: {} }],
    };
    const plan = testPlan(
      {},
      { ...spec, containers: [testContainer({ volumeMounts: [{ name: 'e', mountPath: '/e' }] })] },
    );
    const sources = [plan.spec.initContainers![0]!, plan.spec.containers[0]!, plan.spec.containers[0]!].map(
      (c, i) => {
        const { spec: s } = buildServiceSpec(plan, c, {
          name: `svc-${i}`,
          labels: {},
          role: i === 0 ? 'init' : 'app',
          volumes: podVolumeMounts(plan),
          files: [],
          fileIds: new Map(),
        });
        const mounts = (s.TaskTemplate as { ContainerSpec: { Mounts: { Source: string }[] } }).ContainerSpec
          .Mounts;
        return mounts[0]!.Source;
      },
    );
    assert.deepEqual(sources, Array(3).fill('pi-0-abcde-e-pod-uid-'));
  });

  it('emptyDir volume names are per pod: the pod name, the volume, the start of the pod uid', () => {
    assert.equal(
      emptyDirVolumeName({ name: 'job-0-x1y2z', uid: '0123456789abcdef' }, 'data'),
      'job-0-x1y2z-data-01234567',
    );
    assert.notEqual(
      emptyDirVolumeName({ name: 'job-0-x1y2z', uid: '0123456789abcdef' }, 'data'),
      emptyDirVolumeName({ name: 'job-0-x1y2z', uid: 'fedcba9876543210' }, 'data'),
    );
    assert.match(emptyDirVolumeName({ name: 'a.b-0-x', uid: 'u' }, 'v'), /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
  });

  it('configMap and secret volumes are Swarm configs and secrets named by content, one file per key', () => {
    const plan = testPlan(
      {
        configMaps: { cm: { a: 'A', b: 'B' } },
        secrets: { s: { token: { base64: Buffer.from('t0k').toString('base64') } } },
      },
      {
        volumes: [
          { name: 'c', configMap: { name: 'cm', items: [{ key: 'b', path: 'sub/b.txt', mode: 0o600 }] } },
          { name: 's', secret: { secretName: 's', defaultMode: 0o400 } },
        ],
      },
    );
    const c = testContainer({
      volumeMounts: [
        { name: 'c', mountPath: '/etc/c' },
        { name: 's', mountPath: '/etc/s' },
      ],
    });
    const files = configFiles(plan, c);
    assert.deepEqual(
      files.map((f) => [f.kind, f.name, f.data.toString(), f.target, f.mode]),
      [
        ['config', swarmFileName('config', Buffer.from('B')), 'B', '/etc/c/sub/b.txt', 0o600],
        ['secret', swarmFileName('secret', Buffer.from('t0k')), 't0k', '/etc/s/token', 0o400],
      ],
    );
    assert.notEqual(swarmFileName('config', Buffer.from('B')), swarmFileName('config', Buffer.from('C')));
    plan.spec.containers = [c];
    const { spec } = buildServiceSpec(plan, c, {
      name: 'x',
      labels: {},
      role: 'app',
      volumes: podVolumeMounts(plan),
      files,
      fileIds: new Map(files.map((f) => [f.name, `id-${f.kind}`])),
    });
    const cs = (spec.TaskTemplate as { ContainerSpec: Record<string, unknown> }).ContainerSpec;
    assert.equal(cs['Mounts'], undefined);
    assert.deepEqual(cs['Configs'], [
      {
        ConfigID: 'id-config',
        ConfigName: files[0]!.name,
        File: { Name: '/etc/c/sub/b.txt', UID: '0', GID: '0', Mode: 0o600 },
      },
    ]);
    assert.deepEqual(cs['Secrets'], [
      {
        SecretID: 'id-secret',
        SecretName: files[1]!.name,
        File: { Name: '/etc/s/token', UID: '0', GID: '0', Mode: 0o400 },
      },
    ]);
  });

  it('a missing ConfigMap is the kubelet error, naming the volume', () => {
    const plan = testPlan({}, { volumes: [{ name: 'c', configMap: { name: 'nope' } }] });
    assert.throws(
      () => configFiles(plan, testContainer({ volumeMounts: [{ name: 'c', mountPath: '/c' }] })),
      {
        message: 'volume "c": configmap "nope" not found',
      },
    );
  });

  it('a later container of the pod is pinned to the pod node', () => {
    const { task } = build({}, { nodeSelector: { pool: 'b' } }, { nodeId: 'n1d' });
    assert.deepEqual(task.Placement.Constraints, ['node.labels.pool==b', 'node.id==n1d']);
  });

  for (const [name, container, spec, message] of [
    [
      'privileged',
      { securityContext: { privileged: true } },
      {},
      /^spec\.containers\[0\]\.securityContext\.privileged: container "main": Swarm services cannot run privileged$/,
    ],
    ['hostNetwork', {}, { hostNetwork: true }, /^spec\.hostNetwork: tjob's services are not attached/],
    ['tty', { tty: true }, {}, /^spec\.containers\[0\]\.tty: container "main": a service has no terminal/],
    [
      'subPath',
      { volumeMounts: [{ name: 'd', mountPath: '/d', subPath: 'x' }] },
      { volumes: [{ name: 'd', hostPath: { path: '/tmp' } }] },
      /^spec\.containers\[0\]\.volumeMounts\[0\]\.subPath: container "main": Swarm mounts whole volumes/,
    ],
    [
      'a persistentVolumeClaim',
      {},
      { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'c' } }] },
      /^spec\.volumes\[0\]\.persistentVolumeClaim: volume "d" is a persistentVolumeClaim volume/,
    ],
    [
      'a downwardAPI volume',
      {},
      { volumes: [{ name: 'd', downwardAPI: { items: [] } }] },
      /^spec\.volumes\[0\]\.downwardAPI: volume "d" is a downwardAPI volume/,
    ],
    [
      'status.hostIP in env',
      { env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }] },
      {},
      /^spec\.containers\[0\]\.env\[0\]: container "main", env "IP": Swarm's service templates/,
    ],
    [
      'status.podIP in env',
      { env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] },
      {},
      /^spec\.containers\[0\]\.env\[0\]: container "main", env "IP": Swarm's service templates do not know a task's address/,
    ],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.throws(() => build(container as Partial<Container>, spec as Partial<PodSpec>), { message });
    });
  }
});

describe('placement constraints from nodeSelector and required node affinity', () => {
  const required = (exprs: unknown[]) => ({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] },
      },
    },
  });
  const rows: { name: string; spec: Record<string, unknown>; want: string[] | RegExp }[] = [
    { name: 'none', spec: {}, want: [] },
    {
      name: 'nodeSelector',
      spec: { nodeSelector: { pool: 'b', zone: 'x' } },
      want: ['node.labels.pool==b', 'node.labels.zone==x'],
    },
    {
      name: 'hostname label',
      spec: { nodeSelector: { 'kubernetes.io/hostname': 'n2' } },
      want: ['node.hostname==n2'],
    },
    {
      name: 'In of one value',
      spec: required([{ key: 'pool', operator: 'In', values: ['b'] }]),
      want: ['node.labels.pool==b'],
    },
    {
      name: 'NotIn of one value',
      spec: required([{ key: 'pool', operator: 'NotIn', values: ['b'] }]),
      want: ['node.labels.pool!=b'],
    },
    {
      name: 'In of two values is refused',
      spec: required([{ key: 'pool', operator: 'In', values: ['a', 'b'] }]),
      want: /matchExpressions\[0\]: In of 2 values on "pool": Swarm constraints compare with one value only/,
    },
    { name: 'Exists is refused', spec: required([{ key: 'pool', operator: 'Exists' }]), want: /Exists/ },
    {
      name: 'two terms are refused',
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [] }, { matchExpressions: [] }],
            },
          },
        },
      },
      want: /nodeSelectorTerms: 2 terms, any of which may hold/,
    },
  ];
  for (const r of rows) {
    it(r.name, () => {
      if (r.want instanceof RegExp)
        assert.throws(() => build({}, r.spec as Partial<PodSpec>), { message: r.want });
      else assert.deepEqual(build({}, r.spec as Partial<PodSpec>).task.Placement.Constraints, r.want);
    });
  }
});

describe('service names', () => {
  it('the pod name for the app, -init-N for init containers, -rN for restarts; at most 63 characters, unique', () => {
    assert.equal(serviceName('pi-0-abcde', 'app', 0, 0), 'pi-0-abcde');
    assert.equal(serviceName('pi-0-abcde', 'init', 1, 0), 'pi-0-abcde-init-1');
    assert.equal(serviceName('pi-0-abcde', 'app', 0, 2), 'pi-0-abcde-r2');
    const long = 'a'.repeat(60) + '-xyz';
    const a = serviceName(long, 'init', 0, 0);
    const b = serviceName(long.replace('xyz', 'xyw'), 'init', 0, 0);
    assert.ok(a.length <= 63 && b.length <= 63);
    assert.notEqual(a, b);
    assert.ok(a.endsWith('-init-0'));
  });
});
