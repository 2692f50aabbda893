import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from '../../../src/api/k8s.js';
import { defaultPodOnlyFields, defaultPodSpec, renderManifests } from '../../../src/manifest/index.js';
import { imageTag } from '../../../src/manifest/image-reference.js';
import { roundUpToMilli } from '../../../src/manifest/quantity.js';
import { errors, job, load } from './helpers.js';

type R = Record<string, unknown>;

/** The value at a dotted path (`containers.0.ports.0.protocol`). */
function at(o: unknown, path: string): unknown {
  let v = o;
  for (const k of path.split('.')) v = (v as R | undefined)?.[k];
  return v;
}

const c = (extra: R = {}): R => ({ name: 'main', image: 'busybox:1.36', ...extra });
const spec = (extra: R = {}): PodSpec => ({ containers: [c()], ...extra }) as unknown as PodSpec;
const withVolume = (v: R): PodSpec => spec({ volumes: [{ name: 'v', ...v }] });
const digest = `sha256:${'a'.repeat(64)}`;

// [rule, pod spec, path in the defaulted spec, expected value]
const cases: [string, PodSpec, string, unknown][] = [
  // SetDefaults_PodSpec
  ['dnsPolicy unset', spec(), 'dnsPolicy', 'ClusterFirst'],
  ['dnsPolicy empty', spec({ dnsPolicy: '' }), 'dnsPolicy', 'ClusterFirst'],
  ['dnsPolicy set', spec({ dnsPolicy: 'Default' }), 'dnsPolicy', 'Default'],
  ['restartPolicy unset', spec(), 'restartPolicy', 'Always'],
  ['restartPolicy empty', spec({ restartPolicy: '' }), 'restartPolicy', 'Always'],
  ['securityContext unset', spec(), 'securityContext', {}],
  ['securityContext set', spec({ securityContext: { runAsUser: 1 } }), 'securityContext', { runAsUser: 1 }],
  ['terminationGracePeriodSeconds unset', spec(), 'terminationGracePeriodSeconds', 30],
  [
    'terminationGracePeriodSeconds 0 kept',
    spec({ terminationGracePeriodSeconds: 0 }),
    'terminationGracePeriodSeconds',
    0,
  ],
  ['schedulerName unset', spec(), 'schedulerName', 'default-scheduler'],
  // SetDefaults_Container
  [
    'imagePullPolicy, no tag',
    spec({ containers: [c({ image: 'busybox' })] }),
    'containers.0.imagePullPolicy',
    'Always',
  ],
  [
    'imagePullPolicy, latest',
    spec({ containers: [c({ image: 'busybox:latest' })] }),
    'containers.0.imagePullPolicy',
    'Always',
  ],
  ['imagePullPolicy, a tag', spec(), 'containers.0.imagePullPolicy', 'IfNotPresent'],
  [
    'imagePullPolicy, a digest',
    spec({ containers: [c({ image: `busybox@${digest}` })] }),
    'containers.0.imagePullPolicy',
    'IfNotPresent',
  ],
  [
    'imagePullPolicy, latest and a digest',
    spec({ containers: [c({ image: `busybox:latest@${digest}` })] }),
    'containers.0.imagePullPolicy',
    'Always',
  ],
  [
    'imagePullPolicy, registry port, no tag',
    spec({ containers: [c({ image: 'localhost:5000/app' })] }),
    'containers.0.imagePullPolicy',
    'Always',
  ],
  [
    'imagePullPolicy, registry port and tag',
    spec({ containers: [c({ image: 'localhost:5000/app:1' })] }),
    'containers.0.imagePullPolicy',
    'IfNotPresent',
  ],
  [
    'imagePullPolicy, unparsable reference',
    spec({ containers: [c({ image: 'Busybox' })] }),
    'containers.0.imagePullPolicy',
    'IfNotPresent',
  ],
  [
    'imagePullPolicy empty',
    spec({ containers: [c({ image: 'busybox', imagePullPolicy: '' })] }),
    'containers.0.imagePullPolicy',
    'Always',
  ],
  [
    'imagePullPolicy set',
    spec({ containers: [c({ image: 'busybox', imagePullPolicy: 'Never' })] }),
    'containers.0.imagePullPolicy',
    'Never',
  ],
  ['terminationMessagePath', spec(), 'containers.0.terminationMessagePath', '/dev/termination-log'],
  ['terminationMessagePolicy', spec(), 'containers.0.terminationMessagePolicy', 'File'],
  [
    'terminationMessagePolicy set',
    spec({ containers: [c({ terminationMessagePolicy: 'FallbackToLogsOnError' })] }),
    'containers.0.terminationMessagePolicy',
    'FallbackToLogsOnError',
  ],
  ['resources unset', spec(), 'containers.0.resources', {}],
  [
    'resources limits are not copied to requests in a template',
    spec({ containers: [c({ resources: { limits: { cpu: '1' } } })] }),
    'containers.0.resources',
    { limits: { cpu: '1' } },
  ],
  [
    'resources finer than a thousandth round up (SetDefaults_ResourceList)',
    spec({
      containers: [
        c({ resources: { limits: { cpu: '0.0001', memory: '128Mi' }, requests: { cpu: '100u' } } }),
      ],
    }),
    'containers.0.resources',
    { limits: { cpu: '1m', memory: '128Mi' }, requests: { cpu: '1m' } },
  ],
  [
    'resources at a thousandth are kept as written',
    spec({ containers: [c({ resources: { requests: { cpu: '0.5' } } })] }),
    'containers.0.resources.requests.cpu',
    '0.5',
  ],
  ['overhead rounds up', spec({ overhead: { cpu: '1500u' } }), 'overhead', { cpu: '2m' }],
  [
    'pod resources round up',
    spec({ resources: { limits: { cpu: '1e-4' } } }),
    'resources.limits.cpu',
    '1e-3',
  ],
  [
    'port protocol',
    spec({ containers: [c({ ports: [{ containerPort: 80 }] })] }),
    'containers.0.ports.0.protocol',
    'TCP',
  ],
  [
    'port protocol set',
    spec({ containers: [c({ ports: [{ containerPort: 80, protocol: 'UDP' }] })] }),
    'containers.0.ports.0.protocol',
    'UDP',
  ],
  [
    'env fieldRef apiVersion',
    spec({
      containers: [c({ env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })],
    }),
    'containers.0.env.0.valueFrom.fieldRef.apiVersion',
    'v1',
  ],
  [
    'env resourceFieldRef divisor as served',
    spec({
      containers: [c({ env: [{ name: 'N', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] })],
    }),
    'containers.0.env.0.valueFrom.resourceFieldRef.divisor',
    '0',
  ],
  [
    'env resourceFieldRef divisor set',
    spec({
      containers: [
        c({
          env: [{ name: 'N', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } }],
        }),
      ],
    }),
    'containers.0.env.0.valueFrom.resourceFieldRef.divisor',
    '1m',
  ],
  // SetDefaults_Probe, SetDefaults_HTTPGetAction, GRPCAction.service
  [
    'liveness probe',
    spec({ containers: [c({ livenessProbe: { exec: { command: ['true'] } } })] }),
    'containers.0.livenessProbe',
    {
      exec: { command: ['true'] },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
  ],
  [
    'probe 0 is unset',
    spec({
      containers: [
        c({ readinessProbe: { exec: { command: ['true'] }, periodSeconds: 0, failureThreshold: 5 } }),
      ],
    }),
    'containers.0.readinessProbe',
    {
      exec: { command: ['true'] },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 5,
    },
  ],
  [
    'probe httpGet',
    spec({ containers: [c({ startupProbe: { httpGet: { port: 80 } } })] }),
    'containers.0.startupProbe.httpGet',
    { port: 80, path: '/', scheme: 'HTTP' },
  ],
  [
    'probe grpc',
    spec({ containers: [c({ livenessProbe: { grpc: { port: 9 } } })] }),
    'containers.0.livenessProbe.grpc',
    { port: 9, service: '' },
  ],
  [
    'lifecycle httpGet',
    spec({
      containers: [
        c({
          lifecycle: {
            preStop: { httpGet: { port: 80, path: '/stop' } },
            postStart: { httpGet: { port: 80 } },
          },
        }),
      ],
    }),
    'containers.0.lifecycle',
    {
      preStop: { httpGet: { port: 80, path: '/stop', scheme: 'HTTP' } },
      postStart: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } },
    },
  ],
  [
    'init container',
    spec({ initContainers: [c({ image: 'busybox' })] }),
    'initContainers.0.imagePullPolicy',
    'Always',
  ],
  [
    'init container probe',
    spec({ initContainers: [c({ restartPolicy: 'Always', startupProbe: { tcpSocket: { port: 1 } } })] }),
    'initContainers.0.startupProbe.periodSeconds',
    10,
  ],
  [
    'ephemeral container',
    spec({ ephemeralContainers: [c()] }),
    'ephemeralContainers.0.terminationMessagePolicy',
    'File',
  ],
  // SetDefaults_Volume and the volume sources
  ['volume without a source', withVolume({}), 'volumes.0', { name: 'v', emptyDir: {} }],
  ['hostPath type', withVolume({ hostPath: { path: '/tmp' } }), 'volumes.0.hostPath.type', ''],
  ['secret defaultMode', withVolume({ secret: { secretName: 's' } }), 'volumes.0.secret.defaultMode', 420],
  [
    'secret defaultMode set',
    withVolume({ secret: { secretName: 's', defaultMode: 0o400 } }),
    'volumes.0.secret.defaultMode',
    0o400,
  ],
  ['configMap defaultMode', withVolume({ configMap: { name: 'c' } }), 'volumes.0.configMap.defaultMode', 420],
  ['downwardAPI defaultMode', withVolume({ downwardAPI: {} }), 'volumes.0.downwardAPI.defaultMode', 420],
  [
    'projected defaultMode',
    withVolume({ projected: { sources: [] } }),
    'volumes.0.projected.defaultMode',
    420,
  ],
  [
    'downwardAPI fieldRef apiVersion',
    withVolume({ downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }),
    'volumes.0.downwardAPI.items.0.fieldRef.apiVersion',
    'v1',
  ],
  [
    'downwardAPI fieldRef apiVersion set',
    withVolume({
      downwardAPI: { items: [{ path: 'n', fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } }] },
    }),
    'volumes.0.downwardAPI.items.0.fieldRef.apiVersion',
    'v2',
  ],
  [
    'downwardAPI resourceFieldRef divisor',
    withVolume({
      downwardAPI: {
        items: [{ path: 'n', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu' } }],
      },
    }),
    'volumes.0.downwardAPI.items.0.resourceFieldRef.divisor',
    '0',
  ],
  [
    'projected downwardAPI fieldRef apiVersion',
    withVolume({
      projected: {
        sources: [{ downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }],
      },
    }),
    'volumes.0.projected.sources.0.downwardAPI.items.0.fieldRef.apiVersion',
    'v1',
  ],
  [
    'serviceAccountToken expirationSeconds',
    withVolume({ projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }),
    'volumes.0.projected.sources.0.serviceAccountToken.expirationSeconds',
    3600,
  ],
  [
    'image volume pullPolicy',
    withVolume({ image: { reference: 'data:latest' } }),
    'volumes.0.image.pullPolicy',
    'Always',
  ],
  [
    'image volume pullPolicy, a tag',
    withVolume({ image: { reference: 'data:1' } }),
    'volumes.0.image.pullPolicy',
    'IfNotPresent',
  ],
  [
    'ephemeral volumeMode',
    withVolume({ ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } } }),
    'volumes.0.ephemeral.volumeClaimTemplate.spec.volumeMode',
    'Filesystem',
  ],
  [
    'ephemeral claim resources round up',
    withVolume({
      ephemeral: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '0.0001Ki' } } } } },
    }),
    'volumes.0.ephemeral.volumeClaimTemplate.spec.resources.requests.storage',
    '103m',
  ],
  [
    'iscsi',
    withVolume({ iscsi: { targetPortal: 'p', iqn: 'iqn.x', lun: 0 } }),
    'volumes.0.iscsi.iscsiInterface',
    'default',
  ],
  [
    'rbd',
    withVolume({ rbd: { monitors: ['m'], image: 'i' } }),
    'volumes.0.rbd',
    { monitors: ['m'], image: 'i', pool: 'rbd', user: 'admin', keyring: '/etc/ceph/keyring' },
  ],
  [
    'azureDisk',
    withVolume({ azureDisk: { diskName: 'd', diskURI: 'u' } }),
    'volumes.0.azureDisk',
    {
      diskName: 'd',
      diskURI: 'u',
      cachingMode: 'ReadWrite',
      fsType: 'ext4',
      readOnly: false,
      kind: 'Shared',
    },
  ],
  [
    'scaleIO',
    withVolume({ scaleIO: { gateway: 'g', system: 's', secretRef: { name: 'x' } } }),
    'volumes.0.scaleIO.storageMode',
    'ThinProvisioned',
  ],
];

