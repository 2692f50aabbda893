// Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation), with their exact messages,
// and generateName.

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const configKeyRe = /^[-._a-zA-Z0-9]+$/;

export const DNS1123LabelMaxLength = 63;
export const DNS1123SubdomainMaxLength = 253;
export const LabelValueMaxLength = 63;

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  let s = `${msg} (`;
  if (examples.length) s += `e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, `;
  return `${s}regex used for validation is '${fmt}')`;
}

const maxLen = (n: number): string => `must be no more than ${n} characters`;

export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123LabelMaxLength) errs.push(maxLen(DNS1123LabelMaxLength));
  // A valid subdomain that is not a label (the length was checked above) has dots.
  if (!dns1123LabelRe.test(v) && dns1123SubdomainRe.test(v)) errs.push('must not contain dots');
  else if (!dns1123LabelRe.test(v))
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        dns1123LabelFmt,
        'my-name',
        '123-abc',
      ),
    );
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123SubdomainMaxLength) errs.push(maxLen(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainRe.test(v))
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        'example.com',
      ),
    );
  return errs;
}

const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** Label and annotation keys: `[prefix/]name`. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      'a qualified name ' +
        regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!qualifiedNameRe.test(name))
    errs.push(
      'name part ' + regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc'),
    );
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > LabelValueMaxLength) errs.push(maxLen(LabelValueMaxLength));
  if (!labelValueRe.test(v))
    errs.push(
      regexError(
        'a valid label must be an empty string or ' + qualifiedNameErrMsg.replace(/^must /, ''),
        labelValueFmt,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  return errs;
}

/** Environment variable names (RelaxedEnvironmentVariableValidation, on by default since 1.32). */
export function isEnvVarName(v: string): string[] {
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(v)
    ? []
    : ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
}

/** ConfigMap/Secret keys and envFrom prefixes. */
export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123SubdomainMaxLength) errs.push(maxLen(DNS1123SubdomainMaxLength));
  if (!configKeyRe.test(v))
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        '[-._a-zA-Z0-9]+',
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  if (v === '.') errs.push("must not be '.'");
  else if (v === '..') errs.push("must not be '..'");
  else if (v.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Port names (IANA_SVC_NAME). */
export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(v))
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (v.includes('--')) errs.push('must not contain consecutive hyphens');
  if (!/[a-z]/.test(v)) errs.push('must contain at least one letter (a-z)');
  if (v.startsWith('-') || v.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** The alphabet of generated name suffixes (k8s.io/apimachinery/pkg/util/rand). */
export const NameSuffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxGeneratedNameLength = 63;
const randomLength = 5;

/**
 * A fresh name from a generateName prefix, as the API server makes it: the prefix cut to 58
 * characters, then 5 characters from {@link NameSuffixAlphabet}. `random` returns [0, 1).
 */
export function generateName(prefix: string, random: () => number): string {
  const base = prefix.length > maxGeneratedNameLength - randomLength ? prefix.slice(0, 58) : prefix;
  let suffix = '';
  for (let i = 0; i < randomLength; i++) {
    const n = Math.min(NameSuffixAlphabet.length - 1, Math.floor(random() * NameSuffixAlphabet.length));
    suffix += NameSuffixAlphabet[n] ?? 'b';
  }
  return base + suffix;
}
