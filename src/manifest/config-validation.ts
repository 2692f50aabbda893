// ConfigMap and Secret validation (ValidateConfigMap, ValidateSecret), and the consistency of
// the references a pod template makes to them.

import type { ConfigMap, PodSpec, Secret } from '../api/k8s.js';
import { dedupe, fe, type PathError } from './field-errors.js';
import { validateObjectMeta } from './meta-validation.js';
import { isConfigMapKey } from './names.js';

const MaxSize = 1024 * 1024;

function keyErrors(m: Record<string, string> | undefined, path: string): PathError[] {
  const errs: PathError[] = [];
  for (const k of Object.keys(m ?? {}).sort())
    for (const msg of isConfigMapKey(k)) errs.push(fe.invalid(`${path}[${k}]`, k, msg));
  return errs;
}

function base64Errors(m: Record<string, string> | undefined, path: string): PathError[] {
  const errs: PathError[] = [];
  for (const k of Object.keys(m ?? {}).sort()) {
    const v = String(m?.[k] ?? '').replace(/[\r\n]/g, '');
    const bad = v.search(/[^A-Za-z0-9+/=]/);
    const padBad = bad < 0 && (v.length % 4 !== 0 || /=[^=]/.test(v));
    if (bad >= 0 || padBad)
      errs.push(
        fe.invalid(`${path}[${k}]`, v, `illegal base64 data at input byte ${bad >= 0 ? bad : v.length}`),
      );
  }
  return errs;
}

const size = (m: Record<string, string> | undefined): number =>
  Object.values(m ?? {}).reduce((n, v) => n + String(v).length, 0);

export function validateConfigMap(cm: ConfigMap): PathError[] {
  const errs = validateObjectMeta(cm.metadata);
  errs.push(...keyErrors(cm.data, 'data'));
  for (const k of Object.keys(cm.data ?? {}).sort())
    if (cm.binaryData && k in cm.binaryData)
      errs.push(fe.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
  errs.push(...keyErrors(cm.binaryData, 'binaryData'));
  errs.push(...base64Errors(cm.binaryData, 'binaryData'));
  if (size(cm.data) + size(cm.binaryData) > MaxSize) errs.push(fe.tooLong('', MaxSize));
  return dedupe(errs);
}

/** The Secret types whose data the kubelet reads for pulls, and the key each must hold. */
export const PullSecretKeys: Record<string, string> = {
  'kubernetes.io/dockerconfigjson': '.dockerconfigjson',
  'kubernetes.io/dockercfg': '.dockercfg',
};

/**
 * ValidateSecret's rule for the docker config types (pkg/apis/core/validation/validation.go): the
 * type's key is there and holds a JSON object. The contents are never quoted in the error.
 */
function pullSecretErrors(s: Secret): PathError[] {
  const key = s.type !== undefined ? PullSecretKeys[s.type] : undefined;
  if (key === undefined) return [];
  let text: string | undefined = s.stringData?.[key];
  if (text === undefined && s.data?.[key] !== undefined)
    text = Buffer.from(String(s.data[key]).replace(/[\r\n]/g, ''), 'base64').toString('utf8');
  if (text === undefined)
    return [fe.required(`data[${key}]`, `a Secret of type ${s.type} holds its docker config under this key`)];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return [fe.invalid(`data[${key}]`, '<secret contents redacted>', 'must be a JSON object')];
  return [];
}

export function validateSecret(s: Secret): PathError[] {
  const errs = validateObjectMeta(s.metadata);
  errs.push(...pullSecretErrors(s));
  errs.push(...base64Errors(s.data, 'data'));
  errs.push(...keyErrors(s.data, 'data'));
  errs.push(...keyErrors(s.stringData, 'stringData'));
  if (size(s.data) + size(s.stringData) > MaxSize) errs.push(fe.tooLong('data', MaxSize));
  return dedupe(errs);
}

export interface ConfigReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** A key that must exist, if the reference names one. */
  key?: string;
  optional: boolean;
  path: string;
  /** An imagePullSecrets entry: the kubelet pulls without it when it is missing. */
  pullSecret?: boolean;
}

/** Every ConfigMap/Secret a pod spec refers to (env, envFrom, volumes, projected sources). */
export function configReferences(spec: PodSpec | undefined, path: string): ConfigReference[] {
  const out: ConfigReference[] = [];
  if (!spec) return out;
  const containers = [
    ...(spec.initContainers ?? []).map((c, i) => ({ c, p: `${path}.initContainers[${i}]` })),
    ...(spec.containers ?? []).map((c, i) => ({ c, p: `${path}.containers[${i}]` })),
  ];
  for (const { c, p } of containers) {
    (c.env ?? []).forEach((e, i) => {
      const cm = e.valueFrom?.configMapKeyRef;
      const sk = e.valueFrom?.secretKeyRef;
      const vp = `${p}.env[${i}].valueFrom`;
      if (cm)
        out.push({
          kind: 'ConfigMap',
          name: cm.name ?? '',
          key: cm.key,
          optional: cm.optional === true,
          path: `${vp}.configMapKeyRef`,
        });
      if (sk)
        out.push({
          kind: 'Secret',
          name: sk.name ?? '',
          key: sk.key,
          optional: sk.optional === true,
          path: `${vp}.secretKeyRef`,
        });
    });
    (c.envFrom ?? []).forEach((e, i) => {
      if (e.configMapRef)
        out.push({
          kind: 'ConfigMap',
          name: e.configMapRef.name,
          optional: e.configMapRef.optional === true,
          path: `${p}.envFrom[${i}].configMapRef`,
        });
      if (e.secretRef)
        out.push({
          kind: 'Secret',
          name: e.secretRef.name,
          optional: e.secretRef.optional === true,
          path: `${p}.envFrom[${i}].secretRef`,
        });
    });
  }
  ((spec['imagePullSecrets'] as { name?: string }[] | undefined) ?? []).forEach((ref, i) => {
    if (ref?.name)
      out.push({
        kind: 'Secret',
        name: ref.name,
        optional: true,
        pullSecret: true,
        path: `${path}.imagePullSecrets[${i}]`,
      });
  });
  (spec.volumes ?? []).forEach((v, i) => {
    const vp = `${path}.volumes[${i}]`;
    if (v.configMap) {
      const cm = v.configMap;
      out.push({ kind: 'ConfigMap', name: cm.name, optional: cm.optional === true, path: `${vp}.configMap` });
      (cm.items ?? []).forEach((it, j) =>
        out.push({
          kind: 'ConfigMap',
          name: cm.name,
          key: it.key,
          optional: cm.optional === true,
          path: `${vp}.configMap.items[${j}]`,
        }),
      );
    }
    if (v.secret) {
      const s = v.secret;
      out.push({ kind: 'Secret', name: s.secretName, optional: s.optional === true, path: `${vp}.secret` });
      (s.items ?? []).forEach((it, j) =>
        out.push({
          kind: 'Secret',
          name: s.secretName,
          key: it.key,
          optional: s.optional === true,
          path: `${vp}.secret.items[${j}]`,
        }),
      );
    }
    const projected = v['projected'] as
      { sources?: Record<string, { name?: string; optional?: boolean }>[] } | undefined;
    (projected?.sources ?? []).forEach((src, j) => {
      for (const kind of ['configMap', 'secret'] as const) {
        const ref = src[kind];
        if (ref)
          out.push({
            kind: kind === 'configMap' ? 'ConfigMap' : 'Secret',
            name: ref.name ?? '',
            optional: ref.optional === true,
            path: `${vp}.projected.sources[${j}].${kind}`,
          });
      }
    });
  });
  return out;
}