for (const [rule, input, path, want] of cases)
  test(`pod template defaulting: ${rule}`, () => {
    const before = structuredClone(input);
    assert.deepEqual(at(defaultPodSpec(input), path), want);
    assert.deepEqual(input, before, 'the argument is left alone');
  });

// [rule, pod spec (defaulted template), path in the pod's spec, expected value]
const podCases: [string, PodSpec, string, unknown][] = [
  [
    'requests default to limits',
    spec({ containers: [c({ resources: { limits: { cpu: '1', memory: '1Gi' } } })] }),
    'containers.0.resources',
    { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } },
  ],
  [
    'a request is kept',
    spec({ containers: [c({ resources: { limits: { cpu: '1' }, requests: { cpu: '500m' } } })] }),
    'containers.0.resources.requests',
    { cpu: '500m' },
  ],
  [
    'init container requests',
    spec({ initContainers: [c({ resources: { limits: { memory: '64Mi' } } })] }),
    'initContainers.0.resources.requests',
    { memory: '64Mi' },
  ],
  ['no limits, no requests', spec({ containers: [c({ resources: {} })] }), 'containers.0.resources', {}],
  ['enableServiceLinks', spec(), 'enableServiceLinks', true],
  ['enableServiceLinks set', spec({ enableServiceLinks: false }), 'enableServiceLinks', false],
  [
    'hostNetwork: hostPort from containerPort',
    spec({ hostNetwork: true, containers: [c({ ports: [{ containerPort: 8080 }] })] }),
    'containers.0.ports.0.hostPort',
    8080,
  ],
  [
    'no hostNetwork: no hostPort',
    spec({ containers: [c({ ports: [{ containerPort: 8080 }] })] }),
    'containers.0.ports.0.hostPort',
    undefined,
  ],
];

