// Defaulting of a pod template's spec as the API server does it on create: the defaulters that
// SetObjectDefaults_Job calls on spec.template.spec (pkg/apis/batch/v1/zz_generated.defaults.go),
// i.e. the SetDefaults_* functions of pkg/apis/core/v1/defaults.go and the `+default` markers of
// k8s.io/api/core/v1/types.go; and the Pod-only defaults (SetDefaults_Pod), which apply to the
// pods made from a template but not to the template itself. As in Go, a string field is
// defaulted when empty, a pointer when unset, a probe's int32 when 0.
// Pure: the argument is cloned, then the clone is filled in.

import type { PodSpec } from '../api/k8s.js';
import { imageTag } from './image-reference.js';
import { roundUpToMilli } from './quantity.js';

type R = Record<string, unknown>;
const obj = (v: unknown): R | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as R) : undefined;
const objects = (v: unknown): R[] =>
  Array.isArray(v) ? v.map(obj).filter((o): o is R => o !== undefined) : [];

/** Sets `key` when it is unset (a Go pointer or struct). */
function orUnset(o: R, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}
/** Sets `key` when it is unset or '' (a Go string). */
function orEmpty(o: R, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === '') o[key] = value;
}
/** Sets `key` when it is unset or 0 (a Go int32). */
function orZero(o: R, key: string, value: number): void {
  if (o[key] === undefined || o[key] === 0) o[key] = value;
}

export const DefaultTerminationGracePeriodSeconds = 30;
/** 0644, the default mode of secret, configMap, downwardAPI and projected volumes. */
export const DefaultVolumeMode = 0o644;
export const DefaultServiceAccountTokenExpirationSeconds = 3600;

/** SetDefaults_Container's rule: `Always` for the `latest` tag (or none), else `IfNotPresent`. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return imageTag(image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
}

/** SetDefaults_ResourceList on a ResourceRequirements' limits and requests. */
function defaultResourceLists(requirements: unknown): void {
  const r = obj(requirements);
  for (const list of ['limits', 'requests']) {
    const l = obj(r?.[list]);
    if (l) for (const k of Object.keys(l)) l[k] = roundUpToMilli(l[k]);
  }
}

/** SetDefaults_ObjectFieldSelector. */
function defaultFieldRef(ref: unknown): void {
  const r = obj(ref);
  if (r) orEmpty(r, 'apiVersion', 'v1');
}

/**
 * ResourceFieldSelector.divisor is a Go Quantity (not a pointer): unset, the API server serves it
 * as "0", which the kubelet reads as 1 (ExtractContainerResourceValue).
 */
function defaultResourceFieldRef(ref: unknown): void {
  const r = obj(ref);
  if (r) orUnset(r, 'divisor', '0');
}

function defaultDownwardAPIItems(items: unknown): void {
  for (const it of objects(items)) {
    defaultFieldRef(it['fieldRef']);
    defaultResourceFieldRef(it['resourceFieldRef']);
  }
}

/** SetDefaults_HTTPGetAction. */
function defaultHTTPGet(h: unknown): void {
  const o = obj(h);
  if (!o) return;
  orEmpty(o, 'path', '/');
  orEmpty(o, 'scheme', 'HTTP');
}

/** SetDefaults_Probe, with its handlers' defaults (GRPCAction.service defaults to ""). */
function defaultProbe(p: unknown): void {
  const o = obj(p);
  if (!o) return;
  orZero(o, 'timeoutSeconds', 1);
  orZero(o, 'periodSeconds', 10);
  orZero(o, 'successThreshold', 1);
  orZero(o, 'failureThreshold', 3);
  defaultHTTPGet(o['httpGet']);
  const grpc = obj(o['grpc']);
  if (grpc) orUnset(grpc, 'service', '');
}

/** SetDefaults_Container and the defaulters of its parts (ports, env, probes, lifecycle). */
function defaultContainer(c: R): void {
  orEmpty(c, 'imagePullPolicy', defaultPullPolicy(typeof c['image'] === 'string' ? c['image'] : ''));
  orEmpty(c, 'terminationMessagePath', '/dev/termination-log');
  orEmpty(c, 'terminationMessagePolicy', 'File');
  // ResourceRequirements is a struct: served as `resources: {}` when empty.
  orUnset(c, 'resources', {});
  defaultResourceLists(c['resources']);
  for (const p of objects(c['ports'])) orEmpty(p, 'protocol', 'TCP');
  for (const e of objects(c['env'])) {
    const vf = obj(e['valueFrom']);
    if (!vf) continue;
    defaultFieldRef(vf['fieldRef']);
    defaultResourceFieldRef(vf['resourceFieldRef']);
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[probe]);
  const lifecycle = obj(c['lifecycle']);
  if (lifecycle)
    for (const hook of ['postStart', 'preStop']) defaultHTTPGet(obj(lifecycle[hook])?.['httpGet']);
}

