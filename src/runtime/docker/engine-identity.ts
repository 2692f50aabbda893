// Which engine answers on the endpoint, from its `GET /version`: Docker names its main component
// "Engine", Podman's Docker-compatible service "Podman Engine" (pkg/api/handlers/compat/version.go).
// tjob calls the unversioned API paths, which an engine serves at its own current API version
// (ApiVersion), so that is the version tjob talks.

export interface EngineIdentity {
  /** Docker, Podman, or the product name the engine gave. */
  product: string;
  version: string;
  /** The Docker API version tjob's requests are served at. */
  apiVersion: string;
  minApiVersion?: string;
}

interface VersionBody {
  Version?: unknown;
  ApiVersion?: unknown;
  MinAPIVersion?: unknown;
  Components?: { Name?: unknown; Version?: unknown }[] | null;
}

export function engineIdentity(body: unknown): EngineIdentity {
  const v = (typeof body === 'object' && body !== null ? body : {}) as VersionBody;
  const names = (Array.isArray(v.Components) ? v.Components : []).map((c) =>
    typeof c?.Name === 'string' ? c.Name : '',
  );
  let product = 'Docker';
  if (names.some((n) => /^podman/i.test(n))) product = 'Podman';
  else if (!names.includes('Engine') && names[0]) product = names[0];
  const identity: EngineIdentity = {
    product,
    version: typeof v.Version === 'string' && v.Version !== '' ? v.Version : 'unknown',
    apiVersion: typeof v.ApiVersion === 'string' && v.ApiVersion !== '' ? v.ApiVersion : 'unknown',
  };
  if (typeof v.MinAPIVersion === 'string' && v.MinAPIVersion !== '') identity.minApiVersion = v.MinAPIVersion;
  return identity;
}

/** `Podman 4.3.1 (API 1.41)`. */
export function describeIdentity(id: EngineIdentity): string {
  return `${id.product} ${id.version} (API ${id.apiVersion})`;
}
