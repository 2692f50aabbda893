import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvVar } from '../../../../src/api/k8s.js';
import { expandVars, fieldRefValue, resolveEnv } from '../../../../src/runtime/docker/env.js';
import { node, testContainer, testPlan } from './plan.js';

describe('expandVars (kubelet $(VAR) semantics)', () => {
  const vars = new Map([
    ['A', 'alpha'],
    ['B', 'beta'],
    ['EMPTY', ''],
  ]);
  const table: [string, string][] = [
    ['$(A)', 'alpha'],
    ['x-$(A)-$(B)-y', 'x-alpha-beta-y'],
    ['$(A)$(B)', 'alphabeta'],
    ['$(UNDEFINED)', '$(UNDEFINED)'],
    ['pre $(UNDEFINED) $(A)', 'pre $(UNDEFINED) alpha'],
    ['$(EMPTY)x', 'x'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$alpha'],
    ['$$$$(A)', '$$(A)'],
    ['$$', '$'],
    ['a$$b', 'a$b'],
    ['$A', '$A'],
    ['${A}', '${A}'],
    ['$', '$'],
    ['x$', 'x$'],
    ['$(A', '$(A'],
    ['$(', '$('],
    ['$()', '$()'],
    ['$(A)$', 'alpha$'],
    ['$($(A))', '$($(A))'],
    ['no refs', 'no refs'],
    ['', ''],
  ];
  for (const [input, want] of table) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () =>
      assert.equal(expandVars(input, vars), want));
  }
});

function env(list: EnvVar[], planOverrides = {}, containerOverrides = {}) {
  const plan = testPlan(planOverrides);
  return resolveEnv(plan, testContainer({ env: list, ...containerOverrides }), node);
}
function asObject(result: { env: { name: string; value: string }[] }): Record<string, string> {
  return Object.fromEntries(result.env.map((e) => [e.name, e.value]));
}

