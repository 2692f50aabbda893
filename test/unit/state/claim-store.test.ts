// The claims' port (src/ports/claims.ts) on the state directory: claims/<name>.json, bound to a
// volume when stored, immutable but for what binding fills in, marked before they are removed.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../../src/api/errors.js';
import type { PersistentVolumeClaim } from '../../../src/api/k8s.js';
import { FileClaimStore } from '../../../src/state/claim-store.js';
import { StateDirectory } from '../../../src/state/state-directory.js';
import { tempDir } from '../../support/jobs.js';

function claim(name: string, storage = '1Gi', labels?: Record<string, string>): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  };
}

const now = new Date('2026-03-01T10:00:00.123Z');

function storeAt(root = tempDir('tjob-claims-')) {
  return { root, claims: new FileClaimStore(new StateDirectory(root)) };
}

describe('FileClaimStore', () => {
  it('stores a new claim bound to its volume, and keeps it as it is when stored again', async () => {
    const { root, claims } = storeAt();
    assert.deepEqual(await claims.listClaims(), []);
    assert.equal(await claims.loadClaim('data'), undefined);
    assert.equal(await claims.saveClaim(claim('data'), now, 'u-1'), 'created');
    const stored = await claims.loadClaim('data');
    assert.equal(stored?.metadata.uid, 'u-1');
    assert.equal(stored?.metadata.creationTimestamp, '2026-03-01T10:00:00Z');
    assert.deepEqual(stored?.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    assert.equal(stored?.spec.volumeName, 'pvc-u-1');
    assert.equal(stored?.status?.phase, 'Bound');
    // A request for more storage is not a change of spec (resources may change); the claim stays.
    assert.equal(await claims.saveClaim(claim('data', '2Gi'), new Date(), 'u-2'), 'unchanged');
    assert.equal((await claims.loadClaim('data'))?.metadata.uid, 'u-1');
    const path = join(root, 'claims', 'data.json');
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), stored);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(root, 'state.json')).isFile(), true, 'the state directory is made first');
  });

  it('refuses a change of the spec as the API server does, naming the claim and the way out', async () => {
    const { claims } = storeAt();
    await claims.saveClaim(claim('data'), now, 'u-1');
    const changed = claim('data');
    changed.spec.accessModes = ['ReadWriteMany'];
    await assert.rejects(claims.saveClaim(changed, now, 'u-2'), (err: unknown) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, /PersistentVolumeClaim "data" is invalid: spec: Forbidden/);
      assert.match(err.hint ?? '', /tjob delete pvc data/);
      return true;
    });
    assert.deepEqual((await claims.loadClaim('data'))?.spec.accessModes, ['ReadWriteOnce']);
  });

  it('lists claims by name', async () => {
    const { claims } = storeAt();
    for (const n of ['b', 'c', 'a']) await claims.saveClaim(claim(n), now, `u-${n}`);
    assert.deepEqual(
      (await claims.listClaims()).map((c) => c.metadata.name),
      ['a', 'b', 'c'],
    );
  });

  it('marks a claim terminating once (the first request stands), then removes it', async () => {
    const { claims } = storeAt();
    assert.equal(await claims.markClaimTerminating('none', now), undefined);
    await claims.saveClaim(claim('data'), now, 'u-1');
    const marked = await claims.markClaimTerminating('data', now);
    assert.equal(marked?.metadata.deletionTimestamp, '2026-03-01T10:00:00Z');
    const again = await claims.markClaimTerminating('data', new Date('2026-03-01T11:00:00Z'));
    assert.equal(again?.metadata.deletionTimestamp, '2026-03-01T10:00:00Z');
    assert.equal((await claims.loadClaim('data'))?.metadata.deletionTimestamp, '2026-03-01T10:00:00Z');
    await claims.removeClaim('data');
    assert.equal(await claims.loadClaim('data'), undefined);
    await claims.removeClaim('data');
  });
});
