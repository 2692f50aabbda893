// The pure core of manifest loading: texts in, typed + defaulted + validated objects, warnings,
// the field report and every error out. Template parameters are expanded in the raw text first;
// each document is then kind-checked, strictly field-checked, defaulted and validated.

import { randomUUID } from 'node:crypto';
import { loadAll, YAML11_SCHEMA, YAMLException } from 'js-yaml';
import type { FieldError } from '../api/errors.js';
import type { CronJob, Job, KubeObject, Secret } from '../api/k8s.js';
import {
  configReferences,
  PullSecretKeys,
  validateConfigMap,
  validateSecret,
  type ConfigReference,
} from './config-validation.js';
import { warningsOnCreate } from './create-warnings.js';
import { cronJobWarnings, validateCronJob } from './cronjob-validation.js';
import { securityWarnings } from './security-warnings.js';
import {
  defaultConfigMap,
  defaultPersistentVolumeClaim,
  defaultCronJob,
  defaultJob,
  defaultSecret,
  withCopiedLabels,
  withGeneratedSelector,
} from './defaults.js';
import type { PathError } from './field-errors.js';
import { buildFieldReport, warnableIgnored } from './field-report.js';
import { validateJob } from './job-validation.js';
import { generateName } from './names.js';
import { checkStrictFields } from './strict-fields.js';
import { validatePersistentVolumeClaim } from './claim-validation.js';
import { expandTemplate, parameterSets, placeholderHint, placeholdersIn } from './template-params.js';
import { aliasProblem, sizeProblem } from './yaml-limits.js';
import type { LoadedDocument, LoadOptions, LoadResult, ManifestSource, TemplateParams } from './types.js';

export const V1beta1CronJobWarning =
  'Warning: batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob';

