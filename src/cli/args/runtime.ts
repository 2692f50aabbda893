// The `--runtime docker|swarm` flag (default: TJOB_RUNTIME, else docker) of the commands that create
// jobs. A job records its runtime when it is created (config.json in its directory), so whoever
// drives or deletes it later (`run` again, `resume`, a background controller, the scheduler,
// `delete`, the TTL sweep) uses that one. As with --network, TJOB_RUNTIME is only the default of
// new jobs; a flag that names another runtime than a job's is refused, naming both: its pods are
// there, and the next ones would not see them.

import { UsageError } from '../../api/errors.js';
import type { JobConfigData } from '../../ports/job-config.js';
import type { RuntimeKind } from '../../ports/pod-runtime.js';

export const RUNTIME_KINDS: readonly RuntimeKind[] = ['docker', 'swarm'];

export const RUNTIME_FLAG_HELP =
  'where the pods run: docker (containers on this engine, the default) or swarm (services on the Docker Swarm cluster the engine manages) (env TJOB_RUNTIME)';

export interface AskedRuntime {
  kind: RuntimeKind;
  /** Given as --runtime (not the default): it must agree with the jobs it meets. */
  byFlag: boolean;
}

/** The runtime asked for: the flag, else TJOB_RUNTIME, else docker. */
export function runtimeOf(
  flags: { runtime?: string },
  env: Record<string, string | undefined>,
): AskedRuntime {
  const byFlag = flags.runtime !== undefined;
  const value = flags.runtime ?? env.TJOB_RUNTIME;
  if (value === undefined || value === '') return { kind: 'docker', byFlag: false };
  if (!(RUNTIME_KINDS as readonly string[]).includes(value)) {
    throw new UsageError(
      `invalid ${byFlag ? '--runtime' : 'TJOB_RUNTIME'} "${value}": expected ${RUNTIME_KINDS.join(' or ')}`,
    );
  }
  return { kind: value as RuntimeKind, byFlag };
}

/** The runtime a job was created on: Docker when it recorded none (jobs created before the choice). */
export function recordedRuntime(config: JobConfigData): RuntimeKind {
  return config.runtime ?? 'docker';
}

/** The config a new job is created with on `kind` (Docker is the default and is not written). */
export function withRuntime(config: JobConfigData, kind: RuntimeKind): JobConfigData {
  return kind === 'docker' ? config : { ...config, runtime: kind };
}

/** Refuses to go on with a job on one runtime when --runtime names the other. */
export function checkRecordedRuntime(job: string, recorded: RuntimeKind, asked: AskedRuntime): void {
  if (!asked.byFlag || asked.kind === recorded) return;
  throw new UsageError(
    `job "${job}" exists and runs on ${recorded}, not ${asked.kind} (--runtime ${asked.kind})`,
    `run it as it was created (--runtime ${recorded}), or start it anew on ${asked.kind} with --replace`,
  );
}

/**
 * The one runtime a process drives its jobs on (a command opens one): refuses jobs that are on
 * different runtimes, naming one of each.
 */
export function oneRuntime(jobs: { name: string; kind: RuntimeKind }[], fallback: RuntimeKind): RuntimeKind {
  const first = jobs[0];
  if (first === undefined) return fallback;
  const other = jobs.find((j) => j.kind !== first.kind);
  if (other === undefined) return first.kind;
  throw new UsageError(
    `job "${first.name}" runs on ${first.kind} and job "${other.name}" on ${other.kind}: one command drives jobs of one runtime`,
    'run or resume them in separate commands',
  );
}
