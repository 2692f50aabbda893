// The Docker runtime's pulls against a real registry on loopback (test/support/registry.ts): the
// kubelet's Always (ask the registry for the digest; pull only when the local copy differs),
// digests, credentials from the user's Docker config and a helper, a registry that refuses and one
// that cannot be reached. Only loopback: nothing is pulled from anywhere else.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ImageUnavailableError } from '../../../src/api/errors.js';
import type { ImagePullProgress, PodEvent } from '../../../src/ports/pod-runtime.js';
import { DockerRuntime } from '../../../src/runtime/docker/docker-runtime.js';
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
import { docker, Image, plan } from '../docker/harness.js';
import { PodImagePuller, UNREACHABLE_REGISTRY_MEMORY_MS } from '../../../src/runtime/docker/pod-image.js';
import { FakeClock } from '../../support/fake-clock.js';

const run = promisify(execFile);
const Timeout = RegistryTestTimeout;
const skip = registryUnavailable();
const User: RegistryUser = { username: 'tjob-test', password: `pw-${process.pid}-Zq8` };

/** The `image pull` events of the engine between two instants (seconds since the epoch). */
/** The engine's pulls of images under `prefix` in the window (other tests pull beside these). */
async function pullEvents(prefix: string, since: number, until: number): Promise<string[]> {
  const { stdout } = await run('docker', [
    'events',
    '--since',
    since.toFixed(3),
    '--until',
    until.toFixed(3),
    '--filter',
    'type=image',
    '--filter',
    'event=pull',
    '--format',
    '{{.Actor.ID}}',
  ]);
  return stdout.split('\n').filter((l) => l.startsWith(prefix));
}

async function imageId(image: string): Promise<string> {
  const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', image]);
  return stdout.trim();
}

