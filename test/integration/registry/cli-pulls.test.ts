// `tjob run` pulling private images from a real registry on loopback with basic auth, as a user
// meets it: through an imagePullSecrets Secret (in the same file, or stored with `tjob apply`),
// through the Docker config's `auths`, through a credential helper on PATH; a wrong password fails
// up front (exit 3) and no credential shows anywhere: output, describe, events, the state directory.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import {
  authOf,
  credentialHelperDir,
  dockerConfigDir,
  freePort,
  registryUnavailable,
  RegistryTestTimeout,
  removeLocal,
  TestRegistry,
  type RegistryUser,
} from '../../support/registry.js';
import { newStateDir, removeContainersOf, tjob, writeManifest, type Outcome } from '../cli/tjob-cli.js';
import { Image } from '../docker/harness.js';

const run = promisify(execFile);
const Timeout = RegistryTestTimeout;
const skip = registryUnavailable();
const User: RegistryUser = { username: 'tjob-cli', password: `Secr3t-${process.pid}-pw` };
const WrongPassword = `Wr0ng-${process.pid}-pw`;

/** Every file under `root` except the job's Secret snapshots (config.json, config/secret.*). */
function stateFiles(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (name !== 'config.json' && !/^secret\..*\.json$/.test(name)) out.push(p);
    }
  };
  visit(root);
  return out;
}

function assertNoCredential(where: string, text: string, secrets: string[]): void {
  for (const s of secrets) assert.ok(!text.includes(s), `${where} holds a credential`);
}

function job(name: string, image: string, pullSecret?: string): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
${pullSecret ? `      imagePullSecrets:\n      - name: ${pullSecret}\n` : ''}      containers:
      - name: main
        image: ${image}
        command: [sh, -c, 'echo pulled-and-ran']
`;
}

function dockerConfigJsonSecret(name: string, host: string, password: string): string {
  const config = JSON.stringify({ auths: { [host]: { auth: authOf(User.username, password) } } });
  return `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '${config}'