/** Every key of a Volume but its name is a volume source (all pointers in Go). */
function hasVolumeSource(v: R): boolean {
  return Object.keys(v).some((k) => k !== 'name' && v[k] !== undefined);
}

/** SetDefaults_Volume and the defaulters of the volume sources. */
function defaultVolume(v: R): void {
  if (!hasVolumeSource(v)) v['emptyDir'] = {};
  const src = (k: string): R | undefined => obj(v[k]);
  const hostPath = src('hostPath');
  if (hostPath) orUnset(hostPath, 'type', '');
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = src(k);
    if (s) orUnset(s, 'defaultMode', DefaultVolumeMode);
  }
  defaultDownwardAPIItems(src('downwardAPI')?.['items']);
  for (const ps of objects(src('projected')?.['sources'])) {
    defaultDownwardAPIItems(obj(ps['downwardAPI'])?.['items']);
    const token = obj(ps['serviceAccountToken']);
    if (token) orUnset(token, 'expirationSeconds', DefaultServiceAccountTokenExpirationSeconds);
  }
  const image = src('image');
  if (image)
    orEmpty(
      image,
      'pullPolicy',
      defaultPullPolicy(typeof image['reference'] === 'string' ? image['reference'] : ''),
    );
  const claimSpec = obj(obj(src('ephemeral')?.['volumeClaimTemplate'])?.['spec']);
  if (claimSpec) {
    orUnset(claimSpec, 'volumeMode', 'Filesystem');
    defaultResourceLists(claimSpec['resources']);
  }
  // The `+default` markers of the in-tree volume sources.
  const iscsi = src('iscsi');
  if (iscsi) orEmpty(iscsi, 'iscsiInterface', 'default');
  const rbd = src('rbd');
  if (rbd) {
    orEmpty(rbd, 'pool', 'rbd');
    orEmpty(rbd, 'user', 'admin');
    orEmpty(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const azureDisk = src('azureDisk');
  if (azureDisk) {
    orUnset(azureDisk, 'cachingMode', 'ReadWrite');
    orUnset(azureDisk, 'fsType', 'ext4');
    orUnset(azureDisk, 'readOnly', false);
    orUnset(azureDisk, 'kind', 'Shared');
  }
  const scaleIO = src('scaleIO');
  if (scaleIO) {
    orEmpty(scaleIO, 'storageMode', 'ThinProvisioned');
    orEmpty(scaleIO, 'fsType', 'xfs');
  }
}

/** A pod template's spec as the API server stores it (SetDefaults_PodSpec and what it holds). */
export function defaultPodSpec(spec: PodSpec): PodSpec {
  const out = structuredClone(spec) as PodSpec & R;
  orEmpty(out, 'dnsPolicy', 'ClusterFirst');
  orEmpty(out, 'restartPolicy', 'Always');
  orUnset(out, 'securityContext', {});
  orUnset(out, 'terminationGracePeriodSeconds', DefaultTerminationGracePeriodSeconds);
  orEmpty(out, 'schedulerName', 'default-scheduler');
  out.containers ??= [];
  const overhead = obj(out['overhead']);
  if (overhead) for (const k of Object.keys(overhead)) overhead[k] = roundUpToMilli(overhead[k]);
  defaultResourceLists(out['resources']);
  for (const v of objects(out['volumes'])) defaultVolume(v);
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'])
    for (const c of objects(out[list])) defaultContainer(c);
  return out;
}

/**
 * SetDefaults_Pod, for a pod made from a defaulted template: a container's requests default to
 * its limits, enableServiceLinks to true, and with hostNetwork a port's hostPort to its
 * containerPort.
 */
export function defaultPodOnlyFields(spec: PodSpec): PodSpec {
  const out = structuredClone(spec) as PodSpec & R;
  for (const list of ['initContainers', 'containers'])
    for (const c of objects(out[list])) {
      const res = obj(c['resources']);
      const limits = obj(res?.['limits']);
      if (!res || !limits) continue;
      const requests = (res['requests'] = { ...(obj(res['requests']) ?? {}) });
      for (const [k, v] of Object.entries(limits)) orUnset(requests, k, v);
    }
  orUnset(out, 'enableServiceLinks', true);
  if (out.hostNetwork === true)
    for (const list of ['initContainers', 'containers'])
      for (const c of objects(out[list]))
        for (const p of objects(c['ports']))
          if (typeof p['containerPort'] === 'number' && p['containerPort'] !== 0)
            orZero(p, 'hostPort', p['containerPort']);
  return out;
}
