// syncJob: one reconcile pass of a Job (docs/job.md §2.4; the § numbers below are its sections), pure. Mirrors Kubernetes'
// job_controller.go syncJob → manageJob → trackJobStatusAndRemoveFinalizers, with the pod
// finalizer replaced by PodView.tracked and the status write by SyncResult.
//
// Contract with the engine (see also types.ts):
// * `untrack` lists pods whose outcome the returned status now includes; persist both at once.
// * deletePod reasons Excess, Suspended, InvalidIndex, DuplicateIndex: the engine untracks the pod
//   at once (never counted). JobFinished: counted as failed here and listed in `untrack`.
//   FailedIndex: the pod stays tracked and counts as a failure once it is terminal (or at once
//   under TerminatingOrFailed).
// * requeueAfterMs: sync again after that long at the latest (deadline, backoff expiry).

import type { Job, JobCondition, JobStatus } from '../../api/k8s.js';
import type { BackoffRecord, JobAction, JobEvent, PodView, SyncInput, SyncResult } from './types.js';
import { newBackoffRecord, remainingBackoffMs, remainingForFailuresMs } from './backoff.js';
import {
  Message,
  Reason,
  ensureConditionStatus,
  findCondition,
  hasTrueCondition,
  isJobFinished,
  rfc3339,
} from './conditions.js';
import {
  isActive,
  isPodFailed,
  isTerminating,
  onlyReplaceFailedPods,
  pastBackoffLimitOnFailure,
  podFinishedAt,
} from './counts.js';
import { pastActiveDeadline, remainingUntilDeadlineMs } from './deadline.js';
import { firstPendingIndexes, formatIndexes, isValidIndex, parseIndexes, sortedIndexes } from './indexes.js';
import { MaxPodCreateDeletePerSync, activePodsForRemoval, wantActive } from './manage-pods.js';
import { matchPodFailurePolicy, type PodFailureMatch } from './pod-failure-policy.js';
import { matchSuccessPolicy } from './success-policy.js';

export const BuiltInControllerName = 'kubernetes.io/job-controller';

interface FinishedCondition {
  type: 'FailureTarget' | 'SuccessCriteriaMet';
  reason: string;
  message: string;
}

/** Per-sync bundle (upstream syncJobCtx). */
interface SyncCtx {
  job: Job;
  pods: readonly PodView[];
  now: Date;
  namespace: string;
  indexed: boolean;
  completions: number | null;
  perIndex: boolean;
  activePods: PodView[];
  succeeded: number;
  succeededIndexes: Set<number>;
  failedIndexes: Set<number>;
  backoff: BackoffRecord;
  match: (pod: PodView) => PodFailureMatch;
  options: SyncInput['options'];
}

function byName(a: PodView, b: PodView): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function unchanged(input: SyncInput, events: JobEvent[] = [], backoff?: BackoffRecord): SyncResult {
  return {
    status: structuredClone(input.job.status ?? {}),
    actions: [],
    backoff: backoff ?? { ...input.backoff },
    untrack: [],
    events,
  };
}

