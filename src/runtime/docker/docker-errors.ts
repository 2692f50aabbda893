// How the Docker adapter reads the engine's errors. dockerode rejects with an Error carrying the
// HTTP `statusCode` and the engine's JSON body (`json.message`); a connection failure carries a
// Node `code` (ENOENT, ECONNREFUSED, EACCES...). Status codes that are safe to treat as outcomes
// become outcomes: 304 (already started/stopped) is success, 404 means the object is gone, 409
// means a name is in use.

import { RuntimeUnavailableError } from '../../api/errors.js';

interface DockerishError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | string | null;
  reason?: string;
  message?: string;
}

function asDockerish(err: unknown): DockerishError {
  return typeof err === 'object' && err !== null ? (err as DockerishError) : {};
}

export function statusCodeOf(err: unknown): number | undefined {
  const code = asDockerish(err).statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** 304: the container was already started / already stopped. */
export function isNotModified(err: unknown): boolean {
  return statusCodeOf(err) === 304;
}

/** 404: no such container / image. */
export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** 409: the name is in use (or the container is in a state that forbids the call). */
export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409;
}

const connectionCodes = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EACCES',
  'EPERM',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The engine could not be reached at all (as opposed to answering with an error). */
export function isConnectionError(err: unknown): boolean {
  const e = asDockerish(err);
  return e.statusCode === undefined && typeof e.code === 'string' && connectionCodes.has(e.code);
}

/** The engine's own words: `json.message` when it answered, else the Node error message. */
export function dockerMessage(err: unknown): string {
  const e = asDockerish(err);
  if (e.json && typeof e.json === 'object' && typeof e.json.message === 'string')
    return e.json.message.trim();
  if (typeof e.json === 'string' && e.json.trim() !== '') {
    try {
      const parsed = JSON.parse(e.json) as { message?: unknown };
      if (typeof parsed.message === 'string') return parsed.message.trim();
    } catch {
      return e.json.trim();
    }
  }
  if (typeof e.message === 'string' && e.message !== '') {
    // dockerode prefixes "(HTTP code 404) no such container - " to the engine's message.
    return e.message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim() || e.message;
  }
  return String(err);
}

/** Ignores 304 (already in the requested state). */
export function ignoreNotModified(err: unknown): void {
  if (!isNotModified(err)) throw err;
}

/** Ignores 304 and 404 (already stopped, or gone). */
export function ignoreGoneOrNotModified(err: unknown): void {
  if (!isNotModified(err) && !isNotFound(err)) throw err;
}

/** Ignores 404 (already gone). */
export function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}

/**
 * The error for "the engine does not answer", with a hint that fits the cause: a missing socket
 * (dockerd not running), a refused TCP connection, or a socket the user may not open.
 */
export function engineUnavailable(err: unknown, address: string): RuntimeUnavailableError {
  const e = asDockerish(err);
  const why = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  let hint: string;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      hint =
        'permission denied on the Docker socket: add your user to the docker group (sudo usermod -aG docker $USER, then log in again) or set DOCKER_HOST';
      break;
    case 'ENOENT':
      hint =
        'is dockerd running? Start it (e.g. sudo systemctl start docker) or point DOCKER_HOST at a running engine';
      break;
    default:
      hint =
        'start dockerd, or check DOCKER_HOST (and DOCKER_TLS_VERIFY / DOCKER_CERT_PATH for a TLS engine)';
  }
  return new RuntimeUnavailableError(`cannot reach the Docker engine at ${address}: ${why}`, hint);
}

/** Wraps connection failures as RuntimeUnavailableError; rethrows anything else unchanged. */
export function rethrowUnavailable(err: unknown, address: string): never {
  if (isConnectionError(err)) throw engineUnavailable(err, address);
  throw err;
}
