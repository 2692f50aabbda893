import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { Job } from '../../../src/api/k8s.js';
import { imagesOf } from '../../../src/engine/images.js';
import { defaultPullPolicy } from '../../../src/manifest/pod-defaults.js';

function jobWith(
  containers: { image: string; imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never' }[],
  pullSecrets: string[] = [],
): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j' },
    spec: {
      template: {
        spec: {
          containers: containers.map((c, i) => ({ name: `c${i}`, ...c })),
          ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
        },
      },
    },
  } as Job;
}

describe('imagesOf', () => {
  it('an unset policy defaults as the API server does (pod-defaults), digests included', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const images = [
      'busybox',
      'busybox:latest',
      'busybox:1.36',
      `busybox@${d}`,
      `busybox:latest@${d}`,
      '127.0.0.1:5000/x',
    ];
    const got = imagesOf([{ job: jobWith(images.map((image) => ({ image }))), secrets: {} }]);
    assert.deepEqual(
      got.map((r) => [r.image, r.pullPolicy]),
      images.map((i) => [i, defaultPullPolicy(i)]),
    );
    assert.deepEqual(
      got.map((r) => r.pullPolicy),
      ['Always', 'Always', 'IfNotPresent', 'IfNotPresent', 'Always', 'Always'],
    );
  });

  it('one entry per image, the strictest policy, the pull Secrets of every job that names it', () => {
    const secrets = {
      a: { '.dockerconfigjson': '{"auths":{}}' },
      b: { '.dockercfg': '{}' },
    };
    const got = imagesOf([
      { job: jobWith([{ image: 'x:1', imagePullPolicy: 'Never' }], ['a', 'missing']), secrets },
      { job: jobWith([{ image: 'x:1', imagePullPolicy: 'Always' }], ['b', 'a']), secrets },
      { job: jobWith([{ image: 'y:1', imagePullPolicy: 'IfNotPresent' }]), secrets },
    ]);
    assert.deepEqual(got, [
      {
        image: 'x:1',
        pullPolicy: 'Always',
        pullSecrets: [
          { name: 'a', data: secrets.a },
          { name: 'b', data: secrets.b },
        ],
      },
      { image: 'y:1', pullPolicy: 'IfNotPresent' },
    ]);
  });
});
