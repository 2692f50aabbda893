// metav1.FormatLabelSelector: a LabelSelector as the string kubectl prints (requirements sorted by
// key; `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`).

import type { LabelSelector } from '../api/k8s.js';

/** The selector's string; empty for a nil or empty selector. */
export function selectorString(selector: LabelSelector | undefined): string {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const r of selector.matchExpressions ?? []) {
    const values = [...(r.values ?? [])].sort().join(',');
    const text =
      r.operator === 'In'
        ? `${r.key} in (${values})`
        : r.operator === 'NotIn'
          ? `${r.key} notin (${values})`
          : r.operator === 'Exists'
            ? r.key
            : `!${r.key}`;
    reqs.push({ key: r.key, text });
  }
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}

/** The SELECTOR column: `<none>` when empty. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  return selectorString(selector) || '<none>';
}