const supportedKinds: Record<string, string> = {
  'batch/v1 Job': 'Job',
  'batch/v1 CronJob': 'CronJob',
  'batch/v1beta1 CronJob': 'CronJob',
  'v1 ConfigMap': 'ConfigMap',
  'v1 Secret': 'Secret',
  'v1 PersistentVolumeClaim': 'PersistentVolumeClaim',
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function sourceName(file: string, item: string | undefined, doc: number, multi: boolean): string {
  const parts: string[] = [];
  if (item !== undefined) parts.push(`item ${item}`);
  if (multi) parts.push(`document ${doc}`);
  return parts.length ? `${file} (${parts.join(', ')})` : file;
}

/**
 * Drops the fields whose value is `null`: as for the API server, `field: null` is the field
 * unset (defaulting and validation expect a value or nothing). Null list and map elements are
 * type errors already (strict-fields.ts).
 */
function withoutNulls<T>(v: T): T {
  if (Array.isArray(v)) v.forEach(withoutNulls);
  else if (isObject(v))
    for (const [k, item] of Object.entries(v)) {
      if (item === null) delete v[k];
      else withoutNulls(item);
    }
  return v;
}

/** Adds the template-parameter hint to errors whose value still holds a `$NAME` placeholder. */
function withPlaceholderHint(e: PathError): PathError {
  const names = placeholdersIn(e.message);
  const first = names[0];
  return first === undefined ? e : { ...e, message: `${e.message}; ${placeholderHint(first)}` };
}

interface Parsed {
  file: string;
  document: number;
  item?: string;
  source: string;
  value: unknown;
}

/** Parses every source (expanded per item); YAML errors come back as FieldErrors. */
function parseAll(
  sources: readonly ManifestSource[],
  params: TemplateParams,
): { docs: Parsed[]; errors: FieldError[] } {
  const docs: Parsed[] = [];
  const errors: FieldError[] = [];
  for (const src of sources) {
    const seen = new Map<number, Set<string>>();
    const rawTooBig = sizeProblem(src.text);
    if (rawTooBig !== undefined) {
      errors.push({ source: src.name, path: '', message: rawTooBig });
      continue;
    }
    for (const set of parameterSets(params)) {
      const text = expandTemplate(src.text, set.values);
      const tooBig = sizeProblem(text);
      if (tooBig !== undefined) {
        errors.push({ source: sourceName(src.name, set.item, 0, false), path: '', message: tooBig });
        continue;
      }
      let values: unknown[];
      try {
        values = loadAll(text, { schema: YAML11_SCHEMA, filename: src.name });
      } catch (e) {
        if (e instanceof YAMLException) {
          const where = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
          errors.push({
            source: sourceName(src.name, set.item, 0, false),
            path: '',
            message: `YAML syntax error${where}: ${e.reason}`,
          });
          continue;
        }
        throw e;
      }
      const multi = values.filter((v) => v !== null && v !== undefined).length > 1;
      values.forEach((value, i) => {
        if (value === null || value === undefined) return;
        const tooBig = aliasProblem(value);
        if (tooBig !== undefined) {
          errors.push({ source: sourceName(src.name, set.item, i + 1, multi), path: '', message: tooBig });
          return;
        }
        // A document that no parameter changed is produced once, not once per item.
        const key = JSON.stringify(value);
        const s = seen.get(i) ?? new Set<string>();
        seen.set(i, s);
        if (s.has(key)) return;
        s.add(key);
        const item =
          params.items !== undefined && placeholdersIn(src.text).includes('ITEM') ? set.item : undefined;
        docs.push({
          file: src.name,
          document: i + 1,
          item,
          source: sourceName(src.name, item, i + 1, multi),
          value,
        });
      });
    }
  }
  return { docs, errors };
}

/**
 * Parses, expands, checks, defaults and validates manifests. Never throws for bad input:
 * problems are in `errors` (the caller turns them into a ManifestError).
 */
export function parseManifestTexts(
  sources: readonly ManifestSource[],
  params: TemplateParams = {},
  options: LoadOptions = {},
): LoadResult {
  const uid = options.uid ?? randomUUID;
  const random = options.random ?? Math.random;
  const result: LoadResult = {
    jobs: [],
    cronJobs: [],
    configMaps: [],
    secrets: [],
    claims: [],
    warnings: [],
    report: [],
    documents: [],
    errors: [],
  };
  const parsed = parseAll(sources, params);
  result.errors.push(...parsed.errors);
  const warn = (w: string): void => {
    if (!result.warnings.includes(w)) result.warnings.push(w);
  };
  const names = new Map<string, string>();
  const refs: { source: string; refs: ConfigReference[] }[] = [];

  for (const p of parsed.docs) {
    const doc: LoadedDocument = { source: p.source, file: p.file, document: p.document };
    if (p.item !== undefined) doc.item = p.item;
    result.documents.push(doc);
    const errs: PathError[] = [];
    const fail = (): void => {
      for (const e of errs.map(withPlaceholderHint)) result.errors.push({ source: p.source, ...e });
    };
    if (!isObject(p.value)) {
      errs.push({
        path: '',
        message: `not a Kubernetes object: expected a mapping with apiVersion and kind, found ${Array.isArray(p.value) ? 'a list' : JSON.stringify(p.value)}`,
      });
      fail();
      continue;
    }
    const raw = p.value;
    const apiVersion = raw['apiVersion'];
    const kind = raw['kind'];
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      const example = '(e.g. apiVersion: batch/v1 and kind: Job)';
      if (typeof apiVersion !== 'string' || apiVersion === '')
        errs.push({
          path: 'apiVersion',
          message: `Required value: every document needs apiVersion and kind ${example}`,
        });
      if (typeof kind !== 'string' || kind === '')
        errs.push({
          path: 'kind',
          message: `Required value: every document needs apiVersion and kind ${example}`,
        });
      fail();
      continue;
    }
    const type = supportedKinds[`${apiVersion} ${kind}`];
    if (type === undefined) {
      errs.push({
        path: '',
        message: `${apiVersion} ${kind} is not supported: tjob runs batch/v1 Job and CronJob (plus v1 ConfigMap, Secret and PersistentVolumeClaim)`,
      });
      fail();
      continue;
    }
    if (apiVersion === 'batch/v1beta1') warn(V1beta1CronJobWarning);

    const strict = checkStrictFields(raw, type);
    if (strict.errors.length > 0) {
      errs.push(...strict.errors);
      fail();
      continue;
    }
    const obj = withoutNulls(structuredClone(raw)) as Record<string, unknown> & {
      metadata?: Record<string, unknown>;
    };
    if (type === 'CronJob') obj['apiVersion'] = 'batch/v1';
    const meta = (obj.metadata ??= {});
    if (!meta['name'] && typeof meta['generateName'] === 'string' && meta['generateName'])
      meta['name'] = generateName(meta['generateName'], random);
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';

    let object: KubeObject;
    let rendered: KubeObject;
    switch (type) {
      case 'Job': {
        const d = defaultJob(obj as unknown as Job);
        const full = withGeneratedSelector(d, uid());
        errs.push(...validateJob(full));
        object = full;
        rendered = withCopiedLabels(d);
        refs.push({
          source: p.source,
          refs: configReferences(full.spec.template?.spec, 'spec.template.spec'),
        });
        break;
      }
      case 'CronJob': {
        const d = defaultCronJob(obj as unknown as CronJob);
        errs.push(...validateCronJob(d));
        if (errs.length === 0) for (const w of cronJobWarnings(d)) warn(`Warning: ${p.source}: ${w}`);
        object = d;
        rendered = d;
        refs.push({
          source: p.source,
          refs: configReferences(
            d.spec.jobTemplate?.spec?.template?.spec,
            'spec.jobTemplate.spec.template.spec',
          ),
        });
        break;
      }
      case 'PersistentVolumeClaim':
        object = defaultedAndValidated(
          obj,
          defaultPersistentVolumeClaim,
          validatePersistentVolumeClaim,
          errs,
        );
        rendered = object;
        break;
      case 'ConfigMap':
        object = defaultedAndValidated(obj, defaultConfigMap, validateConfigMap, errs);
        rendered = object;
        break;
      default: {
        const s = obj as unknown as Secret;
        errs.push(...validateSecret(defaultSecret(s, false)));
        object = defaultSecret(s, true);
        rendered = defaultSecret(s, false);
      }
    }
    delete (rendered.metadata as Record<string, unknown>)['generateName'];
    result.report.push(buildFieldReport(p.source, type, name, strict.present));
    const ignored = warnableIgnored(strict.present);
    if (ignored.length > 0)
      warn(
        `Warning: ${p.source}: ${type} ${name}: ignored on a single node (no effect): ${ignored.join(', ')}`,
      );
    const key = `${type}/${name}`;
    const prev = names.get(key);
    if (name && prev !== undefined)
      errs.push({
        path: 'metadata.name',
        message: `Duplicate value: ${JSON.stringify(name)}: ${prev} defines a ${type} of the same name`,
      });
    else if (name) names.set(key, p.source);
    if (errs.length > 0) {
      fail();
      continue;
    }
    if (object.kind === 'Job' || object.kind === 'CronJob')
      for (const w of warningsOnCreate(object)) warn(`Warning: ${p.source}: ${w}`);
    for (const w of securityWarnings(object)) warn(`Warning: ${p.source}: ${w.path}: ${w.risk}`);
    doc.object = object;
    doc.rendered = rendered;
    if (object.kind === 'Job') result.jobs.push(object);
    else if (object.kind === 'CronJob') result.cronJobs.push(object);
    else if (object.kind === 'ConfigMap') result.configMaps.push(object);
    else if (object.kind === 'PersistentVolumeClaim') result.claims.push(object);
    else result.secrets.push(object);
  }
  checkReferences(result, refs, options);
  return result;
}

