// `-o json`, `-o yaml` and the List wrapper, as kubectl prints them: keys sorted (kubectl prints
// unstructured maps), JSON indented by 4 with Go's HTML-safe escaping, YAML with sigs.k8s.io/yaml's
// look (unindented sequences, double-quoted strings that would read as another type).

import { dump } from 'js-yaml';

export interface KubeList {
  apiVersion: 'v1';
  kind: 'List';
  items: unknown[];
  metadata: { resourceVersion: string };
}

export function listOf(items: unknown[]): KubeList {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}

/** Deep copy with every object's keys sorted; undefined members dropped. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** encoding/json's Marshal (no indent) or MarshalIndent: keys sorted, Go's HTML-safe escapes. */
export function goJson(value: unknown, indent = ''): string {
  return JSON.stringify(sortKeys(value), null, indent)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function toJson(value: unknown): string {
  return goJson(value, '    ') + '\n';
}

export function toYaml(value: unknown): string {
  return dump(sortKeys(value), { seqNoIndent: true, lineWidth: -1, noRefs: true, quoteStyle: 'double' });
}
