import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Volume } from '../../../../src/api/k8s.js';
import type { PodPlan } from '../../../../src/api/pod.js';
import { preparePodVolumes, removePodVolumes } from '../../../../src/runtime/docker/volumes.js';
import { configData } from '../../../../src/engine/pod-plan.js';
import { node, testPlan } from './plan.js';
import { tempDir } from '../../../support/jobs.js';

let root: string;
before(() => {
  root = tempDir('tjob-volumes-');
});
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function podDir(): string {
  return join(root, `pod-${++n}`);
}
function plan(volumes: Volume[], overrides: Partial<PodPlan> = {}): PodPlan {
  return testPlan(
    {
      configMaps: { cfg: { 'app.conf': 'a=1\n', other: 'x' } },
      secrets: { creds: { password: 's3cret', user: 'me' } },
      ...overrides,
    },
    { volumes },
  );
}
const mode = (p: string) => statSync(p).mode & 0o7777;

describe('preparePodVolumes', () => {
  it('configMap binaryData and Secret data that are not UTF-8 are written byte for byte', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const data = configData({
      configMaps: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'bin' },
          binaryData: { 'all.bin': all.toString('base64') },
        },
      ],
      secrets: [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'bin' },
          data: { 'all.bin': all.toString('base64'), text: Buffer.from('grüße').toString('base64') },
        },
      ],
    });
    assert.deepEqual(data.secrets['bin']!['text'], 'grüße', 'UTF-8 text stays text');
    const dir = podDir();
    const mounts = await preparePodVolumes(
      plan(
        [
          { name: 'c', configMap: { name: 'bin' } },
          { name: 's', secret: { secretName: 'bin', items: [{ key: 'all.bin', path: 'sub/all.bin' }] } },
        ],
        data,
      ),
      dir,
    );
    const source = (name: string) => (mounts[name] as { source: string }).source;
    assert.deepEqual(readFileSync(join(source('c'), 'all.bin')), all);
    assert.deepEqual(readFileSync(join(source('s'), 'sub', 'all.bin')), all);
  });

  it('emptyDir: a world-writable directory under the pod dir, kept on a second call', async () => {
    const dir = podDir();
    const mounts = await preparePodVolumes(plan([{ name: 'work', emptyDir: {} }, { name: 'plain' }]), dir);
    const source = join(dir, 'empty-dir', 'work');
    assert.deepEqual(mounts['work'], { kind: 'bind', source });
    assert.deepEqual(mounts['plain'], { kind: 'bind', source: join(dir, 'empty-dir', 'plain') });
    assert.equal(mode(source), 0o777);
    writeFileSync(join(source, 'f'), 'kept');
    await preparePodVolumes(plan([{ name: 'work', emptyDir: {} }]), dir);
    assert.equal(readFileSync(join(source, 'f'), 'utf8'), 'kept');
  });

  it('emptyDir medium Memory is a tmpfs, with its sizeLimit', async () => {
    const mounts = await preparePodVolumes(
      plan([
        { name: 'm', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        { name: 'u', emptyDir: { medium: 'Memory' } },
      ]),
      podDir(),
    );
    assert.deepEqual(mounts['m'], { kind: 'tmpfs', sizeBytes: 64 * 1024 * 1024 });
    assert.deepEqual(mounts['u'], { kind: 'tmpfs' });
  });

  it('configMap: every key as a 0644 file, read-only bind', async () => {
    const dir = podDir();
    const mounts = await preparePodVolumes(plan([{ name: 'c', configMap: { name: 'cfg' } }]), dir);
    const source = join(dir, 'configmap', 'c');
    assert.deepEqual(mounts['c'], { kind: 'bind', source, readOnly: true });
    assert.deepEqual(readdirSync(source).sort(), ['app.conf', 'other']);
    assert.equal(readFileSync(join(source, 'app.conf'), 'utf8'), 'a=1\n');
    assert.equal(mode(join(source, 'app.conf')), 0o644);
  });

  it('configMap items with paths and modes, defaultMode', async () => {
    const dir = podDir();
    await preparePodVolumes(
      plan([
        {
          name: 'c',
          configMap: {
            name: 'cfg',
            defaultMode: 0o600,
            items: [
              { key: 'app.conf', path: 'etc/app.conf' },
              { key: 'other', path: 'o', mode: 0o755 },
            ],
          },
        },
      ]),
      dir,
    );
    const source = join(dir, 'configmap', 'c');
    assert.deepEqual(readdirSync(source).sort(), ['etc', 'o']);
    assert.equal(readFileSync(join(source, 'etc', 'app.conf'), 'utf8'), 'a=1\n');
    assert.equal(mode(join(source, 'etc', 'app.conf')), 0o600);
    assert.equal(mode(join(source, 'o')), 0o755);
  });

  it('secret: decoded data written with defaultMode', async () => {
    const dir = podDir();
    const mounts = await preparePodVolumes(
      plan([{ name: 's', secret: { secretName: 'creds', defaultMode: 0o400 } }]),
      dir,
    );
    const source = join(dir, 'secret', 's');
    assert.deepEqual(mounts['s'], { kind: 'bind', source, readOnly: true });
    assert.equal(readFileSync(join(source, 'password'), 'utf8'), 's3cret');
    assert.equal(mode(join(source, 'password')), 0o400);
  });

  it('missing ConfigMap/Secret/key: clear errors unless optional', async () => {
    await assert.rejects(preparePodVolumes(plan([{ name: 'c', configMap: { name: 'nope' } }]), podDir()), {
      message: 'volume "c": configmap "nope" not found',
    });
    await assert.rejects(preparePodVolumes(plan([{ name: 's', secret: { secretName: 'nope' } }]), podDir()), {
      message: 'volume "s": secret "nope" not found',
    });
    await assert.rejects(
      preparePodVolumes(
        plan([{ name: 'c', configMap: { name: 'cfg', items: [{ key: 'missing', path: 'm' }] } }]),
        podDir(),
      ),
      { message: 'volume "c": configmap references non-existent config key: missing' },
    );
    const dir = podDir();
    const mounts = await preparePodVolumes(
      plan([
        { name: 'c', configMap: { name: 'nope', optional: true } },
        {
          name: 's',
          secret: {
            secretName: 'creds',
            optional: true,
            items: [
              { key: 'missing', path: 'm' },
              { key: 'user', path: 'u' },
            ],
          },
        },
      ]),
      dir,
    );
    assert.deepEqual(readdirSync(join(dir, 'configmap', 'c')), []);
    assert.deepEqual(readdirSync(join(dir, 'secret', 's')), ['u']);
    assert.equal(mounts['c']?.kind, 'bind');
  });

  it('item paths may not leave the volume', async () => {
    await assert.rejects(
      preparePodVolumes(
        plan([{ name: 'c', configMap: { name: 'cfg', items: [{ key: 'other', path: '../x' }] } }]),
        podDir(),
      ),
      /must be a relative path/,
    );
  });

  describe('hostPath', () => {
    it('no type: bound as is, even if missing', async () => {
      const mounts = await preparePodVolumes(
        plan([{ name: 'h', hostPath: { path: '/nonexistent/x' } }]),
        podDir(),
      );
      assert.deepEqual(mounts['h'], { kind: 'bind', source: '/nonexistent/x' });
    });
    it('DirectoryOrCreate and FileOrCreate create', async () => {
      const d = join(root, 'created', 'dir');
      const f = join(root, 'created-file');
      await preparePodVolumes(
        plan([
          { name: 'd', hostPath: { path: d, type: 'DirectoryOrCreate' } },
          { name: 'f', hostPath: { path: f, type: 'FileOrCreate' } },
        ]),
        podDir(),
      );
      assert.ok(statSync(d).isDirectory());
      assert.equal(mode(d), 0o755);
      assert.ok(statSync(f).isFile());
      assert.equal(readFileSync(f, 'utf8'), '');
    });
    it('type checks', async () => {
      const dir = join(root, 'hp-dir');
      const file = join(root, 'hp-file');
      mkdirSync(dir);
      writeFileSync(file, 'x');
      const ok = await preparePodVolumes(
        plan([
          { name: 'd', hostPath: { path: dir, type: 'Directory' } },
          { name: 'f', hostPath: { path: file, type: 'File' } },
          { name: 'n', hostPath: { path: '/dev/null', type: 'CharDevice' } },
          { name: 'x', hostPath: { path: dir, type: 'DirectoryOrCreate' } },
        ]),
        podDir(),
      );
      assert.deepEqual(ok['d'], { kind: 'bind', source: dir });
      const table: [string, string, string][] = [
        [file, 'Directory', `volume "h": hostPath type check failed: ${file} is not a directory`],
        [dir, 'File', `volume "h": hostPath type check failed: ${dir} is not a file`],
        [
          join(root, 'missing'),
          'Directory',
          `volume "h": hostPath type check failed: ${join(root, 'missing')} does not exist`,
        ],
        [file, 'Socket', `volume "h": hostPath type check failed: ${file} is not a socket file`],
        [file, 'BlockDevice', `volume "h": hostPath type check failed: ${file} is not a block device`],
        [file, 'DirectoryOrCreate', `volume "h": hostPath type check failed: ${file} is not a directory`],
        [dir, 'FileOrCreate', `volume "h": hostPath type check failed: ${dir} is not a file`],
        [dir, 'Weird', 'volume "h": hostPath type Weird is not supported'],
        ['relative', '', 'volume "h": hostPath relative must be an absolute path'],
      ];
      for (const [path, type, message] of table) {
        await assert.rejects(preparePodVolumes(plan([{ name: 'h', hostPath: { path, type } }]), podDir()), {
          message,
        });
      }
    });
    it('Socket', async () => {
      const sock = join(root, 's.sock');
      const server: Server = createServer();
      await new Promise<void>((resolve) => server.listen(sock, resolve));
      try {
        const m = await preparePodVolumes(
          plan([{ name: 's', hostPath: { path: sock, type: 'Socket' } }]),
          podDir(),
        );
        assert.deepEqual(m['s'], { kind: 'bind', source: sock });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });

  it('downwardAPI and projected volumes', async () => {
    const dir = podDir();
    const p = plan(
      [
        {
          name: 'info',
          downwardAPI: {
            items: [
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              {
                path: 'index',
                fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
                mode: 0o600,
              },
              {
                path: 'mem',
                resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1Gi' },
              },
            ],
          },
        },
        {
          name: 'all',
          projected: {
            defaultMode: 0o640,
            sources: [
              { configMap: { name: 'cfg', items: [{ key: 'other', path: 'cm/other' }] } },
              { secret: { name: 'creds' } },
              { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
      { index: 4, labels: { b: '2', a: '1' } },
    );
    await preparePodVolumes(p, dir, node);
    const info = join(dir, 'downward-api', 'info');
    assert.equal(readFileSync(join(info, 'name'), 'utf8'), 'pi-0-abcde');
    assert.equal(
      readFileSync(join(info, 'labels'), 'utf8'),
      'a="1"\nb="2"\nbatch.kubernetes.io/job-completion-index="4"',
    );
    assert.equal(readFileSync(join(info, 'index'), 'utf8'), '4');
    assert.equal(mode(join(info, 'index')), 0o600);
    assert.equal(mode(join(info, 'name')), 0o644);
    assert.equal(readFileSync(join(info, 'mem'), 'utf8'), '8');
    const all = join(dir, 'projected', 'all');
    assert.deepEqual(readdirSync(all).sort(), ['cm', 'ns', 'password', 'user']);
    assert.equal(readFileSync(join(all, 'cm', 'other'), 'utf8'), 'x');
    assert.equal(mode(join(all, 'user')), 0o640);
  });

  it('storage with no provider on one node becomes an empty directory; unissued projections add no file', async () => {
    const dir = podDir();
    const got = await preparePodVolumes(
      plan([
        { name: 'pv', nfs: { server: 'nas', path: '/x' } },
        { name: 'p', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } },
      ]),
      dir,
    );
    assert.deepEqual(got.pv, { kind: 'bind', source: join(dir, 'empty-dir', 'pv') });
    assert.deepEqual(readdirSync(join(dir, 'empty-dir', 'pv')), []);
    assert.equal(got.p?.kind, 'bind');
    assert.deepEqual(readdirSync((got.p as { source: string }).source), []);
  });

  it('claims and ephemeral volumes are Docker named volumes (read-only from the claim source)', async () => {
    const dir = podDir();
    const asked: string[] = [];
    const named = {
      claim: (n: string) => (
        asked.push(`claim ${n}`),
        Promise.resolve({ name: `pvc-${n}`, mountpoint: `/v/${n}` })
      ),
      ephemeral: (n: string) => (
        asked.push(`eph ${n}`),
        Promise.resolve({ name: `e-${n}`, mountpoint: `/v/e-${n}` })
      ),
    };
    const got = await preparePodVolumes(
      plan([
        { name: 'pv', persistentVolumeClaim: { claimName: 'c', readOnly: true } },
        { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: {} } } },
      ]),
      dir,
      {},
      named,
    );
    assert.deepEqual(got.pv, { kind: 'volume', name: 'pvc-c', mountpoint: '/v/c', readOnly: true });
    assert.deepEqual(got.eph, { kind: 'volume', name: 'e-eph', mountpoint: '/v/e-eph' });
    assert.deepEqual(asked, ['claim c', 'eph eph']);
  });

  it('removePodVolumes removes the pod dir, and tolerates a missing one', async () => {
    const dir = podDir();
    await preparePodVolumes(
      plan([
        { name: 'w', emptyDir: {} },
        { name: 's', secret: { secretName: 'creds', defaultMode: 0o400 } },
      ]),
      dir,
    );
    await removePodVolumes(dir);
    assert.equal(existsSync(dir), false);
    await removePodVolumes(dir);
  });
});