/** An object stored as it is rendered: defaulted, then validated (its errors added to `errs`). */
function defaultedAndValidated<T extends KubeObject>(
  obj: object,
  withDefaults: (o: T) => T,
  validate: (o: T) => PathError[],
  errs: PathError[],
): T {
  const d = withDefaults(obj as T);
  errs.push(...validate(d));
  return d;
}

function checkReferences(
  result: LoadResult,
  refs: { source: string; refs: ConfigReference[] }[],
  options: LoadOptions,
): void {
  const cms = new Map(
    result.configMaps.map((c) => [
      c.metadata.name,
      new Set([...Object.keys(c.data ?? {}), ...Object.keys(c.binaryData ?? {})]),
    ]),
  );
  const secrets = new Map(result.secrets.map((s) => [s.metadata.name, new Set(Object.keys(s.data ?? {}))]));
  const secretTypes = new Map(result.secrets.map((s) => [s.metadata.name, s.type ?? 'Opaque']));
  for (const { source, refs: list } of refs) {
    for (const r of list) {
      if (r.pullSecret) {
        const w = pullSecretWarning(source, r, secretTypes.get(r.name), options.knownSecrets);
        if (w !== undefined && !result.warnings.includes(w)) result.warnings.push(w);
        continue;
      }
      const inRun = r.kind === 'ConfigMap' ? cms.get(r.name) : secrets.get(r.name);
      const known = r.kind === 'ConfigMap' ? options.knownConfigMaps : options.knownSecrets;
      const lower = r.kind.toLowerCase();
      if (inRun) {
        if (r.key !== undefined && !inRun.has(r.key) && !r.optional)
          result.errors.push({
            source,
            path: `${r.path}.key`,
            message: `Not found: ${JSON.stringify(r.key)}: ${lower} "${r.name}" in these manifests has no such key`,
          });
        continue;
      }
      if (r.optional || known?.includes(r.name)) continue;
      if (known !== undefined)
        result.errors.push({
          source,
          path: `${r.path}.name`,
          message: `Not found: ${JSON.stringify(r.name)}: no ${r.kind} of that name in these manifests or stored with tjob apply`,
        });
      else {
        const w = `Warning: ${source}: ${r.path}: ${lower} "${r.name}" is not in these manifests; it must have been stored with tjob apply`;
        if (!result.warnings.includes(w)) result.warnings.push(w);
      }
    }
  }
}

/**
 * An imagePullSecrets entry the kubelet would pass over (secrets.go MakeDockerKeyring reads only
 * the docker config types; a missing one is skipped with "Unable to retrieve some image pull
 * secrets"): the pod is still valid, so a warning says why its pulls will not use it.
 */
function pullSecretWarning(
  source: string,
  r: ConfigReference,
  type: string | undefined,
  known: readonly string[] | undefined,
): string | undefined {
  if (type !== undefined) {
    if (PullSecretKeys[type] !== undefined) return undefined;
    return `Warning: ${source}: ${r.path}: secret "${r.name}" is of type ${type}; pulls use only Secrets of type ${Object.keys(PullSecretKeys).join(' or ')}, so this one is ignored`;
  }
  if (known === undefined) return undefined;
  if (known.includes(r.name)) return undefined;
  return `Warning: ${source}: ${r.path}: secret "${r.name}" is not in these manifests or stored with tjob apply; pulls go on without it`;
}
