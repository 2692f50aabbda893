// Which credentials a pull of an image uses, as the kubelet picks them from a pod's
// imagePullSecrets: kubelet pkg/credentialprovider/keyring.go (BasicDockerKeyring: keys are the
// entries' host[/path] with the scheme and a /v1/ or /v2/ prefix dropped, most specific first,
// host parts matched as globs, the port exactly, the path as a prefix; Docker Hub's credentials for
// names without a registry) and pkg/credentialprovider/config.go (an entry's `auth` is
// base64(username:password)). Pure: no I/O.

/** What a pull sends to the engine as X-Registry-Auth (the engine's registry.AuthConfig). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
  serveraddress?: string;
}

/** A credential and where it came from (a Secret's name, a file, a helper): messages name the source. */
export interface Credential {
  auth: RegistryAuth;
  source: string;
}

/** Thrown for a credential entry that does not parse; the message never holds a credential. */
export class CredentialFormatError extends Error {}

const DefaultRegistryHost = 'index.docker.io';

/** One `auths` entry (or a top-level .dockercfg entry), decoded as config.go's DockerConfigEntry does. */
export function decodeConfigEntry(raw: unknown, where: string): RegistryAuth {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CredentialFormatError(`${where}: expected an object with username/password or auth`);
  const e = raw as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = e[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new CredentialFormatError(`${where}.${k}: expected a string`);
    return v;
  };
  const out: RegistryAuth = {};
  const username = str('username');
  const password = str('password');
  const auth = str('auth');
  const identitytoken = str('identitytoken');
  const registrytoken = str('registrytoken');
  if (username !== undefined) out.username = username;
  if (password !== undefined) out.password = password;
  if (auth !== undefined && auth !== '') {
    const [user, pass] = decodeAuthField(auth, `${where}.auth`);
    out.username = user;
    out.password = pass;
  }
  if (identitytoken !== undefined && identitytoken !== '') out.identitytoken = identitytoken;
  if (registrytoken !== undefined && registrytoken !== '') out.registrytoken = registrytoken;
  return out;
}

/** config.go decodeDockerConfigFieldAuth: base64(username:password). */
export function decodeAuthField(auth: string, where: string): [string, string] {
  const clean = auth.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0)
    throw new CredentialFormatError(`${where}: not base64 (expected base64 of "username:password")`);
  const text = Buffer.from(clean, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw new CredentialFormatError(`${where}: must be formatted as base64(username:password)`);
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/** Where `loc` (a registry key of a docker config) files its credentials: keyring.go Add. */
export function keyringKey(loc: string): string | undefined {
  const value = /^https?:\/\//.test(loc) ? loc : `https://${loc}`;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return undefined;
  }
  let path = parsed.pathname;
  // Go's url.Parse keeps "" for no path where WHATWG gives "/".
  if (!/^https?:\/\/[^/]+\//.test(value)) path = '';
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path.length > 0 && path !== '/' ? parsed.host + path : parsed.host;
}

/** keyring.go isDefaultRegistryMatch: the image is pulled from Docker Hub. */
export function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (first.length === 0) return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === 'index.docker.io') return true;
  return !/[.:]/.test(first);
}

interface SchemelessUrl {
  hostParts: string[];
  port: string;
  path: string;
}

function parseSchemeless(s: string): SchemelessUrl | undefined {
  const slash = s.indexOf('/');
  const hostPort = slash < 0 ? s : s.slice(0, slash);
  const path = slash < 0 ? '' : s.slice(slash);
  let host = hostPort;
  let port = '';
  const m = /^(.*):(\d*)$/.exec(hostPort);
  if (m && !hostPort.startsWith('[')) {
    host = m[1]!;
    port = m[2]!;
  }
  return { hostParts: host.split('.'), port, path };
}

/** Go's filepath.Match for one host part (no separators in it): `*`, `?`, `[...]`. */
function globMatch(glob: string, target: string): boolean {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) return false;
      let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      re += `[${cls}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) {
      re += glob[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(target);
  } catch {
    return false;
  }
}

/** keyring.go URLsMatchStr: host parts as globs, same port, the key's path a prefix of the image's. */
export function urlsMatch(glob: string, target: string): boolean {
  const g = parseSchemeless(glob);
  const t = parseSchemeless(target);
  if (!g || !t) return false;
  if (g.port !== t.port) return false;
  if (g.hostParts.length !== t.hostParts.length) return false;
  if (!t.path.startsWith(g.path)) return false;
  return g.hostParts.every((part, i) => globMatch(part, t.hostParts[i]!));
}

/** BasicDockerKeyring: credentials by registry key, looked up by an image's repository. */
export class Keyring {
  private readonly creds = new Map<string, Credential[]>();

  /** Adds a docker config's entries (registry key → credentials); keys that do not parse are skipped. */
  add(entries: Iterable<[string, RegistryAuth]>, source: string): void {
    for (const [loc, auth] of entries) {
      const key = keyringKey(loc);
      if (key === undefined) continue;
      const list = this.creds.get(key) ?? [];
      list.push({ auth, source });
      this.creds.set(key, list);
    }
  }

  get size(): number {
    return this.creds.size;
  }

  /**
   * The credentials for `repository` (a normalized name without tag or digest, e.g.
   * `docker.io/library/busybox`), the most specific key first; empty when none match.
   */
  lookup(repository: string): Credential[] {
    // Reverse-sorted so that "quay.io/coreos" comes before "quay.io" (keyring.go Add).
    const index = [...this.creds.keys()].sort().reverse();
    const out: Credential[] = [];
    for (const k of index) if (urlsMatch(k, repository)) out.push(...this.creds.get(k)!);
    if (out.length > 0) return out;
    if (isDefaultRegistryMatch(repository)) return [...(this.creds.get(DefaultRegistryHost) ?? [])];
    return [];
  }
}
