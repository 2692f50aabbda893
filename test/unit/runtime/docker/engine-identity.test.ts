// Which engine answers, from `GET /version` as Docker 20.10 and Podman 4.3's compatible service
// answer it (bodies trimmed from this machine's engines).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeIdentity, engineIdentity } from '../../../../src/runtime/docker/engine-identity.js';

describe('engine identity', () => {
  it('Docker: its Engine component', () => {
    const id = engineIdentity({
      Components: [{ Name: 'Engine', Version: '20.10.24+dfsg1' }, { Name: 'containerd' }, { Name: 'runc' }],
      Version: '20.10.24+dfsg1',
      ApiVersion: '1.41',
      MinAPIVersion: '1.12',
    });
    assert.deepEqual(id, {
      product: 'Docker',
      version: '20.10.24+dfsg1',
      apiVersion: '1.41',
      minApiVersion: '1.12',
    });
    assert.equal(describeIdentity(id), 'Docker 20.10.24+dfsg1 (API 1.41)');
  });

  it('Podman: its "Podman Engine" component; the Docker API version it serves', () => {
    const id = engineIdentity({
      Platform: { Name: 'linux/amd64/debian-12' },
      Components: [
        { Name: 'Podman Engine', Version: '4.3.1', Details: { APIVersion: '4.3.1' } },
        { Name: 'Conmon' },
        { Name: 'OCI Runtime (runc)' },
      ],
      Version: '4.3.1',
      ApiVersion: '1.41',
      MinAPIVersion: '1.24',
    });
    assert.equal(describeIdentity(id), 'Podman 4.3.1 (API 1.41)');
  });

  it('an old engine without components is Docker; missing fields are unknown', () => {
    assert.equal(describeIdentity(engineIdentity({ Version: '1.13.1' })), 'Docker 1.13.1 (API unknown)');
    assert.equal(describeIdentity(engineIdentity(null)), 'Docker unknown (API unknown)');
  });
});
