// An image reference split as github.com/distribution/reference's ParseNormalizedNamed splits it:
// the registry (a first component with `.` or `:`, or `localhost`; otherwise Docker Hub, whose
// legacy name index.docker.io is the same), the normalized repository (`docker.io/library/x`
// for an official image), and the tag or digest. Pure.

export const DockerHubDomain = 'docker.io';
/** The key the docker CLI files Docker Hub's credentials under (registry.IndexServer). */
export const DockerHubAuthKey = 'https://index.docker.io/v1/';

export interface ImageReference {
  /** host[:port] of the registry; `docker.io` for Docker Hub. */
  domain: string;
  /** domain/path, e.g. `docker.io/library/busybox`, `127.0.0.1:5000/team/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(image: string): ImageReference {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let domain = DockerHubDomain;
  let path = rest;
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    path = rest.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = DockerHubDomain;
  if (domain === DockerHubDomain && !path.includes('/')) path = `library/${path}`;
  const out: ImageReference = { domain, repository: `${domain}/${path}` };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** The key the docker CLI looks the registry's credentials up by (GetAuthConfigKey). */
export function authKeyOf(ref: ImageReference): string {
  return ref.domain === DockerHubDomain ? DockerHubAuthKey : ref.domain;
}

/**
 * configfile's ConvertToHostname: a config key as a host[:port] (scheme and path dropped), so
 * that `https://registry.example.com/v1/` finds `registry.example.com`.
 */
export function convertToHostname(key: string): string {
  let s = key;
  const scheme = s.indexOf('://');
  if (scheme >= 0) s = s.slice(scheme + 3);
  const slash = s.indexOf('/');
  return slash < 0 ? s : s.slice(0, slash);
}

/**
 * Whether the reference names its registry (`registry.example.com/app`, `localhost:5000/app`,
 * `docker.io/library/busybox`) rather than leaving it to Docker Hub's default (`busybox`,
 * `team/app`): the first component is a domain by ParseNormalizedNamed's rule.
 */
export function namesRegistry(image: string): boolean {
  const name = image.split('@')[0]!;
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const first = name.slice(0, slash);
  return /[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first;
}
