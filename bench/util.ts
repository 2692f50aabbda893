// Shared helpers of `npm run bench`: processes, timing, statistics, Docker clean-up, /proc.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/bench). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TJOB = join(ROOT, 'bin/tjob.js');
export const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--bench-quick');
/** A tag unique to this bench run: in job names, container names and labels, for the clean-up. */
export const RUN_ID = `b${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
export const BENCH_LABEL = 'io.tjob.bench';

const tempDirs: string[] = [];

export function tempDir(what: string): string {
  const d = mkdtempSync(join(tmpdir(), `tjob-bench-${what}-`));
  tempDirs.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface Exit {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Discard stdout instead of collecting it. */
  dropStdout?: boolean;
  /** Called with the child as soon as it is spawned. */
  onSpawn?: (child: ChildProcess) => void;
  onStderrLine?: (line: string) => void;
  input?: string;
}

/** Runs a command, timing it from spawn to exit (wall clock, high resolution). */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<Exit> {
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      env: { ...process.env, ...opts.env },
      stdio: [opts.input !== undefined ? 'pipe' : 'ignore', opts.dropStdout ? 'ignore' : 'pipe', 'pipe'],
    });
    opts.onSpawn?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let partial = '';
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.onStderrLine) {
        partial += b.toString('utf8');
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          opts.onStderrLine(partial.slice(0, nl));
          partial = partial.slice(nl + 1);
        }
      }
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      resolvePromise({
        code,
        ms,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Like run(), but a non-zero exit is an error. */
export async function mustRun(cmd: string, args: string[], opts: RunOptions = {}): Promise<Exit> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  }
  return r;
}

export function tjob(args: string[], stateDir: string, opts: RunOptions = {}): Promise<Exit> {
  return run(process.execPath, [TJOB, ...args], {
    ...opts,
    env: { TJOB_STATE_DIR: stateDir, NO_COLOR: '1', ...opts.env },
  });
}

/**
 * `tjob run --no-logs -q` of a job of `true` pods written into `dir`, in a state directory of its
 * own; its wall time (ms). `args`: more flags (`--runtime swarm`); `env`: where the engine is.
 */
export async function timedTrueJob(
  dir: string,
  name: string,
  o: { completions: number; parallelism: number; args?: string[]; env?: Record<string, string> },
): Promise<number> {
  const file = writeFile(
    dir,
    `${name}.yaml`,
    jobYaml({ name, completions: o.completions, parallelism: o.parallelism, command: ['true'] }),
  );
  const r = await mustRun(process.execPath, [TJOB, 'run', ...(o.args ?? []), '--no-logs', '-q', file], {
    env: { TJOB_STATE_DIR: join(dir, `state-${name}`), NO_COLOR: '1', ...o.env },
  });
  return r.ms;
}

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Removes every container this bench run created (by label and by name), others' are left alone. */
export function cleanupContainers(): void {
  const ids = new Set<string>();
  for (const filter of [`label=${BENCH_LABEL}=${RUN_ID}`, `name=${RUN_ID}`]) {
    const r = spawnSync('docker', ['ps', '-aq', '--filter', filter], { encoding: 'utf8' });
    for (const id of r.stdout.split('\n')) if (id.trim()) ids.add(id.trim());
  }
  if (ids.size === 0) return;
  const list = [...ids];
  for (let i = 0; i < list.length; i += 100) {
    spawnSync('docker', ['rm', '-f', '-v', ...list.slice(i, i + 100)], { stdio: 'ignore' });
  }
}

/** Bytes under a directory. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** Peak resident set (VmHWM) of a live process, in bytes. */
export function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) of a live process, in ms. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticksPerSecond = Number(r.stdout.trim()) || 100;
  }
  return ticksPerSecond;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A Job manifest with a busybox container. */
export function jobYaml(o: {
  name: string;
  completions: number;
  parallelism: number;
  command: string[];
}): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${o.name}
spec:
  completions: ${o.completions}
  parallelism: ${o.parallelism}
  backoffLimit: 0
  template:
    spec:
      containers:
        - name: c
          image: busybox
          imagePullPolicy: IfNotPresent
          command: ${JSON.stringify(o.command)}
      restartPolicy: Never
`;
}

export function writeFile(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/**
 * `docker events --format FORMAT` with the filters, each complete line to `onLine` as it comes.
 * Kill the returned process to stop watching.
 */
export function watchDockerEvents(
  format: string,
  filters: string[],
  onLine: (line: string) => void,
): ChildProcess {
  const args = ['events', '--format', format, ...filters.flatMap((f) => ['--filter', f])];
  const watcher = spawn('docker', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  watcher.stdout!.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      onLine(line);
    }
  });
  return watcher;
}
