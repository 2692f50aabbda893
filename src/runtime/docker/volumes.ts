// A pod's volumes made concrete on the host, before its first container is created: emptyDir as a
// directory shared by every container of the pod (and surviving in-place restarts), configMap,
// secret and downwardAPI (also as projected sources) as files written once, hostPath checked or
// created by its `type`. What each container then mounts is described by PodVolumeMount, which
// buildContainerConfig turns into Docker mounts.

import { chmod, lstat, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { configValueBytes, type ConfigValue } from '../../api/config-value.js';
import type { KeyToPath, Volume } from '../../api/k8s.js';
import type { PodPlan } from '../../api/pod.js';
import { fieldRefValue, findContainer, resourceFieldValue, type EnvContext } from './env.js';
import { memoryToBytes } from './quantity.js';

export type PodVolumeMount =
  | { kind: 'bind'; source: string; readOnly?: boolean }
  | { kind: 'tmpfs'; sizeBytes?: number }
  /** A Docker named volume; `mountpoint` (its directory on the engine's host) serves subPaths. */
  | { kind: 'volume'; name: string; mountpoint: string; readOnly?: boolean };

/** Kubernetes' default file mode for configMap, secret, downwardAPI and projected volumes (0644). */
export const DefaultVolumeFileMode = 0o644;

interface DownwardAPIItem {
  path: string;
  fieldRef?: { apiVersion?: string; fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number };
  mode?: number;
}

interface ProjectedSource {
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIItem[] };
  [source: string]: unknown;
}

export interface FileToWrite {
  path: string;
  /** Bytes as they are (ConfigMap binaryData, Secret data), or text written as UTF-8. */
  content: string | Buffer;
  mode: number;
}

const supportedTypes = [
  'emptyDir',
  'hostPath',
  'configMap',
  'secret',
  'downwardAPI',
  'projected',
  'persistentVolumeClaim',
  'ephemeral',
];

/** Docker named volumes for claims (see api/claims.ts), made by the caller on the engine. */
export interface NamedVolumes {
  /** The bound volume of a stored claim (throws when the claim is not there). */
  claim(claimName: string): Promise<{ name: string; mountpoint: string }>;
  /** The pod's own volume for a generic ephemeral volume, removed with the pod. */
  ephemeral(volumeName: string): Promise<{ name: string; mountpoint: string }>;
}

/**
 * Creates `podDir` and, under it, what each volume of the pod needs; returns how to mount each
 * volume by name. Throws an Error naming the volume when a ConfigMap, Secret or key it needs is
 * missing (and not optional), when a hostPath fails its type check, or when its type is not
 * supported on tjob. Idempotent for emptyDir (existing content is kept, e.g. on adoption).
 */
export async function preparePodVolumes(
  plan: PodPlan,
  podDir: string,
  context: EnvContext = {},
  named?: NamedVolumes,
): Promise<Record<string, PodVolumeMount>> {
  const root = path.resolve(podDir);
  await mkdir(root, { recursive: true, mode: 0o700 }); // private: secret files lie below
  const result: Record<string, PodVolumeMount> = {};
  for (const volume of plan.spec.volumes ?? []) {
    try {
      result[volume.name] = await prepareVolume(plan, root, volume, context, named);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`volume "${volume.name}": ${message}`, { cause: err });
    }
  }
  return result;
}

/** Removes everything preparePodVolumes created (never touches hostPath sources). */
export async function removePodVolumes(podDir: string): Promise<void> {
  await rm(path.resolve(podDir), { recursive: true, force: true });
}

