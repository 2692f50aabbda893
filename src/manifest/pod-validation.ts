// Pod template validation (pkg/apis/core/validation): volumes, containers, init containers,
// env, mounts, ports, resources, restartPolicy, dnsPolicy, ... in the API server's order and
// wording. Input has passed the strict field check, so types are right where present.

import { isIP } from 'node:net';

import type { PodTemplateSpec } from '../api/k8s.js';
import { fe, type PathError } from './field-errors.js';
import { validateAnnotations, validateLabels } from './meta-validation.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidPortName,
} from './names.js';
import { quantityValue } from './quantity.js';
import { VolumeSourceFields } from './schema.js';

type R = Record<string, unknown>;
const obj = (v: unknown): R | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as R) : undefined;
const list = (v: unknown): R[] => (Array.isArray(v) ? v.map((x) => obj(x) ?? {}) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const sortedKeys = (m: R | undefined): string[] => Object.keys(m ?? {}).sort();

// Go's order of volume sources in validateVolumeSource.
const volumeSourceOrder = [
  'emptyDir',
  'hostPath',
  'gitRepo',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'flexVolume',
  'persistentVolumeClaim',
  'rbd',
  'quobyte',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'vsphereVolume',
  'photonPersistentDisk',
  'portworxVolume',
  'azureDisk',
  'storageos',
  'configMap',
  'scaleIO',
  'projected',
  'csi',
  'ephemeral',
  'image',
].filter((s) => VolumeSourceFields.includes(s));

const hostPathTypes = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];
const envFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const volumeFieldPaths = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];
const resourceFieldRefs = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);

function dnsLabel(v: string, path: string): PathError[] {
  return isDNS1123Label(v).map((m) => fe.invalid(path, v, m));
}

function relativePath(p: string, path: string): PathError[] {
  const errs: PathError[] = [];
  if (p.startsWith('/')) errs.push(fe.invalid(path, p, 'must be a relative path'));
  if (p.split(/[\\/]/).includes('..')) errs.push(fe.invalid(path, p, "must not contain '..'"));
  return errs;
}

function nonReservedRelativePath(p: string, path: string): PathError[] {
  const errs = relativePath(p, path);
  if (p.startsWith('..')) errs.push(fe.invalid(path, p, "must not start with '..'"));
  return errs;
}

function fileMode(v: unknown, path: string): PathError[] {
  const n = num(v);
  return n !== undefined && (n < 0 || n > 0o777)
    ? [fe.invalid(path, n, 'must be a number between 0 and 0777 (octal), both inclusive')]
    : [];
}

function keyToPaths(items: unknown, path: string): PathError[] {
  const errs: PathError[] = [];
  list(items).forEach((it, i) => {
    const p = `${path}[${i}]`;
    if (!str(it['key'])) errs.push(fe.required(`${p}.key`));
    if (!str(it['path'])) errs.push(fe.required(`${p}.path`));
    else errs.push(...nonReservedRelativePath(str(it['path']), `${p}.path`));
    errs.push(...fileMode(it['mode'], `${p}.mode`));
  });
  return errs;
}

function objectFieldSelector(ref: R, allowed: string[], path: string): PathError[] {
  const errs: PathError[] = [];
  const fp = str(ref['fieldPath']);
  // Defaulting sets apiVersion to v1; any other is refused by ConvertDownwardAPIFieldLabel.
  const version = str(ref['apiVersion']);
  if (!version) return [fe.required(`${path}.apiVersion`)];
  if (!fp) return [fe.required(`${path}.fieldPath`)];
  if (version !== 'v1')
    return [
      fe.invalid(`${path}.fieldPath`, fp, `error converting fieldPath: unsupported pod version: ${version}`),
    ];
  const sub = /^(metadata\.(?:labels|annotations))\['[^']+'\]$/.exec(fp);
  if (sub) return errs;
  if (!allowed.includes(fp)) errs.push(fe.notSupported(`${path}.fieldPath`, fp, allowed));
  return errs;
}

