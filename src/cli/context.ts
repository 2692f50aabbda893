// What every command gets from the composition root: streams, environment, clock, the state
// directory and, on demand, the container runtime (loaded lazily so commands that do not need
// the engine never load dockerode).

import type { Command } from 'commander';
import type { Clock } from '../ports/clock.js';
import type { PodRuntime, PodRuntimeOptions, RuntimeKind } from '../ports/pod-runtime.js';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface OutStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface CliContext {
  stdout: OutStream;
  stderr: OutStream;
  /** Standard input, read up to `maxBytes` + 1 bytes (more is not read: the caller refuses it). */
  readStdin(maxBytes: number): Promise<string>;
  env: Record<string, string | undefined>;
  clock: Clock;
  /** The runtime of `kind` (`--runtime`, or the one a job recorded), with its volumes under `workDir`. */
  createRuntime(options: PodRuntimeOptions & { workDir: string; kind: RuntimeKind }): Promise<PodRuntime>;
  /** Registers a SIGINT/SIGTERM handler; returns its removal. */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  /**
   * Starts `tjob ARGS...` as a detached background process whose stdout and stderr go to
   * `logFile`, with a pipe back to this process as its file descriptor 3. `said` resolves with the
   * first line the child writes to that pipe, or undefined once the child closed it (exited)
   * without writing one.
   */
  spawnDetached(args: string[], logFile: string): Promise<DetachedProcess>;
  /** Leaves at once (a second Ctrl-C). */
  exit(code: number): void;
}

export interface DetachedProcess {
  pid: number;
  said: Promise<string | undefined>;
}

/**
 * Wraps a command's action: the exit code the action returns becomes the program's (one wrapper,
 * in program.ts, for every command).
 */
export type ExitCodeAction = <A extends unknown[]>(
  action: (...args: A) => Promise<number> | number,
) => (...args: A) => Promise<void>;

/** How program.ts adds a command: each command module exports one. */
export type RegisterCommand = (
  program: Command,
  ctx: CliContext,
  globals: () => GlobalOptions,
  exitWith: ExitCodeAction,
) => void;

export interface GlobalOptions {
  stateDir?: string;
  color?: boolean;
  verbose?: boolean;
}

export function stateDirOf(global: GlobalOptions, env: Record<string, string | undefined>): string {
  if (global.stateDir) return global.stateDir;
  if (env.TJOB_STATE_DIR) return env.TJOB_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'tjob');
  return join(env.HOME ?? homedir(), '.local', 'state', 'tjob');
}
