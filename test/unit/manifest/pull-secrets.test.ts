import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dump } from 'js-yaml';

import { loadManifests } from '../../../src/manifest/index.js';
import { errors, job, load } from './helpers.js';

const secret = (
  name: string,
  type: string | undefined,
  data: Record<string, string>,
  asStringData = false,
) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  ...(type ? { type } : {}),
  [asStringData ? 'stringData' : 'data']: asStringData
    ? data
    : Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

describe('docker config Secrets (ValidateSecret)', () => {
  it('a kubernetes.io/dockerconfigjson Secret needs .dockerconfigjson holding a JSON object', () => {
    const type = 'kubernetes.io/dockerconfigjson';
    assert.deepEqual(errors(secret('a', type, { '.dockerconfigjson': '{"auths":{}}' })), []);
    assert.deepEqual(errors(secret('a', type, { '.dockerconfigjson': '{"auths":{}}' }, true)), []);
    assert.deepEqual(errors(secret('a', type, { other: '{}' })), [
      'data[.dockerconfigjson]: Required value: a Secret of type kubernetes.io/dockerconfigjson holds its docker config under this key',
    ]);
    const bad = errors(secret('a', type, { '.dockerconfigjson': '{"auths": {"r.io": "hunter2pw"' }));
    assert.deepEqual(bad, [
      'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": must be a JSON object',
    ]);
  });

  it('a kubernetes.io/dockercfg Secret needs .dockercfg; other types are not checked', () => {
    assert.deepEqual(errors(secret('b', 'kubernetes.io/dockercfg', { '.dockercfg': '[1]' })), [
      'data[.dockercfg]: Invalid value: "<secret contents redacted>": must be a JSON object',
    ]);
    assert.deepEqual(errors(secret('c', 'Opaque', { '.dockercfg': 'not json' })), []);
  });
});

describe('imagePullSecrets references', () => {
  const withPull = job({}, { imagePullSecrets: [{ name: 'regcred' }] });

  it('a Secret of a docker config type: no warning; of another type: a warning that pulls ignore it', () => {
    const ok = load([
      secret('regcred', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': '{}' }),
      withPull,
    ]);
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(
      ok.warnings.filter((w) => w.includes('imagePullSecrets')),
      [],
    );
    const opaque = load([secret('regcred', undefined, { k: 'v' }), withPull]);
    assert.deepEqual(opaque.errors, []);
    assert.deepEqual(
      opaque.warnings.filter((w) => w.includes('imagePullSecrets')),
      [
        'Warning: job.yaml (document 2): spec.template.spec.imagePullSecrets[0]: secret "regcred" is of type Opaque; pulls use only Secrets of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg, so this one is ignored',
      ],
    );
  });

  it('a missing one is no error (the kubelet pulls without it): a warning; a stored one is fine', () => {
    const text = dump(withPull);
    const missing = loadManifests([{ name: 'job.yaml', text }], {}, { knownSecrets: [] });
    assert.deepEqual(missing.errors, []);
    assert.deepEqual(
      missing.warnings.filter((w) => w.includes('imagePullSecrets')),
      [
        'Warning: job.yaml: spec.template.spec.imagePullSecrets[0]: secret "regcred" is not in these manifests or stored with tjob apply; pulls go on without it',
      ],
    );
    const stored = loadManifests([{ name: 'job.yaml', text }], {}, { knownSecrets: ['regcred'] });
    assert.deepEqual(
      stored.warnings.filter((w) => w.includes('imagePullSecrets')),
      [],
    );
  });

  it('is no longer reported as ignored', () => {
    const r = load(withPull);
    assert.ok(
      !r.warnings.some((w) => /ignored on a single node.*imagePullSecrets/.test(w)),
      r.warnings.join('\n'),
    );
  });
});
