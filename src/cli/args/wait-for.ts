// `tjob wait --for=...` and `--timeout=...`: kubectl wait's forms and messages
// (staging/src/k8s.io/kubectl/pkg/cmd/wait/wait.go, conditionFuncFor), shared with completion.

import { UsageError } from '../../api/errors.js';
import { parseDuration } from '../../output/duration.js';

/** A negative --timeout waits a week, as kubectl's (wait.go, `if o.Timeout < 0`). */
const ONE_WEEK_MS = 7 * 24 * 3600_000;

/** The Job conditions (batch/v1 JobConditionType, k8s.io/api batch/v1 types.go) --for names. */
export const WAIT_CONDITIONS = ['Complete', 'Failed', 'Suspended', 'FailureTarget', 'SuccessCriteriaMet'];
/** --for values: a condition, or `finished` or `delete`. */
export const WAIT_FOR_VALUES = [...WAIT_CONDITIONS.map((c) => `condition=${c}`), 'finished', 'delete'];

export type WaitFor =
  { kind: 'condition'; type: string; value: string } | { kind: 'finished' } | { kind: 'delete' };

export function parseFor(text: string): WaitFor {
  const t = text.trim();
  if (t.toLowerCase() === 'delete') return { kind: 'delete' };
  if (t.toLowerCase() === 'finished') return { kind: 'finished' };
  if (t.toLowerCase().startsWith('condition=')) {
    const rest = t.slice('condition='.length);
    const eq = rest.indexOf('=');
    const type = eq < 0 ? rest : rest.slice(0, eq);
    const value = eq < 0 ? 'true' : rest.slice(eq + 1);
    if (!type) throw new UsageError(`--for=${text}: a condition name is required, e.g. condition=Complete`);
    return { kind: 'condition', type, value };
  }
  throw new UsageError(
    `unrecognized condition: "${text}"`,
    '--for takes condition=NAME[=VALUE], finished or delete',
  );
}

export function parseTimeout(text: string): number {
  const t = text.trim();
  const negative = t.startsWith('-');
  const ms = parseDuration(negative ? t.slice(1) : t);
  if (ms === undefined)
    throw new UsageError(`invalid --timeout "${text}": expected a duration like 30s, 5m, 1h`);
  return negative && ms > 0 ? ONE_WEEK_MS : ms;
}
