import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, job } from './helpers.js';

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const idx = { completionMode: 'Indexed', completions: 5 };
const pfp = (rule: Record<string, unknown>) => ({ podFailurePolicy: { rules: [rule] } });
const exitRule = (onExitCodes: Record<string, unknown>) => ({ action: 'FailJob', onExitCodes });

// [name, manifest, expected errors (exactly, in order)]
const cases: [string, Record<string, unknown>, string[]][] = [
  ['valid job', job(), []],
  [
    'restartPolicy Always',
    job({}, { restartPolicy: 'Always' }),
    ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  ],
  [
    'restartPolicy omitted',
    job({}, { restartPolicy: undefined }),
    ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  ],
  [
    'restartPolicy Sometimes',
    job({}, { restartPolicy: 'Sometimes' }),
    [
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
    ],
  ],
  [
    'podFailurePolicy with OnFailure',
    job(pfp(exitRule({ operator: 'In', values: [1] })), { restartPolicy: 'OnFailure' }),
    [
      'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
    ],
  ],
  [
    'parallelism -1',
    job({ parallelism: -1 }),
    ['spec.parallelism: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'completions -1',
    job({ completions: -1 }),
    ['spec.completions: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'backoffLimit -1',
    job({ backoffLimit: -1 }),
    ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'activeDeadlineSeconds -1',
    job({ activeDeadlineSeconds: -1 }),
    ['spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0'],
  ],
  ['activeDeadlineSeconds 0 is accepted', job({ activeDeadlineSeconds: 0 }), []],
  [
    'ttlSecondsAfterFinished -1',
    job({ ttlSecondsAfterFinished: -1 }),
    ['spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'backoffLimitPerIndex -1',
    job({ ...idx, backoffLimitPerIndex: -1 }),
    ['spec.backoffLimitPerIndex: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'maxFailedIndexes -1',
    job({ ...idx, backoffLimitPerIndex: 1, maxFailedIndexes: -1 }),
    ['spec.maxFailedIndexes: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'Indexed without completions',
    job({ completionMode: 'Indexed', parallelism: 2 }),
    ['spec.completions: Required value: when completion mode is Indexed'],
  ],
  [
    'unknown completionMode',
    job({ completionMode: 'Foo' }),
    ['spec.completionMode: Unsupported value: "Foo": supported values: "NonIndexed", "Indexed"'],
  ],
  [
    'Indexed parallelism 100001',
    job({ completionMode: 'Indexed', completions: 5, parallelism: 100001 }),
    [
      'spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed',
    ],
  ],
  [
    'backoffLimitPerIndex on NonIndexed',
    job({ backoffLimitPerIndex: 1 }),
    ['spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode'],
  ],
  [
    'maxFailedIndexes on NonIndexed',
    job({ backoffLimitPerIndex: 1, maxFailedIndexes: 1 }),
    [
      'spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode',
      'spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
    ],
  ],
  [
    'maxFailedIndexes without backoffLimitPerIndex',
    job({ ...idx, maxFailedIndexes: 1 }),
    ['spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified'],
  ],
  [
    'maxFailedIndexes > completions',
    job({ ...idx, backoffLimitPerIndex: 1, maxFailedIndexes: 6 }),
    ['spec.maxFailedIndexes: Invalid value: 6: must be less than or equal to completions'],
  ],
  [
    'completions > 100000 with backoffLimitPerIndex',
    job(
      { completionMode: 'Indexed', completions: 100001, parallelism: 1, backoffLimitPerIndex: 1 },
      {},
      'big',
    ),
    ['spec.maxFailedIndexes: Required value: must be specified when completions is above 100000'],
  ],
  ['bad name', job({}, {}, 'My_Job'), [`metadata.name: Invalid value: "My_Job": ${subdomainMsg}`]],
  [
    'name longer than 63',
    job({}, {}, 'a'.repeat(64)),
    [`spec.template.labels: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`],
  ],
  [
    'Indexed pod hostname too long',
    job(idx, {}, 'a'.repeat(62)),
    [
      `metadata.name: Invalid value: "${'a'.repeat(62)}": will not able to create pod with invalid DNS label: ${'a'.repeat(62)}-4`,
    ],
  ],
  ['no containers', job({}, { containers: [] }), ['spec.template.spec.containers: Required value']],
  [
    'container without image',
    job({}, { containers: [{ name: 'main' }] }),
    ['spec.template.spec.containers[0].image: Required value'],
  ],
  [
    'container without name',
    job({}, { containers: [{ image: 'busybox' }] }),
    ['spec.template.spec.containers[0].name: Required value'],
  ],
  [
    'bad container name',
    job({}, { containers: [{ name: 'Main', image: 'busybox' }] }),
    [`spec.template.spec.containers[0].name: Invalid value: "Main": ${labelMsg}`],
  ],
  [
    'duplicate container names',
    job(
      {},
      {
        containers: [
          { name: 'main', image: 'busybox' },
          { name: 'main', image: 'busybox' },
        ],
      },
    ),
    ['spec.template.spec.containers[1].name: Duplicate value: "main"'],
  ],
  [
    'init container named like a container',
    job({}, { initContainers: [{ name: 'main', image: 'busybox' }] }),
    ['spec.template.spec.initContainers[0].name: Duplicate value: "main"'],
  ],
  [
    'selector without manualSelector',
    job({ selector: { matchLabels: { a: 'b' } } }),
    [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b", "batch.kubernetes.io/controller-uid":"uid-1"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
      'spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"uid-1", "batch.kubernetes.io/job-name":"pi", "controller-uid":"uid-1", "job-name":"pi"}: `selector` does not match template `labels`',
    ],
  ],
  ['manualSelector without selector', job({ manualSelector: true }), ['spec.selector: Required value']],
  [
    'manualSelector with labels not matching',
    job({ manualSelector: true, selector: { matchLabels: { app: 'x' } } }),
    [
      'spec.template.metadata.labels: Invalid value: map[string]string{}: `selector` does not match template `labels`',
    ],
  ],
  [
    'PFP action missing',
    job(pfp({ onExitCodes: { operator: 'In', values: [1] } })),
    [
      'spec.podFailurePolicy.rules[0].action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]',
    ],
  ],
  [
    'PFP unknown action',
    job(pfp({ action: 'Retry', onExitCodes: { operator: 'In', values: [1] } })),
    [
      'spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
    ],
  ],
  [
    'FailIndex without backoffLimitPerIndex',
    job({ ...idx, ...pfp({ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }) }),
    [
      'spec.podFailurePolicy.rules[0].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
    ],
  ],
  [
    'PFP rule with both requirements',
    job(
      pfp({
        action: 'FailJob',
        onExitCodes: { operator: 'In', values: [1] },
        onPodConditions: [{ type: 'DisruptionTarget' }],
      }),
    ),
    [
      'spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported',
    ],
  ],
  [
    'PFP rule with neither requirement',
    job(pfp({ action: 'FailJob' })),
    [
      'spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
    ],
  ],
  [
    'PFP operator missing',
    job(pfp(exitRule({ values: [1] }))),
    ['spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: ["In" "NotIn"]'],
  ],
  [
    'PFP operator unknown',
    job(pfp(exitRule({ operator: 'Eq', values: [1] }))),
    [
      'spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: "Eq": supported values: "In", "NotIn"',
    ],
  ],
  [
    'PFP value 0 with In',
    job(pfp(exitRule({ operator: 'In', values: [0, 1] }))),
    [
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
    ],
  ],
  [
    'PFP values unsorted',
    job(pfp(exitRule({ operator: 'In', values: [3, 1] }))),
    ['spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{3, 1}: must be ordered'],
  ],
  [
    'PFP values duplicated',
    job(pfp(exitRule({ operator: 'In', values: [1, 1] }))),
    ['spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Duplicate value: 1'],
  ],
  [
    'PFP values omitted',
    job(pfp(exitRule({ operator: 'In' }))),
    [
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32(nil): at least one value is required',
    ],
  ],
  [
    'PFP containerName unknown',
    job(pfp(exitRule({ containerName: 'x', operator: 'In', values: [1] }))),
    [
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "x": must be one of the container or initContainer names in the pod template',
    ],
  ],
  [
    'PFP too many rules',
    job({
      podFailurePolicy: {
        rules: Array.from({ length: 21 }, () => exitRule({ operator: 'In', values: [1] })),
      },
    }),
    ['spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items'],
  ],
  [
    'PFP onPodConditions status invalid',
    job(pfp({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'Maybe' }] })),
    [
      'spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
    ],
  ],
  [
    'podReplacementPolicy with PFP',
    job({ ...pfp(exitRule({ operator: 'In', values: [1] })), podReplacementPolicy: 'TerminatingOrFailed' }),
    ['spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"'],
  ],
  [
    'unknown podReplacementPolicy',
    job({ podReplacementPolicy: 'Foo' }),
    [
      'spec.podReplacementPolicy: Unsupported value: "Foo": supported values: "Failed", "TerminatingOrFailed"',
    ],
  ],
  [
    'successPolicy on NonIndexed',
    job({ successPolicy: { rules: [{ succeededCount: 1 }] } }),
    [
      'spec.successPolicy: Invalid value: batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{batch.SuccessPolicyRule{SucceededIndexes:nil, SucceededCount:1}}}: requires indexed completion mode',
    ],
  ],
  [
    'successPolicy without rules',
    job({ ...idx, successPolicy: { rules: [] } }),
    [
      'spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified',
    ],
  ],
  [
    'successPolicy rule with neither field',
    job({ ...idx, successPolicy: { rules: [{}] } }),
    [
      'spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified',
    ],
  ],
  [
    'succeededCount > completions',
    job({ ...idx, successPolicy: { rules: [{ succeededCount: 6 }] } }),
    [
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 6: must be less than or equal to 5 (the number of specified completions)',
    ],
  ],
  [
    'succeededCount > size of succeededIndexes',
    job({ ...idx, successPolicy: { rules: [{ succeededIndexes: '0,2', succeededCount: 3 }] } }),
    [
      'spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
    ],
  ],
  [
    'malformed succeededIndexes',
    job({ ...idx, successPolicy: { rules: [{ succeededIndexes: '3-1' }] } }),
    [
      'spec.successPolicy.rules[0].succeededIndexes: Invalid value: "3-1": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1',
    ],
  ],
  [
    'two errors in the API server order',
    job({ parallelism: -1 }, { restartPolicy: 'Always' }),
    [
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ],
  ],
  [
    'env var name, valueFrom and volume mount',
    job(
      {},
      {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            env: [
              { name: 'A=B' },
              { name: 'X', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
      },
    ),
    [
      `spec.template.spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
      'spec.template.spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ],
  ],
  [
    // A volume with no source is valid: defaulting makes it an emptyDir (pod-defaults.test.ts).
    'volumes: bad name, duplicate, two sources',
    job(
      {},
      {
        volumes: [
          { name: 'Data', emptyDir: {} },
          { name: 'a', emptyDir: {} },
          { name: 'a', emptyDir: {} },
          { name: 'c', emptyDir: {}, hostPath: { path: '/tmp' } },
        ],
      },
    ),
    [
      `spec.template.spec.volumes[0].name: Invalid value: "Data": ${labelMsg}`,
      'spec.template.spec.volumes[2].name: Duplicate value: "a"',
      'spec.template.spec.volumes[3].hostPath: Forbidden: may not specify more than 1 volume type',
    ],
  ],
  [
    // E and Ei are exa suffixes, not exponents.
    'requests above limits with exa suffixes',
    job(
      {},
      {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            resources: { limits: { memory: '1Ei', cpu: '1E' }, requests: { memory: '2Ei', cpu: '2E' } },
          },
        ],
      },
    ),
    [
      'spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: "2E": must be less than or equal to cpu limit of 1E',
      'spec.template.spec.containers[0].resources.requests[memory]: Invalid value: "2Ei": must be less than or equal to memory limit of 1Ei',
    ],
  ],
  [
    'imagePullPolicy, port and resources',
    job(
      {},
      {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            imagePullPolicy: 'Sometimes',
            ports: [{ containerPort: 70000 }],
            resources: { limits: { cpu: '1' }, requests: { cpu: '2' } },
          },
        ],
      },
    ),
    [
      'spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      'spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ],
  ],
  [
    'label keys and values',
    { ...job(), metadata: { name: 'pi', labels: { 'bad key': 'x', ok: 'bad value' } } },
    [
      "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "metadata.labels: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
  ],
  [
    'missing name',
    { ...job(), metadata: {} },
    ['metadata.name: Required value: name or generateName is required'],
  ],
  [
    'dnsPolicy and sidecar restartPolicy',
    job(
      {},
      { dnsPolicy: 'Cluster', initContainers: [{ name: 'init', image: 'busybox', restartPolicy: 'Never' }] },
    ),
    [
      'spec.template.spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.template.spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ],
  ],
  [
    'dnsPolicy None without dnsConfig',
    job({}, { dnsPolicy: 'None' }),
    ['spec.template.spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
  ],
  [
    'dnsConfig: None needs a nameserver; at most 3 IPs; named options',
    job({}, { dnsPolicy: 'None', dnsConfig: { nameservers: [], options: [{ value: '1' }] } }),
    [
      'spec.template.spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None',
      'spec.template.spec.dnsConfig.options[0]: Required value: Option.Name must not be empty',
    ],
  ],
  [
    'dnsConfig nameservers',
    job({}, { dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', 'dns.example'] } }),
    [
      'spec.template.spec.dnsConfig.nameservers: Invalid value: []interface {}{"1.1.1.1", "2.2.2.2", "3.3.3.3", "dns.example"}: must not have more than 3 nameservers',
      'spec.template.spec.dnsConfig.nameservers[3]: Invalid value: "dns.example": must be a valid IP address',
    ],
  ],
  [
    'hostAliases: an IP and DNS-subdomain hostnames',
    job({}, { hostAliases: [{ ip: '10.0.0.300', hostnames: ['ok.example', 'Not_OK'] }, { hostnames: [] }] }),
    [
      'spec.template.spec.hostAliases[0].ip: Invalid value: "10.0.0.300": must be a valid IP address',
      "spec.template.spec.hostAliases[0].hostnames[1]: Invalid value: \"Not_OK\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'spec.template.spec.hostAliases[1].ip: Invalid value: "": must be a valid IP address',
    ],
  ],
  [
    'Bidirectional mount propagation needs a privileged container',
    job(
      {},
      {
        volumes: [{ name: 'v', emptyDir: {} }],
        containers: [
          {
            name: 'c',
            image: 'busybox',
            volumeMounts: [{ name: 'v', mountPath: '/v', mountPropagation: 'Bidirectional' }],
          },
        ],
      },
    ),
    [
      'spec.template.spec.containers[0].volumeMounts[0].mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers',
    ],
  ],
];

for (const [name, manifest, expected] of cases) {
  test(`job validation: ${name}`, () => {
    assert.deepEqual(errors(manifest), expected);
  });
}
