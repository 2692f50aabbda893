// The docker credential helper protocol (github.com/docker/docker-credential-helpers client.Get):
// `docker-credential-NAME get` reads the server URL on stdin and prints
// {"ServerURL","Username","Secret"}; a Username of `<token>` makes the Secret an identity token.
// "credentials not found in native keychain" on a failure means no credentials (not an error),
// as the docker CLI's native store treats it (cli/config/credentials/native_store.go).

import { spawn } from 'node:child_process';

import type { RegistryAuth } from './keyring.js';

const NotFoundMessage = 'credentials not found in native keychain';
const TokenUsername = '<token>';

/** A helper that is missing, fails or answers nonsense; the message names the helper. */
export class CredentialHelperError extends Error {}

export interface HelperOptions {
  /** PATH and HOME for the helper (the CLI passes its environment). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Runs `docker-credential-<helper> get` for `serverUrl`; undefined when it has no credentials. */
export async function helperCredentials(
  helper: string,
  serverUrl: string,
  opts: HelperOptions = {},
): Promise<RegistryAuth | undefined> {
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr, spawnError } = await run(program, serverUrl, opts);
  if (spawnError !== undefined) {
    throw new CredentialHelperError(
      spawnError.code === 'ENOENT'
        ? `credential helper ${program} is not on PATH`
        : `credential helper ${program} could not be run: ${spawnError.message}`,
    );
  }
  const out = stdout.trim();
  if (code !== 0) {
    if (out === NotFoundMessage) return undefined;
    const why = firstLine(out || stderr.trim()) || `exit status ${code}`;
    throw new CredentialHelperError(`credential helper ${program} failed for ${serverUrl}: ${why}`);
  }
  let parsed: { Username?: unknown; Secret?: unknown; ServerURL?: unknown };
  try {
    parsed = JSON.parse(out) as typeof parsed;
  } catch {
    throw new CredentialHelperError(
      `credential helper ${program} answered for ${serverUrl} with something that is not JSON`,
    );
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  if (username === '' && secret === '') return undefined;
  const auth: RegistryAuth = { serveraddress: serverUrl };
  if (username === TokenUsername) auth.identitytoken = secret;
  else {
    auth.username = username;
    auth.password = secret;
  }
  return auth;
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: NodeJS.ErrnoException;
}

function run(program: string, input: string, opts: HelperOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const env = opts.env
      ? Object.fromEntries(Object.entries(opts.env).filter(([, v]) => v !== undefined))
      : undefined;
    const child = spawn(program, ['get'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(env ? { env: env as NodeJS.ProcessEnv } : {}),
      timeout: opts.timeoutMs ?? 30_000,
    });
    let stdout = '';
    let stderr = '';
    let spawnError: NodeJS.ErrnoException | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (err: NodeJS.ErrnoException) => (spawnError = err));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : null),
        stdout,
        stderr,
        ...(spawnError ? { spawnError } : {}),
      }),
    );
  });
}