for (const [rule, input, path, want] of podCases)
  test(`pod-only defaulting: ${rule}`, () => {
    const before = structuredClone(input);
    assert.deepEqual(at(defaultPodOnlyFields(input), path), want);
    assert.deepEqual(input, before, 'the argument is left alone');
  });

test('image tags read as ParseImageName reads them', () => {
  const table: [string, string][] = [
    ['busybox', 'latest'],
    ['busybox:1.36', '1.36'],
    ['docker.io/library/busybox', 'latest'],
    ['registry.k8s.io/pause:3.10', '3.10'],
    ['localhost:5000/a/b', 'latest'],
    [`busybox@${digest}`, ''],
    [`busybox:v1@${digest}`, 'v1'],
    ['busybox@sha256:abc', ''], // a digest of the wrong length does not parse
    ['Busybox', ''], // upper case in the repository
    ['MyRegistry/busybox:1', '1'], // upper case is allowed in the registry
    ['a'.repeat(64), ''], // an image id, not a reference
    ['', ''],
    ['busybox:', ''],
  ];
  for (const [image, tag] of table) assert.equal(imageTag(image), tag, image);
});

test('quantities round up to a thousandth as Quantity.RoundUp(-3), then print canonically', () => {
  const table: [unknown, unknown][] = [
    ['0.0001', '1m'],
    ['100u', '1m'],
    ['1500u', '2m'],
    ['5n', '1m'],
    ['0.0010', '1m'], // exact, but finer than milli: recanonicalised
    ['1.0001', '1001m'],
    ['0.9999', '1'],
    ['2000.0001', '2000001m'],
    ['1e-4', '1e-3'], // the exponent format stays
    [1e-7, '1e-3'],
    [0.0001, '1m'],
    ['0.0001Ki', '103m'], // binary below 1024 prints as decimal
    ['1.0000001Ki', '1024001m'], // not whole: decimal
    ['1023.9999999Ki', '1Mi'], // whole: binary
    ['-0.0001', '-1m'], // away from zero
    ['0.0000', '0'],
    ['1e-999999', '1e-3'], // far below a thousandth
    ['0.0000e-999999', '0'],
    ['99999999999999999999999999999Ei', '99999999999999999999999999999Ei'], // exa-binary, not an exponent
    ['2E', '2E'],
    ['0.5', '0.5'], // not finer than milli: as written
    ['128Mi', '128Mi'],
    [2, 2],
    ['bogus', 'bogus'],
  ];
  for (const [q, want] of table) assert.equal(roundUpToMilli(q), want, String(q));
});

