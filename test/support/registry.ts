// A real registry for the image-pull tests: Debian's docker-registry (the CNCF distribution
// registry, installed by scripts/test-setup.d/registry.sh) on 127.0.0.1 at a free port, with its
// storage in a temp directory, without auth or with htpasswd basic auth (bcrypt, `htpasswd -B`).
// The engine trusts 127.0.0.0/8 over plain HTTP, so no TLS is needed. A test starts one in its
// `before` and stops it in `after` (by pid; its temp directories go too), so a failing test leaves
// nothing running. Images are pushed with the docker CLI, logged in through a temp DOCKER_CONFIG.
// For a Swarm cluster's nodes it can listen inside a node's network namespace instead (`inNetns`):
// then only that cluster's engines reach it (they trust it with --insecure-registry).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const RegistryBinary = '/usr/bin/docker-registry';

/** Why the registry tests cannot run here, or undefined when they can. */
export function registryUnavailable(): string | undefined {
  if (!existsSync(RegistryBinary))
    return `${RegistryBinary} is missing (Debian's docker-registry; scripts/test-setup.d/registry.sh installs it)`;
  return undefined;
}

/** How long one registry test may take: a push and a pull on a loaded machine. */
export const RegistryTestTimeout = 120_000;

/** The `auth` of a Docker config's `auths` entry: base64 of `user:password`. */
export function authOf(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64');
}

export interface RegistryUser {
  username: string;
  password: string;
}

/** A registry listening inside a network namespace (a Swarm node's) on that node's address. */
export interface RegistryNetns {
  /** The namespace's path, for `nsenter --net=`. */
  netns: string;
  /** The address it listens on there. */
  address: string;
  port: number;
}