export function syncJob(input: SyncInput): SyncResult {
  const { job, now, options } = input;
  const prev: JobStatus = job.status ?? {};

  // §2.2 skip rules.
  if (isJobFinished(job)) return unchanged(input, [], { failuresAfterLastSuccess: 0 });
  if (job.spec.managedBy !== undefined && job.spec.managedBy !== BuiltInControllerName)
    return unchanged(input);
  const mode = job.spec.completionMode ?? 'NonIndexed';
  if (mode !== 'NonIndexed' && mode !== 'Indexed') {
    return unchanged(input, [
      {
        type: 'Warning',
        reason: 'UnknownCompletionMode',
        message: `Skipped Job sync because completion mode "${String(mode)}" is unknown`,
      },
    ]);
  }

  const namespace = job.metadata.namespace ?? 'default';
  const indexed = mode === 'Indexed';
  const completions = job.spec.completions ?? null;
  const indexLimit = completions ?? 0;
  const perIndex =
    indexed && job.spec.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null;
  const suspended = job.spec.suspend === true;
  const pods = [...input.pods].sort(byName);
  const matchCache = new Map<string, PodFailureMatch>();
  const match = (pod: PodView): PodFailureMatch => {
    let m = matchCache.get(pod.name);
    if (!m) {
      m = matchPodFailurePolicy(job.spec, pod, namespace);
      matchCache.set(pod.name, m);
    }
    return m;
  };

  // §2.3 classification. Indexed pods without a valid index are never counted.
  const countable = (p: PodView) => !indexed || isValidIndex(p.index, indexLimit);
  const activePods = pods.filter(isActive);
  const observedTerminating = pods.filter(isTerminating);
  const newSucceeded = pods.filter((p) => p.tracked && p.phase === 'Succeeded' && countable(p));
  const newFailed = pods.filter((p) => p.tracked && isPodFailed(p, job) && countable(p));
  let failed = (prev.failed ?? 0) + newFailed.filter((p) => match(p).countFailed).length;

  // §2.4.1 start time; a resume restarts the deadline clock (§2.6, §4).
  const resuming = !suspended && hasTrueCondition(prev.conditions, 'Suspended');
  let startTime = prev.startTime;
  if ((startTime === undefined && !suspended) || resuming) startTime = rfc3339(now);

  // §2.4.2 backoff record.
  const backoff = newBackoffRecord(input.backoff, newSucceeded, newFailed, now);

  // §2.4.3 must the job finish?
  let finishing: FinishedCondition | undefined;
  const successCriteria = findCondition(prev.conditions, 'SuccessCriteriaMet');
  const failureTarget = findCondition(prev.conditions, 'FailureTarget');
  if (successCriteria?.status === 'True') {
    finishing = {
      type: 'SuccessCriteriaMet',
      reason: successCriteria.reason ?? '',
      message: successCriteria.message ?? '',
    };
  } else if (failureTarget?.status === 'True') {
    finishing = {
      type: 'FailureTarget',
      reason: failureTarget.reason ?? '',
      message: failureTarget.message ?? '',
    };
  } else if (job.spec.podFailurePolicy) {
    const candidates = pods
      .filter((p) => p.tracked && p.phase === 'Failed')
      .sort((a, b) => podFinishedAt(a, now).getTime() - podFinishedAt(b, now).getTime());
    for (const pod of candidates) {
      const message = match(pod).failJobMessage;
      if (message !== undefined) {
        finishing = { type: 'FailureTarget', reason: Reason.podFailurePolicy, message };
        break;
      }
    }
  }
  if (!finishing) {
    if (failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
      finishing = failure(Reason.backoffLimitExceeded, Message.backoffLimitExceeded);
    } else if (pastActiveDeadline(job, startTime, now)) {
      finishing = failure(Reason.deadlineExceeded, Message.deadlineExceeded);
    }
  }

  let succeeded = (prev.succeeded ?? 0) + newSucceeded.length;
  let succeededIndexes = new Set<number>();
  let failedIndexes = new Set<number>();
  if (indexed) {
    succeededIndexes = new Set([
      ...parseIndexes(prev.completedIndexes, indexLimit),
      ...newSucceeded.map((p) => p.index as number),
    ]);
    succeeded = succeededIndexes.size;
    if (perIndex) {
      failedIndexes = new Set(parseIndexes(prev.failedIndexes, indexLimit));
      for (const pod of pods) {
        if (pod.tracked && pod.phase === 'Failed' && countable(pod) && isIndexFailed(job, pod, match)) {
          failedIndexes.add(pod.index as number);
        }
      }
      if (!finishing) {
        const maxFailed = job.spec.maxFailedIndexes;
        if (maxFailed !== undefined && maxFailed !== null && failedIndexes.size > maxFailed) {
          finishing = failure(Reason.maxFailedIndexesExceeded, Message.maxFailedIndexesExceeded);
        } else if (failedIndexes.size > 0 && failedIndexes.size + succeededIndexes.size >= indexLimit) {
          finishing = failure(Reason.failedIndexes, Message.failedIndexes);
        }
      }
    }
    if (!finishing) {
      const message = matchSuccessPolicy(job.spec, indexLimit, succeededIndexes);
      if (message !== undefined)
        finishing = { type: 'SuccessCriteriaMet', reason: Reason.successPolicy, message };
    }
  }

  const ctx: SyncCtx = {
    job,
    pods,
    now,
    namespace,
    indexed,
    completions,
    perIndex,
    activePods,
    succeeded,
    succeededIndexes,
    failedIndexes,
    backoff,
    match,
    options,
  };

  const actions: JobAction[] = [];
  const events: JobEvent[] = [];
  let conditions: JobCondition[] = [...(prev.conditions ?? [])];
  let active: number;
  let ready = activePods.filter((p) => p.ready).length;
  let terminating = observedTerminating.length;
  const requeue: number[] = [];

  if (finishing) {
    // §2.7: delete every active pod; a failing job's pods count as failed (below).
    const failing = finishing.type === 'FailureTarget';
    for (const pod of activePods) {
      const reason = !countable(pod) ? 'InvalidIndex' : failing ? 'JobFinished' : 'Excess';
      actions.push({ type: 'deletePod', name: pod.name, reason });
    }
    terminating += activePods.length;
    active = 0;
    ready = 0;
  } else {
    const managed = managePods(ctx, observedTerminating);
    actions.push(...managed.actions);
    active = managed.active;
    ready -= managed.removedReady;
    terminating += managed.removed;
    if (managed.requeueAfterMs !== undefined) requeue.push(managed.requeueAfterMs);

    const complete =
      completions === null ? succeeded > 0 && active === 0 : succeeded >= completions && active === 0;
    if (complete) {
      finishing = {
        type: 'SuccessCriteriaMet',
        reason: Reason.completionsReached,
        message: Message.completionsReached,
      };
    } else if (suspended) {
      const r = ensureConditionStatus(
        conditions,
        'Suspended',
        'True',
        Reason.suspended,
        Message.suspended,
        now,
      );
      conditions = r.list;
      if (r.changed) events.push({ type: 'Normal', reason: 'Suspended', message: Message.suspended });
    } else {
      const r = ensureConditionStatus(conditions, 'Suspended', 'False', Reason.resumed, Message.resumed, now);
      conditions = r.list;
      if (r.changed) {
        events.push({ type: 'Normal', reason: 'Resumed', message: Message.resumed });
        startTime = rfc3339(now);
      }
    }
  }

  // Count and untrack (trackJobStatusAndRemoveFinalizers).
  const untrack: string[] = [];
  const failing = finishing?.type === 'FailureTarget';
  for (const pod of pods) {
    if (!pod.tracked) continue;
    if (pod.phase === 'Succeeded' || isPodFailed(pod, job)) {
      untrack.push(pod.name); // counted above (or never countable)
    } else if (failing) {
      untrack.push(pod.name);
      if (countable(pod) && match(pod).countFailed) failed += 1;
    } else if (finishing) {
      untrack.push(pod.name); // success: lingering pods are not failures
    }
  }

  let completionTime = prev.completionTime;
  let awaitingReleases = false;
  if (finishing) {
    const r = ensureConditionStatus(
      conditions,
      finishing.type,
      'True',
      finishing.reason,
      finishing.message,
      now,
    );
    conditions = r.list;
    if (terminating === 0 && (input.releasesPending ?? 0) > 0) awaitingReleases = true;
    else if (terminating === 0) {
      const finalType = finishing.type === 'FailureTarget' ? 'Failed' : 'Complete';
      const f = ensureConditionStatus(
        conditions,
        finalType,
        'True',
        finishing.reason,
        finishing.message,
        now,
      );
      conditions = f.list;
      if (finalType === 'Complete') {
        completionTime = rfc3339(now);
        if (!indexed && completions !== null && succeeded > completions) {
          events.push({
            type: 'Warning',
            reason: 'TooManySucceededPods',
            message: 'Too many succeeded pods running after completion count reached',
          });
        }
        events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
      } else {
        events.push({ type: 'Warning', reason: finishing.reason, message: finishing.message });
      }
    }
  } else {
    const untilDeadline = remainingUntilDeadlineMs(job, startTime, now);
    if (untilDeadline !== undefined && untilDeadline > 0) requeue.push(untilDeadline);
  }

  const status: JobStatus = {};
  if (startTime !== undefined) status.startTime = startTime;
  if (completionTime !== undefined) status.completionTime = completionTime;
  status.active = active;
  status.ready = Math.max(0, ready);
  status.terminating = terminating;
  status.succeeded = succeeded;
  status.failed = failed;
  if (indexed && succeededIndexes.size > 0)
    status.completedIndexes = formatIndexes(sortedIndexes(succeededIndexes));
  if (perIndex) status.failedIndexes = formatIndexes(sortedIndexes(failedIndexes));
  if (conditions.length > 0) status.conditions = conditions;

  const result: SyncResult = { status, actions, backoff, untrack, events };
  if (awaitingReleases) result.awaitingReleases = true;
  const positive = requeue.filter((ms) => ms > 0);
  if (positive.length > 0) result.requeueAfterMs = Math.ceil(Math.min(...positive));
  return result;
}

