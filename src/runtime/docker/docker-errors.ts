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

/**
 * 409: the name is in use (or the container is in a state that forbids the call). Podman's
 * Docker-compatible API answers a taken name with a 500 whose message says so (its storage's
 * ErrDuplicateName, "the container name "NAME" is already in use by ID ...").
 */
export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409 || /\bcontainer name "[^"]*" is already in use\b/.test(dockerMessage(err));
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

/**
 * What a dockerd that is shutting down (SIGTERM: it closes its socket at once, but still answers
 * on connections already open while it stops its containers and its containerd) or that is not
 * ready yet answers to create/start. Seen on this machine's dockerd 20.10 during a shutdown:
 * `500 transport is closing: unavailable` (containerd's gRPC connection closing) and
 * `500 failed to update the store state of sandbox: ... open : no such file or directory` (the
 * network store already closed); the others are the same causes in other words (containerd
 * gone or restarting, a request cancelled by the shutdown).
 */
const engineGoingAwayMessages = [
  /transport is closing/i,
  /:\s*unavailable$/i,
  /code = Unavailable/i,
  /shutting down/i,
  /context canceled/i,
  /error reading from server/i,
  /containerd\.sock/i,
  /connection (?:refused|reset|closed|error)/i,
  /failed to update the store state of sandbox/i,
];

/**
 * The engine is going away or not ready (as opposed to refusing what was asked): a connection
 * failure, a 503, or a 5xx answer in the words of a shutdown. A container whose create or start
 * meets it never ran; it is created/started again when the engine answers, not failed.
 */
export function isEngineGoingAway(err: unknown): boolean {
  if (isConnectionError(err)) return true;
  const status = statusCodeOf(err);
  if (status === undefined || status < 500) return false;
  if (status === 503) return true;
  const message = dockerMessage(err);
  return engineGoingAwayMessages.some((re) => re.test(message));
}

/**
 * A start refused because the engine's containerd still holds a task (or container) of that id,
 * half made by a start lost when the engine stopped: `500 task <id>: already exists`, `id
 * already in use` (seen starting such a container after the engine came back). The container
 * never ran; a new one (a new id) starts.
 */
export function isStaleRuntimeTask(err: unknown): boolean {
  const status = statusCodeOf(err);
  if (status === undefined || status < 500) return false;
  return /^task [0-9a-f]+: already exists$|\bid already in use\b/i.test(dockerMessage(err));
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