function resourceFieldSelector(ref: R, path: string, needContainer: boolean): PathError[] {
  const errs: PathError[] = [];
  if (needContainer && !str(ref['containerName'])) errs.push(fe.required(`${path}.containerName`));
  const r = str(ref['resource']);
  if (!r) errs.push(fe.required(`${path}.resource`));
  else if (!resourceFieldRefs.includes(r) && !/^(limits|requests)\.hugepages-/.test(r))
    errs.push(fe.notSupported(`${path}.resource`, r, resourceFieldRefs));
  return errs;
}

function downwardAPIItems(items: unknown, path: string): PathError[] {
  const errs: PathError[] = [];
  list(items).forEach((it, i) => {
    const p = `${path}[${i}]`;
    if (!str(it['path'])) errs.push(fe.required(`${p}.path`));
    else errs.push(...nonReservedRelativePath(str(it['path']), `${p}.path`));
    errs.push(...fileMode(it['mode'], `${p}.mode`));
    const fr = obj(it['fieldRef']);
    const rr = obj(it['resourceFieldRef']);
    if (fr) errs.push(...objectFieldSelector(fr, volumeFieldPaths, `${p}.fieldRef`));
    if (rr) errs.push(...resourceFieldSelector(rr, `${p}.resourceFieldRef`, true));
    if (fr && rr)
      errs.push(
        fe.invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'),
      );
    if (!fr && !rr) errs.push(fe.required(p, 'one of fieldRef and resourceFieldRef is required'));
  });
  return errs;
}