async function prepareVolume(
  plan: PodPlan,
  root: string,
  volume: Volume,
  context: EnvContext,
  named: NamedVolumes | undefined,
): Promise<PodVolumeMount> {
  const sources = Object.keys(volume).filter(
    (k) => k !== 'name' && volume[k] !== undefined && volume[k] !== null,
  );
  // Storage that needs a provider (nfs, csi, ...) has none on one node: the pod gets an empty
  // directory in its place, as the field report of `tjob validate` says.
  const storage = sources.find((k) => !supportedTypes.includes(k));
  if (storage) return prepareEmptyDir(root, volume.name, {});

  const pvc = volume['persistentVolumeClaim'] as { claimName: string; readOnly?: boolean } | undefined;
  if (pvc) {
    if (!named) throw new Error('persistentVolumeClaim volumes need the Docker engine');
    const v = await named.claim(pvc.claimName);
    return { kind: 'volume', ...v, ...(pvc.readOnly ? { readOnly: true } : {}) };
  }
  if (volume['ephemeral']) {
    if (!named) throw new Error('ephemeral volumes need the Docker engine');
    return { kind: 'volume', ...(await named.ephemeral(volume.name)) };
  }

  if (volume.hostPath) return prepareHostPath(volume.hostPath.path, volume.hostPath.type ?? '');

  if (volume.configMap) {
    const { name, items, defaultMode, optional } = volume.configMap;
    const files = keyFiles('configmap', name, plan.configMaps[name], items, defaultMode, optional);
    return writeVolumeFiles(path.join(root, 'configmap', volume.name), files);
  }
  if (volume.secret) {
    const { secretName, items, defaultMode, optional } = volume.secret;
    const files = keyFiles('secret', secretName, plan.secrets[secretName], items, defaultMode, optional);
    return writeVolumeFiles(path.join(root, 'secret', volume.name), files);
  }
  if (volume['downwardAPI']) {
    const api = volume['downwardAPI'] as { items?: DownwardAPIItem[]; defaultMode?: number };
    const files = downwardFiles(plan, api.items ?? [], api.defaultMode, context);
    return writeVolumeFiles(path.join(root, 'downward-api', volume.name), files);
  }
  if (volume['projected']) {
    const projected = volume['projected'] as { sources?: ProjectedSource[]; defaultMode?: number };
    const files: FileToWrite[] = [];
    for (const source of projected.sources ?? []) {
      if (source.configMap) {
        const { name, items, optional } = source.configMap;
        files.push(
          ...keyFiles('configmap', name, plan.configMaps[name], items, projected.defaultMode, optional),
        );
      } else if (source.secret) {
        const { name, items, optional } = source.secret;
        files.push(...keyFiles('secret', name, plan.secrets[name], items, projected.defaultMode, optional));
      } else if (source.downwardAPI) {
        files.push(...downwardFiles(plan, source.downwardAPI.items ?? [], projected.defaultMode, context));
      }
      // serviceAccountToken, clusterTrustBundle, podCertificate: nothing issues them on one node
      // (the field report lists them as ignored), so they add no file.
    }
    return writeVolumeFiles(path.join(root, 'projected', volume.name), files);
  }

  // emptyDir, also the API's default for a volume without a source.
  return prepareEmptyDir(root, volume.name, volume.emptyDir ?? {});
}

async function prepareEmptyDir(
  root: string,
  name: string,
  emptyDir: NonNullable<Volume['emptyDir']>,
): Promise<PodVolumeMount> {
  if (emptyDir.medium === 'Memory') {
    return emptyDir.sizeLimit !== undefined && emptyDir.sizeLimit !== ''
      ? { kind: 'tmpfs', sizeBytes: memoryToBytes(emptyDir.sizeLimit) }
      : { kind: 'tmpfs' };
  }
  const dir = path.join(root, 'empty-dir', name);
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o777); // mkdir's mode is filtered by the umask
  return { kind: 'bind', source: dir };
}