describe('resolveEnv', () => {
  it('expands against variables defined before, not after', () => {
    const r = env([
      { name: 'FIRST', value: 'one' },
      { name: 'BOTH', value: '$(FIRST)-$(LATER)' },
      { name: 'LATER', value: 'two' },
      { name: 'SELF', value: '$(SELF)x' },
    ]);
    assert.deepEqual(r.env, [
      { name: 'FIRST', value: 'one' },
      { name: 'BOTH', value: 'one-$(LATER)' },
      { name: 'LATER', value: 'two' },
      { name: 'SELF', value: '$(SELF)x' },
    ]);
  });

  it('a later definition of a name wins and keeps one entry', () => {
    const r = env([
      { name: 'X', value: 'a' },
      { name: 'X', value: '$(X)b' },
    ]);
    assert.deepEqual(r.env, [{ name: 'X', value: 'ab' }]);
  });

  it('does not expand valueFrom values, and an empty value with no valueFrom is empty', () => {
    const r = env(
      [
        { name: 'A', value: 'a' },
        { name: 'FROM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
        { name: 'E', value: '' },
      ],
      { configMaps: { cm: { k: '$(A)' } } },
    );
    assert.deepEqual(asObject(r), { A: 'a', FROM: '$(A)', E: '' });
  });

  it('envFrom comes first, with prefixes; env overrides it; invalid keys are skipped with the kubelet warning', () => {
    const r = resolveEnv(
      testPlan({
        configMaps: { cm: { HOST: 'db', 'bad key': 'x', '1st': 'y', PORT: '5432' } },
        secrets: { creds: { PASSWORD: 's3cret' } },
      }),
      testContainer({
        envFrom: [{ configMapRef: { name: 'cm' } }, { secretRef: { name: 'creds' }, prefix: 'DB_' }],
        env: [
          { name: 'PORT', value: '6543' },
          { name: 'URL', value: 'postgres://$(HOST):$(PORT)?pw=$(DB_PASSWORD)' },
        ],
      }),
      node,
    );
    assert.deepEqual(r.env, [
      { name: 'HOST', value: 'db' },
      { name: 'PORT', value: '6543' },
      { name: 'DB_PASSWORD', value: 's3cret' },
      { name: 'URL', value: 'postgres://db:6543?pw=s3cret' },
    ]);
    assert.deepEqual(r.warnings, [
      'Keys [1st, bad key] from the EnvFrom configMap default/cm were skipped since they are considered invalid environment variable names.',
    ]);
  });

  it('a prefix can make a key valid', () => {
    const r = resolveEnv(
      testPlan({ configMaps: { cm: { '1st': 'y' } } }),
      testContainer({ envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'P_' }] }),
      node,
    );
    assert.deepEqual(r.env, [{ name: 'P_1st', value: 'y' }]);
    assert.deepEqual(r.warnings, []);
  });

  it('envFrom of a missing source: error unless optional', () => {
    const c = (optional?: boolean) =>
      testContainer({ envFrom: [{ configMapRef: { name: 'nope', ...(optional ? { optional } : {}) } }] });
    assert.throws(() => resolveEnv(testPlan(), c(), node), { message: 'configmap "nope" not found' });
    assert.deepEqual(resolveEnv(testPlan(), c(true), node).env, []);
    const s = testContainer({ envFrom: [{ secretRef: { name: 'gone' } }] });
    assert.throws(() => resolveEnv(testPlan(), s, node), { message: 'secret "gone" not found' });
  });

  it('configMapKeyRef and secretKeyRef: values, missing keys, optional', () => {
    const plan = { configMaps: { cfg: { mode: 'fast' } }, secrets: { tok: { token: 'abc' } } };
    assert.deepEqual(
      asObject(
        env(
          [
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
            { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'tok', key: 'token' } } },
            { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'other', optional: true } } },
            { name: 'OPT2', valueFrom: { secretKeyRef: { name: 'none', key: 'x', optional: true } } },
          ],
          plan,
        ),
      ),
      { MODE: 'fast', TOKEN: 'abc' },
    );
    assert.throws(
      () => env([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing' } } }], plan),
      {
        message: "couldn't find key missing in ConfigMap default/cfg",
      },
    );
    assert.throws(
      () => env([{ name: 'X', valueFrom: { secretKeyRef: { name: 'tok', key: 'missing' } } }], plan),
      {
        message: "couldn't find key missing in Secret default/tok",
      },
    );
    assert.throws(
      () => env([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'other', key: 'k' } } }], plan),
      {
        message: 'configmap "other" not found',
      },
    );
    assert.throws(
      () => env([{ name: 'X', valueFrom: { secretKeyRef: { name: 'other', key: 'k' } } }], plan),
      {
        message: 'secret "other" not found',
      },
    );
  });

  it('fieldRef', () => {
    const plan = testPlan({ index: 3, annotations: { note: 'hello' } }, {
      serviceAccountName: 'runner',
    } as Record<string, unknown>);
    const f = (path: string) => fieldRefValue(plan, path, node);
    assert.equal(f('metadata.name'), 'pi-0-abcde');
    assert.equal(f('metadata.namespace'), 'default');
    assert.equal(f('metadata.uid'), 'pod-uid-1');
    assert.equal(f("metadata.labels['app']"), 'calc');
    assert.equal(f("metadata.labels['missing']"), '');
    assert.equal(f("metadata.annotations['note']"), 'hello');
    assert.equal(f("metadata.annotations['batch.kubernetes.io/job-completion-index']"), '3');
    assert.equal(f("metadata.labels['batch.kubernetes.io/job-completion-index']"), '3');
    assert.equal(f('spec.nodeName'), 'node-1');
    assert.equal(f('spec.serviceAccountName'), 'runner');
    assert.equal(fieldRefValue(testPlan(), 'spec.serviceAccountName', node), 'default');
    assert.equal(f('status.hostIP'), '10.0.0.1');
    assert.equal(f('status.podIP'), '127.0.0.1');
    assert.equal(fieldRefValue(plan, 'status.podIP', { ...node, podIP: '172.17.0.5' }), '172.17.0.5');
    assert.equal(fieldRefValue(testPlan({}, { hostNetwork: true }), 'status.podIP', node), '10.0.0.1');
    assert.equal(
      fieldRefValue(testPlan({ annotations: { b: '2', a: 'say "hi"' } }), 'metadata.annotations', node),
      'a="say \\"hi\\""\nb="2"',
    );
    assert.throws(() => f('spec.containers'), { message: 'unsupported fieldPath: spec.containers' });
    const r = env([{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    assert.deepEqual(r.env, [{ name: 'POD', value: 'pi-0-abcde' }]);
  });

  describe('resourceFieldRef', () => {
    const resources = { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } };
    const table: [string, string | undefined, string][] = [
      ['limits.cpu', undefined, '1'], // ceil(500m / 1)
      ['limits.cpu', '0', '1'], // "0" is the unset divisor, as the API server serves it
      ['limits.memory', '0', String(128 * 1024 * 1024)],
      ['limits.cpu', '1m', '500'],
      ['limits.cpu', '100m', '5'],
      ['limits.cpu', '300m', '2'],
      ['limits.memory', undefined, String(128 * 1024 * 1024)],
      ['limits.memory', '1Mi', '128'],
      ['limits.memory', '1M', '135'], // 134.217728 rounded up
      ['requests.cpu', '1m', '250'],
      ['requests.memory', '1Mi', '128'], // requests default to limits
      ['requests.ephemeral-storage', undefined, '0'],
    ];
    for (const [resource, divisor, want] of table) {
      it(`${resource} / ${divisor ?? '1'} = ${want}`, () => {
        const r = env(
          [{ name: 'V', valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } } }],
          {},
          { resources },
        );
        assert.deepEqual(r.env, [{ name: 'V', value: want }]);
      });
    }
    it("without a limit it is the node's allocatable", () => {
      const r = env([
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Gi' } } },
        { name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
      ]);
      assert.deepEqual(asObject(r), { CPU: '4', MEM: '8', REQ: '0' });
    });
    it('names another container by containerName', () => {
      const plan = testPlan(
        {},
        {
          containers: [
            testContainer({
              env: [
                {
                  name: 'SIDE',
                  valueFrom: {
                    resourceFieldRef: { containerName: 'side', resource: 'limits.memory', divisor: '1Mi' },
                  },
                },
              ],
            }),
            { name: 'side', image: 'busybox', resources: { limits: { memory: '64Mi' } } },
          ],
        },
      );
      assert.deepEqual(resolveEnv(plan, plan.spec.containers[0]!, node).env, [{ name: 'SIDE', value: '64' }]);
    });
  });

  describe('JOB_COMPLETION_INDEX', () => {
    it('is added last for Indexed pods, so earlier values do not see it', () => {
      const r = env([{ name: 'OUT', value: '/out/$(JOB_COMPLETION_INDEX)' }], { index: 2 });
      assert.deepEqual(r.env, [
        { name: 'OUT', value: '/out/$(JOB_COMPLETION_INDEX)' },
        { name: 'JOB_COMPLETION_INDEX', value: '2' },
      ]);
    });
    it('is index 0 too', () => {
      assert.deepEqual(env([], { index: 0 }).env, [{ name: 'JOB_COMPLETION_INDEX', value: '0' }]);
    });
    it('is not added when the container defines it', () => {
      const r = env([{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }], { index: 2 });
      assert.deepEqual(r.env, [{ name: 'JOB_COMPLETION_INDEX', value: 'mine' }]);
    });
    it('overrides an envFrom value (only env counts as defining it)', () => {
      const r = resolveEnv(
        testPlan({ index: 1, configMaps: { cm: { JOB_COMPLETION_INDEX: '9' } } }),
        testContainer({ envFrom: [{ configMapRef: { name: 'cm' } }] }),
        node,
      );
      assert.deepEqual(r.env, [{ name: 'JOB_COMPLETION_INDEX', value: '1' }]);
    });
    it('is absent for NonIndexed pods', () => {
      assert.deepEqual(env([]).env, []);
    });
  });
});