export class TestRegistry {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly user: RegistryUser | undefined,
    private readonly logPath: string,
    private readonly address: string,
  ) {}

  /** host:port, as image references and docker config keys name it. */
  get host(): string {
    return `${this.address}:${this.port}`;
  }

  /**
   * Starts a registry; with `user`, only that user (htpasswd, bcrypt) may push and pull. With
   * `inNetns`, it listens in that namespace (push to it with an engine there: `push(..., host)`).
   */
  static async start(user?: RegistryUser, inNetns?: RegistryNetns): Promise<TestRegistry> {
    const dir = await mkdtemp(join(tmpdir(), 'tjob-registry-'));
    try {
      const port = inNetns?.port ?? (await freePort());
      const address = inNetns?.address ?? '127.0.0.1';
      let auth = '';
      if (user) {
        const { stdout } = await run('htpasswd', ['-Bbn', user.username, user.password]);
        await writeFile(join(dir, 'htpasswd'), stdout, { mode: 0o600 });
        auth = `auth:\n  htpasswd:\n    realm: tjob-test\n    path: ${join(dir, 'htpasswd')}\n`;
      }
      const config =
        `version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n` +
        `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n` +
        `http:\n  addr: ${address}:${port}\n` +
        auth;
      await writeFile(join(dir, 'config.yml'), config);
      const logPath = join(dir, 'registry.log');
      const { openSync, closeSync } = await import('node:fs');
      const fd = openSync(logPath, 'a');
      // nsenter execs the registry (no fork for a network namespace): the child's pid is its own.
      const child = inNetns
        ? spawn('nsenter', [`--net=${inNetns.netns}`, RegistryBinary, 'serve', join(dir, 'config.yml')], {
            stdio: ['ignore', fd, fd],
          })
        : spawn(RegistryBinary, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      const registry = new TestRegistry(port, child, dir, user, logPath, address);
      await (inNetns ? registry.waitListening() : registry.waitReady());
      return registry;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`docker-registry exited: ${await this.log()}`);
      try {
        const res = await fetch(`http://${this.host}/v2/`);
        if (res.status === 200 || res.status === 401) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`docker-registry did not answer on ${this.host} within 20 s: ${await this.log()}`);
  }

  /** Ready by its log (this process cannot reach a namespace's address). */
  private async waitListening(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`docker-registry exited: ${await this.log()}`);
      if ((await this.log()).includes('listening on')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(`docker-registry did not listen on ${this.host} within 20 s`);
  }

  /** The registry's log (access lines included). */
  async log(): Promise<string> {
    return readFile(this.logPath, 'utf8').catch(() => '');
  }

  /** The registry's access-log request lines, e.g. `GET /v2/x/blobs/sha256:... 200`. */
  async requests(): Promise<string[]> {
    const out: string[] = [];
    for (const m of (await this.log()).matchAll(
      /"(GET|HEAD|PUT|POST|PATCH|DELETE) (\S+) HTTP\/[\d.]+" (\d+)/g,
    ))
      out.push(`${m[1]} ${m[2]} ${m[3]}`);
    return out;
  }

  /**
   * Tags local image `source` as `host/repository:tag` and pushes it (logged in with a temp
   * DOCKER_CONFIG when the registry has a user); returns the pushed reference and its digest. The
   * local tag stays (remove it with `removeLocal` to make a pull necessary). `engine`: the engine
   * that holds `source` and pushes (`unix://…`), this machine's by default.
   */
  async push(
    source: string,
    repositoryTag: string,
    engine?: string,
  ): Promise<{ image: string; digest: string }> {
    const image = `${this.host}/${repositoryTag}`;
    const at = engine !== undefined ? ['-H', engine] : [];
    await run('docker', [...at, 'tag', source, image]);
    const config = await mkdtemp(join(tmpdir(), 'tjob-push-config-'));
    try {
      const env = { ...process.env, DOCKER_CONFIG: config };
      if (this.user) {
        await new Promise<void>((resolve, reject) => {
          const login = spawn(
            'docker',
            [...at, 'login', '--username', this.user!.username, '--password-stdin', this.host],
            { env, stdio: ['pipe', 'ignore', 'pipe'] },
          );
          let err = '';
          login.stderr.on('data', (d: Buffer) => (err += d.toString()));
          login.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker login: ${err}`))));
          login.stdin.end(this.user!.password);
        });
      }
      const { stdout } = await run('docker', [...at, 'push', image], { env });
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1];
      if (!digest) throw new Error(`docker push ${image}: no digest in its output: ${stdout}`);
      return { image, digest };
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  }

  /** The digests of the layers (and the config blob) of a pushed manifest, asked of the registry itself. */
  async blobsOf(repository: string, reference: string): Promise<{ config: string; layers: string[] }> {
    const headers: Record<string, string> = {
      Accept:
        'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
    };
    if (this.user)
      headers['Authorization'] =
        `Basic ${Buffer.from(`${this.user.username}:${this.user.password}`).toString('base64')}`;
    const res = await fetch(`http://${this.host}/v2/${repository}/manifests/${reference}`, { headers });
    if (!res.ok) throw new Error(`manifest ${repository}:${reference}: HTTP ${res.status}`);
    const m = (await res.json()) as { config: { digest: string }; layers: { digest: string }[] };
    return { config: m.config.digest, layers: m.layers.map((l) => l.digest) };
  }

  /** Stops the registry (by its pid) and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Removes local image references (tags), ignoring those already gone. */
export async function removeLocal(...images: string[]): Promise<void> {
  for (const image of images) await run('docker', ['rmi', image]).catch(() => undefined);
}

/** A TCP port nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A private temp DOCKER_CONFIG directory holding `config` as config.json (0600); remove it after. */
export async function dockerConfigDir(config: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tjob-docker-config-'));
  await writeFile(join(dir, 'config.json'), JSON.stringify(config), { mode: 0o600 });
  return dir;
}

/**
 * A directory holding an executable `docker-credential-<name>` that answers `get` for `host` with
 * `user` (and "credentials not found in native keychain" for any other server), for PATH.
 */
export async function credentialHelperDir(name: string, host: string, user: RegistryUser): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tjob-cred-helper-'));
  const answer = JSON.stringify({ ServerURL: host, Username: user.username, Secret: user.password });
  const script =
    `#!/bin/sh\n[ "$1" = get ] || exit 1\nread -r server || true\n` +
    `echo "$server" >> "${join(dir, 'asked')}"\n` +
    `if [ "$server" = '${host}' ]; then printf '%s\\n' '${answer}'; exit 0; fi\n` +
    `echo 'credentials not found in native keychain'; exit 1\n`;
  const path = join(dir, `docker-credential-${name}`);
  await writeFile(path, script);
  await chmod(path, 0o700);
  return dir;
}