async function prepareHostPath(hostPath: string, type: string): Promise<PodVolumeMount> {
  if (!path.isAbsolute(hostPath)) throw new Error(`hostPath ${hostPath} must be an absolute path`);
  const info = await lstat(hostPath).catch(() => undefined);
  const typeError = (what: string) => new Error(`hostPath type check failed: ${hostPath} is not ${what}`);
  switch (type) {
    case '':
      break;
    case 'DirectoryOrCreate':
      if (!info) {
        await mkdir(hostPath, { recursive: true, mode: 0o755 });
        await chmod(hostPath, 0o755);
      } else if (!(await stat(hostPath)).isDirectory()) throw typeError('a directory');
      break;
    case 'FileOrCreate':
      if (!info) {
        // Like the kubelet, the file is created but not its parent directories.
        await writeFile(hostPath, '', { flag: 'wx', mode: 0o644 }).catch((err: unknown) => {
          throw new Error(`hostPath ${hostPath}: could not create the file: ${(err as Error).message}`);
        });
      } else if (!(await stat(hostPath)).isFile()) throw typeError('a file');
      break;
    case 'Directory':
    case 'File':
    case 'Socket':
    case 'CharDevice':
    case 'BlockDevice': {
      if (!info) throw new Error(`hostPath type check failed: ${hostPath} does not exist`);
      const target = await stat(hostPath);
      const ok =
        (type === 'Directory' && target.isDirectory()) ||
        (type === 'File' && target.isFile()) ||
        (type === 'Socket' && target.isSocket()) ||
        (type === 'CharDevice' && target.isCharacterDevice()) ||
        (type === 'BlockDevice' && target.isBlockDevice());
      if (!ok) {
        const what: Record<string, string> = {
          Directory: 'a directory',
          File: 'a file',
          Socket: 'a socket file',
          CharDevice: 'a character device',
          BlockDevice: 'a block device',
        };
        throw typeError(what[type] ?? type);
      }
      break;
    }
    default:
      throw new Error(`hostPath type ${type} is not supported`);
  }
  return { kind: 'bind', source: hostPath };
}

/** The files a configMap or secret volume (or projected source) holds: its keys or `items`. */
export function keyFiles(
  kind: 'configmap' | 'secret',
  name: string,
  data: Record<string, ConfigValue> | undefined,
  items: KeyToPath[] | undefined,
  defaultMode: number | undefined,
  optional: boolean | undefined,
): FileToWrite[] {
  const mode = defaultMode ?? DefaultVolumeFileMode;
  if (!data) {
    if (optional) return [];
    throw new Error(`${kind} "${name}" not found`);
  }
  if (!items || items.length === 0) {
    return Object.entries(data).map(([key, value]) => ({
      path: key,
      content: configValueBytes(value),
      mode,
    }));
  }
  const files: FileToWrite[] = [];
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) continue;
      throw new Error(
        kind === 'configmap'
          ? `configmap references non-existent config key: ${item.key}`
          : `references non-existent secret key: ${item.key}`,
      );
    }
    files.push({ path: item.path, content: configValueBytes(value), mode: item.mode ?? mode });
  }
  return files;
}

function downwardFiles(
  plan: PodPlan,
  items: DownwardAPIItem[],
  defaultMode: number | undefined,
  context: EnvContext,
): FileToWrite[] {
  return items.map((item) => {
    let content: string;
    if (item.fieldRef) {
      content = fieldRefValue(plan, item.fieldRef.fieldPath, context);
    } else if (item.resourceFieldRef) {
      const { containerName = '', resource, divisor } = item.resourceFieldRef;
      content = resourceFieldValue(findContainer(plan.spec, containerName), resource, divisor, context);
    } else {
      throw new Error(`downwardAPI item ${item.path} has neither fieldRef nor resourceFieldRef`);
    }
    return { path: item.path, content, mode: item.mode ?? defaultMode ?? DefaultVolumeFileMode };
  });
}

async function writeVolumeFiles(dir: string, files: FileToWrite[]): Promise<PodVolumeMount> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  for (const file of files) {
    const relative = path.normalize(file.path);
    if (
      path.isAbsolute(relative) ||
      relative === '..' ||
      relative.startsWith('..' + path.sep) ||
      relative === '.'
    ) {
      throw new Error(`item path ${file.path} must be a relative path without '..'`);
    }
    const target = path.join(dir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content);
    await chmod(target, file.mode);
  }
  return { kind: 'bind', source: dir, readOnly: true };
}
