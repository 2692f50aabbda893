// What Swarm does with each field of a pod template: one row per decision of
// src/runtime/swarm/swarm-support.ts, and the placement constraints the honoured ones become.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, PodSpec } from '../../../../src/api/k8s.js';
import {
  podTemplatesOf,
  swarmPlacement,
  swarmPodFields,
  SwarmRules,
  type SwarmSupport,
} from '../../../../src/runtime/swarm/swarm-support.js';

const BASE = 'spec.template.spec';
const main: Container = { name: 'main', image: 'busybox' };

function pod(extra: Partial<PodSpec> = {}, container: Partial<Container> = {}): PodSpec {
  return { restartPolicy: 'Never', containers: [{ ...main, ...container }], ...extra };
}

function required(...matchExpressions: unknown[]): unknown {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] },
    },
  };
}

const TERM = `${BASE}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;

const rows: { name: string; spec: PodSpec; path: string; support: SwarmSupport; note?: RegExp }[] = [
  {
    name: 'command',
    spec: pod({}, { command: ['sh'] }),
    path: `${BASE}.containers[0].command`,
    support: 'honoured',
  },
  { name: 'args', spec: pod({}, { args: ['-c'] }), path: `${BASE}.containers[0].args`, support: 'honoured' },
  {
    name: 'env',
    spec: pod({}, { env: [{ name: 'A', value: '1' }] }),
    path: `${BASE}.containers[0].env`,
    support: 'honoured',
  },
  {
    name: 'envFrom',
    spec: pod({}, { envFrom: [{ configMapRef: { name: 'c' } }] }),
    path: `${BASE}.containers[0].envFrom`,
    support: 'honoured',
  },
  {
    name: 'workingDir',
    spec: pod({}, { workingDir: '/w' }),
    path: `${BASE}.containers[0].workingDir`,
    support: 'honoured',
  },
  {
    name: 'runAsUser',
    spec: pod({}, { securityContext: { runAsUser: 1000 } }),
    path: `${BASE}.containers[0].securityContext.runAsUser`,
    support: 'honoured',
  },
  {
    name: 'pod supplementalGroups',
    spec: pod({ securityContext: { supplementalGroups: [5] } }),
    path: `${BASE}.securityContext.supplementalGroups`,
    support: 'honoured',
  },
  {
    name: 'readOnlyRootFilesystem',
    spec: pod({}, { securityContext: { readOnlyRootFilesystem: true } }),
    path: `${BASE}.containers[0].securityContext.readOnlyRootFilesystem`,
    support: 'honoured',
  },
  {
    name: 'capabilities',
    spec: pod({}, { securityContext: { capabilities: { drop: ['ALL'] } } }),
    path: `${BASE}.containers[0].securityContext.capabilities`,
    support: 'honoured',
  },
  {
    name: 'privileged: true',
    spec: pod({}, { securityContext: { privileged: true } }),
    path: `${BASE}.containers[0].securityContext.privileged`,
    support: 'refused',
    note: /container "main": Swarm services cannot run privileged/,
  },
  {
    name: 'limits',
    spec: pod({}, { resources: { limits: { memory: '64Mi' } } }),
    path: `${BASE}.containers[0].resources.limits`,
    support: 'approximated',
    note: /not OOMKilled/,
  },
  {
    name: 'requests',
    spec: pod({}, { resources: { requests: { cpu: '1' } } }),
    path: `${BASE}.containers[0].resources.requests`,
    support: 'honoured',
    note: /Reservations/,
  },
  {
    name: 'nodeSelector',
    spec: pod({ nodeSelector: { pool: 'b' } }),
    path: `${BASE}.nodeSelector["pool"]`,
    support: 'honoured',
    note: /node\.labels\.pool==b/,
  },
  {
    name: 'nodeSelector with a prefixed key',
    spec: pod({ nodeSelector: { 'example.com/disk': 'ssd' } }),
    path: `${BASE}.nodeSelector["example.com/disk"]`,
    support: 'refused',
    note: /cannot be written in a Swarm constraint/,
  },
  {
    name: 'nodeName',
    spec: pod({ nodeName: 'tjn2' }),
    path: `${BASE}.nodeName`,
    support: 'honoured',
    note: /node\.hostname==tjn2/,
  },
  {
    name: 'required node affinity In of one value',
    spec: pod({ affinity: required({ key: 'disk', operator: 'In', values: ['ssd'] }) }),
    path: `${TERM}[0].matchExpressions[0]`,
    support: 'honoured',
    note: /node\.labels\.disk==ssd/,
  },
  {
    name: 'required node affinity NotIn of one value',
    spec: pod({ affinity: required({ key: 'disk', operator: 'NotIn', values: ['hdd'] }) }),
    path: `${TERM}[0].matchExpressions[0]`,
    support: 'honoured',
    note: /node\.labels\.disk!=hdd/,
  },
  {
    name: 'required node affinity In of two values',
    spec: pod({ affinity: required({ key: 'zone', operator: 'In', values: ['a', 'b'] }) }),
    path: `${TERM}[0].matchExpressions[0]`,
    support: 'refused',
    note: /In of 2 values on "zone"/,
  },
  {
    name: 'required node affinity Exists',
    spec: pod({ affinity: required({ key: 'gpu', operator: 'Exists' }) }),
    path: `${TERM}[0].matchExpressions[0]`,
    support: 'refused',
    note: /Exists on "gpu"/,
  },
  {
    name: 'required node affinity of two terms',
    spec: pod({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] },
              { matchExpressions: [{ key: 'b', operator: 'In', values: ['1'] }] },
            ],
          },
        },
      },
    }),
    path: TERM,
    support: 'refused',
    note: /2 terms, any of which may hold/,
  },
  {
    name: 'preferred node affinity',
    spec: pod({
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
    }),
    path: `${BASE}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`,
    support: 'ignored',
  },
  {
    name: 'required pod anti-affinity',
    spec: pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [] } } }),
    path: `${BASE}.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution`,
    support: 'refused',
  },
  {
    name: 'a second app container',
    spec: { restartPolicy: 'Never', containers: [main, { name: 'helper', image: 'busybox' }] },
    path: `${BASE}.containers[1]`,
    support: 'refused',
    note: /container "helper" is a second app container: .*localhost/,
  },
  {
    name: 'a native sidecar',
    spec: pod({ initContainers: [{ name: 'proxy', image: 'busybox', restartPolicy: 'Always' }] }),
    path: `${BASE}.initContainers[0]`,
    support: 'refused',
    note: /container "proxy" is a native sidecar/,
  },
  {
    name: 'an init container',
    spec: pod({ initContainers: [{ name: 'setup', image: 'busybox' }] }),
    path: `${BASE}.initContainers[0]`,
    support: 'approximated',
    note: /every later one is pinned to that node; they share the pod's volumes/,
  },
  {
    name: 'shareProcessNamespace',
    spec: pod({ shareProcessNamespace: true }),
    path: `${BASE}.shareProcessNamespace`,
    support: 'refused',
  },
  { name: 'hostPID', spec: pod({ hostPID: true }), path: `${BASE}.hostPID`, support: 'refused' },
  { name: 'hostNetwork', spec: pod({ hostNetwork: true }), path: `${BASE}.hostNetwork`, support: 'refused' },
  { name: 'hostname', spec: pod({ hostname: 'h' }), path: `${BASE}.hostname`, support: 'honoured' },
  {
    name: 'terminationGracePeriodSeconds',
    spec: pod({ terminationGracePeriodSeconds: 5 }),
    path: `${BASE}.terminationGracePeriodSeconds`,
    support: 'honoured',
    note: /StopGracePeriod/,
  },
  {
    name: 'a secret volume',
    spec: pod({ volumes: [{ name: 's', secret: { secretName: 's' } }] }),
    path: `${BASE}.volumes[0].secret`,
    support: 'honoured',
    note: /content hash/,
  },
  {
    name: 'a configMap volume',
    spec: pod({ volumes: [{ name: 'c', configMap: { name: 'c' } }] }),
    path: `${BASE}.volumes[0].configMap`,
    support: 'honoured',
  },
  {
    name: 'an emptyDir volume',
    spec: pod({ volumes: [{ name: 'e', emptyDir: {} }] }),
    path: `${BASE}.volumes[0].emptyDir`,
    support: 'approximated',
    note: /named volume of the pod on its node .*docker volume prune --force --filter label=io\.tjob\.job-uid=UID/,
  },
  {
    name: 'an emptyDir handed from an init container to the app container',
    spec: pod(
      {
        initContainers: [{ name: 'setup', image: 'busybox', volumeMounts: [{ name: 'e', mountPath: '/e' }] }],
        volumes: [{ name: 'e', emptyDir: { sizeLimit: '1Mi' } }],
      },
      { volumeMounts: [{ name: 'e', mountPath: '/e' }] },
    ),
    path: `${BASE}.volumes[0].emptyDir`,
    support: 'approximated',
    note: /mounted by each of its containers, init containers and in-place restarts included.*sizeLimit is not enforced/,
  },
  {
    name: 'a medium Memory emptyDir of one container, restartPolicy Never',
    spec: pod(
      { volumes: [{ name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }] },
      { volumeMounts: [{ name: 'm', mountPath: '/m' }] },
    ),
    path: `${BASE}.volumes[0].emptyDir.medium`,
    support: 'honoured',
    note: /a tmpfs of that container's service \(sizeLimit its size\)/,
  },
  {
    name: 'a medium Memory emptyDir handed from an init container to the app container',
    spec: pod(
      {
        initContainers: [{ name: 'setup', image: 'busybox', volumeMounts: [{ name: 'm', mountPath: '/m' }] }],
        volumes: [{ name: 'm', emptyDir: { medium: 'Memory' } }],
      },
      { volumeMounts: [{ name: 'm', mountPath: '/m' }] },
    ),
    path: `${BASE}.volumes[0].emptyDir.medium`,
    support: 'approximated',
    note: /on the node's disk.*loses its files once no container mounts it/,
  },
  {
    name: 'a medium Memory emptyDir of one container, restartPolicy OnFailure',
    spec: {
      ...pod(
        { volumes: [{ name: 'm', emptyDir: { medium: 'Memory' } }] },
        { volumeMounts: [{ name: 'm', mountPath: '/m' }] },
      ),
      restartPolicy: 'OnFailure',
    },
    path: `${BASE}.volumes[0].emptyDir.medium`,
    support: 'approximated',
  },
  {
    name: 'a volume of no kind is an emptyDir',
    spec: pod({ volumes: [{ name: 'e' }] }),
    path: `${BASE}.volumes[0].emptyDir`,
    support: 'approximated',
  },
  {
    name: 'a hostPath volume',
    spec: pod({ volumes: [{ name: 'h', hostPath: { path: '/data' } }] }),
    path: `${BASE}.volumes[0].hostPath`,
    support: 'approximated',
    note: /that node’s path/,
  },
  {
    name: 'a persistentVolumeClaim volume',
    spec: pod({ volumes: [{ name: 'p', persistentVolumeClaim: { claimName: 'data' } }] }),
    path: `${BASE}.volumes[0].persistentVolumeClaim`,
    support: 'refused',
  },
  {
    name: 'an ephemeral volume',
    spec: pod({ volumes: [{ name: 'p', ephemeral: {} }] }),
    path: `${BASE}.volumes[0].ephemeral`,
    support: 'refused',
  },
  {
    name: 'a projected volume',
    spec: pod({ volumes: [{ name: 'p', projected: { sources: [] } }] }),
    path: `${BASE}.volumes[0].projected`,
    support: 'refused',
    note: /^volume "p" is a projected volume: /,
  },
  {
    name: 'tty',
    spec: pod({}, { tty: true }),
    path: `${BASE}.containers[0].tty`,
    support: 'refused',
  },
  {
    name: 'stdin',
    spec: pod({}, { stdin: true }),
    path: `${BASE}.containers[0].stdin`,
    support: 'refused',
  },
  {
    name: 'subPath',
    spec: pod(
      { volumes: [{ name: 'h', hostPath: { path: '/data' } }] },
      { volumeMounts: [{ name: 'h', mountPath: '/h', subPathExpr: '$(POD)' }] },
    ),
    path: `${BASE}.containers[0].volumeMounts[0].subPathExpr`,
    support: 'refused',
  },
  {
    name: 'spec.nodeName in env',
    spec: pod({}, { env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }),
    path: `${BASE}.containers[0].env[0]`,
    support: 'honoured',
    note: /\{\{\.Node\.Hostname\}\}/,
  },
  {
    name: 'status.hostIP in env',
    spec: pod({}, { env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }] }),
    path: `${BASE}.containers[0].env[0]`,
    support: 'refused',
  },
  {
    name: 'status.podIP in env',
    spec: pod({}, { env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }),
    path: `${BASE}.containers[0].env[0]`,
    support: 'refused',
    note: /hostname -i/,
  },
];

describe('swarmPodFields', () => {
  for (const row of rows) {
    it(`${row.name}: ${row.support}`, () => {
      const fields = swarmPodFields(row.spec, BASE);
      const field = fields.find((f) => f.path === row.path);
      assert.ok(field, `no entry at ${row.path}: ${JSON.stringify(fields)}`);
      assert.equal(field.support, row.support);
      if (row.note) assert.match(field.note, row.note);
    });
  }

  it('says nothing of fields that are absent, or false where only true is refused', () => {
    const fields = swarmPodFields(
      pod({ hostNetwork: false, shareProcessNamespace: false }, { securityContext: { privileged: false } }),
      BASE,
    );
    assert.deepEqual(fields, []);
  });

  it('a refused container is one entry: its own fields are not listed', () => {
    const spec: PodSpec = {
      containers: [main, { name: 'helper', image: 'busybox', command: ['sleep'], env: [{ name: 'A' }] }],
    };
    assert.deepEqual(
      swarmPodFields(spec, BASE).map((f) => f.path),
      [`${BASE}.containers[1]`],
    );
  });

  it('every entry carries its rule’s support; every rule has a field and a note', () => {
    for (const row of rows)
      for (const f of swarmPodFields(row.spec, BASE)) assert.equal(f.support, SwarmRules[f.rule].support);
    for (const [name, rule] of Object.entries(SwarmRules)) {
      assert.ok(rule.field.length > 0 && rule.note.length > 0, name);
    }
  });
});

describe('swarmPlacement', () => {
  it('the constraints of nodeSelector, nodeName and the one-value required node affinity, all to hold', () => {
    const spec = pod({
      nodeName: 'tjn1',
      nodeSelector: { pool: 'b', 'kubernetes.io/hostname': 'tjn1' },
      affinity: required(
        { key: 'disk', operator: 'In', values: ['ssd'] },
        { key: 'zone', operator: 'NotIn', values: ['c'] },
      ),
    });
    assert.deepEqual(swarmPlacement(spec), [
      'node.hostname==tjn1',
      'node.labels.pool==b',
      'node.hostname==tjn1',
      'node.labels.disk==ssd',
      'node.labels.zone!=c',
    ]);
    assert.deepEqual(swarmPlacement(pod()), []);
  });
});

describe('podTemplatesOf', () => {
  it('the template of a Job and of a CronJob, with their paths', () => {
    const spec = pod();
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { spec } },
    };
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec } } } },
    };
    assert.deepEqual(podTemplatesOf(job as never), [{ path: 'spec.template.spec', spec }]);
    assert.deepEqual(podTemplatesOf(cron as never), [{ path: 'spec.jobTemplate.spec.template.spec', spec }]);
  });
});
