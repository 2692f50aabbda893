// Secret values never reach the terminal: the pod logs tjob prints (`tjob run`, `tjob logs`), the
// failure summary, events and describe pages replace every occurrence of a value of a Secret the
// job uses with `***` (`--show-secrets` opts out). Masking happens when printing: the state
// directory keeps the logs as the containers wrote them (it is private to the user, 0700/0600).

import { configValueText, type ConfigData } from '../api/config-value.js';
import type { PodSpec } from '../api/k8s.js';

/** Shorter values are not masked: `***` in place of every "1" or "yes" would only be noise. */
export const MIN_MASKED_LENGTH = 4;
export const MASK = '***';

type Secrets = ConfigData;

interface KeyItems {
  items?: { key: string }[];
}

/**
 * The values of the Secrets (from `secrets`, name → key → decoded value) that a pod spec uses:
 * env `secretKeyRef` (that key), `envFrom.secretRef` (every key), `secret` volumes and projected
 * secret sources (their items, or every key), and `imagePullSecrets` (every key, and the
 * credentials inside the docker config).
 */
export function secretValuesUsed(spec: PodSpec | undefined, secrets: Secrets | undefined): string[] {
  if (!spec || !secrets) return [];
  const values = new Set<string>();
  const all = (name: string | undefined) => {
    for (const v of Object.values((name !== undefined && secrets[name]) || {}))
      values.add(configValueText(v));
  };
  const some = (name: string | undefined, ref: KeyItems) => {
    if (!ref.items || ref.items.length === 0) return all(name);
    const data = (name !== undefined && secrets[name]) || {};
    for (const it of ref.items) if (data[it.key] !== undefined) values.add(configValueText(data[it.key]!));
  };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      const v = ref ? secrets[ref.name ?? '']?.[ref.key] : undefined;
      if (v !== undefined) values.add(configValueText(v));
    }
    for (const e of c.envFrom ?? []) if (e.secretRef) all(e.secretRef.name);
  }
  // imagePullSecrets: the whole docker config, and each credential in it (a password can show
  // alone in an error message, and an `auth` decodes to user:password).
  for (const ref of (spec['imagePullSecrets'] as { name?: string }[] | undefined) ?? []) {
    all(ref.name);
    for (const v of Object.values((ref.name !== undefined && secrets[ref.name]) || {}))
      for (const c of dockerConfigCredentials(configValueText(v))) values.add(c);
  }
  for (const vol of spec.volumes ?? []) {
    if (vol.secret) some(vol.secret.secretName, vol.secret);
    const projected = vol['projected'] as
      { sources?: { secret?: { name?: string } & KeyItems }[] } | undefined;
    for (const s of projected?.sources ?? []) if (s.secret) some(s.secret.name, s.secret);
  }
  return [...values];
}

/** The passwords, tokens and `auth` values (and their decoded passwords) of a docker config's text. */
export function dockerConfigCredentials(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null) return [];
  const root = parsed as Record<string, unknown>;
  const entries = typeof root['auths'] === 'object' && root['auths'] !== null ? root['auths'] : root;
  const out: string[] = [];
  for (const entry of Object.values(entries as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    for (const k of ['password', 'auth', 'identitytoken', 'registrytoken'])
      if (typeof e[k] === 'string' && e[k] !== '') out.push(e[k]);
    if (typeof e['auth'] === 'string') {
      const decoded = Buffer.from(e['auth'], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0 && colon + 1 < decoded.length) out.push(decoded.slice(colon + 1));
    }
  }
  return out;
}

/** Replaces every occurrence of the given values (and of each line of a multi-line one). */
export class SecretMask {
  private readonly pattern: RegExp | undefined;
  /** The values that fit within one line: what masking a line at a time can ever match. */
  private readonly linePattern: RegExp | undefined;

  /** Masks every non-empty text whole: for a job whose Secrets cannot be read (fail closed). */
  static everything(): SecretMask {
    return new SecretMask([], true);
  }

  constructor(
    values: Iterable<string>,
    private readonly whole = false,
  ) {
    const parts = new Set<string>();
    for (const v of values) {
      for (const p of [v, ...v.split(/\r?\n/)]) if (p.length >= MIN_MASKED_LENGTH) parts.add(p);
    }
    // Longest first, so a value that contains another is masked whole.
    const sorted = [...parts].sort((a, b) => b.length - a.length);
    this.pattern = alternation(sorted);
    this.linePattern = alternation(sorted.filter((p) => !p.includes('\n')));
  }

  get empty(): boolean {
    return this.pattern === undefined && !this.whole;
  }

  mask(text: string): string {
    if (this.whole) return text === '' ? text : MASK;
    return this.pattern ? text.replace(this.pattern, MASK) : text;
  }

  /**
   * mask() of each line of `text` (lines each ended by "\n"), in one pass: no value that fits in a
   * line can match across a line end, and the values that span lines are left out, as they never
   * match within one line.
   */
  maskLines(text: string): string {
    if (this.whole) return text.replace(/[^\n]+/g, MASK);
    return this.linePattern ? text.replace(this.linePattern, MASK) : text;
  }
}

function alternation(literals: string[]): RegExp | undefined {
  return literals.length > 0
    ? new RegExp(literals.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
    : undefined;
}

/** The mask for a job's pods, or one that masks nothing when `show` (`--show-secrets`). */
export function maskFor(spec: PodSpec | undefined, secrets: Secrets | undefined, show = false): SecretMask {
  return new SecretMask(show ? [] : secretValuesUsed(spec, secrets));
}