function volumeSource(v: R, path: string): PathError[] {
  const errs: PathError[] = [];
  let count = 0;
  for (const src of volumeSourceOrder) {
    const s = v[src];
    if (s === undefined || s === null) continue;
    const p = `${path}.${src}`;
    if (count > 0) {
      errs.push(fe.forbidden(p, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    const o = obj(s) ?? {};
    switch (src) {
      case 'hostPath': {
        const hp = str(o['path']);
        if (!hp) errs.push(fe.required(`${p}.path`));
        else if (hp.split('/').includes('..'))
          errs.push(fe.invalid(`${p}.path`, hp, "must not contain '..'"));
        const t = o['type'];
        if (typeof t === 'string' && !hostPathTypes.includes(t))
          errs.push(fe.notSupported(`${p}.type`, t, hostPathTypes));
        break;
      }
      case 'secret':
        if (!str(o['secretName'])) errs.push(fe.required(`${p}.secretName`));
        errs.push(...fileMode(o['defaultMode'], `${p}.defaultMode`), ...keyToPaths(o['items'], `${p}.items`));
        break;
      case 'configMap': {
        const n = str(o['name']);
        if (!n) errs.push(fe.required(`${p}.name`));
        else errs.push(...isDNS1123Subdomain(n).map((m) => fe.invalid(`${p}.name`, n, m)));
        errs.push(...fileMode(o['defaultMode'], `${p}.defaultMode`), ...keyToPaths(o['items'], `${p}.items`));
        break;
      }
      case 'downwardAPI':
        errs.push(
          ...fileMode(o['defaultMode'], `${p}.defaultMode`),
          ...downwardAPIItems(o['items'], `${p}.items`),
        );
        break;
      case 'projected':
        errs.push(...fileMode(o['defaultMode'], `${p}.defaultMode`));
        list(o['sources']).forEach((ps, i) => {
          const sp = `${p}.sources[${i}]`;
          const kinds = [
            'secret',
            'downwardAPI',
            'configMap',
            'serviceAccountToken',
            'clusterTrustBundle',
            'podCertificate',
          ].filter((k) => ps[k] !== undefined && ps[k] !== null);
          if (kinds.length > 1)
            for (const k of kinds.slice(1))
              errs.push(fe.forbidden(`${sp}.${k}`, 'may not specify more than 1 volume type per source'));
          for (const k of ['secret', 'configMap']) {
            const c = obj(ps[k]);
            if (!c) continue;
            if (!str(c['name'])) errs.push(fe.required(`${sp}.${k}.name`));
            errs.push(...keyToPaths(c['items'], `${sp}.${k}.items`));
          }
          const d = obj(ps['downwardAPI']);
          if (d) errs.push(...downwardAPIItems(d['items'], `${sp}.downwardAPI.items`));
          const t = obj(ps['serviceAccountToken']);
          if (t && !str(t['path'])) errs.push(fe.required(`${sp}.serviceAccountToken.path`));
        });
        break;
      case 'persistentVolumeClaim':
        if (!str(o['claimName'])) errs.push(fe.required(`${p}.claimName`));
        break;
      case 'nfs':
        if (!str(o['server'])) errs.push(fe.required(`${p}.server`));
        if (!str(o['path'])) errs.push(fe.required(`${p}.path`));
        break;
      case 'emptyDir': {
        const sl = o['sizeLimit'];
        const q = quantityValue(sl);
        if (q !== undefined && q < 0)
          errs.push(fe.invalid(`${p}.sizeLimit`, sl, 'must be greater than or equal to 0'));
        break;
      }
    }
  }
  if (count === 0) errs.push(fe.required(path, 'must specify a volume type'));
  return errs;
}

/**
 * ValidateVolumes. Returns the name of every volume, valid or not, for the volume mounts' check:
 * upstream keeps only the valid ones, so a mount of a volume that failed validation also gets
 * "Not found", an error that is only the echo of the volume's own; tjob reports the cause once.
 */
function validateVolumes(volumes: unknown, path: string): { names: Set<string>; errs: PathError[] } {
  const names = new Set<string>();
  const errs: PathError[] = [];
  list(volumes).forEach((v, i) => {
    const p = `${path}[${i}]`;
    const name = str(v['name']);
    errs.push(...volumeSource(v, p));
    if (!name) errs.push(fe.required(`${p}.name`));
    else errs.push(...dnsLabel(name, `${p}.name`));
    if (names.has(name)) errs.push(fe.duplicate(`${p}.name`, name));
    if (name) names.add(name);
  });
  return { names, errs };
}

function keySelector(ref: R, path: string): PathError[] {
  const errs: PathError[] = [];
  const n = str(ref['name']);
  errs.push(...isDNS1123Subdomain(n).map((m) => fe.invalid(`${path}.name`, n, m)));
  const k = str(ref['key']);
  if (!k) errs.push(fe.required(`${path}.key`));
  else errs.push(...isConfigMapKey(k).map((m) => fe.invalid(`${path}.key`, k, m)));
  return errs;
}

function validateEnv(env: unknown, path: string): PathError[] {
  const errs: PathError[] = [];
  list(env).forEach((e, i) => {
    const p = `${path}[${i}]`;
    const name = str(e['name']);
    if (!name) {
      errs.push(fe.required(`${p}.name`));
      errs.push(fe.invalid(`${p}.name`, name, 'environment variable name must be non-empty'));
    } else errs.push(...isEnvVarName(name).map((m) => fe.invalid(`${p}.name`, name, m)));
    const vf = obj(e['valueFrom']);
    if (!vf) return;
    const vp = `${p}.valueFrom`;
    let n = 0;
    const fr = obj(vf['fieldRef']);
    if (fr) {
      n++;
      errs.push(...objectFieldSelector(fr, envFieldPaths, `${vp}.fieldRef`));
    }
    const rr = obj(vf['resourceFieldRef']);
    if (rr) {
      n++;
      errs.push(...resourceFieldSelector(rr, `${vp}.resourceFieldRef`, false));
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      const r = obj(vf[k]);
      if (r) {
        n++;
        errs.push(...keySelector(r, `${vp}.${k}`));
      }
    }
    if (obj(vf['fileKeyRef'])) {
      n++;
      errs.push(fe.forbidden(`${vp}.fileKeyRef`, 'disabled by feature-gate EnvFiles'));
    }
    if (n === 0)
      errs.push(
        fe.invalid(
          vp,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    else if (str(e['value']).length !== 0)
      errs.push(fe.invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(fe.invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): PathError[] {
  const errs: PathError[] = [];
  list(envFrom).forEach((e, i) => {
    const p = `${path}[${i}]`;
    const prefix = str(e['prefix']);
    if (prefix) errs.push(...isEnvVarName(prefix).map((m) => fe.invalid(`${p}.prefix`, prefix, m)));
    let n = 0;
    for (const k of ['configMapRef', 'secretRef']) {
      const r = obj(e[k]);
      if (!r) continue;
      n++;
      const name = str(r['name']);
      if (!name) errs.push(fe.required(`${p}.${k}.name`));
      else errs.push(...isDNS1123Subdomain(name).map((m) => fe.invalid(`${p}.${k}.name`, name, m)));
    }
    if (n === 0) errs.push(fe.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(fe.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(
  mounts: unknown,
  volumes: Set<string>,
  path: string,
  privileged = false,
): PathError[] {
  const errs: PathError[] = [];
  const points = new Set<string>();
  list(mounts).forEach((m, i) => {
    const p = `${path}[${i}]`;
    const name = str(m['name']);
    // An empty name is only Required (upstream also adds Not found: "", the same fault again).
    if (!name) errs.push(fe.required(`${p}.name`));
    else if (!volumes.has(name)) errs.push(fe.notFound(`${p}.name`, name));
    const mp = str(m['mountPath']);
    if (!mp) errs.push(fe.required(`${p}.mountPath`));
    if (points.has(mp)) errs.push(fe.invalid(`${p}.mountPath`, mp, 'must be unique'));
    points.add(mp);
    const sub = str(m['subPath']);
    if (sub) errs.push(...relativePath(sub, `${path}.subPath`));
    const subExpr = str(m['subPathExpr']);
    if (subExpr) {
      if (sub)
        errs.push(fe.invalid(`${p}.subPathExpr`, subExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...relativePath(subExpr, `${path}.subPathExpr`));
    }
    const prop = m['mountPropagation'];
    const props = ['Bidirectional', 'HostToContainer', 'None'];
    if (typeof prop === 'string' && !props.includes(prop))
      errs.push(fe.notSupported(`${p}.mountPropagation`, prop, props));
    // validateMountPropagation
    if (prop === 'Bidirectional' && !privileged)
      errs.push(
        fe.forbidden(
          `${p}.mountPropagation`,
          'Bidirectional mount propagation is available only to privileged containers',
        ),
      );
  });
  return errs;
}

function validatePorts(ports: unknown, path: string): PathError[] {
  const errs: PathError[] = [];
  const names = new Set<string>();
  const protocols = ['SCTP', 'TCP', 'UDP'];
  list(ports).forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = str(port['name']);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...msgs.map((m) => fe.invalid(`${p}.name`, name, m)));
      else if (names.has(name)) errs.push(fe.duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const cp = num(port['containerPort']) ?? 0;
    if (cp === 0) errs.push(fe.required(`${p}.containerPort`));
    else if (cp < 1 || cp > 65535)
      errs.push(fe.invalid(`${p}.containerPort`, cp, 'must be between 1 and 65535, inclusive'));
    const hp = num(port['hostPort']) ?? 0;
    if (hp !== 0 && (hp < 1 || hp > 65535))
      errs.push(fe.invalid(`${p}.hostPort`, hp, 'must be between 1 and 65535, inclusive'));
    const proto = str(port['protocol']);
    if (!proto) errs.push(fe.required(`${p}.protocol`));
    else if (!protocols.includes(proto)) errs.push(fe.notSupported(`${p}.protocol`, proto, protocols));
  });
  return errs;
}

function resourceName(name: string, path: string): PathError[] {
  if (name.includes('/')) return isQualifiedName(name).map((m) => fe.invalid(path, name, m));
  if (standardContainerResources.has(name) || name.startsWith('hugepages-')) return [];
  return [fe.invalid(path, name, 'must be a standard resource for containers')];
}

export function validateResources(res: unknown, path: string): PathError[] {
  const errs: PathError[] = [];
  const r = obj(res) ?? {};
  const limits = obj(r['limits']);
  const requests = obj(r['requests']);
  for (const k of sortedKeys(limits)) {
    const p = `${path}.limits[${k}]`;
    errs.push(...resourceName(k, p));
    const q = quantityValue(limits?.[k]);
    if (q !== undefined && q < 0)
      errs.push(fe.invalid(p, String(limits?.[k]), 'must be greater than or equal to 0'));
  }
  for (const k of sortedKeys(requests)) {
    const p = `${path}.requests[${k}]`;
    errs.push(...resourceName(k, p));
    const q = quantityValue(requests?.[k]);
    if (q !== undefined && q < 0)
      errs.push(fe.invalid(p, String(requests?.[k]), 'must be greater than or equal to 0'));
    const lim = quantityValue(limits?.[k]);
    if (q !== undefined && lim !== undefined && q > lim)
      errs.push(
        fe.invalid(
          p,
          String(requests?.[k]),
          `must be less than or equal to ${k} limit of ${String(limits?.[k])}`,
        ),
      );
  }
  return errs;
}

function idRange(v: unknown, path: string): PathError[] {
  const n = num(v);
  return n !== undefined && (n < 0 || n > 2147483647)
    ? [fe.invalid(path, n, 'must be between 0 and 2147483647, inclusive')]
    : [];
}

function validateSecurityContext(sc: unknown, path: string): PathError[] {
  const s = obj(sc);
  if (!s) return [];
  return [...idRange(s['runAsUser'], `${path}.runAsUser`), ...idRange(s['runAsGroup'], `${path}.runAsGroup`)];
}

function validateProbe(probe: unknown, path: string, liveness: boolean): PathError[] {
  const p = obj(probe);
  if (!p) return [];
  const errs: PathError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter(
    (h) => p[h] !== undefined && p[h] !== null,
  );
  if (handlers.length === 0) errs.push(fe.required(path, 'must specify a handler type'));
  else
    for (const h of handlers.slice(1))
      errs.push(fe.forbidden(`${path}.${h}`, 'may not specify more than 1 handler type'));
  for (const f of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    const n = num(p[f]);
    if (n !== undefined && n < 0)
      errs.push(fe.invalid(`${path}.${f}`, n, 'must be greater than or equal to 0'));
  }
  const st = num(p['successThreshold']);
  if (liveness && st !== undefined && st !== 1)
    errs.push(fe.invalid(`${path}.successThreshold`, st, 'must be 1'));
  return errs;
}

function validateContainerCommon(c: R, volumes: Set<string>, path: string): PathError[] {
  const errs: PathError[] = [];
  const name = str(c['name']);
  if (!name) errs.push(fe.required(`${path}.name`));
  else errs.push(...dnsLabel(name, `${path}.name`));
  if (!str(c['image'])) errs.push(fe.required(`${path}.image`));
  const tmp = c['terminationMessagePolicy'];
  const tmps = ['File', 'FallbackToLogsOnError'];
  if (typeof tmp === 'string' && !tmps.includes(tmp))
    errs.push(fe.notSupported(`${path}.terminationMessagePolicy`, tmp, tmps));
  errs.push(...validatePorts(c['ports'], `${path}.ports`));
  errs.push(...validateEnv(c['env'], `${path}.env`));
  errs.push(...validateEnvFrom(c['envFrom'], `${path}.envFrom`));
  errs.push(
    ...validateVolumeMounts(
      c['volumeMounts'],
      volumes,
      `${path}.volumeMounts`,
      obj(c['securityContext'])?.['privileged'] === true,
    ),
  );
  const pp = c['imagePullPolicy'];
  const pps = ['Always', 'IfNotPresent', 'Never'];
  if (pp === undefined || pp === '') errs.push(fe.required(`${path}.imagePullPolicy`));
  else if (typeof pp === 'string' && !pps.includes(pp))
    errs.push(fe.notSupported(`${path}.imagePullPolicy`, pp, pps));
  errs.push(...validateResources(c['resources'], `${path}.resources`));
  errs.push(...validateSecurityContext(c['securityContext'], `${path}.securityContext`));
  return errs;
}

function validateContainers(containers: unknown, volumes: Set<string>, path: string): PathError[] {
  const cs = list(containers);
  if (cs.length === 0) return [fe.required(path)];
  const errs: PathError[] = [];
  const names = new Set<string>();
  cs.forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = str(c['name']);
    if (names.has(name)) errs.push(fe.duplicate(`${p}.name`, name));
    else names.add(name);
    errs.push(...validateProbe(c['livenessProbe'], `${p}.livenessProbe`, true));
    errs.push(...validateProbe(c['readinessProbe'], `${p}.readinessProbe`, false));
    errs.push(...validateProbe(c['startupProbe'], `${p}.startupProbe`, true));
    if (c['restartPolicy'] !== undefined && c['restartPolicy'] !== null)
      errs.push(fe.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  return errs;
}

function validateInitContainers(
  inits: unknown,
  containers: unknown,
  volumes: Set<string>,
  path: string,
): PathError[] {
  const errs: PathError[] = [];
  const names = new Set(list(containers).map((c) => str(c['name'])));
  list(inits).forEach((c, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    const rp = c['restartPolicy'];
    let sidecar = false;
    if (typeof rp === 'string') {
      if (rp !== 'Always') errs.push(fe.notSupported(`${p}.restartPolicy`, rp, ['Always']));
      sidecar = rp === 'Always';
    }
    const name = str(c['name']);
    if (names.has(name)) errs.push(fe.duplicate(`${p}.name`, name));
    else if (name) names.add(name);
    if (sidecar) {
      errs.push(...validateProbe(c['livenessProbe'], `${p}.livenessProbe`, true));
      errs.push(...validateProbe(c['readinessProbe'], `${p}.readinessProbe`, false));
      errs.push(...validateProbe(c['startupProbe'], `${p}.startupProbe`, true));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (c[f] !== undefined && c[f] !== null)
          errs.push(
            fe.forbidden(`${p}.${f}`, 'may not be set for init containers without restartPolicy=Always'),
          );
    }
  });
  return errs;
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

export function validatePodSpec(spec: R, path: string): PathError[] {
  const errs: PathError[] = [];
  const vols = validateVolumes(spec['volumes'], `${path}.volumes`);
  errs.push(...vols.errs);
  errs.push(...validateContainers(spec['containers'], vols.names, `${path}.containers`));
  errs.push(
    ...validateInitContainers(
      spec['initContainers'],
      spec['containers'],
      vols.names,
      `${path}.initContainers`,
    ),
  );
  const rp = spec['restartPolicy'];
  if (rp === undefined || rp === '') errs.push(fe.required(`${path}.restartPolicy`));
  else if (typeof rp === 'string' && !restartPolicies.includes(rp))
    errs.push(fe.notSupported(`${path}.restartPolicy`, rp, restartPolicies));
  const dp = spec['dnsPolicy'];
  if (typeof dp === 'string' && !dnsPolicies.includes(dp))
    errs.push(fe.notSupported(`${path}.dnsPolicy`, dp, dnsPolicies));
  errs.push(...validateDNSConfig(dp, obj(spec['dnsConfig']), `${path}.dnsConfig`));
  errs.push(...validateHostAliases(spec['hostAliases'], `${path}.hostAliases`));
  errs.push(
    ...validateLabels(
      obj(spec['nodeSelector']) as Record<string, string> | undefined,
      `${path}.nodeSelector`,
    ),
  );
  const psc = obj(spec['securityContext']);
  if (psc) {
    errs.push(...idRange(psc['runAsUser'], `${path}.securityContext.runAsUser`));
    errs.push(...idRange(psc['runAsGroup'], `${path}.securityContext.runAsGroup`));
    errs.push(...idRange(psc['fsGroup'], `${path}.securityContext.fsGroup`));
  }
  const sa = str(spec['serviceAccountName']);
  if (sa) errs.push(...isDNS1123Subdomain(sa).map((m) => fe.invalid(`${path}.serviceAccountName`, sa, m)));
  const ads = num(spec['activeDeadlineSeconds']);
  if (ads !== undefined && (ads < 1 || ads > 2147483647))
    errs.push(
      fe.invalid(`${path}.activeDeadlineSeconds`, ads, 'must be between 1 and 2147483647, inclusive'),
    );
  for (const f of ['hostname', 'subdomain']) {
    const v = str(spec[f]);
    if (v) errs.push(...dnsLabel(v, `${path}.${f}`));
  }
  const pc = str(spec['priorityClassName']);
  if (pc) errs.push(...isDNS1123Subdomain(pc).map((m) => fe.invalid(`${path}.priorityClassName`, pc, m)));
  return errs;
}

/** validatePodDNSConfig: None needs nameservers; at most 3 IP nameservers, named options. */
function validateDNSConfig(policy: unknown, config: R | undefined, path: string): PathError[] {
  const errs: PathError[] = [];
  const servers = Array.isArray(config?.['nameservers']) ? (config['nameservers'] as unknown[]) : [];
  if (policy === 'None') {
    if (!config) return [fe.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (servers.length === 0)
      errs.push(
        fe.required(
          `${path}.nameservers`,
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      );
  }
  if (!config) return errs;
  if (servers.length > 3)
    errs.push(fe.invalid(`${path}.nameservers`, servers, 'must not have more than 3 nameservers'));
  servers.forEach((ip, i) => {
    if (typeof ip !== 'string' || isIP(ip) === 0)
      errs.push(fe.invalid(`${path}.nameservers[${i}]`, ip, 'must be a valid IP address'));
  });
  list(config['options']).forEach((o, i) => {
    if (!str(o['name'])) errs.push(fe.required(`${path}.options[${i}]`, 'Option.Name must not be empty'));
  });
  return errs;
}

/** ValidateHostAliases (pkg/apis/core/validation/validation.go): an IP, and DNS-subdomain hostnames. */
function validateHostAliases(aliases: unknown, path: string): PathError[] {
  const errs: PathError[] = [];
  list(aliases).forEach((alias, i) => {
    const ip = alias['ip'];
    if (typeof ip !== 'string' || isIP(ip) === 0)
      errs.push(fe.invalid(`${path}[${i}].ip`, ip ?? '', 'must be a valid IP address'));
    (Array.isArray(alias['hostnames']) ? (alias['hostnames'] as unknown[]) : []).forEach((name, j) => {
      const p = `${path}[${i}].hostnames[${j}]`;
      if (typeof name !== 'string') errs.push(fe.invalid(p, name, 'must be a string'));
      else errs.push(...isDNS1123Subdomain(name).map((m) => fe.invalid(p, name, m)));
    });
  });
  return errs;
}

/** ValidatePodTemplateSpec: labels and annotations at `<path>.labels`/`.annotations`, as upstream. */
export function validatePodTemplateSpec(tpl: PodTemplateSpec | undefined, path: string): PathError[] {
  const t = (tpl ?? {}) as unknown as R;
  const meta = obj(t['metadata']) ?? {};
  return [
    ...validateLabels(obj(meta['labels']) as Record<string, string> | undefined, `${path}.labels`),
    ...validateAnnotations(
      obj(meta['annotations']) as Record<string, string> | undefined,
      `${path}.annotations`,
    ),
    ...validatePodSpec(obj(t['spec']) ?? {}, `${path}.spec`),
  ];
}
