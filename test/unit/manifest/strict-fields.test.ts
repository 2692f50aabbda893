import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errors, fullErrors, job, load, repoRoot } from './helpers.js';

const cases: [string, Record<string, unknown>, string[]][] = [
  [
    'typo in a container field',
    job({}, { containers: [{ name: 'main', imagee: 'busybox' }] }),
    ['spec.template.spec.containers[0].imagee: unknown field, did you mean "image"?'],
  ],
  [
    'wrong case',
    job({}, { restartpolicy: 'Never' }),
    ['spec.template.spec.restartpolicy: unknown field, did you mean "restartPolicy"?'],
  ],
  ['nothing close', job({ frobnicate: 1 }), ['spec.frobnicate: unknown field']],
  [
    'a pod field one level too high',
    job({ restartPolicy: 'Never' }, { restartPolicy: undefined }),
    [
      'spec.restartPolicy: unknown field; did you mean spec.template.spec.restartPolicy? (check the indentation under "spec:")',
    ],
  ],
  [
    'a container field indented into env',
    job(
      {},
      { containers: [{ name: 'main', image: 'busybox', env: [{ name: 'A', value: 'b', args: ['x'] }] }] },
    ),
    [
      'spec.template.spec.containers[0].env[0].args: unknown field; did you mean spec.template.spec.containers[0].args? (check the indentation under "containers:")',
    ],
  ],
  [
    'string where an integer is expected',
    job({ parallelism: 'two' }),
    ['spec.parallelism: Invalid value: "two": spec.parallelism in body must be of type integer: "string"'],
  ],
  [
    'integer where a string is expected',
    job({}, { containers: [{ name: 'main', image: 'busybox', env: [{ name: 'PORT', value: 8080 }] }] }),
    [
      'spec.template.spec.containers[0].env[0].value: Invalid value: 8080: spec.template.spec.containers[0].env[0].value in body must be of type string: "integer"',
    ],
  ],
  [
    'string where a boolean is expected',
    job({ suspend: 'yes please' }),
    ['spec.suspend: Invalid value: "yes please": spec.suspend in body must be of type boolean: "string"'],
  ],
  [
    'object where a list is expected',
    job({}, { containers: { name: 'main' } }),
    [
      'spec.template.spec.containers: Invalid value: "object": spec.template.spec.containers in body must be of type array: "object"',
    ],
  ],
  [
    'bad quantity',
    job({}, { containers: [{ name: 'main', image: 'busybox', resources: { limits: { memory: '12x' } } }] }),
    [
      'spec.template.spec.containers[0].resources.limits[memory]: Invalid value: "12x": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
    ],
  ],
  [
    'good quantities',
    job(
      {},
      {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.25 } },
          },
        ],
      },
    ),
    [],
  ],
  [
    'every PodSpec scheduling field is known',
    job(
      {},
      {
        nodeSelector: { disk: 'ssd' },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }],
            },
          },
        },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
        serviceAccountName: 'builder',
        priorityClassName: 'high',
        schedulerName: 'default-scheduler',
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
        dnsPolicy: 'ClusterFirst',
        securityContext: { runAsUser: 1000, fsGroup: 2000 },
      },
    ),
    [],
  ],
];

for (const [name, manifest, expected] of cases) {
  test(`strict fields: ${name}`, () => {
    assert.deepEqual(errors(manifest), expected);
  });
}

test('ignored fields give one warning per document listing them', () => {
  const r = load(
    job(
      {},
      {
        nodeSelector: { a: 'b' },
        tolerations: [],
        containers: [{ name: 'main', image: 'busybox', livenessProbe: { exec: { command: ['true'] } } }],
      },
    ),
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, [
    'Warning: job.yaml: Job pi: ignored on a single node (no effect): spec.template.spec.containers[0].livenessProbe, spec.template.spec.nodeSelector, spec.template.spec.tolerations',
  ]);
});

test("the seed's mis-indented job points at the misplaced fields", () => {
  const text = readFileSync(new URL('test/fixtures/manifests/seed-misindented.yaml', repoRoot), 'utf8');
  const r = load(text, {}, 'job.yaml');
  assert.deepEqual(fullErrors(r), [
    'job.yaml: name: unknown field at the top level; did you mean metadata.name? (check the indentation under "metadata:")',
    'job.yaml: labels: unknown field at the top level; did you mean metadata.labels? (check the indentation under "metadata:")',
    'job.yaml: template: unknown field at the top level; did you mean spec.template? (check the indentation under "spec:")',
    'job.yaml: template.name: unknown field; did you mean template.metadata.name? (check the indentation under "metadata:")',
    'job.yaml: template.labels: unknown field; did you mean template.metadata.labels? (check the indentation under "metadata:")',
    'job.yaml: template.containers: unknown field; did you mean template.spec.containers? (check the indentation under "spec:")',
    'job.yaml: template.restartPolicy: unknown field; did you mean template.spec.restartPolicy? (check the indentation under "spec:")',
  ]);
  assert.equal(r.jobs.length, 0);
});
