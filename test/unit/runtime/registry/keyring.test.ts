import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  CredentialFormatError,
  decodeConfigEntry,
  isDefaultRegistryMatch,
  Keyring,
  keyringKey,
  urlsMatch,
} from '../../../../src/runtime/registry/keyring.js';
import {
  authKeyOf,
  convertToHostname,
  namesRegistry,
  parseImageReference,
} from '../../../../src/runtime/registry/reference.js';

describe('keyring (kubelet credentialprovider/keyring.go)', () => {
  it('files an entry under host[/path], scheme and /v1/ or /v2/ dropped', () => {
    const table: [string, string][] = [
      ['quay.io', 'quay.io'],
      ['https://quay.io', 'quay.io'],
      ['https://quay.io/', 'quay.io'],
      ['http://127.0.0.1:5000', '127.0.0.1:5000'],
      ['https://index.docker.io/v1/', 'index.docker.io'],
      ['https://registry.example.com/v2/team', 'registry.example.com/team'],
      ['quay.io/coreos', 'quay.io/coreos'],
    ];
    for (const [loc, key] of table) assert.equal(keyringKey(loc), key, loc);
  });

  it('matches host parts as globs, the port exactly, the path as a prefix', () => {
    const table: [string, string, boolean][] = [
      ['*.docker.io', 'blah.docker.io/x', true],
      ['*.docker.io', 'not.right.io/x', false],
      ['*.kubernetes.io', 'k8s.io/x', false],
      ['registry.example.com', 'registry.example.com/team/app', true],
      ['registry.example.com/team', 'registry.example.com/team/app', true],
      ['registry.example.com/other', 'registry.example.com/team/app', false],
      ['127.0.0.1:5000', '127.0.0.1:5000/app', true],
      ['127.0.0.1:5000', '127.0.0.1:5001/app', false],
      ['127.0.0.1', '127.0.0.1:5000/app', false],
      ['gcr.io', 'us.gcr.io/app', false],
      ['*.gcr.io', 'us.gcr.io/app', true],
      ['prefix.*.io', 'prefix.foo.io/app', true],
    ];
    for (const [glob, target, want] of table)
      assert.equal(urlsMatch(glob, target), want, `${glob} ~ ${target}`);
  });

  it('Docker Hub: names without a registry, docker.io and index.docker.io', () => {
    const table: [string, boolean][] = [
      ['busybox', true],
      ['library/busybox', true],
      ['docker.io/library/busybox', true],
      ['index.docker.io/library/busybox', true],
      ['quay.io/x', false],
      ['localhost:5000/x', false],
      ['', false],
    ];
    for (const [image, want] of table) assert.equal(isDefaultRegistryMatch(image), want, image);
  });

  it('looks up the most specific key first, Docker Hub credentials for Hub images', () => {
    const keyring = new Keyring();
    keyring.add(
      [
        ['quay.io', { username: 'host' }],
        ['quay.io/coreos', { username: 'path' }],
        ['https://index.docker.io/v1/', { username: 'hub' }],
      ],
      'secret a',
    );
    keyring.add([['quay.io', { username: 'second' }]], 'secret b');
    assert.deepEqual(
      keyring.lookup('quay.io/coreos/etcd').map((c) => `${c.auth.username} (${c.source})`),
      ['path (secret a)', 'host (secret a)', 'second (secret b)'],
    );
    assert.deepEqual(
      keyring.lookup('docker.io/library/busybox').map((c) => c.auth.username),
      ['hub'],
    );
    assert.deepEqual(keyring.lookup('gcr.io/x/y'), []);
  });

  it('decodes `auth` as base64(username:password); refuses what is not, naming where, never the value', () => {
    const auth = Buffer.from('alice:pa:ss').toString('base64');
    assert.deepEqual(decodeConfigEntry({ auth }, 'x'), { username: 'alice', password: 'pa:ss' });
    assert.deepEqual(decodeConfigEntry({ username: 'u', password: 'p', email: 'e' }, 'x'), {
      username: 'u',
      password: 'p',
    });
    assert.throws(
      () => decodeConfigEntry({ auth: Buffer.from('no-colon-here').toString('base64') }, 'secret "s"'),
      (err: unknown) =>
        err instanceof CredentialFormatError &&
        err.message === 'secret "s".auth: must be formatted as base64(username:password)',
    );
    assert.throws(
      () => decodeConfigEntry({ auth: 'sup3r$ecret!' }, 'e'),
      (err: unknown) => err instanceof CredentialFormatError && !err.message.includes('sup3r'),
    );
    assert.throws(() => decodeConfigEntry('x', 'e'), CredentialFormatError);
  });
});

describe('image references (distribution/reference ParseNormalizedNamed)', () => {
  it('splits registry, normalized repository, tag and digest', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const table: [string, string, string, string | undefined, string | undefined][] = [
      ['busybox', 'docker.io', 'docker.io/library/busybox', undefined, undefined],
      ['busybox:1.36', 'docker.io', 'docker.io/library/busybox', '1.36', undefined],
      ['me/app:1', 'docker.io', 'docker.io/me/app', '1', undefined],
      ['index.docker.io/me/app', 'docker.io', 'docker.io/me/app', undefined, undefined],
      ['localhost/app', 'localhost', 'localhost/app', undefined, undefined],
      ['127.0.0.1:5000/team/app:2', '127.0.0.1:5000', '127.0.0.1:5000/team/app', '2', undefined],
      [`127.0.0.1:5000/app@${d}`, '127.0.0.1:5000', '127.0.0.1:5000/app', undefined, d],
      [`busybox:latest@${d}`, 'docker.io', 'docker.io/library/busybox', 'latest', d],
    ];
    for (const [image, domain, repository, tag, digest] of table) {
      const ref = parseImageReference(image);
      assert.deepEqual(
        [ref.domain, ref.repository, ref.tag, ref.digest],
        [domain, repository, tag, digest],
        image,
      );
    }
  });

  it('a reference names its registry when its first component is a domain', () => {
    const table: [string, boolean][] = [
      ['busybox', false],
      ['busybox:1.36', false],
      ['me/app:1', false],
      [`busybox@sha256:${'a'.repeat(64)}`, false],
      ['docker.io/library/busybox', true],
      ['localhost/app', true],
      ['localhost:5000/app', true],
      ['10.203.7.11:5000/priv/app:1', true],
      ['registry.example.com/team/app', true],
    ];
    for (const [image, want] of table) assert.equal(namesRegistry(image), want, image);
  });

  it('the docker CLI auth key: https://index.docker.io/v1/ for Hub, else host:port', () => {
    assert.equal(authKeyOf(parseImageReference('busybox')), 'https://index.docker.io/v1/');
    assert.equal(authKeyOf(parseImageReference('docker.io/me/x')), 'https://index.docker.io/v1/');
    assert.equal(authKeyOf(parseImageReference('127.0.0.1:5000/x')), '127.0.0.1:5000');
    assert.equal(convertToHostname('https://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
    assert.equal(convertToHostname('registry.example.com/team'), 'registry.example.com');
  });
});
