// A private Podman service for the Podman run of the real-engine tests (scripts/run-tests.mjs
// podman): `podman system service` on a socket in a temporary directory, with its own storage,
// network configuration and containers.conf (CONTAINERS_CONF), the test images imported from
// Docker's store. Nothing of the machine's own Podman set-up is used or changed; stop() removes the
// containers, stops the service by its pid and deletes the directory.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The images the real-engine tests use (scripts/setup.sh builds them into Docker's store). */
export const TestImages = ['busybox:latest', 'registry.k8s.io/pause:3.10'];

export interface PodmanService {
  /** `unix:///tmp/.../podman.sock`, for DOCKER_HOST. */
  host: string;
  pid: number;
  /** The podman command line with this service's storage and configuration. */
  podman(args: string[]): string;
  stop(): Promise<void>;
}

/** Why Podman cannot be used here, or undefined when it can. */
export function podmanMissing(): string | undefined {
  const r = spawnSync('podman', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return "podman is not installed (scripts/test-setup.d/podman.sh installs Debian's podman when run as root on Debian)";
  }
  return undefined;
}

/**
 * containers.conf for the service. Podman gives containers nofile/nproc limits of its own
 * (1048576) that a process without CAP_SYS_RESOURCE under lower hard limits cannot set ("error
 * setting rlimit ... operation not permitted"): the defaults are the hard limits here instead,
 * nproc also within pid_max (conmon runs with that as its limit). Also: netavark (a CNI
 * configuration left by the package would otherwise be picked), runc (crun refuses a hybrid
 * cgroup v1 host), cgroupfs (no systemd), events to a file (no journald), all paths private.
 */
export function containersConf(dir: string, limits: { nofile: number; nproc: number }): string {
  return `[containers]
default_ulimits = ["nofile=${limits.nofile}:${limits.nofile}", "nproc=${limits.nproc}:${limits.nproc}"]

[network]
network_backend = "netavark"
network_config_dir = "${join(dir, 'networks')}"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "${join(dir, 'events.log')}"
tmp_dir = "${join(dir, 'tmp')}"
`;
}

/** This process's hard nofile and nproc limits (as `ulimit -Hn` / `-Hu` report them), capped. */
export function hardLimits(): { nofile: number; nproc: number } {
  // "Max open files            20000                20000                files"
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const hard = (name: string, fallback: number): number => {
    const m = new RegExp(`^${name}\\s+\\S+\\s+(\\S+)`, 'm').exec(limits);
    return m && /^\d+$/.test(m[1]!) ? Number(m[1]) : fallback;
  };
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || 32768;
  return {
    nofile: Math.min(hard('Max open files', 1048576), 1048576),
    nproc: Math.min(hard('Max processes', pidMax), pidMax),
  };
}

export async function startPodmanService(
  log: (line: string) => void = () => undefined,
): Promise<PodmanService> {
  const dir = mkdtempSync(join(tmpdir(), 'tjob-podman-'));
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, containersConf(dir, hardLimits()));
  const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF: conf };
  delete env['DOCKER_HOST'];
  const global = ['--root', join(dir, 'storage'), '--runroot', join(dir, 'run')];
  const podman = (args: string[]): string =>
    execFileSync('podman', [...global, ...args], { env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

  // The test images, as Docker has them; `docker save` names busybox without a registry, which
  // Podman would call localhost/busybox: tag it as a pull from Docker Hub would name it.
  const saved = execFileSync('docker', ['save', ...TestImages], { env, maxBuffer: 256 * 1024 * 1024 });
  execFileSync('podman', [...global, 'load'], { env, input: saved, stdio: ['pipe', 'ignore', 'pipe'] });
  podman(['tag', 'localhost/busybox:latest', 'docker.io/library/busybox:latest']);
  podman(['untag', 'localhost/busybox:latest', 'localhost/busybox:latest']);

  const socket = join(dir, 'podman.sock');
  // Its working directory is private too: conmon 2.1.6 drops its `oom` marker file there.
  const child: ChildProcess = spawn(
    'podman',
    [...global, 'system', 'service', '--time=0', `unix://${socket}`],
    {
      cwd: dir,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  if (child.pid === undefined) throw new Error('podman system service did not start');
  const pid = child.pid;
  log(`podman system service (pid ${pid}) on unix://${socket}`);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Containers first (their conmon processes outlive the service), then the service, then its
    // storage (no mounts are left once the containers are gone).
    try {
      podman(['rm', '--all', '--force', '--time', '0']);
    } catch (err) {
      log(`removing the Podman containers failed: ${(err as Error).message}`);
    }
    if (child.exitCode === null) {
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await answers(socket, 30_000, () => child.exitCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`podman system service did not answer: ${(err as Error).message}\n${stderr}`, {
      cause: err,
    });
  }
  return { host: `unix://${socket}`, pid, podman, stop };
}

/** Resolves once GET /_ping on the socket answers 200. */
async function answers(socket: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ socketPath: socket, path: '/_ping', method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (gone()) throw new Error('the service exited');
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