const indexedJobWithDownwardAPIVolume = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'indexed-job' },
  spec: {
    completions: 5,
    parallelism: 3,
    completionMode: 'Indexed',
    template: {
      spec: {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'worker',
            image: 'docker.io/library/busybox',
            command: ['rev', '/input/data.txt'],
            volumeMounts: [{ mountPath: '/input', name: 'input' }],
          },
        ],
        volumes: [
          {
            name: 'input',
            downwardAPI: {
              items: [
                {
                  path: 'data.txt',
                  fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
                },
              ],
            },
          },
        ],
      },
    },
  },
};

test("the documentation's Indexed Job with a downwardAPI volume is valid, defaulted and rendered", () => {
  const r = load(indexedJobWithDownwardAPIVolume);
  assert.deepEqual(r.errors, []);
  const item = at(r.jobs[0], 'spec.template.spec.volumes.0.downwardAPI.items.0');
  assert.deepEqual(item, {
    path: 'data.txt',
    fieldRef: {
      apiVersion: 'v1',
      fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    },
  });
  const rendered = renderManifests(r.documents.flatMap((d) => (d.rendered ? [d.rendered] : [])));
  assert.match(
    rendered,
    /fieldRef:\n\s+fieldPath: metadata\.annotations\['batch\.kubernetes\.io\/job-completion-index'\]\n\s+apiVersion: v1\n/,
  );
  assert.match(rendered, /defaultMode: 420\n/);
});

