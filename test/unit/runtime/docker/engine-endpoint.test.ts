// Which engine tjob reaches, as the docker CLI resolves it (docker/cli cli/command/cli.go
// resolveContextName; cli/context/docker/load.go): DOCKER_HOST, then DOCKER_CONTEXT, then the
// configuration's currentContext, then the local socket; contexts as `docker context create` stores
// them (meta.json under the sha256 of the name, TLS files beside).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  contextDirName,
  dockerodeOptions,
  EngineContextError,
  resolveEngineEndpoint,
  type Env,
} from '../../../../src/runtime/docker/engine-endpoint.js';
import { tempDir } from '../../../support/jobs.js';

/** A docker configuration directory with these contexts (name → host; `tls` adds its files). */
function dockerConfig(
  options: {
    current?: string;
    contexts?: Record<string, { host?: string; skipTls?: boolean; tls?: boolean; raw?: string }>;
    configText?: string;
  } = {},
): string {
  const dir = tempDir('tjob-docker-config-');
  if (options.configText !== undefined) writeFileSync(join(dir, 'config.json'), options.configText);
  else if (options.current !== undefined)
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: {}, currentContext: options.current }));
  for (const [name, c] of Object.entries(options.contexts ?? {})) {
    const hash = createHash('sha256').update(name).digest('hex');
    const meta = join(dir, 'contexts', 'meta', hash);
    mkdirSync(meta, { recursive: true });
    const endpoints =
      c.host === undefined ? {} : { docker: { Host: c.host, SkipTLSVerify: c.skipTls ?? false } };
    writeFileSync(
      join(meta, 'meta.json'),
      c.raw ?? JSON.stringify({ Name: name, Metadata: {}, Endpoints: endpoints }),
    );
    if (c.tls) {
      const tls = join(dir, 'contexts', 'tls', hash, 'docker');
      mkdirSync(tls, { recursive: true });
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(tls, f), `${f} of ${name}\n`);
    }
  }
  return dir;
}

const NoSocketHome = '/nonexistent-home';

describe('engine endpoint: which context, in the docker CLI order', () => {
  const cfg = dockerConfig({
    current: 'colima',
    contexts: {
      colima: { host: 'unix:///home/u/.colima/default/docker.sock' },
      podman: { host: 'unix:///run/user/1000/podman/podman.sock' },
    },
  });
  const cases: [string, Env, string, string][] = [
    [
      'DOCKER_HOST wins over DOCKER_CONTEXT and currentContext',
      { DOCKER_HOST: 'unix:///tmp/other.sock', DOCKER_CONTEXT: 'podman', DOCKER_CONFIG: cfg },
      'unix:///tmp/other.sock',
      'DOCKER_HOST',
    ],
    [
      'DOCKER_CONTEXT wins over currentContext',
      { DOCKER_CONTEXT: 'podman', DOCKER_CONFIG: cfg },
      'unix:///run/user/1000/podman/podman.sock',
      'context "podman"',
    ],
    [
      'currentContext of config.json',
      { DOCKER_CONFIG: cfg },
      'unix:///home/u/.colima/default/docker.sock',
      'context "colima"',
    ],
    [
      'DOCKER_CONTEXT=default is the local socket, whatever currentContext says',
      { DOCKER_CONTEXT: 'default', DOCKER_CONFIG: cfg, HOME: NoSocketHome },
      'unix:///var/run/docker.sock',
      'the default socket',
    ],
    [
      'an empty DOCKER_HOST counts as unset',
      { DOCKER_HOST: '', DOCKER_CONFIG: cfg },
      'unix:///home/u/.colima/default/docker.sock',
      'context "colima"',
    ],
    [
      'no configuration at all: the local socket',
      { DOCKER_CONFIG: '/nonexistent/docker-config', HOME: NoSocketHome },
      'unix:///var/run/docker.sock',
      'the default socket',
    ],
    [
      'a configuration without currentContext: the local socket',
      { DOCKER_CONFIG: dockerConfig({ configText: '{"auths":{}}' }), HOME: NoSocketHome },
      'unix:///var/run/docker.sock',
      'the default socket',
    ],
  ];
  for (const [what, env, host, source] of cases) {
    it(what, () => {
      const e = resolveEngineEndpoint(env);
      assert.equal(e.host, host);
      assert.equal(e.source, source);
    });
  }

  it('DOCKER_CONFIG unset: ~/.docker of HOME', () => {
    const home = tempDir('tjob-home-');
    mkdirSync(join(home, '.docker', 'contexts'), { recursive: true });
    writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'c' }));
    const hash = contextDirName('c');
    mkdirSync(join(home, '.docker', 'contexts', 'meta', hash), { recursive: true });
    writeFileSync(
      join(home, '.docker', 'contexts', 'meta', hash, 'meta.json'),
      JSON.stringify({ Name: 'c', Endpoints: { docker: { Host: 'tcp://10.0.0.5:2375' } } }),
    );
    assert.equal(resolveEngineEndpoint({ HOME: home }).host, 'tcp://10.0.0.5:2375');
  });

  it("a context's directory is the sha256 of its name, as the docker CLI stores it", () => {
    // `docker context create tjobtest` made contexts/meta/fc617a91.../meta.json.
    assert.equal(
      contextDirName('tjobtest'),
      'fc617a91d1a060c1d6e35505da6b4085b4a5e129f575f03e55d9163bc0b8a836',
    );
  });
});

