// The composition root: real streams, clock, signals and the pod runtime (Docker or Swarm), handed
// to the program.

import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from './context.js';
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';
import { SystemClock } from '../runtime/system-clock.js';

/** `verbose` (-v): the Docker runtime's debug lines (engine calls that failed, retries) on stderr. */
export function processContext(verbose = false): CliContext {
  const clock = new SystemClock();
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    clock,
    readStdin: async (maxBytes) => {
      const chunks: Buffer[] = [];
      let size = 0;
      // An endless pipe (`yes |`) must not fill memory: stop past the limit.
      for await (const chunk of process.stdin) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (size > maxBytes) break;
      }
      return Buffer.concat(chunks)
        .subarray(0, maxBytes + 1)
        .toString('utf8');
    },
    createRuntime: async ({ kind, ...options }) => {
      const debug = verbose ? (message: string) => process.stderr.write(`debug: ${message}\n`) : undefined;
      // Claims are read live from the state directory whose `volumes` folder is the work dir.
      const { FileClaimStore } = await import('../state/claim-store.js');
      const { StateDirectory } = await import('../state/state-directory.js');
      const claims = new FileClaimStore(new StateDirectory(dirname(options.workDir)));
      // Both talk to the engine DOCKER_HOST / the docker context names (engine-endpoint.ts): for
      // Swarm, a manager of the cluster.
      const settings = {
        ...options,
        env: process.env,
        lookupClaim: (name: string) => claims.loadClaim(name),
        clock,
        ...(debug ? { debug } : {}),
      };
      if (kind === 'swarm') {
        // Loaded on demand too; a service per container run on the manager (src/runtime/swarm).
        const { SwarmRuntime } = await import('../runtime/swarm/swarm-runtime.js');
        return new SwarmRuntime(settings);
      }
      // Loaded on demand: commands that do not talk to the engine never load dockerode.
      const { DockerRuntime } = await import('../runtime/docker/docker-runtime.js');
      return new DockerRuntime(settings);
    },
    exit: (code) => process.exit(code),
    spawnDetached: async (args, logFile) => {
      mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
      const fd = openSync(logFile, 'a', 0o600);
      try {
        const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/tjob.js');
        const child = spawn(process.execPath, [bin, ...args], {
          detached: true,
          stdio: ['ignore', fd, fd, 'pipe'],
          env: process.env,
        });
        child.unref();
        if (child.pid === undefined) throw new Error('could not start a background tjob process');
        const pipe = child.stdio[3] as Socket;
        // The pipe must not keep this process alive once the caller stopped listening.
        pipe.unref();
        const said = new Promise<string | undefined>((resolveSaid) => {
          let text = '';
          pipe.setEncoding('utf8');
          pipe.on('data', (chunk: string) => {
            text += chunk;
            const end = text.indexOf('\n');
            if (end < 0) return;
            resolveSaid(text.slice(0, end));
            pipe.destroy();
          });
          pipe.on('close', () => resolveSaid(undefined));
          pipe.on('error', () => resolveSaid(undefined));
        });
        return { pid: child.pid, said };
      } finally {
        closeSync(fd);
      }
    },
    onSignal: (handler) => {
      const int = () => handler('SIGINT');
      const term = () => handler('SIGTERM');
      process.on('SIGINT', int);
      process.on('SIGTERM', term);
      return () => {
        process.off('SIGINT', int);
        process.off('SIGTERM', term);
      };
    },
  };
}

export async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const ctx = processContext(verbose);
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // `tjob ... | head` closes the pipe early: not an error of ours.
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    const code = await buildProgram(ctx).run(argv);
    process.exitCode = code;
  } catch (err) {
    process.exitCode = reportError(err, ctx.stderr, verbose);
  }
  // The command is done and has closed what it opened: exit once the output is flushed rather than
  // wait for Node's own teardown of the loop (tens of ms for `tjob wait` after its answer, and a
  // script waits on the exit, not on the line).
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit();
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}
