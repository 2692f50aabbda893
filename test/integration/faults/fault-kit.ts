// Shared by the fault tests: jobs to run, the invariants every fault must leave intact (nothing
// lost, nothing counted twice, no container tjob does not know of), a second Docker engine of the
// test's own, and clean-up by label.

import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredJob } from '../../../src/ports/state-store.js';
import { FileStore } from '../../../src/state/file-store.js';
import { tempDir } from '../../support/jobs.js';

export function jobYaml(
  name: string,
  o: { completions?: number; parallelism?: number; script?: string; backoffLimit?: number } = {},
): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completions: ${o.completions ?? 2}
  parallelism: ${o.parallelism ?? 1}
  backoffLimit: ${o.backoffLimit ?? 6}
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", ${JSON.stringify(o.script ?? 'echo start $HOSTNAME; sleep 2; echo done $HOSTNAME')}]
`;
}

/** `docker` with the given DOCKER_HOST (the machine's engine without one). */
export function docker(args: string[], host?: string): string {
  return execFileSync('docker', args, {
    env: host ? { ...process.env, DOCKER_HOST: host } : process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
}

/** Every container of a job uid, as `name podName state`. */
export function containersOfUid(uid: string, host?: string): { name: string; pod: string; state: string }[] {
  return docker(
    [
      'ps',
      '-a',
      '--filter',
      `label=io.tjob.job-uid=${uid}`,
      '--format',
      '{{.Names}} {{.Label "io.tjob.pod"}} {{.State}}',
    ],
    host,
  )
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, pod, state] = l.split(' ');
      return { name: name!, pod: pod!, state: state! };
    });
}

export function removeContainersLabelled(label: string, host?: string): void {
  try {
    const ids = docker(['ps', '-aq', '--filter', `label=${label}`], host)
      .split('\n')
      .filter(Boolean);
    if (ids.length) docker(['rm', '-f', ...ids], host);
  } catch {
    // the engine is gone
  }
}

export const countedPods = (s: StoredJob) =>
  s.pods.filter((p) => p.observation.reason !== 'NotStarted' && p.observation.reason !== 'FailedCreate');

/**
 * The invariants after any fault, once the job is finished: succeeded == completions and equals
 * the pods that succeeded; failed equals the pods that failed; every container labelled with the
 * job's uid is a recorded pod; none is left running.
 */
export async function checkFinishedJob(
  stateDir: string,
  name: string,
  completions: number,
  host?: string,
): Promise<{ state: StoredJob; failed: number; pods: number }> {
  const state = (await new FileStore(stateDir).loadJob(name))!;
  assert.ok(state, `job ${name} is in ${stateDir}`);
  const st = state.job.status;
  const pods = countedPods(state);
  const succeeded = pods.filter((p) => p.observation.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.observation.phase === 'Failed').length;
  assert.equal(st.succeeded ?? 0, completions, `${name}: succeeded == completions`);
  assert.equal(succeeded, completions, `${name}: one succeeded pod per completion`);
  assert.equal(st.failed ?? 0, failed, `${name}: failed == failed pod records`);
  assert.equal(st.active ?? 0, 0);
  const names = new Set(state.pods.map((p) => p.name));
  for (const c of containersOfUid(state.job.metadata.uid ?? '', host)) {
    assert.ok(names.has(c.pod), `container ${c.name} of pod ${c.pod} is a recorded pod`);
    assert.notEqual(c.state, 'running', `container ${c.name} left running`);
  }
  return { state, failed, pods: pods.length };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A running pod of the job (from the state directory), once there is one. */
export async function runningPod(stateDir: string, name: string): Promise<string | undefined> {
  const s = await new FileStore(stateDir).loadJob(name).catch(() => undefined);
  return s?.pods.find((p) => p.observation.phase === 'Running' && !p.removed)?.name;
}

/** A Docker engine of the test's own (so the machine's shared engine is never stopped). */
export class SecondEngine {
  readonly dir = tempDir('tjob-fault-');
  readonly host = `unix://${join(this.dir, 'docker.sock')}`;
  private proc: ChildProcess | undefined;

  static available(): string | undefined {
    try {
      execFileSync('dockerd', ['--version'], { stdio: 'ignore' });
      execFileSync('unshare', ['--net', 'true'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'dockerd is not installed, or unshare --net is not allowed, on this machine';
    }
  }

  async start(): Promise<void> {
    const d = this.dir;
    // In a network namespace of its own: a dockerd with `--bridge none` deletes the host's
    // docker0 interface at start, which would cut the machine's shared engine off its network.
    this.proc = spawn(
      'unshare',
      [
        '--net',
        'dockerd',
        '--host',
        this.host,
        '--data-root',
        join(d, 'data'),
        '--exec-root',
        join(d, 'exec'),
        '--pidfile',
        join(d, 'docker.pid'),
        '--bridge',
        'none',
        '--iptables=false',
        '--ip-masq=false',
      ],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    await waitFor(
      'the second dockerd',
      () => {
        try {
          docker(['version'], this.host);
          return true;
        } catch {
          return undefined;
        }
      },
      60_000,
    );
  }

  /** Copies images from the machine's engine. */
  loadImages(images: string[]): void {
    const saved = join(this.dir, 'images.tar');
    docker(['save', '-o', saved, ...images]);
    docker(['load', '-i', saved], this.host);
    rmSync(saved);
  }

  /** SIGSTOP: the engine stops answering (calls hang), its containers go on. */
  freeze(): void {
    process.kill(this.pid(), 'SIGSTOP');
  }

  /** SIGCONT after freeze. */
  thaw(): void {
    process.kill(this.pid(), 'SIGCONT');
  }

  private pid(): number {
    return Number(readFileSync(join(this.dir, 'docker.pid'), 'utf8'));
  }

  /** SIGTERM, as a service manager stops it; resolves once it has exited. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    this.proc = undefined;
  }

  async destroy(): Promise<void> {
    if (this.proc) {
      try {
        this.thaw();
      } catch {
        // gone
      }
      removeContainersLabelled('io.tjob.managed-by=tjob', this.host);
      await this.stop();
    }
    const pidFile = join(this.dir, 'docker.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    // Mounts a killed dockerd may leave behind, then the directory.
    try {
      const mounts = readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1] ?? '')
        .filter((m) => m.startsWith(this.dir))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // nothing mounted
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
