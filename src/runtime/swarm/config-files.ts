// A pod's configMap and secret volumes on Swarm: each file becomes a Swarm config (configMap) or
// secret (secret) mounted at its path. Swarm's configs and secrets are immutable and cluster-wide:
// each is named by a hash of its content, so pods with the same content share one, and a changed
// value is a new one. The files are the kubelet's (keyFiles: keys or `items`, modes, optional).

import { createHash } from 'node:crypto';
import path from 'node:path';

import type { Container } from '../../api/k8s.js';
import type { PodPlan } from '../../api/pod.js';
import { keyFiles, type FileToWrite } from '../docker/volumes.js';

export interface ConfigFile {
  kind: 'config' | 'secret';
  /** `tjob-<sha256 of the content>`: the Swarm object's name. */
  name: string;
  data: Buffer;
  /** Absolute path in the container. */
  target: string;
  mode: number;
  /** The volumeMount it belongs to (that mount is no directory mount on Swarm). */
  volumeMount: string;
}

/** Swarm's limit on a config's or secret's data (500 KiB). */
export const MaxSwarmFileBytes = 500 * 1024;

export function swarmFileName(kind: 'config' | 'secret', data: Buffer): string {
  return `tjob-${kind}-${createHash('sha256').update(data).digest('hex').slice(0, 40)}`;
}

/** The configMap and secret files the container mounts; throws naming the volume on a missing source. */
export function configFiles(plan: PodPlan, container: Container): ConfigFile[] {
  const out: ConfigFile[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const volume = (plan.spec.volumes ?? []).find((v) => v.name === vm.name);
    if (!volume || (!volume.configMap && !volume.secret)) continue;
    // A subPath is refused before the pod starts (swarmRefusals, swarm-support.ts).
    let files: FileToWrite[];
    const kind = volume.configMap ? 'config' : 'secret';
    try {
      if (volume.configMap) {
        const { name, items, defaultMode, optional } = volume.configMap;
        files = keyFiles('configmap', name, plan.configMaps[name], items, defaultMode, optional);
      } else {
        const { secretName, items, defaultMode, optional } = volume.secret!;
        files = keyFiles('secret', secretName, plan.secrets[secretName], items, defaultMode, optional);
      }
    } catch (err) {
      throw new Error(`volume "${volume.name}": ${(err as Error).message}`, { cause: err });
    }
    for (const f of files) {
      const data = Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content, 'utf8');
      if (data.length > MaxSwarmFileBytes)
        throw new Error(`volume "${volume.name}": ${f.path} is larger than Swarm's 500 KiB limit`);
      out.push({
        kind,
        name: swarmFileName(kind, data),
        data,
        target: path.posix.join(vm.mountPath, f.path),
        mode: f.mode,
        volumeMount: vm.name,
      });
    }
  }
  return out;
}
