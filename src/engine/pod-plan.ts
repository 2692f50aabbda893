// Turns the controller's "create a pod" into a concrete pod: its name, identity, labels and
// annotations exactly as the Kubernetes Job controller would set them (docs/job.md §5.1, §8).

import { configValueOf, type ConfigValue } from '../api/config-value.js';
import type { ConfigMap, Job, Secret } from '../api/k8s.js';
import {
  JobCompletionIndexAnnotation,
  JobIndexFailureCountAnnotation,
  JobIndexIgnoredFailureCountAnnotation,
} from '../api/labels.js';
import type { JobEnvironment, PodPlan, PodRecord } from '../api/pod.js';
import type { JobAction } from '../controller/job/types.js';
import type { ConfigObjectStore } from '../ports/config-objects.js';

/** The alphabet of Kubernetes' generated name suffixes (no vowels, no look-alikes). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_PREFIX = 58;

export function generatePodName(job: Job, index: number | undefined, random: () => number): string {
  const indexPart = index === undefined ? '-' : `-${index}-`;
  let prefix = job.metadata.name + indexPart;
  if (prefix.length > MAX_PREFIX)
    prefix = job.metadata.name.slice(0, MAX_PREFIX - indexPart.length) + indexPart;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[Math.floor(random() * NAME_ALPHABET.length)];
  return prefix + suffix;
}

export interface PodIdentity {
  name: string;
  uid: string;
  index?: number;
  annotations: Record<string, string>;
}

export function newPodIdentity(
  job: Job,
  action: Extract<JobAction, { type: 'createPod' }>,
  random: () => number,
  uid: string,
  /** A name reserved earlier for this pod (its sandbox was prepared under it). */
  reservedName?: string,
): PodIdentity {
  const annotations: Record<string, string> = { ...(job.spec.template.metadata?.annotations ?? {}) };
  if (action.index !== undefined) annotations[JobCompletionIndexAnnotation] = String(action.index);
  if (job.spec.backoffLimitPerIndex !== undefined && action.index !== undefined) {
    annotations[JobIndexFailureCountAnnotation] = String(action.indexFailureCount ?? 0);
    if (action.indexIgnoredFailureCount) {
      annotations[JobIndexIgnoredFailureCountAnnotation] = String(action.indexIgnoredFailureCount);
    }
  }
  const name = reservedName ?? generatePodName(job, action.index, random);
  const identity: PodIdentity = { name, uid, annotations };
  if (action.index !== undefined) identity.index = action.index;
  return identity;
}

export function podLabels(job: Job, index: number | undefined): Record<string, string> {
  const labels: Record<string, string> = { ...(job.spec.template.metadata?.labels ?? {}) };
  if (index !== undefined) labels[JobCompletionIndexAnnotation] = String(index);
  return labels;
}

export function podHostname(job: Job, podName: string, index: number | undefined): string {
  const spec = job.spec.template.spec;
  if (spec.hostname) return spec.hostname;
  return index === undefined ? podName : `${job.metadata.name}-${index}`;
}

export interface ConfigObjects {
  configMaps: ConfigMap[];
  secrets: Secret[];
}

export function configData(objects: ConfigObjects): Pick<PodPlan, 'configMaps' | 'secrets'> {
  const configMaps: PodPlan['configMaps'] = {};
  for (const cm of objects.configMaps) {
    const data: Record<string, ConfigValue> = { ...(cm.data ?? {}) };
    for (const [k, v] of Object.entries(cm.binaryData ?? {}))
      data[k] = configValueOf(Buffer.from(v, 'base64'));
    configMaps[cm.metadata.name] = data;
  }
  const secrets: PodPlan['secrets'] = {};
  for (const s of objects.secrets) {
    const data: Record<string, ConfigValue> = {};
    for (const [k, v] of Object.entries(s.data ?? {})) data[k] = configValueOf(Buffer.from(v, 'base64'));
    Object.assign(data, s.stringData ?? {});
    secrets[s.metadata.name] = data;
  }
  return { configMaps, secrets };
}

/** The ConfigMaps and Secrets stored now, as a new job captures them. */
export async function storedConfigData(
  store: ConfigObjectStore,
): Promise<Pick<PodPlan, 'configMaps' | 'secrets'>> {
  const objects = await store.listConfigObjects();
  return configData({
    configMaps: objects.filter((o): o is ConfigMap => o.kind === 'ConfigMap'),
    secrets: objects.filter((o): o is Secret => o.kind === 'Secret'),
  });
}

/** The plan of a recorded pod (to create it, or to resume supervising it after a restart). */
export function podPlanFor(job: Job, record: PodRecord, config: JobEnvironment): PodPlan {
  const plan: PodPlan = {
    name: record.name,
    uid: record.uid,
    namespace: job.metadata.namespace ?? 'default',
    jobName: job.metadata.name,
    jobUid: job.metadata.uid ?? '',
    labels: record.labels,
    annotations: record.annotations,
    hostname: record.hostname,
    spec: job.spec.template.spec,
    ...config,
  };
  if (record.index !== undefined) plan.index = record.index;
  if (job.spec.template.spec.subdomain) plan.subdomain = job.spec.template.spec.subdomain;
  return plan;
}