function failure(reason: string, message: string): FinishedCondition {
  return { type: 'FailureTarget', reason, message };
}

/** An index fails on a counted failure once its budget is used up, or on a FailIndex rule (§3.6). */
function isIndexFailed(job: Job, pod: PodView, match: (pod: PodView) => PodFailureMatch): boolean {
  if (pod.phase !== 'Failed') return false;
  let counted = true;
  if (job.spec.podFailurePolicy) {
    const m = match(pod);
    if (m.action === 'FailIndex') return true;
    counted = m.countFailed;
  }
  return counted && (pod.indexFailureCount ?? 0) >= (job.spec.backoffLimitPerIndex ?? 0);
}

type DeleteReason = Extract<JobAction, { type: 'deletePod' }>['reason'];

interface Managed {
  actions: JobAction[];
  active: number;
  removed: number;
  removedReady: number;
  requeueAfterMs?: number;
}

/** §2.5 / §2.6: delete or create, never both. */
function managePods(ctx: SyncCtx, terminatingPods: readonly PodView[]): Managed {
  const { job, activePods } = ctx;
  const active = activePods.length;
  const deletions = (removals: readonly { pod: PodView; reason: DeleteReason }[]): Managed => ({
    actions: removals.map((r) => ({ type: 'deletePod' as const, name: r.pod.name, reason: r.reason })),
    active: active - removals.length,
    removed: removals.length,
    removedReady: removals.filter((r) => r.pod.ready).length,
  });

  if (job.spec.suspend === true) {
    return deletions(activePods.map((pod) => ({ pod, reason: 'Suspended' as const })));
  }

  const want = wantActive(job, active, ctx.succeeded);
  let removals: { pod: PodView; reason: DeleteReason }[] = [];
  let candidates = activePods;
  if (ctx.indexed) {
    // Pods of failed or already-succeeded indexes are not needed any more.
    for (const pod of activePods) {
      if (pod.index === undefined) continue;
      if (ctx.failedIndexes.has(pod.index)) removals.push({ pod, reason: 'FailedIndex' });
      else if (ctx.succeededIndexes.has(pod.index)) removals.push({ pod, reason: 'DuplicateIndex' });
    }
    const taken = new Set(removals.map((r) => r.pod.name));
    candidates = activePods.filter((p) => !taken.has(p.name));
  }
  const rmAtLeast = Math.max(0, active - want - removals.length);
  removals = [...removals, ...activePodsForRemoval(job, candidates, rmAtLeast)];
  if (removals.length > 0) return deletions(removals.slice(0, MaxPodCreateDeletePerSync));

  const blocked = onlyReplaceFailedPods(job) ? terminatingPods.length : 0;
  let diff = want - blocked - active;
  if (diff <= 0) return { actions: [], active, removed: 0, removedReady: 0 };

  if (!ctx.perIndex) {
    const remaining = remainingBackoffMs(ctx.backoff, ctx.now, ctx.options);
    if (remaining > 0) return { actions: [], active, removed: 0, removedReady: 0, requeueAfterMs: remaining };
  }
  diff = Math.min(diff, MaxPodCreateDeletePerSync);

  if (!ctx.indexed) {
    return {
      actions: Array.from({ length: diff }, () => ({ type: 'createPod' as const })),
      active: active + diff,
      removed: 0,
      removedReady: 0,
    };
  }

  const completions = ctx.completions ?? 0;
  const nonPending = new Set<number>([...ctx.succeededIndexes, ...ctx.failedIndexes]);
  for (const pod of activePods) if (pod.index !== undefined) nonPending.add(pod.index);
  if (onlyReplaceFailedPods(job))
    for (const pod of terminatingPods) if (pod.index !== undefined) nonPending.add(pod.index);
  const indexes = firstPendingIndexes(diff, completions, nonPending);

  const actions: JobAction[] = [];
  let minWait: number | undefined;
  for (const index of indexes) {
    if (!ctx.perIndex) {
      actions.push({ type: 'createPod', index });
      continue;
    }
    const last = lastFailedPod(ctx, index);
    if (!last) {
      actions.push({ type: 'createPod', index, indexFailureCount: 0 });
      continue;
    }
    const failures = (last.indexFailureCount ?? 0) + (last.indexIgnoredFailureCount ?? 0);
    const wait = remainingForFailuresMs(failures + 1, podFinishedAt(last, ctx.now), ctx.now, ctx.options);
    if (wait > 0) {
      minWait = minWait === undefined ? wait : Math.min(minWait, wait);
      continue;
    }
    let failureCount = last.indexFailureCount ?? 0;
    let ignoredCount = last.indexIgnoredFailureCount ?? 0;
    if (job.spec.podFailurePolicy && !ctx.match(last).countFailed) ignoredCount += 1;
    else failureCount += 1;
    const action: JobAction = { type: 'createPod', index, indexFailureCount: failureCount };
    if (ignoredCount > 0) action.indexIgnoredFailureCount = ignoredCount;
    actions.push(action);
  }
  const managed: Managed = { actions, active: active + actions.length, removed: 0, removedReady: 0 };
  if (minWait !== undefined) managed.requeueAfterMs = minWait;
  return managed;
}

/** The latest failed pod of an index: highest failure count, then latest finish (per-index backoff). */
function lastFailedPod(ctx: SyncCtx, index: number): PodView | undefined {
  let last: PodView | undefined;
  const count = (p: PodView) => (p.indexFailureCount ?? 0) + (p.indexIgnoredFailureCount ?? 0);
  for (const pod of ctx.pods) {
    if (pod.index !== index || !isPodFailed(pod, ctx.job)) continue;
    if (
      !last ||
      count(pod) > count(last) ||
      (count(pod) === count(last) &&
        podFinishedAt(pod, ctx.now).getTime() >= podFinishedAt(last, ctx.now).getTime())
    ) {
      last = pod;
    }
  }
  return last;
}