describe('engine endpoint: TLS of a context and of DOCKER_TLS_VERIFY', () => {
  it("a context's TLS files make the connection https with them", () => {
    const cfg = dockerConfig({ contexts: { remote: { host: 'tcp://192.0.2.7:2376', tls: true } } });
    const e = resolveEngineEndpoint({ DOCKER_CONTEXT: 'remote', DOCKER_CONFIG: cfg });
    assert.equal(e.tls?.skipVerify, false);
    assert.match(e.tls?.ca ?? '', /contexts\/tls\/[0-9a-f]{64}\/docker\/ca\.pem$/);
    const o = dockerodeOptions(e, {});
    assert.equal(o.protocol, 'https');
    assert.equal(o.host, '192.0.2.7');
    assert.equal(o.port, '2376');
    assert.equal(String(o.ca), 'ca.pem of remote\n');
    assert.equal(String(o.cert), 'cert.pem of remote\n');
    assert.equal(String(o.key), 'key.pem of remote\n');
  });

  it('SkipTLSVerify without files: https that does not verify', () => {
    const cfg = dockerConfig({ contexts: { lab: { host: 'tcp://192.0.2.8', skipTls: true } } });
    const e = resolveEngineEndpoint({ DOCKER_CONTEXT: 'lab', DOCKER_CONFIG: cfg });
    const o = dockerodeOptions(e, {}) as {
      protocol?: string;
      port?: string;
      agent?: { options?: { rejectUnauthorized?: boolean } };
    };
    assert.equal(o.protocol, 'https');
    assert.equal(o.port, '2376');
    assert.equal(o.agent?.options?.rejectUnauthorized, false);
  });

  it('a tcp context without TLS: plain http on 2375, as the docker CLI', () => {
    const cfg = dockerConfig({ contexts: { plain: { host: 'tcp://192.0.2.9' } } });
    const o = dockerodeOptions(resolveEngineEndpoint({ DOCKER_CONTEXT: 'plain', DOCKER_CONFIG: cfg }), {});
    assert.deepEqual(o, { host: '192.0.2.9', port: '2375', protocol: 'http' });
  });

  it('DOCKER_TLS_VERIFY reads DOCKER_CERT_PATH, else the configuration directory', () => {
    const certs = tempDir('tjob-certs-');
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, f), f);
    const fromPath = resolveEngineEndpoint({
      DOCKER_HOST: 'tcp://192.0.2.10:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
    });
    assert.equal(fromPath.tls?.ca, join(certs, 'ca.pem'));
    assert.equal(dockerodeOptions(fromPath, {}).protocol, 'https');
    const fromConfig = resolveEngineEndpoint({
      DOCKER_HOST: 'tcp://192.0.2.10:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CONFIG: certs,
    });
    assert.equal(fromConfig.tls?.key, join(certs, 'key.pem'));
  });

  it('a missing TLS file is named, with a hint', () => {
    const e = resolveEngineEndpoint({
      DOCKER_HOST: 'tcp://192.0.2.10:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/nonexistent/certs',
    });
    assert.throws(
      () => dockerodeOptions(e, {}),
      (err: unknown) => {
        assert.ok(err instanceof EngineContextError);
        assert.match(
          err.message,
          /CA certificate .* tcp:\/\/192\.0\.2\.10:2376 \(DOCKER_HOST\): .*\/nonexistent\/certs\/ca\.pem/,
        );
        assert.match(err.hint ?? '', /DOCKER_CERT_PATH/);
        return true;
      },
    );
  });

  it('unix, ssh and npipe addresses', () => {
    assert.deepEqual(dockerodeOptions({ host: 'unix:///tmp/x.sock', source: 'DOCKER_HOST' }, {}), {
      socketPath: '/tmp/x.sock',
    });
    assert.deepEqual(
      dockerodeOptions(
        { host: 'ssh://me@example.test:2222', source: 'DOCKER_HOST' },
        { SSH_AUTH_SOCK: '/a' },
      ),
      { protocol: 'ssh', host: 'example.test', port: '2222', username: 'me', sshOptions: { agent: '/a' } },
    );
  });
});

