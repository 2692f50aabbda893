// The commands' factories for the state directory's stores and the container runtime: the one
// place that says which store a command gets and with which runtime options, so no command builds
// `FileStore`, `FileCronStore` or the runtime's options itself.

import { join } from 'node:path';
import type { PodRuntime, RuntimeKind } from '../ports/pod-runtime.js';
import type { StateError } from '../api/errors.js';
import { FileCronStore } from '../state/cron-store.js';
import { FileStore } from '../state/file-store.js';
import { FileStateWatch } from '../state/state-watch.js';
import type { StateWatch } from '../ports/state-watch.js';
import type { JobSummary } from '../ports/job-summaries.js';
import { rowOf } from '../state/job-row.js';
import { DEFAULT_BACKOFF, type BackoffSettings } from './args/backoff.js';
import { stateDirOf, type CliContext, type GlobalOptions } from './context.js';
import { sweepExpiredJobs } from './ttl-sweep.js';

/**
 * The kubelet's cap of the in-place container restart backoff (`MaxContainerBackOff`, 300 s, in
 * pkg/kubelet/kubelet.go): a `--max-backoff` above it caps the Job controller's pod-recreation
 * backoff only (docs/deviations.md#2-configurable-backoff).
 */
export const KUBELET_MAX_RESTART_BACKOFF_MS = 5 * 60_000;

/** A state directory's stores: jobs (with pods, logs, claims, config objects) and CronJobs. */
export interface StateStores {
  stateDir: string;
  store: FileStore;
  cronStore: FileCronStore;
}

/** The stores of `stateDir`, touching nothing on disk. `onDamaged` sees records left out of listings. */
export function storesAt(stateDir: string, onDamaged?: (e: StateError) => void): StateStores {
  return {
    stateDir,
    store: new FileStore(stateDir, onDamaged ? { onDamaged } : {}),
    cronStore: new FileCronStore(stateDir),
  };
}

/** The stores of the command's state directory (--state-dir, TJOB_STATE_DIR, ...), not yet created. */
export function stateOf(ctx: CliContext, global: GlobalOptions): StateStores {
  return storesAt(stateDirOf(global, ctx.env));
}

/** The stores of the command's state directory, which is created (or checked) first. */
export async function openState(ctx: CliContext, global: GlobalOptions): Promise<StateStores> {
  const state = stateOf(ctx, global);
  await state.store.init();
  return state;
}

/** The stores of a reading command, with the jobs it found there. */
export interface ReadingState extends StateStores {
  /**
   * Every job's summary as the TTL sweep listed them, less those it deleted: a command that lists
   * jobs once takes these rather than listing a large state directory a second time.
   */
  jobs: JobSummary[];
}

/**
 * The stores as the reading commands (`get`, `describe`, `logs`, `wait`, `delete`) need them: a
 * damaged record is left out with a warning, and finished jobs whose TTL ran out are gone first
 * (deviation 3), as the TTL controller would have deleted them.
 */
export async function openStateForReading(ctx: CliContext, global: GlobalOptions): Promise<ReadingState> {
  const state = storesAt(stateDirOf(global, ctx.env), (e) =>
    ctx.stderr.write(`Warning: ${e.message}; left out\n${e.hint ? `hint: ${e.hint}\n` : ''}`),
  );
  await state.store.init();
  const listed = await state.store.listJobSummaries();
  const deleted = new Set(await sweepExpiredJobs(state.store, ctx.clock.now(), undefined, listed));
  return { ...state, jobs: deleted.size ? listed.filter((s) => !deleted.has(rowOf(s).name)) : listed };
}

/**
 * The pod runtime of `kind` (the one asked for, or the one the jobs recorded; src/cli/args/runtime.ts)
 * for the state directory: volumes live under `<state-dir>/volumes`, and
 * the kubelet's restart backoff follows `backoff`, capped as the kubelet caps it. A command that
 * only stops and removes containers (`delete`, the TTL sweep) starts none, so the defaults serve.
 */
export function openRuntime(
  ctx: CliContext,
  stateDir: string,
  backoff: BackoffSettings = DEFAULT_BACKOFF,
  kind: RuntimeKind = 'docker',
): Promise<PodRuntime> {
  return ctx.createRuntime({
    kind,
    workDir: join(stateDir, 'volumes'),
    restartBackoffBaseMs: backoff.backoffMs,
    restartBackoffCapMs: Math.min(backoff.maxBackoffMs, KUBELET_MAX_RESTART_BACKOFF_MS),
  });
}

/** The state directory watched, for a live view (`tjob ui`) and the followers (src/cli/state-follower.ts). */
export function stateWatchAt(stateDir: string): StateWatch {
  return new FileStateWatch(stateDir);
}
