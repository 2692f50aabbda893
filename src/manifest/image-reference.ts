// The tag of a container image reference, read as the API server reads it to default an
// imagePullPolicy (pkg/util/parsers.ParseImageName, over ParseNormalizedNamed of
// github.com/distribution/reference): `latest` when neither a tag nor a digest is given, the
// tag when one is, and '' for a digest alone or a reference that does not parse.

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const name = `(?:${host}(?::[0-9]+)?/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referenceRe = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
const identifierRe = /^[a-f0-9]{64}$/;
const NameTotalLengthMax = 255;

/** Hex lengths of the digest algorithms the reference parser knows (opencontainers/go-digest). */
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function validDigest(d: string): boolean {
  const [alg = '', hex = ''] = d.split(':');
  const len = digestHexLength[alg];
  return len !== undefined && hex.length === len && /^[a-f0-9]+$/.test(hex);
}

/** ParseNormalizedNamed's split: a first component is a registry if it has `.` or `:`, is `localhost`, or has upper case. */
function remainderOf(ref: string): string {
  const i = ref.indexOf('/');
  if (i === -1) return ref;
  const first = ref.slice(0, i);
  const isDomain = /[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first;
  return isDomain ? ref.slice(i + 1) : ref;
}

export function imageTag(image: string): string {
  if (identifierRe.test(image)) return '';
  const remainder = remainderOf(image);
  // The repository path must be lower case (the tag and digest may not be).
  const path = remainder.split('@')[0]?.replace(/:[^/]*$/, '') ?? '';
  if (path.toLowerCase() !== path) return '';
  const m = referenceRe.exec(image);
  if (!m || (m[1] ?? '').length > NameTotalLengthMax) return '';
  const t = m[2] ?? '';
  const d = m[3] ?? '';
  if (d && !validDigest(d)) return '';
  return t === '' && d === '' ? 'latest' : t;
}
