// Small builders for the Job controller tables: job({...}), pod('name').phase(...)..., sync(...).

import type { Job, JobCondition, JobSpec, JobStatus, PodFailurePolicyRule } from '../../../../src/api/k8s.js';
import { syncJob } from '../../../../src/controller/job/sync.js';
import type {
  BackoffRecord,
  PodView,
  SyncOptions,
  SyncResult,
} from '../../../../src/controller/job/types.js';

export const T0 = new Date('2026-01-01T00:00:00Z');
/** T0 + seconds. */
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
export const iso = (seconds: number): string =>
  at(seconds)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');

export const defaultOptions: SyncOptions = { backoffBaseMs: 10_000, backoffCapMs: 600_000 };

export interface JobSetup extends Partial<Omit<JobSpec, 'template'>> {
  name?: string;
  namespace?: string;
  restartPolicy?: 'Never' | 'OnFailure';
  status?: JobStatus;
  pfp?: PodFailurePolicyRule[];
}

/** A Job with its spec defaulted as the API server does (docs/job.md §1.2). */
export function job(setup: JobSetup = {}): Job {
  const { name = 'pi', namespace, restartPolicy = 'Never', status, pfp, ...spec } = setup;
  const completions = 'completions' in setup ? setup.completions : 'parallelism' in setup ? null : 1;
  const defaulted: JobSpec = {
    ...spec,
    parallelism: spec.parallelism ?? 1,
    completions,
    completionMode: spec.completionMode ?? 'NonIndexed',
    backoffLimit: spec.backoffLimit ?? (spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6),
    template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox' }] } },
  };
  if (pfp) defaulted.podFailurePolicy = { rules: pfp };
  defaulted.podReplacementPolicy = spec.podReplacementPolicy ?? (pfp ? 'Failed' : 'TerminatingOrFailed');
  const metadata: Job['metadata'] = { name, uid: 'uid-1' };
  if (namespace !== undefined) metadata.namespace = namespace;
  const j: Job = { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: defaulted };
  if (status) j.status = status;
  return j;
}

export class PodBuilder {
  private readonly p: PodView;
  constructor(name: string) {
    this.p = {
      name,
      phase: 'Running',
      terminating: false,
      ready: false,
      tracked: true,
      createdAt: T0,
      startedAt: T0,
      restartCount: 0,
      terminatedContainers: [],
      conditions: [],
    };
  }
  phase(phase: PodView['phase']): this {
    this.p.phase = phase;
    if (phase === 'Pending') delete this.p.startedAt;
    return this;
  }
  pending(): this {
    return this.phase('Pending');
  }
  running(): this {
    return this.phase('Running');
  }
  /** Succeeded, main container exit 0, finished at T0 + seconds. */
  succeeded(seconds = 0): this {
    this.p.phase = 'Succeeded';
    this.p.terminatedContainers.push({ name: 'main', init: false, exitCode: 0 });
    return this.finished(seconds);
  }
  /** Failed with exit 1 (main), finished at T0 + seconds. */
  failed(seconds = 0, exitCode = 1): this {
    this.p.phase = 'Failed';
    this.p.terminatedContainers.push({ name: 'main', init: false, exitCode });
    return this.finished(seconds);
  }
  /** Adds a terminated container (does not change the phase). */
  exitCode(code: number, container = 'main', init = false): this {
    this.p.terminatedContainers.push({ name: container, init, exitCode: code });
    return this;
  }
  finished(seconds: number): this {
    this.p.finishedAt = at(seconds);
    return this;
  }
  created(seconds: number): this {
    this.p.createdAt = at(seconds);
    if (this.p.startedAt) this.p.startedAt = at(seconds);
    return this;
  }
  index(i: number): this {
    this.p.index = i;
    return this;
  }
  ready(sinceSeconds = 0): this {
    this.p.ready = true;
    this.p.readySince = at(sinceSeconds);
    return this;
  }
  terminating(deletedAtSeconds?: number): this {
    this.p.terminating = true;
    if (deletedAtSeconds !== undefined) this.p.deletionRequestedAt = at(deletedAtSeconds);
    return this;
  }
  untracked(): this {
    this.p.tracked = false;
    return this;
  }
  restarts(n: number): this {
    this.p.restartCount = n;
    return this;
  }
  condition(type: string, status: 'True' | 'False' = 'True'): this {
    this.p.conditions.push({ type, status });
    return this;
  }
  failureCount(n: number, ignored?: number): this {
    this.p.indexFailureCount = n;
    if (ignored !== undefined) this.p.indexIgnoredFailureCount = ignored;
    return this;
  }
  build(): PodView {
    return structuredClone(this.p);
  }
}

export const pod = (name: string): PodBuilder => new PodBuilder(name);

export interface SyncSetup {
  job: Job;
  pods?: (PodBuilder | PodView)[];
  backoff?: BackoffRecord;
  now?: Date;
  options?: SyncOptions;
  releasesPending?: number;
}

export function sync(setup: SyncSetup): SyncResult {
  return syncJob({
    job: setup.job,
    pods: (setup.pods ?? []).map((p) => (p instanceof PodBuilder ? p.build() : p)),
    backoff: setup.backoff ?? { failuresAfterLastSuccess: 0 },
    now: setup.now ?? T0,
    options: setup.options ?? defaultOptions,
    ...(setup.releasesPending !== undefined ? { releasesPending: setup.releasesPending } : {}),
  });
}

/** The counters of a status, for compact assertions. */
export function counters(s: JobStatus): Record<string, number | undefined> {
  return {
    active: s.active,
    ready: s.ready,
    terminating: s.terminating,
    succeeded: s.succeeded,
    failed: s.failed,
  };
}

/** `Type=Status/Reason` for each condition, in order. */
export function conditionsOf(s: JobStatus): string[] {
  return (s.conditions ?? []).map((c: JobCondition) => `${c.type}=${c.status}/${c.reason ?? ''}`);
}

export function condition(s: JobStatus, type: string): JobCondition | undefined {
  return s.conditions?.find((c) => c.type === type);
}

/** Delete actions as `name:reason`, creations as `create` or `create:<index>`. */
export function actionsOf(r: SyncResult): string[] {
  return r.actions.map((a) =>
    a.type === 'deletePod'
      ? `delete:${a.name}:${a.reason}`
      : a.index === undefined
        ? 'create'
        : `create:${a.index}`,
  );
}