describe('engine endpoint: a context that names nothing usable', () => {
  const rejects = (env: Env, message: RegExp, hint: RegExp) => () =>
    assert.throws(
      () => resolveEngineEndpoint(env),
      (err: unknown) => {
        assert.ok(err instanceof EngineContextError, String(err));
        assert.equal(err.exitCode, 3);
        assert.match(err.message, message);
        assert.match(err.hint ?? '', hint);
        return true;
      },
    );

  const cfg = dockerConfig({
    current: 'gone',
    contexts: {
      broken: { raw: '{"Name": "broken", ' },
      k8sonly: {},
      nohost: { raw: JSON.stringify({ Name: 'nohost', Endpoints: { docker: { SkipTLSVerify: false } } }) },
    },
  });
  it(
    'DOCKER_CONTEXT naming no context: the name, the variable and the file looked for',
    rejects(
      { DOCKER_CONTEXT: 'nope', DOCKER_CONFIG: cfg },
      /^Docker context "nope" \(from DOCKER_CONTEXT\) does not exist: no .*\/contexts\/meta\/[0-9a-f]{64}\/meta\.json$/,
      /docker context use|DOCKER_HOST/,
    ),
  );
  it(
    'currentContext naming no context: the configuration file named',
    rejects(
      { DOCKER_CONFIG: cfg },
      new RegExp(`^Docker context "gone" \\(from currentContext in ${cfg}/config\\.json\\) does not exist`),
      /docker context use/,
    ),
  );
  it(
    'an unreadable meta.json: the context and the file',
    rejects(
      { DOCKER_CONTEXT: 'broken', DOCKER_CONFIG: cfg },
      /^Docker context "broken" is unreadable: .*meta\.json: .*JSON/,
      /docker context rm/,
    ),
  );
  it(
    'a context without a docker endpoint',
    rejects(
      { DOCKER_CONTEXT: 'k8sonly', DOCKER_CONFIG: cfg },
      /^Docker context "k8sonly" has no docker endpoint: .*meta\.json$/,
      /docker context update/,
    ),
  );
  it(
    'a docker endpoint without a host',
    rejects(
      { DOCKER_CONTEXT: 'nohost', DOCKER_CONFIG: cfg },
      /^Docker context "nohost" has no engine address \(Endpoints\.docker\.Host\)/,
      /docker context update/,
    ),
  );
  it(
    'a config.json that is not JSON: the file named',
    rejects(
      { DOCKER_CONFIG: dockerConfig({ configText: '{currentContext: x' }) },
      /^cannot read the Docker configuration .*\/config\.json: /,
      /DOCKER_HOST/,
    ),
  );
});
