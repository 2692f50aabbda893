// The backoff flags (`--backoff`, `TJOB_BACKOFF`, `--max-backoff`) of the commands that drive jobs:
// one setting for the Job controller's pod-recreation backoff and the kubelet's restart backoff
// (docs/deviations.md#2-configurable-backoff).

import { UsageError } from '../../api/errors.js';
import { parseDuration } from '../../output/duration.js';

/** The base when neither `--backoff` nor TJOB_BACKOFF is given: upstream's 10 s
 * (`DefaultJobPodFailureBackOff` in pkg/controller/job/job_controller.go; the kubelet's initial
 * container backoff in pkg/kubelet/kubelet.go). */
export const DEFAULT_BACKOFF_MS = 10_000;
/** The cap when `--max-backoff` is not given: the Jobs concept page's 6 min (deviation 2). */
export const DEFAULT_MAX_BACKOFF_MS = 6 * 60_000;
/** The `--max-backoff` option's default as commander shows it; the same figure as the constant. */
export const DEFAULT_MAX_BACKOFF_FLAG = '6m';

export interface BackoffSettings {
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  backoffMs: DEFAULT_BACKOFF_MS,
  maxBackoffMs: DEFAULT_MAX_BACKOFF_MS,
};

function durationFlag(name: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`invalid ${name} "${text}": expected a duration like 10s, 500ms, 2m`);
  return ms;
}

export function backoffSettings(
  flags: { backoff?: string; maxBackoff?: string },
  env: Record<string, string | undefined>,
): BackoffSettings {
  return {
    backoffMs: durationFlag(
      flags.backoff ? '--backoff' : 'TJOB_BACKOFF',
      flags.backoff ?? env.TJOB_BACKOFF,
      DEFAULT_BACKOFF_MS,
    ),
    maxBackoffMs: durationFlag('--max-backoff', flags.maxBackoff, DEFAULT_MAX_BACKOFF_MS),
  };
}
