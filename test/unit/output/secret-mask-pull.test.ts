import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { maskFor } from '../../../src/output/secret-mask.js';

describe('masking the credentials of imagePullSecrets', () => {
  it('masks the docker config, each password and auth, and the password inside an auth', () => {
    const auth = Buffer.from('alice:from-auth-pw').toString('base64');
    const json = JSON.stringify({
      auths: {
        'r.io': { auth },
        'q.io': { username: 'bob', password: 'plain-pw-123' },
        't.io': { identitytoken: 'tok-xyz-1' },
      },
    });
    const mask = maskFor(
      { containers: [{ name: 'c', image: 'r.io/x' }], imagePullSecrets: [{ name: 'regcred' }] },
      { regcred: { '.dockerconfigjson': json }, unused: { k: 'not-masked-value' } },
    );
    const text = `error: plain-pw-123 / ${auth} / from-auth-pw / tok-xyz-1 / not-masked-value`;
    assert.equal(mask.mask(text), 'error: *** / *** / *** / *** / not-masked-value');
    assert.equal(mask.mask(json), '***');
  });

  it('a .dockercfg Secret too', () => {
    const cfg = JSON.stringify({ 'r.io': { username: 'u', password: 'cfg-password' } });
    const mask = maskFor(
      { containers: [{ name: 'c', image: 'r.io/x' }], imagePullSecrets: [{ name: 'old' }] },
      { old: { '.dockercfg': cfg } },
    );
    assert.equal(mask.mask('denied for cfg-password'), 'denied for ***');
  });
});
