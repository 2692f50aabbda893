import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CredentialHelperError } from '../../../../src/runtime/registry/credential-helper.js';
import { credentialsFor, credentialStrings } from '../../../../src/runtime/registry/credentials.js';
import { dockerConfigPath } from '../../../../src/runtime/registry/docker-config.js';
import { CredentialFormatError } from '../../../../src/runtime/registry/keyring.js';
import { pullSecretEntries } from '../../../../src/runtime/registry/pull-secrets.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('pull Secrets (kubelet secrets.go MakeDockerKeyring)', () => {
  it('reads .dockerconfigjson auths and .dockercfg entries', () => {
    assert.deepEqual(
      pullSecretEntries({
        name: 'a',
        data: { '.dockerconfigjson': JSON.stringify({ auths: { 'r.io': { auth: b64('u:p') } } }) },
      }),
      [['r.io', { username: 'u', password: 'p' }]],
    );
    assert.deepEqual(
      pullSecretEntries({
        name: 'b',
        data: { '.dockercfg': JSON.stringify({ 'r.io': { username: 'u', password: 'p' } }) },
      }),
      [['r.io', { username: 'u', password: 'p' }]],
    );
    assert.deepEqual(pullSecretEntries({ name: 'c', data: { other: 'x' } }), []);
  });

  it('what does not parse names the Secret and the key, never the contents', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { '.dockerconfigjson': '{"auths": "hunter2-secret"' },
        /secret "s" key \.dockerconfigjson: not a JSON object$/,
      ],
      [{ '.dockerconfigjson': '{"auths": ["hunter2-secret"]}' }, /"auths": an object of registries/],
      [
        { '.dockercfg': JSON.stringify({ 'r.io': { auth: b64('hunter2-secret') } }) },
        /registry "r\.io"\.auth: must be formatted/,
      ],
    ];
    for (const [data, want] of cases)
      assert.throws(
        () => pullSecretEntries({ name: 's', data }),
        (err: unknown) =>
          err instanceof CredentialFormatError && want.test(err.message) && !err.message.includes('hunter2'),
      );
  });
});

describe('credentials for a pull, in the kubelet order', () => {
  let dir: string;
  const env = (config: string, path = '/nonexistent') => ({ DOCKER_CONFIG: config, PATH: path, HOME: dir });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tjob-creds-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const config = async (name: string, content: unknown): Promise<string> => {
    const d = join(dir, name);
    await rm(d, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(d);
    await writeFile(join(d, 'config.json'), JSON.stringify(content));
    return d;
  };

  it('finds the config at $DOCKER_CONFIG/config.json, else ~/.docker/config.json', () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/c', HOME: '/h' }), '/c/config.json');
    assert.equal(dockerConfigPath({ HOME: '/h' }), '/h/.docker/config.json');
  });

  it('pull Secrets first, then the Docker config; none: anonymous', async () => {
    const c = await config('both', { auths: { 'https://r.io/v1/': { auth: b64('file:fpw') } } });
    const secret = {
      name: 's',
      data: { '.dockerconfigjson': JSON.stringify({ auths: { 'r.io': { auth: b64('sec:spw') } } }) },
    };
    const got = await credentialsFor('r.io/team/app:1', [secret], { env: env(c) });
    assert.deepEqual(
      got.map((x) => [x.auth.username, x.source]),
      [
        ['sec', 'imagePullSecrets "s"'],
        ['file', `${join(c, 'config.json')} auths`],
      ],
    );
    assert.deepEqual(await credentialsFor('other.io/app', [secret], { env: env(c) }), []);
    assert.deepEqual(await credentialsFor('r.io/app', [], { env: env(join(dir, 'none')) }), []);
    assert.deepEqual(credentialStrings(got).sort(), [b64('file:fpw'), b64('sec:spw'), 'fpw', 'spw'].sort());
  });

  it('Docker Hub: the https://index.docker.io/v1/ key', async () => {
    const c = await config('hub', { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } });
    const got = await credentialsFor('busybox', [], { env: env(c) });
    assert.equal(got[0]?.auth.username, 'hub');
    assert.equal(got[0]?.auth.serveraddress, 'https://index.docker.io/v1/');
  });

  it('helpers: credHelpers for the registry over credsStore; not found is no credentials; failures name the helper', async () => {
    const bin = join(dir, 'bin');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(bin, { recursive: true });
    const helper = async (name: string, body: string) => {
      await writeFile(join(bin, `docker-credential-${name}`), `#!/bin/sh\nread -r s\n${body}\n`);
      await chmod(join(bin, `docker-credential-${name}`), 0o755);
    };
    await helper('good', `printf '{"ServerURL":"%s","Username":"hu","Secret":"hs"}' "$s"`);
    await helper('token', `printf '{"ServerURL":"%s","Username":"<token>","Secret":"tok"}' "$s"`);
    await helper('none', `echo 'credentials not found in native keychain'; exit 1`);
    await helper('broken', `echo 'keychain locked' >&2; exit 3`);
    const c = await config('helpers', {
      credsStore: 'none',
      credHelpers: { 'r.io': 'good', 't.io': 'token', 'b.io': 'broken', 'm.io': 'missing' },
      auths: { 'r.io': { auth: b64('ignored:x') } },
    });
    const e = env(c, bin);
    assert.deepEqual((await credentialsFor('r.io/a', [], { env: e }))[0]?.auth, {
      serveraddress: 'r.io',
      username: 'hu',
      password: 'hs',
    });
    assert.match(
      (await credentialsFor('r.io/a', [], { env: e }))[0]!.source,
      /^docker-credential-good \(credHelpers\["r\.io"\] in /,
    );
    assert.deepEqual((await credentialsFor('t.io/a', [], { env: e }))[0]?.auth, {
      serveraddress: 't.io',
      identitytoken: 'tok',
    });
    assert.deepEqual(await credentialsFor('other.io/a', [], { env: e }), []);
    await assert.rejects(
      credentialsFor('b.io/a', [], { env: e }),
      (err: unknown) =>
        err instanceof CredentialHelperError &&
        err.message === 'credential helper docker-credential-broken failed for b.io: keychain locked',
    );
    await assert.rejects(
      credentialsFor('m.io/a', [], { env: e }),
      (err: unknown) =>
        err instanceof CredentialHelperError &&
        err.message === 'credential helper docker-credential-missing is not on PATH',
    );
  });

  it('a config that is not JSON is named', async () => {
    const d = join(dir, 'bad');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'config.json'), '{"auths": {');
    await assert.rejects(
      credentialsFor('r.io/a', [], { env: env(d) }),
      (err: unknown) =>
        err instanceof CredentialFormatError &&
        err.message === `the Docker config ${join(d, 'config.json')} is not a JSON object`,
    );
  });
});
