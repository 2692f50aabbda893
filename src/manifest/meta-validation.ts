// ObjectMeta, labels and annotations, as apimachinery validates them.

import type { Labels, ObjectMeta } from '../api/k8s.js';
import { fe, nonNegative, type PathError } from './field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.js';

const sortedEntries = (m: Labels | undefined): [string, string][] =>
  Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function validateLabels(labels: Labels | undefined, path: string): PathError[] {
  const errs: PathError[] = [];
  for (const [k, v] of sortedEntries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(fe.invalid(path, k, m));
    for (const m of isValidLabelValue(String(v))) errs.push(fe.invalid(path, v, m));
  }
  return errs;
}

const totalAnnotationSizeLimitB = 256 * 1024;

export function validateAnnotations(annotations: Labels | undefined, path: string): PathError[] {
  const errs: PathError[] = [];
  let size = 0;
  for (const [k, v] of sortedEntries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fe.invalid(path, k, m));
    size += k.length + String(v).length;
  }
  if (size > totalAnnotationSizeLimitB) errs.push(fe.tooLong(path, totalAnnotationSizeLimitB));
  return errs;
}

/** A name function: DNS-1123 subdomain (Jobs, CronJobs, ConfigMaps, Secrets). */
function nameIsDNSSubdomain(name: string, prefix: boolean): string[] {
  const v = prefix && name.endsWith('-') ? name.slice(0, -1) : name;
  return isDNS1123Subdomain(v);
}

/** ValidateObjectMeta for a namespaced object whose name must be a DNS-1123 subdomain. */
export function validateObjectMeta(meta: ObjectMeta | undefined, path = 'metadata'): PathError[] {
  const m = meta ?? {};
  const errs: PathError[] = [];
  if (m.generateName)
    for (const msg of nameIsDNSSubdomain(m.generateName, true))
      errs.push(fe.invalid(`${path}.generateName`, m.generateName, msg));
  if (!m.name) errs.push(fe.required(`${path}.name`, 'name or generateName is required'));
  else
    for (const msg of nameIsDNSSubdomain(m.name, false)) errs.push(fe.invalid(`${path}.name`, m.name, msg));
  if (!m.namespace) errs.push(fe.required(`${path}.namespace`));
  else
    for (const msg of isDNS1123Label(m.namespace))
      errs.push(fe.invalid(`${path}.namespace`, m.namespace, msg));
  errs.push(...nonNegative(`${path}.generation`, m['generation'] as number | undefined));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  return errs;
}
