// Defaulting as the API server does it on create (pkg/apis/batch/v1/defaults.go,
// pkg/registry/batch/job/strategy.go; a pod template's spec in pod-defaults.ts). Pure: every
// function returns a new object and leaves its argument alone.

import type {
  ConfigMap,
  CronJob,
  Job,
  JobSpec,
  PersistentVolumeClaim,
  PodSpec,
  PodTemplateSpec,
  Secret,
} from '../api/k8s.js';
import {
  ControllerUidLabel,
  JobNameLabel,
  LegacyControllerUidLabel,
  LegacyJobNameLabel,
} from '../api/labels.js';
import { defaultPodSpec } from './pod-defaults.js';

export const DefaultNamespace = 'default';
export const DefaultBackoffLimit = 6;
export const MaxInt32 = 2147483647;

function defaultTemplate(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const tpl = t ?? ({} as PodTemplateSpec);
  return { ...tpl, spec: defaultPodSpec(tpl.spec ?? ({ containers: [] } as PodSpec)) };
}

/** The JobSpec defaults of docs/job.md §1.2, without the generated selector. */
export function defaultJobSpec(spec: JobSpec): JobSpec {
  const out: JobSpec = { ...spec };
  const completionsSet = spec.completions !== undefined && spec.completions !== null;
  const parallelismSet = spec.parallelism !== undefined && spec.parallelism !== null;
  if (!completionsSet && !parallelismSet) {
    out.completions = 1;
    out.parallelism = 1;
  } else if (!parallelismSet) {
    out.parallelism = 1;
  }
  if (out.completions === null) delete out.completions;
  out.backoffLimit ??=
    spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null
      ? MaxInt32
      : DefaultBackoffLimit;
  out.completionMode ??= 'NonIndexed';
  out.suspend ??= false;
  out.manualSelector ??= false;
  out.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  if (spec.podFailurePolicy?.rules)
    out.podFailurePolicy = {
      ...spec.podFailurePolicy,
      rules: spec.podFailurePolicy.rules.map((r) =>
        r.onPodConditions
          ? { ...r, onPodConditions: r.onPodConditions.map((c) => ({ ...c, status: c.status ?? 'True' })) }
          : r,
      ),
    };
  out.template = defaultTemplate(spec.template);
  return out;
}

/**
 * A Job as the API server stores it on create, minus the generated selector (see
 * {@link withGeneratedSelector}): spec defaults, namespace, Job labels copied from the template.
 */
export function defaultJob(job: Job): Job {
  const c = structuredClone(job);
  const out: Job = { ...c, metadata: { ...c.metadata }, spec: defaultJobSpec(c.spec ?? ({} as JobSpec)) };
  out.metadata.namespace ??= DefaultNamespace;
  delete out.status;
  return out;
}

/**
 * Adds the uid, the generated selector and the four generated template labels (docs/job.md §1.4),
 * unless manualSelector is true. Job labels copied from the template (defaulting) share its
 * labels as in Kubernetes, so such a Job also carries the generated labels.
 */
export function withGeneratedSelector(job: Job, uid: string): Job {
  const out = structuredClone(job);
  out.metadata.uid = uid;
  const tplMeta = (out.spec.template.metadata ??= {});
  const hadTemplateLabels = tplMeta.labels !== undefined && Object.keys(tplMeta.labels).length > 0;
  const jobLabelsEmpty = !out.metadata.labels || Object.keys(out.metadata.labels).length === 0;
  if (out.spec.manualSelector !== true) {
    const labels = { ...(tplMeta.labels ?? {}) };
    const name = out.metadata.name;
    labels[ControllerUidLabel] ??= uid;
    labels[JobNameLabel] ??= name;
    labels[LegacyControllerUidLabel] ??= uid;
    labels[LegacyJobNameLabel] ??= name;
    tplMeta.labels = labels;
    const sel = (out.spec.selector ??= {});
    sel.matchLabels = { ...(sel.matchLabels ?? {}) };
    sel.matchLabels[ControllerUidLabel] ??= uid;
  }
  if (jobLabelsEmpty && hadTemplateLabels) out.metadata.labels = { ...(tplMeta.labels ?? {}) };
  return out;
}

/** The user-visible defaults only (for `render`): template labels are copied to an unlabelled Job. */
export function withCopiedLabels(job: Job): Job {
  const out = structuredClone(job);
  const tl = out.spec.template.metadata?.labels;
  if (
    (!out.metadata.labels || Object.keys(out.metadata.labels).length === 0) &&
    tl &&
    Object.keys(tl).length > 0
  )
    out.metadata.labels = { ...tl };
  return out;
}

/** docs/cronjob.md §1.1; the job template's pod spec gets pod defaults, its JobSpec none (as upstream). */
export function defaultCronJob(cj: CronJob): CronJob {
  const c = structuredClone(cj);
  const spec = { ...c.spec };
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jt = spec.jobTemplate ?? { spec: {} as JobSpec };
  spec.jobTemplate = { ...jt, spec: { ...(jt.spec ?? {}), template: defaultTemplate(jt.spec?.template) } };
  const out: CronJob = { ...c, metadata: { ...c.metadata }, spec };
  out.metadata.namespace ??= DefaultNamespace;
  delete out.status;
  return out;
}

/** SetDefaults_PersistentVolumeClaim: volumeMode Filesystem (the namespace, as for every object). */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): PersistentVolumeClaim {
  const out = structuredClone(pvc);
  out.metadata.namespace ??= DefaultNamespace;
  out.spec ??= {};
  out.spec.volumeMode ??= 'Filesystem';
  return out;
}

export function defaultConfigMap(cm: ConfigMap): ConfigMap {
  const out = structuredClone(cm);
  out.metadata.namespace ??= DefaultNamespace;
  return out;
}

/** `type` defaults to Opaque; for the stored object, stringData is merged into data (base64). */
export function defaultSecret(s: Secret, mergeStringData: boolean): Secret {
  const out = structuredClone(s);
  out.metadata.namespace ??= DefaultNamespace;
  out.type ??= 'Opaque';
  if (mergeStringData && out.stringData) {
    const data = { ...(out.data ?? {}) };
    for (const [k, v] of Object.entries(out.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    out.data = data;
    delete out.stringData;
  }
  return out;
}