test('a mount of a volume that failed validation is not also Not found', () => {
  const badVolume = job(
    {},
    {
      containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'input', mountPath: '/in' }] }],
      volumes: [
        { name: 'input', downwardAPI: { items: [{ path: 'x', fieldRef: { fieldPath: 'metadata.bogus' } }] } },
      ],
    },
  );
  assert.deepEqual(errors(badVolume), [
    'spec.template.spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: "metadata.bogus": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
  ]);
  const badName = job(
    {},
    {
      containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'in.put', mountPath: '/in' }] }],
      volumes: [{ name: 'in.put', emptyDir: {} }],
    },
  );
  assert.deepEqual(errors(badName), [
    'spec.template.spec.volumes[0].name: Invalid value: "in.put": must not contain dots',
  ]);
  const noName = job(
    {},
    { containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ mountPath: '/in' }] }] },
  );
  assert.deepEqual(errors(noName), ['spec.template.spec.containers[0].volumeMounts[0].name: Required value']);
  const missing = job(
    {},
    { containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'x', mountPath: '/in' }] }] },
  );
  assert.deepEqual(errors(missing), [
    'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "x"',
  ]);
});

test('a fieldRef apiVersion other than v1 is refused as the API server refuses it', () => {
  const env = (fieldRef: R) =>
    job(
      {},
      { containers: [{ name: 'main', image: 'busybox', env: [{ name: 'N', valueFrom: { fieldRef } }] }] },
    );
  assert.deepEqual(errors(env({ apiVersion: 'v2', fieldPath: 'metadata.name' })), [
    'spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: unsupported pod version: v2',
  ]);
  assert.deepEqual(errors(env({ fieldPath: 'metadata.name' })), []);
  assert.deepEqual(errors(env({ apiVersion: 'v1' })), [
    'spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Required value',
  ]);
});