---
`;
}

describe('tjob run with a private registry', { skip, timeout: 10 * Timeout }, () => {
  let registry: TestRegistry;
  let emptyConfig: string;
  const images: string[] = [];
  const dirs: string[] = [];
  const jobs: string[] = [];

  const state = (): string => {
    const d = newStateDir();
    dirs.push(d);
    return d;
  };
  /** A fresh private image, pushed and then removed locally so that `run` must pull it. */
  const privateImage = async (repo: string): Promise<string> => {
    const { image } = await registry.push(Image, repo);
    await removeLocal(image);
    images.push(image);
    return image;
  };
  /** `tjob -v run`: the debug lines are checked for credentials too. */
  const runJob = async (name: string, manifest: string, stateDir: string, env: Record<string, string>) => {
    jobs.push(name);
    return tjob(['-v', 'run', writeManifest(manifest)], stateDir, env);
  };
  const assertRan = (out: Outcome): void => {
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /pulled-and-ran/);
  };

  before(async () => {
    registry = await TestRegistry.start(User);
    // No credentials of the machine's user take part.
    emptyConfig = await dockerConfigDir({});
    dirs.push(emptyConfig);
  });

  after(async () => {
    for (const j of jobs) removeContainersOf(j);
    await removeLocal(...images);
    await registry?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(
    'through an imagePullSecrets Secret in the same file; nothing shows the credential',
    { timeout: Timeout },
    async () => {
      const image = await privateImage('private/secret:1');
      const dir = state();
      const manifest =
        dockerConfigJsonSecret('regcred', registry.host, User.password) +
        job('pull-secret', image, 'regcred');
      const out = await runJob('pull-secret', manifest, dir, { DOCKER_CONFIG: emptyConfig });
      assertRan(out);
      const describe = await tjob(['describe', 'job', 'pull-secret'], dir);
      const pods = await tjob(['get', 'pods', '-o', 'yaml'], dir);
      const secrets = [User.password, authOf(User.username, User.password)];
      assertNoCredential('stdout', out.stdout, secrets);
      assertNoCredential('stderr', out.stderr, secrets);
      assertNoCredential('describe', describe.stdout + describe.stderr, secrets);
      assertNoCredential('pods', pods.stdout + pods.stderr, secrets);
      for (const f of stateFiles(dir)) assertNoCredential(f, readFileSync(f, 'utf8'), secrets);
    },
  );

  it('through a kubernetes.io/dockercfg Secret stored with tjob apply', { timeout: Timeout }, async () => {
    const image = await privateImage('private/stored:1');
    const dir = state();
    const cfg = JSON.stringify({
      [`http://${registry.host}`]: { username: User.username, password: User.password },
    });
    const secret = `apiVersion: v1
kind: Secret
metadata:
  name: stored-cred
type: kubernetes.io/dockercfg
data:
  .dockercfg: ${Buffer.from(cfg).toString('base64')}
`;
    const applied = await tjob(['apply', '-f', writeManifest(secret)], dir);
    assert.equal(applied.code, 0, applied.stderr);
    assertRan(
      await runJob('pull-stored', job('pull-stored', image, 'stored-cred'), dir, {
        DOCKER_CONFIG: emptyConfig,
      }),
    );
  });

  it('through the Docker config (auths), by a digest reference', { timeout: Timeout }, async () => {
    const { image, digest } = await registry.push(Image, 'private/auths:1');
    await removeLocal(image);
    const ref = `${registry.host}/private/auths@${digest}`;
    images.push(ref);
    const config = await dockerConfigDir({
      auths: { [`https://${registry.host}`]: { auth: authOf(User.username, User.password) } },
    });
    dirs.push(config);
    assertRan(await runJob('pull-auths', job('pull-auths', ref), state(), { DOCKER_CONFIG: config }));
  });

  it('through a credential helper on PATH (credHelpers)', { timeout: Timeout }, async () => {
    const image = await privateImage('private/helper:1');
    const helperDir = await credentialHelperDir('tjobcli', registry.host, User);
    dirs.push(helperDir);
    const config = await dockerConfigDir({ credHelpers: { [registry.host]: 'tjobcli' } });
    dirs.push(config);
    const out = await runJob('pull-helper', job('pull-helper', image), state(), {
      DOCKER_CONFIG: config,
      PATH: `${helperDir}:${process.env['PATH']}`,
    });
    assertRan(out);
    assert.equal(readFileSync(join(helperDir, 'asked'), 'utf8').trim().split('\n')[0], registry.host);
  });

  it(
    'a wrong password: exit 3 before anything starts, naming the image and the answer, no credential shown',
    { timeout: Timeout },
    async () => {
      const image = await privateImage('private/wrong:1');
      const dir = state();
      const manifest =
        dockerConfigJsonSecret('badcred', registry.host, WrongPassword) + job('pull-wrong', image, 'badcred');
      const out = await runJob('pull-wrong', manifest, dir, { DOCKER_CONFIG: emptyConfig });
      assert.equal(out.code, 3, out.stderr);
      assert.match(
        out.stderr,
        new RegExp(
          `image "${image.replace(/[.]/g, '\\.')}" is not present and pulling it failed: .*unauthorized.*\\(credentials from imagePullSecrets "badcred"\\)`,
        ),
      );
      const secrets = [WrongPassword, authOf(User.username, WrongPassword), User.password];
      assertNoCredential('stdout', out.stdout, secrets);
      assertNoCredential('stderr', out.stderr, secrets);
      const listed = await tjob(['get', 'jobs'], dir);
      assert.doesNotMatch(listed.stdout, /pull-wrong/, 'no job was created');
      for (const f of stateFiles(dir)) assertNoCredential(f, readFileSync(f, 'utf8'), secrets);
    },
  );

  it(
    'Always with a registry that cannot be reached: the local copy, with a warning, and the job runs',
    { timeout: Timeout },
    async () => {
      const port = await freePort();
      const image = `127.0.0.1:${port}/offline/app:latest`;
      await run('docker', ['tag', Image, image]);
      images.push(image);
      const out = await runJob('pull-offline', job('pull-offline', image), state(), {
        DOCKER_CONFIG: emptyConfig,
      });
      assertRan(out);
      assert.match(
        out.stderr,
        new RegExp(
          `Warning: pulling image "${image.replace(/[.]/g, '\\.')}" failed \\(.*connection refused.*\\); using the local copy`,
        ),
      );
    },
  );

  after(async () => {
    await rm(emptyConfig, { recursive: true, force: true });
  });
});
