// Runs the built CLI as a user would (node bin/tjob.js), against the real Docker engine.

import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { tempDir } from '../../support/jobs.js';

export const ROOT = resolve(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'bin', 'tjob.js');

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A new state directory, removed when the test process exits. */
export function newStateDir(): string {
  return tempDir('tjob-it-');
}

export function writeManifest(text: string): string {
  const dir = tempDir('tjob-yaml-');
  const path = join(dir, 'job.yaml');
  writeFileSync(path, text);
  return path;
}

export function start(
  args: string[],
  stateDir: string,
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Outcome> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, TJOB_STATE_DIR: stateDir, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { child, done: outcomeOf(child) };
}

/** What a child spawned with piped stdout and stderr prints, and how it ends. */
export function outcomeOf(child: ChildProcess): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<Outcome>((res) =>
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr })),
  );
}

export function tjob(args: string[], stateDir: string, env: Record<string, string> = {}): Promise<Outcome> {
  return start(args, stateDir, env).done;
}

/**
 * Containers tjob made for the job of that name in that state directory (any state, or only
 * running ones), as `name status` lines. Found by the job's uid, so runs elsewhere on the same
 * engine (other tests, other checkouts) do not count.
 */
export async function containersOf(stateDir: string, job: string, onlyRunning = false): Promise<string[]> {
  const stored = await new FileStore(stateDir).loadJob(job);
  const uid = stored?.job.metadata.uid;
  if (!uid) return [];
  const out = execFileSync('docker', [
    'ps',
    ...(onlyRunning ? [] : ['-a']),
    '--filter',
    `label=io.tjob.job-uid=${uid}`,
    '--format',
    '{{.Names}} {{.Status}}',
  ]).toString();
  return out.split('\n').filter((l) => l.trim() !== '');
}

export function removeContainersOf(job: string): void {
  removeContainersLabelled(`io.tjob.job=${job}`);
}

/**
 * A test's clean-up: removes the containers with the label. One that tjob is removing already (it
 * exits once the engine has the request) or that is gone is not an error.
 */
export function removeContainersLabelled(label: string): void {
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`])
    .toString()
    .split('\n')
    .filter(Boolean);
  removeContainers(ids);
}

/** `docker rm -f`: a container tjob is removing already, or that is gone, is not an error. */
function removeContainers(ids: string[]): void {
  if (ids.length === 0) return;
  const rm = spawnSync('docker', ['rm', '-f', ...ids], { encoding: 'utf8' });
  const unexpected = rm.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/is already in progress|No such container/.test(l));
  if (rm.status !== 0 && unexpected.length > 0) throw new Error(`docker rm -f: ${unexpected.join('; ')}`);
}

/** Ids of the containers tjob made for the jobs whose names start with `prefix`, in any state. */
export function containersWithPrefix(prefix: string): string[] {
  return execFileSync('docker', [
    'ps',
    '-a',
    '--filter',
    'label=io.tjob.managed-by=tjob',
    '--format',
    '{{.ID}} {{.Label "io.tjob.job"}}',
  ])
    .toString()
    .split('\n')
    .filter((l) => l.split(' ')[1]?.startsWith(prefix))
    .map((l) => l.split(' ')[0]!);
}

/** Force-removes the containers of the jobs whose names start with `prefix`. */
export function removeContainersWithPrefix(prefix: string): void {
  removeContainers(containersWithPrefix(prefix));
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