/** A local image that differs from busybox by one label (no layer of its own), built without a pull. */
async function variantOf(tag: string, label: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tjob-variant-'));
  try {
    await writeFile(join(dir, 'Dockerfile'), `FROM ${Image}\nLABEL tjob.test.variant=${label}\n`);
    await run('docker', ['build', '-q', '-t', tag, dir]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('pulls from a real registry (runtime)', { skip, timeout: 10 * Timeout }, () => {
  let registry: TestRegistry;
  let configDir: string;
  let runtime: DockerRuntime;
  const images: string[] = [];

  before(async () => {
    registry = await TestRegistry.start(User);
    const auth = authOf(User.username, User.password);
    configDir = await dockerConfigDir({ auths: { [registry.host]: { auth } } });
    runtime = new DockerRuntime({
      workDir: configDir,
      restartBackoffBaseMs: 10,
      restartBackoffCapMs: 10,
      env: { ...process.env, DOCKER_CONFIG: configDir },
    });
  });

  after(async () => {
    await runtime?.close();
    await removeLocal(...images);
    await registry?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it(
    'Always with the digest the local copy has: no pull, no layer downloaded',
    { timeout: Timeout },
    async () => {
      const { image } = await registry.push(Image, 'private/always:same');
      images.push(image);
      const { layers } = await registry.blobsOf('private/always', 'same');
      const before = (await registry.requests()).length;
      const t0 = Date.now() / 1000;
      const progress: ImagePullProgress[] = [];
      const warnings = await runtime.ensureImages([{ image, pullPolicy: 'Always' }], (p) => progress.push(p));
      const t1 = Date.now() / 1000 + 1;
      assert.deepEqual(warnings, []);
      assert.deepEqual(progress, [], 'nothing pulled');
      assert.deepEqual(await pullEvents(image, t0, t1), [], 'the engine pulled nothing');
      const asked = (await registry.requests()).slice(before);
      assert.ok(
        asked.some((r) => /^(GET|HEAD) \/v2\/private\/always\/manifests\/same 200$/.test(r)),
        `the registry was asked for the digest: ${asked.join(', ')}`,
      );
      const layerGets = asked.filter((r) => r.startsWith('GET') && layers.some((l) => r.includes(l)));
      assert.deepEqual(layerGets, [], 'no layer downloaded');
    },
  );

  it(
    'Always with a new digest under the tag: pulled, the local copy replaced',
    { timeout: Timeout },
    async () => {
      const { image } = await registry.push(Image, 'private/always:moved');
      images.push(image);
      const variant = `tjob-test-variant-${process.pid}:1`;
      await variantOf(variant, String(process.pid));
      images.push(variant);
      const pushed = await registry.push(variant, 'private/always:moved-src');
      images.push(pushed.image);
      // The tag `moved` now names the variant in the registry; locally it is still busybox.
      await registry.push(variant, 'private/always:moved');
      await run('docker', ['tag', Image, image]);
      const t0 = Date.now() / 1000;
      const progress: ImagePullProgress[] = [];
      await runtime.ensureImages([{ image, pullPolicy: 'Always' }], (p) => progress.push(p));
      const t1 = Date.now() / 1000 + 1;
      assert.equal(await imageId(image), await imageId(variant), 'the local tag follows the registry');
      assert.ok((await pullEvents(image, t0, t1)).length > 0, 'the engine pulled');
      assert.ok(progress.at(-1)?.done, 'the last progress line ends the pull');
      assert.match(progress.at(-1)!.message, /^Pulled image ".+" in \d+\.\ds: \d+ layers? .*downloaded/);
    },
  );

  it('a reference with a digest: pulled by digest, then found locally', { timeout: Timeout }, async () => {
    const { image, digest } = await registry.push(Image, 'private/bydigest:1');
    await removeLocal(image);
    const ref = `${registry.host}/private/bydigest@${digest}`;
    images.push(ref);
    await assert.rejects(imageId(ref), 'not present before the pull');
    await runtime.ensureImages([{ image: ref, pullPolicy: 'IfNotPresent' }]);
    assert.equal(await imageId(ref), await imageId(Image));
    const t0 = Date.now() / 1000;
    await runtime.ensureImages([{ image: ref, pullPolicy: 'Always' }]);
    assert.deepEqual(
      await pullEvents(`${registry.host}/private/bydigest`, t0, Date.now() / 1000 + 1),
      [],
      'a present digest is that image',
    );
  });

  it(
    'a registry that answers and refuses fails even with a local copy (exit 3)',
    { timeout: Timeout },
    async () => {
      const { image } = await registry.push(Image, 'private/refused:1');
      images.push(image);
      const wrong = await dockerConfigDir({
        auths: { [registry.host]: { username: User.username, password: 'not-the-password-Kx3' } },
      });
      const rt = new DockerRuntime({
        workDir: wrong,
        restartBackoffBaseMs: 10,
        restartBackoffCapMs: 10,
        env: { ...process.env, DOCKER_CONFIG: wrong },
      });
      try {
        await assert.rejects(rt.ensureImages([{ image, pullPolicy: 'Always' }]), (err: unknown) => {
          assert.ok(err instanceof ImageUnavailableError);
          assert.equal(err.exitCode, 3);
          assert.match(
            err.message,
            new RegExp(`^image "${image}" could not be pulled \\(imagePullPolicy Always\\): .*unauthorized`),
          );
          assert.ok(!err.message.includes('not-the-password-Kx3'), err.message);
          assert.ok(!`${err.hint}`.includes('not-the-password-Kx3'));
          return true;
        });
      } finally {
        await rt.close();
        await rm(wrong, { recursive: true, force: true });
      }
    },
  );

  it('a registry that cannot be reached: the local copy, with a warning', { timeout: Timeout }, async () => {
    const image = `127.0.0.1:${await freePort()}/offline/busybox:1`;
    await run('docker', ['tag', Image, image]);
    images.push(image);
    const progress: ImagePullProgress[] = [];
    const warnings = await runtime.ensureImages([{ image, pullPolicy: 'Always' }], (p) => progress.push(p));
    assert.deepEqual(progress, [], 'no pull started: the digest could not be asked for');
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      new RegExp(
        `^Warning: pulling image "${image.replace(/[.]/g, '\\.')}" failed \\(.*connection refused.*\\); using the local copy$`,
      ),
    );
    // Not present at all: exit 3, naming the image and the engine's answer.
    const absent = `127.0.0.1:${await freePort()}/offline/absent:1`;
    const absentProgress: ImagePullProgress[] = [];
    await assert.rejects(
      runtime.ensureImages([{ image: absent, pullPolicy: 'IfNotPresent' }], (p) => absentProgress.push(p)),
      (err: unknown) => {
        assert.ok(err instanceof ImageUnavailableError);
        assert.match(err.message, /is not present and pulling it failed: .*connection refused/);
        return true;
      },
    );
    assert.deepEqual(
      absentProgress.map((p) => [p.message, p.done]),
      [
        [`Pulling image "${absent}"`, false],
        [`Pulling image "${absent}" failed`, true],
      ],
      'the live line that started is ended',
    );
  });

  it(
    'a pod on an unreachable registry asks it once, then uses the local copy for a while',
    { timeout: Timeout },
    async () => {
      const image = `127.0.0.1:${await freePort()}/offline/again:1`;
      await run('docker', ['tag', Image, image]);
      images.push(image);
      const clock = new FakeClock('2026-01-01T00:00:00Z');
      let lookups = 0;
      // The engine's digest lookups, counted: the registry is asked through the engine.
      const counting = Object.create(docker) as typeof docker;
      counting.getImage = (name: string) => {
        const img = docker.getImage(name);
        const distribution = img.distribution.bind(img);
        img.distribution = ((...args: Parameters<typeof distribution>) => {
          lookups++;
          return distribution(...args);
        }) as typeof img.distribution;
        return img;
      };
      const puller = new PodImagePuller({
        docker: counting,
        credentials: { env: { ...process.env, DOCKER_CONFIG: await dockerConfigDir({}) } },
        now: () => clock.now(),
      });
      const container = { name: 'main', image, imagePullPolicy: 'Always' as const };
      const p = plan('test-offline', { containers: [] });
      assert.equal(await puller.ensure(p, container), undefined, 'the local copy is used');
      assert.equal(lookups, 1);
      await clock.advance(UNREACHABLE_REGISTRY_MEMORY_MS - 1000);
      assert.equal(await puller.ensure(p, container), undefined);
      assert.equal(lookups, 1, 'not asked again so soon');
      await clock.advance(2000);
      assert.equal(await puller.ensure(p, container), undefined);
      assert.equal(lookups, 2, 'asked again once the memory ran out');
    },
  );

  it(
    'credentials from a helper on PATH (credsStore); a missing helper is named',
    { timeout: Timeout },
    async () => {
      const { image } = await registry.push(Image, 'private/helper:1');
      await removeLocal(image);
      images.push(image);
      const helperDir = await credentialHelperDir('tjobtest', registry.host, User);
      const config = await dockerConfigDir({ credsStore: 'tjobtest' });
      const env = { ...process.env, DOCKER_CONFIG: config, PATH: `${helperDir}:${process.env['PATH']}` };
      const rt = new DockerRuntime({
        workDir: config,
        restartBackoffBaseMs: 10,
        restartBackoffCapMs: 10,
        env,
      });
      const missing = await dockerConfigDir({ credHelpers: { [registry.host]: 'tjob-absent-helper' } });
      const rt2 = new DockerRuntime({
        workDir: missing,
        restartBackoffBaseMs: 10,
        restartBackoffCapMs: 10,
        env: { ...process.env, DOCKER_CONFIG: missing },
      });
      try {
        await rt.ensureImages([{ image, pullPolicy: 'IfNotPresent' }]);
        assert.equal(await imageId(image), await imageId(Image));
        await removeLocal(image);
        await assert.rejects(rt2.ensureImages([{ image, pullPolicy: 'IfNotPresent' }]), (err: unknown) => {
          assert.ok(err instanceof ImageUnavailableError);
          assert.equal(
            err.message,
            `image "${image}": credential helper docker-credential-tjob-absent-helper is not on PATH`,
          );
          return true;
        });
      } finally {
        await rt.close();
        await rt2.close();
        for (const d of [helperDir, config, missing]) await rm(d, { recursive: true, force: true });
      }
    },
  );

  it(
    'a pod whose image cannot be pulled mid-job: ErrImagePull, ImagePullBackOff, then pulled with its Secret',
    { timeout: Timeout },
    async () => {
      const image = `${registry.host}/private/later:1`;
      images.push(image);
      const clock = new FakeClock('2026-01-01T00:00:00Z');
      const empty = await dockerConfigDir({});
      const puller = new PodImagePuller({
        docker,
        credentials: { env: { ...process.env, DOCKER_CONFIG: empty } },
        now: () => clock.now(),
      });
      const secretJson = (password: string) =>
        JSON.stringify({
          auths: {
            [registry.host]: { auth: authOf(User.username, password) },
          },
        });
      const podPlan = (password: string) => ({
        ...plan('test-later', { containers: [], imagePullSecrets: [{ name: 'regcred' }] }),
        secrets: { regcred: { '.dockerconfigjson': secretJson(password) } },
      });
      const container = { name: 'main', image, imagePullPolicy: 'IfNotPresent' as const };
      // The kubelet's events as the image manager records them.
      const events: string[] = [];
      const record = (e: PodEvent): void => {
        events.push(`${e.type} ${e.reason}: ${e.message}`);
      };
      try {
        const good = podPlan(User.password);
        const first = await puller.ensure(good, container, record);
        assert.equal(first?.reason, 'ErrImagePull');
        assert.match(first!.message, new RegExp(`^Failed to pull image "${image}": .*manifest unknown`));
        await clock.advance(5_000);
        assert.deepEqual(events.splice(0), [
          `Normal Pulling: Pulling image "${image}"`,
          `Warning Failed: ${first!.message}`,
        ]);
        const second = await puller.ensure(good, container, record);
        assert.equal(second?.reason, 'ImagePullBackOff');
        assert.equal(second!.message, `Back-off pulling image "${image}": ErrImagePull: ${first!.message}`);
        assert.deepEqual(events.splice(0), [`Normal BackOff: Back-off pulling image "${image}"`]);
        await registry.push(Image, 'private/later:1');
        await removeLocal(image);
        await clock.advance(5_000);
        assert.equal(
          await puller.ensure(good, container, record),
          undefined,
          'pulled once the backoff ended',
        );
        assert.deepEqual(events.splice(0), [
          `Normal Pulling: Pulling image "${image}"`,
          `Normal Pulled: Successfully pulled image "${image}" in 0.000s`,
        ]);
        assert.equal(await imageId(image), await imageId(Image));

        await removeLocal(image);
        const wrong = podPlan('wrong-pod-password-9z');
        const refused = await puller.ensure(wrong, container, record);
        assert.equal(refused?.reason, 'ErrImagePull');
        assert.match(refused!.message, /unauthorized.*\(credentials from imagePullSecrets "regcred"\)$/);
        assert.ok(!refused!.message.includes('wrong-pod-password-9z'));
        const never = await puller.ensure(wrong, { ...container, imagePullPolicy: 'Never' }, record);
        assert.deepEqual(never, {
          reason: 'ErrImageNeverPull',
          message: `Container image "${image}" is not present with pull policy of Never`,
        });
        assert.deepEqual(events.splice(0), [
          `Normal Pulling: Pulling image "${image}"`,
          `Warning Failed: ${refused!.message}`,
          `Warning ErrImageNeverPull: ${never!.message}`,
        ]);
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    },
  );
});
