// The imperative shell around the pure Job controller, for one job: observe the pods, call
// syncJob, record the decision atomically, carry out its actions, sleep until a pod changes or
// a timer is due. One runner per job at a time (the caller holds the job's lease).

import { DefaultTerminationGracePeriodSeconds } from '../manifest/pod-defaults.js';
import type { JobStatus } from '../api/k8s.js';
import {
  neverRan,
  type JobEnvironment,
  type PodObservation,
  type PodPlan,
  type PodRecord,
} from '../api/pod.js';
import { rfc3339, rfc3339Milli } from '../api/time.js';
import { deletionCountsAsFailure } from '../controller/job/counts.js';
import { predictNextPods } from '../controller/job/next-pods.js';
import { syncJob } from '../controller/job/sync.js';
import type { JobAction, JobEvent, SyncResult } from '../controller/job/types.js';
import type { Clock } from '../ports/clock.js';
import type { LogLines, PodRuntime } from '../ports/pod-runtime.js';
import type { JobLifecycle } from '../ports/job-lifecycle.js';
import type { JobChange, JobRecords, StoredEvent, StoredJob } from '../ports/job-records.js';
import type { JobRequestMailbox } from '../ports/job-requests.js';
import type { PodLogs } from '../ports/pod-logs.js';
import { gracePeriodSeconds, podsToStop, removePods, stopPods } from './job-deletion.js';
import { finishedOutcome, type JobOutcome } from './job-status.js';
import { LogRecorder } from './log-recorder.js';
import { newPodIdentity, podHostname, podLabels, podPlanFor, type PodIdentity } from './pod-plan.js';
import { toPodView } from './pod-view.js';
import { recordedEvent } from './recorded-event.js';
import { sandboxLead } from './sandbox-timing.js';
import { Wakeup } from './wakeup.js';

export interface JobRunnerOptions {
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Keep finished containers (deviation 4 removes them once their status and logs are recorded). */
  keepContainers: boolean;
  config: JobEnvironment;
  random: () => number;
  newUid: () => string;
  /** End the run (with 'Suspended') once the job is suspended and its pods have stopped. */
  leaveWhenSuspended?: boolean;
  /**
   * Prepare the sandboxes of the pods predicted next while the engine has room (default on; see
   * docs/warm-sandboxes.md).
   */
  warmSandboxes?: boolean;
}

export interface JobRunObserver {
  event?(job: string, event: StoredEvent): void;
  /** Lines a pod's container wrote (each ended by "\n"), as they arrive. */
  logs?(job: string, lines: LogLines): void;
  /** After every recorded change. */
  changed?(state: StoredJob): void;
  engine?(down: boolean, message: string): void;
  warning?(message: string): void;
  /** The runner has nothing to do until a pod changes or `requeueMs` passes. */
  idle?(requeueMs: number | undefined): void;
}

export type RunEnd = JobOutcome | 'Interrupted' | 'Deleted' | 'Suspended';

/** What a runner keeps in the store: the job's record, its requests and logs, its deletion. */
export type JobRunnerStore = JobRecords & JobLifecycle & JobRequestMailbox & PodLogs;

export interface JobRunnerDeps {
  store: JobRunnerStore;
  runtime: PodRuntime;
  clock: Clock;
}

const CREATE_RETRY_MS = [1000, 2000, 5000, 10000, 30000, 60000];
/** How soon a deletion some of whose containers could not be removed is tried again. */
const DELETE_RETRY_MS = 5000;

export class JobRunner {
  private readonly wakeup: Wakeup;
  private readonly observations = new Map<string, PodObservation>();
  private readonly logs: LogRecorder;
  private state!: StoredJob;
  private records = new Map<string, PodRecord>();
  private createFailures = 0;
  /** Requests may be waiting (at start, and whenever the watch saw some). */
  private requestsPending = true;
  /** Time of the last recorded log line of each container of an adopted pod. */
  private readonly recordedUntil = new Map<string, string>();
  /**
   * Pods whose start is in flight. The loop does not wait for them: an engine start takes
   * hundreds of milliseconds, and waiting would hold every other pod's replacement behind the
   * slowest start.
   */
  private readonly starting = new Map<string, Promise<void>>();
  /** Starts that settled since the last sync, in the order they settled. */
  private startOutcomes: { name: string; result: PromiseSettledResult<PodObservation> }[] = [];
  /** Events the kubelet recorded about the pods (Pulling, Failed, BackOff), for the next commit. */
  private podEvents: StoredEvent[] = [];
  /** After a failed creation, no new pod before this time (ms since the epoch). */
  private createBlockedUntil = 0;
  /** The last removal failure said of each pod: retried every pass, said again only if it changes. */
  private readonly removalWarned = new Map<string, string>();
  /**
   * The identities (name, uid, index) reserved for the pods predicted next, whose sandboxes the
   * runtime prepares; a created pod of the same index takes one. Not recorded: until a pod takes
   * it, a reservation is no pod (docs/warm-sandboxes.md).
   */
  private reserved: PodRecord[] = [];
  /** The last pass held the job's terminal condition for releases (releasesPending). */
  private finishHeld = false;
  /**
   * When each active pod's containers were first seen running (ms, the clock's): how long a pod
   * has run decides whether its successor's sandbox is worth preparing (sandbox-timing.ts).
   */
  private readonly runningSince = new Map<string, number>();

  constructor(
    private readonly deps: JobRunnerDeps,
    private readonly name: string,
    private readonly options: JobRunnerOptions,
    private readonly observer: JobRunObserver = {},
  ) {
    this.wakeup = new Wakeup(deps.clock);
    this.logs = new LogRecorder(deps.store, name);
  }

  /**
   * Drives the job until it finishes. When `interrupt` aborts, the job is suspended: its pods are
   * stopped (grace period honoured) and the run ends with 'Interrupted'.
   */
  async run(interrupt?: AbortSignal, kill?: AbortSignal): Promise<{ end: RunEnd; state: StoredJob }> {
    const loaded = await this.deps.store.loadJob(this.name);
    if (!loaded) throw new Error(`job "${this.name}" is not in the state directory`);
    this.state = loaded;
    this.records = new Map(loaded.pods.map((p) => [p.name, p]));
    const uid = loaded.job.metadata.uid ?? '';

    const unsubscribe = this.deps.runtime.subscribe({
      onPod: (jobUid, obs) => {
        if (jobUid !== uid) return;
        this.observations.set(obs.name, obs);
        this.noteRunning(obs);
        this.wakeup.notify();
      },
      onLogs: (jobUid, lines) => {
        if (jobUid !== uid) return;
        // An adopted container's log is replayed from its start: skip what is recorded already.
        const recorded = this.recordedUntil.get(`${lines.pod}\0${lines.container}`);
        // Live lines are stamped to the millisecond, replayed ones to the nanosecond: compare as ms.
        if (recorded !== undefined && lines.time.slice(0, 23) <= recorded.slice(0, 23)) return;
        this.logs.add(lines);
        this.observer.logs?.(this.name, lines);
      },
      onPodEvent: (jobUid, podName, e) => {
        if (jobUid !== uid) return;
        this.podEvents.push(recordedEvent(e, this.deps.clock.now(), 'kubelet', `Pod/${podName}`));
        this.wakeup.notify();
      },
      onEngineDown: (down, message) => {
        this.observer.engine?.(down, message);
        if (!down) this.wakeup.notify();
      },
      onWarning: (jobUid, message) => {
        if (jobUid === uid) this.observer.warning?.(message);
      },
    });
    const stopWatching = this.deps.store.watchJobRequests(this.name, () => {
      void this.deps.store.pendingJobRequests(this.name).then(
        (requests) => {
          if (requests.length === 0) return;
          this.requestsPending = true;
          this.wakeup.notify();
        },
        () => undefined,
      );
    });
    let interrupted = false;
    const onInterrupt = () => {
      interrupted = true;
      this.wakeup.notify();
    };
    interrupt?.addEventListener('abort', onInterrupt, { once: true });
    if (interrupt?.aborted) interrupted = true;
    try {
      await this.adopt();
      let suspendedForInterrupt = false;
      for (;;) {
        // Told to leave (a stopping daemon) before or while starting: no pass that creates pods.
        if (kill?.aborted) throw new Error('killed');
        if (await this.applyRequests()) {
          if (await this.deleteEverything()) return { end: 'Deleted', state: this.state };
          // Containers that could not be removed keep the job's record (and the request): try
          // again later, starting nothing meanwhile. An interrupt leaves it for the next delete.
          if (interrupted) return { end: 'Interrupted', state: this.state };
          this.requestsPending = true;
          this.observer.idle?.(DELETE_RETRY_MS);
          await this.wakeup.wait(DELETE_RETRY_MS, kill);
          if (kill?.aborted) throw new Error('killed');
          continue;
        }
        if (interrupted && !suspendedForInterrupt && !finishedOutcome(this.state.job.status)) {
          suspendedForInterrupt = true;
          await this.commit({ spec: { ...this.state.job.spec, suspend: true } });
        }
        const requeue = await this.syncOnce();
        await this.removeFinishedContainers();
        if (this.finishHeld) {
          // Finalizer order: released first (awaited, so a kill -9 from here on leaves an
          // unfinished job, which the next run adopts), then the pass that finishes the job.
          await this.discardSandboxes();
          continue;
        }
        const end: RunEnd | undefined =
          finishedOutcome(this.state.job.status) ??
          (this.options.leaveWhenSuspended && this.state.job.spec.suspend && this.allPodsStopped()
            ? 'Suspended'
            : suspendedForInterrupt && this.allPodsStopped()
              ? 'Interrupted'
              : undefined);
        if (end) {
          if (this.starting.size > 0) {
            // Pods of this job are still starting: record how they started before leaving.
            await this.settleStarts();
            continue;
          }
          await this.logs.flush();
          return { end, state: this.state };
        }
        this.observer.idle?.(requeue);
        await this.wakeup.wait(requeue, kill);
        // Tests simulate a killed process: it stops where it is, cleaning nothing up.
        if (kill?.aborted) throw new Error('killed');
      }
    } finally {
      // Killed (a test's kill -9): nothing is cleaned up; the next run's adoption removes them.
      if (!kill?.aborted) await this.discardSandboxes();
      interrupt?.removeEventListener('abort', onInterrupt);
      stopWatching();
      unsubscribe();
      await this.logs.flush();
    }
  }

  /**
   * Applies what other processes asked (`tjob suspend|resume|delete`). Returns true when the job
   * is to be deleted.
   */
  private async applyRequests(): Promise<boolean> {
    if (!this.requestsPending) return false;
    this.requestsPending = false;
    const requests = await this.deps.store.pendingJobRequests(this.name);
    let deleting = false;
    for (const r of requests) {
      if (r.delete) deleting = true;
      else if (r.suspend !== undefined && r.suspend !== (this.state.job.spec.suspend ?? false)) {
        await this.commit({ spec: { ...this.state.job.spec, suspend: r.suspend } });
        this.observer.warning?.(`${r.suspend ? 'suspended' : 'resumed'} by ${r.from}`);
      }
      if (!r.delete) await this.deps.store.completeJobRequest(this.name, r.id);
    }
    return deleting;
  }

  /**
   * `tjob delete` of a running job: stop its pods (grace period), remove containers and records.
   * False when some pod's containers could not be removed: the job's record stays, with those
   * pods unremoved and a FailedDelete event naming each (as upstream's pod control records one,
   * pkg/controller/controller_utils.go), so nothing is left that no record tracks.
   */
  private async deleteEverything(): Promise<boolean> {
    await this.settleStarts();
    this.applyStartOutcomes();
    const job = this.state.job;
    await stopPods(this.deps.runtime, job, this.records.values());
    // Let them stop within their grace period before their containers go.
    const deadline = this.deps.clock.now().getTime() + (gracePeriodSeconds(job) + 5) * 1000;
    while (podsToStop(this.records.values()).length > 0) {
      const left = deadline - this.deps.clock.now().getTime();
      if (left <= 0) break;
      await this.wakeup.wait(left);
      for (const [name, obs] of this.observations) {
        const r = this.records.get(name);
        if (r) this.records.set(name, this.withObservation(r, obs));
      }
      this.observations.clear();
    }
    const { removed, failures } = await removePods(this.deps.runtime, job, this.records.values());
    const events: StoredEvent[] = [];
    for (const f of failures) {
      const message = `Error deleting: pod ${f.pod}: ${f.message}`;
      if (this.removalWarned.get(f.pod) === message) continue;
      this.removalWarned.set(f.pod, message);
      events.push(this.event({ type: 'Warning', reason: 'FailedDelete', message }, this.deps.clock.now()));
      this.observer.warning?.(message);
    }
    await this.logs.flush();
    if (failures.length === 0) {
      // Its unused sandboxes go before its record: a `tjob delete` that sees the job gone finds
      // none of its containers left.
      await this.discardSandboxes();
      await this.deps.store.deleteJob(this.name);
      return true;
    }
    if (removed.length > 0 || events.length > 0) await this.commit({ pods: removed, events });
    return false;
  }

  /** Picks up the pods a previous process left: running ones are supervised again, lost ones counted. */
  private async adopt(): Promise<void> {
    // A job without pods yet (just created) has nothing to adopt: no need to ask the engine.
    if (this.records.size === 0) return;
    const uid = this.state.job.metadata.uid ?? '';
    const spec = this.state.job.spec.template.spec;
    const containers = [...(spec.initContainers ?? []), ...spec.containers].map((c) => c.name);
    for (const r of this.records.values()) {
      if (r.removed || neverRan(r)) continue;
      for (const c of containers) {
        const lines = await this.deps.store.readLogs(this.name, r.name, c);
        const last = lines[lines.length - 1];
        if (last) this.recordedUntil.set(`${r.name}\0${c}`, last.time);
      }
    }
    const plans = new Map<string, PodPlan>();
    for (const r of this.records.values()) {
      if (!r.removed && !neverRan(r)) plans.set(r.name, podPlanFor(this.state.job, r, this.options.config));
    }
    const found = new Map((await this.deps.runtime.adoptPods(uid, plans)).map((o) => [o.name, o]));
    const grace = spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;
    const changed: PodRecord[] = [];
    const now = this.deps.clock.now();
    for (const r of this.records.values()) {
      // A pod that never ran is not adopted; what its creation left is removed after the pass.
      if (r.removed || neverRan(r)) continue;
      const obs = found.get(r.name);
      if (obs) {
        if (JSON.stringify(obs) !== JSON.stringify(r.observation)) changed.push(this.withObservation(r, obs));
        if (r.deletionRequestedAt !== undefined && obs.phase !== 'Succeeded' && obs.phase !== 'Failed') {
          // Asked to stop by a process that left before the engine confirmed it (an interrupted
          // run whose engine stopped answering): the kubelet goes on killing a deleted pod.
          await this.deps.runtime.deletePod(uid, r.name, grace).catch((err: Error) => {
            this.observer.warning?.(`deleting pod ${r.name}: ${err.message}`);
          });
        }
        continue;
      }
      const terminal = r.observation.phase === 'Succeeded' || r.observation.phase === 'Failed';
      if (terminal) {
        changed.push({ ...r, removed: true });
      } else if (!r.observation.startTime && r.deletionRequestedAt === undefined) {
        // Recorded, but its containers were never started (the previous process died in between):
        // like a failed creation, it is not a pod at all.
        changed.push({
          ...r,
          tracked: false,
          removed: true,
          observation: { ...r.observation, phase: 'Failed', reason: 'NotStarted', terminating: false },
        });
      } else {
        // Its containers vanished (removed behind tjob's back, or lost with the engine): the pod
        // failed, as Kubernetes counts a pod that disappears with its node.
        changed.push({
          ...r,
          removed: true,
          observation: {
            ...r.observation,
            phase: 'Failed',
            ready: false,
            terminating: false,
            reason: 'ContainersLost',
            message: "the pod's containers are gone",
            finishTime: r.observation.finishTime ?? rfc3339(now),
          },
        });
      }
    }
    if (changed.length > 0) await this.commit({ pods: changed });
  }

  /** The pods' grace period (seconds), once the job is loaded. */
  gracePeriodSeconds(): number {
    return (
      this.state?.job.spec.template.spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds
    );
  }

  /**
   * The containers of the pods not known to have stopped, as `POD/CONTAINER` (with the engine's
   * id when known): what an interrupted run that cannot wait for the engine leaves behind.
   */
  containersNotConfirmedStopped(): string[] {
    const out: string[] = [];
    for (const r of this.records.values()) {
      const p = r.observation.phase;
      if (p === 'Succeeded' || p === 'Failed' || r.removed || neverRan(r)) continue;
      const statuses = [...r.observation.initContainerStatuses, ...r.observation.containerStatuses];
      for (const c of statuses) {
        if (c.state.terminated) continue;
        const id = c.containerID?.replace(/^docker:\/\//, '').slice(0, 12);
        out.push(`${r.name}/${c.name}${id ? ` (${id})` : ''}`);
      }
      if (statuses.length === 0) out.push(r.name);
    }
    return out;
  }

  private withObservation(record: PodRecord, obs: PodObservation): PodRecord {
    return { ...record, observation: obs };
  }

  private allPodsStopped(): boolean {
    for (const r of this.records.values()) {
      const p = r.observation.phase;
      if (p !== 'Succeeded' && p !== 'Failed' && !r.removed) return false;
    }
    return true;
  }

  /** One pass: returns when to look again at the latest (ms), or undefined to wait for a pod change. */
  private async syncOnce(): Promise<number | undefined> {
    const failedStarts = this.applyStartOutcomes();
    const changedPods: PodRecord[] = [...failedStarts.pods];
    for (const [name, obs] of this.observations) {
      const r = this.records.get(name);
      if (r) changedPods.push(this.withObservation(r, obs));
    }
    this.observations.clear();
    if (changedPods.length > 0) {
      // Lines logged before a container exited are on disk before its exit is recorded.
      await this.logs.flush();
      const failure = this.logs.takeFailure();
      if (failure)
        this.observer.warning?.(`cannot record pod logs in the state directory: ${failure.message}`);
    }
    for (const p of changedPods) {
      this.records.set(p.name, p);
      this.noteRunning(p.observation);
    }

    const now = this.deps.clock.now();
    const result: SyncResult = syncJob({
      job: this.state.job,
      pods: this.podsForSync().map(toPodView),
      backoff: this.state.backoff,
      now,
      options: { backoffBaseMs: this.options.backoffBaseMs, backoffCapMs: this.options.backoffCapMs },
      releasesPending: this.releasesPending(),
    });
    // run(): removeFinishedContainers, discardSandboxes, then the pass that finishes the job.
    this.finishHeld = result.awaitingReleases === true;

    const untracked: PodRecord[] = [];
    for (const name of result.untrack) {
      const r = this.records.get(name);
      if (r && r.tracked) {
        const u = { ...r, tracked: false };
        this.records.set(name, u);
        untracked.push(u);
      }
    }
    const pods = mergeRecords(
      changedPods.map((p) => this.records.get(p.name)!),
      untracked,
    );
    const statusChanged = JSON.stringify(result.status) !== JSON.stringify(this.state.job.status);
    const backoffChanged = JSON.stringify(result.backoff) !== JSON.stringify(this.state.backoff);
    const events = [
      ...failedStarts.events,
      ...this.podEvents.splice(0),
      ...result.events.map((e) => this.event(e, now)),
    ];

    const deletes = result.actions.filter(
      (a): a is Extract<JobAction, { type: 'deletePod' }> => a.type === 'deletePod',
    );
    const creates = result.actions.filter(
      (a): a is Extract<JobAction, { type: 'createPod' }> => a.type === 'createPod',
    );
    let requeue = result.requeueAfterMs;
    let created: PodRecord[] = [];
    if (creates.length > 0) {
      const blockedMs = this.createBlockedUntil - now.getTime();
      if (blockedMs > 0) requeue = requeue === undefined ? blockedMs : Math.min(requeue, blockedMs);
      else created = this.newPodRecords(creates, now);
    }
    // New pods are recorded before they are started, so a crash in between is recognised on
    // restart. Without deletions in the same pass they share the pass's journal line (one fsync
    // less between a pod's exit and its replacement); with them, they follow the deletions.
    const createdWithSync = deletes.length === 0 ? created : [];
    const recorded = [...pods, ...createdWithSync];
    const allEvents = [...events, ...createdWithSync.map((r) => this.createdEvent(r, now))];
    if (statusChanged || backoffChanged || recorded.length > 0 || allEvents.length > 0) {
      await this.commit({
        ...(statusChanged ? { status: result.status } : {}),
        ...(backoffChanged ? { backoff: result.backoff } : {}),
        ...(recorded.length ? { pods: recorded } : {}),
        ...(allEvents.length ? { events: allEvents } : {}),
      });
    }
    if (deletes.length > 0) await this.deletePods(deletes, now);
    if (created.length > 0 && createdWithSync.length === 0) {
      await this.commit({ pods: created, events: created.map((r) => this.createdEvent(r, now)) });
    }
    this.startPods(created);
    const recheck = this.prepareSandboxes();
    return recheck === undefined || (requeue !== undefined && requeue <= recheck) ? requeue : recheck;
  }

  /** Keeps runningSince: from a pod's first observation with a running container to its end. */
  private noteRunning(obs: PodObservation): void {
    if (obs.phase === 'Succeeded' || obs.phase === 'Failed' || obs.terminating) {
      this.runningSince.delete(obs.name);
    } else if (!this.runningSince.has(obs.name) && obs.containerStatuses.some((c) => c.state?.running)) {
      this.runningSince.set(obs.name, this.deps.clock.now().getTime());
    }
  }

  /**
   * Warm sandboxes: reserves the identities of the pods the controller will create next
   * (predictNextPods) and has the runtime prepare their sandboxes, as many as it has room for;
   * reservations no longer predicted (the job finished, was suspended, an index was taken) lose
   * their sandboxes. A sandbox is prepared only for the successor of a pod that has run for as
   * long as a preparation takes (sandbox-timing.ts); returns when to look again for one that has
   * not yet.
   */
  private prepareSandboxes(): number | undefined {
    const runtime = this.deps.runtime;
    if (this.options.warmSandboxes === false || !runtime.prepareSandbox || !runtime.sandboxRoom) return;
    const job = this.state.job;
    const now = this.deps.clock.now();
    const runningFor = [...this.runningSince]
      .filter(([name]) => this.records.has(name))
      .map(([, since]) => now.getTime() - since);
    const lead = sandboxLead(runningFor, runtime.sandboxPreparationMs?.());
    const engineRoom = runtime.sandboxRoom();
    const predicted = predictNextPods(
      job,
      this.podsForSync().map(toPodView),
      this.reserved.length + engineRoom,
    );
    const leadRoom = Math.max(0, lead.count - this.reserved.length);
    const room = Math.min(engineRoom, leadRoom);
    const unmatched = [...this.reserved];
    const kept: PodRecord[] = [];
    const wanted: (number | undefined)[] = [];
    for (const p of predicted) {
      const at = unmatched.findIndex((r) => r.index === p.index);
      if (at >= 0) kept.push(...unmatched.splice(at, 1));
      else wanted.push(p.index);
    }
    for (const index of wanted.slice(0, room)) {
      const action: Extract<JobAction, { type: 'createPod' }> = { type: 'createPod' };
      if (index !== undefined) action.index = index;
      const record = this.podRecord(
        newPodIdentity(job, action, this.options.random, this.options.newUid()),
        now,
      );
      if (!runtime.prepareSandbox(podPlanFor(job, record, this.options.config))) break;
      kept.push(record);
    }
    this.reserved = kept;
    if (unmatched.length > 0) void this.discardSandboxes(new Set(kept.map((r) => r.name)));
    // Held back by the lead, not the engine: look again when an active pod has run long enough.
    return wanted.length > room && leadRoom < engineRoom ? lead.recheckInMs : undefined;
  }

  /** Removes the prepared sandboxes no pod took (all of them without `keep`). */
  private async discardSandboxes(keep?: ReadonlySet<string>): Promise<void> {
    if (!keep) this.reserved = [];
    if (!this.deps.runtime.discardSandboxes || !this.state) return;
    await this.deps.runtime
      .discardSandboxes(this.state.job.metadata.uid ?? '', keep)
      .catch((err: Error) => this.observer.warning?.(`removing unused pod sandboxes: ${err.message}`));
  }

  /**
   * The pods the controller needs to see: every pod that is not yet counted or still has
   * containers, and, for per-index backoff, the latest earlier pod of each index (its failure
   * count carries over). Counted pods whose containers are gone add nothing, so a sync costs the
   * same at the 10,000th pod as at the first.
   */
  private podsForSync(): PodRecord[] {
    const live: PodRecord[] = [];
    const latestByIndex = new Map<number, PodRecord>();
    const perIndex = this.state.job.spec.backoffLimitPerIndex !== undefined;
    for (const r of this.records.values()) {
      if (neverRan(r)) continue;
      if (!r.removed || r.tracked) live.push(r);
      else if (perIndex && r.index !== undefined) {
        const prior = latestByIndex.get(r.index);
        if (!prior || prior.createdAt <= r.createdAt) latestByIndex.set(r.index, r);
      }
    }
    const liveNames = new Set(live.map((r) => r.name));
    for (const r of latestByIndex.values()) if (!liveNames.has(r.name)) live.push(r);
    return live;
  }

  private event(e: JobEvent, now: Date, involvedObject = `Job/${this.name}`): StoredEvent {
    return recordedEvent(e, now, 'job-controller', involvedObject);
  }

  private async deletePods(deletes: Extract<JobAction, { type: 'deletePod' }>[], now: Date): Promise<void> {
    const pods: PodRecord[] = [];
    const events: StoredEvent[] = [];
    for (const d of deletes) {
      const r = this.records.get(d.name);
      if (!r || r.deletionRequestedAt !== undefined) continue;
      const countsAsFailure = deletionCountsAsFailure(d.reason);
      const updated: PodRecord = {
        ...r,
        deletionRequestedAt: rfc3339Milli(now),
        deletionReason: d.reason,
        tracked: countsAsFailure ? r.tracked : false,
        observation: { ...r.observation, terminating: true },
      };
      this.records.set(r.name, updated);
      pods.push(updated);
      events.push(
        this.event({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${r.name}` }, now),
      );
    }
    if (pods.length === 0) return;
    await this.commit({ pods, events });
    const grace =
      this.state.job.spec.template.spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;
    const uid = this.state.job.metadata.uid ?? '';
    await Promise.all(
      pods.map((p) =>
        this.deps.runtime.deletePod(uid, p.name, grace).catch((err: Error) => {
          this.observer.warning?.(`deleting pod ${p.name}: ${err.message}`);
        }),
      ),
    );
  }

  /** The records of the pods the controller asked for, not yet committed nor started. */
  private newPodRecords(creates: Extract<JobAction, { type: 'createPod' }>[], now: Date): PodRecord[] {
    const job = this.state.job;
    return creates.map((action) => {
      // A reserved identity of the same index is taken with its prepared sandbox.
      const at = this.reserved.findIndex((r) => r.index === action.index);
      const taken = at >= 0 ? this.reserved.splice(at, 1)[0] : undefined;
      const id = taken
        ? newPodIdentity(job, action, this.options.random, taken.uid, taken.name)
        : newPodIdentity(job, action, this.options.random, this.options.newUid());
      return this.podRecord(id, now);
    });
  }

  /** A new pod's record, Pending: its name, uid, labels, annotations and hostname. */
  private podRecord(id: PodIdentity, now: Date): PodRecord {
    const job = this.state.job;
    const record: PodRecord = {
      name: id.name,
      uid: id.uid,
      createdAt: rfc3339Milli(now),
      labels: podLabels(job, id.index),
      annotations: id.annotations,
      hostname: podHostname(job, id.name, id.index),
      tracked: true,
      observation: {
        name: id.name,
        phase: 'Pending',
        ready: false,
        terminating: false,
        initContainerStatuses: [],
        containerStatuses: [],
      },
    };
    if (id.index !== undefined) record.index = id.index;
    return record;
  }

  private createdEvent(r: PodRecord, now: Date): StoredEvent {
    return this.event({ type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${r.name}` }, now);
  }

  /** Starts recorded pods without waiting for them; each outcome wakes the loop. */
  private startPods(records: PodRecord[]): void {
    const job = this.state.job;
    for (const r of records) {
      const name = r.name;
      const started = this.deps.runtime
        .startPod(podPlanFor(job, r, this.options.config))
        .then(
          (value): PromiseSettledResult<PodObservation> => ({ status: 'fulfilled', value }),
          (reason: unknown): PromiseSettledResult<PodObservation> => ({ status: 'rejected', reason }),
        )
        .then((result) => {
          this.starting.delete(name);
          this.startOutcomes.push({ name, result });
          this.wakeup.notify();
        });
      this.starting.set(name, started);
    }
  }

  /** Waits until no pod start is in flight. */
  private async settleStarts(): Promise<void> {
    while (this.starting.size > 0) await Promise.all([...this.starting.values()]);
  }

  /**
   * Takes in the starts that settled: a started pod's observation joins the others; a pod whose
   * creation failed is no pod at all (FailedCreate, not a failure of the job) and holds back new
   * creations for a growing delay. Returns the failed records and their events, to be committed.
   */
  private applyStartOutcomes(): { pods: PodRecord[]; events: StoredEvent[] } {
    const pods: PodRecord[] = [];
    const events: StoredEvent[] = [];
    const outcomes = this.startOutcomes;
    this.startOutcomes = [];
    const now = this.deps.clock.now();
    for (const { name, result } of outcomes) {
      const r = this.records.get(name);
      if (!r) continue;
      if (result.status === 'fulfilled') {
        // An observation the pod emitted after its start is at least as new as the start's own.
        if (!this.observations.has(name)) this.observations.set(name, result.value);
        this.createFailures = 0;
        this.createBlockedUntil = 0;
        continue;
      }
      const message = (result.reason as Error).message;
      // Not `removed`: a creation that failed half-way (the engine going away after the pause
      // container was made) may have left containers, which removeFinishedContainers takes away.
      const gone: PodRecord = {
        ...r,
        tracked: false,
        observation: { ...r.observation, phase: 'Failed', reason: 'FailedCreate', message },
      };
      this.records.set(name, gone);
      this.observations.delete(name);
      pods.push(gone);
      events.push(
        this.event({ type: 'Warning', reason: 'FailedCreate', message: `Error creating: ${message}` }, now),
      );
      const delay = CREATE_RETRY_MS[Math.min(this.createFailures, CREATE_RETRY_MS.length - 1)]!;
      this.createFailures++;
      this.createBlockedUntil = now.getTime() + delay;
    }
    return { pods, events };
  }

  /**
   * What the job's terminal condition waits for (SyncInput.releasesPending): finished pods whose
   * containers are still there and whose removal was not yet tried (one that failed is a warning,
   * and does not hold the job up), and prepared sandboxes.
   */
  private releasesPending(): number {
    let pending = this.reserved.length;
    if (!this.options.keepContainers) {
      for (const r of this.records.values()) {
        if (isFinishedPod(r) && !r.removed && !this.starting.has(r.name) && !this.removalWarned.has(r.name))
          pending++;
      }
    }
    return pending;
  }

  /** Deviation 4: once a pod's outcome and logs are recorded, its containers can go. */
  private async removeFinishedContainers(): Promise<void> {
    if (this.options.keepContainers) return;
    const uid = this.state.job.metadata.uid ?? '';
    const done: PodRecord[] = [];
    for (const r of this.records.values()) {
      if (isFinishedPod(r) && !r.tracked && !r.removed && !this.starting.has(r.name)) done.push(r);
    }
    if (done.length === 0) return;
    await this.logs.flush();
    const removed: PodRecord[] = [];
    await Promise.all(
      done.map(async (r) => {
        try {
          await this.deps.runtime.removePod(uid, r.name);
          const u = { ...r, removed: true };
          this.records.set(r.name, u);
          removed.push(u);
          this.removalWarned.delete(r.name);
        } catch (err) {
          const message = (err as Error).message;
          if (this.removalWarned.get(r.name) === message) return;
          this.removalWarned.set(r.name, message);
          this.observer.warning?.(`removing the containers of pod ${r.name}: ${message}`);
        }
      }),
    );
    if (removed.length > 0) await this.commit({ pods: removed });
  }

  private async commit(change: JobChange): Promise<void> {
    await this.deps.store.commitJob(this.name, change);
    if (change.spec) this.state.job.spec = change.spec;
    if (change.status) this.state.job.status = change.status as JobStatus;
    if (change.backoff) this.state.backoff = change.backoff;
    if (change.pods) {
      const byName = new Map(this.state.pods.map((p, i) => [p.name, i]));
      for (const p of change.pods) {
        this.records.set(p.name, p);
        const at = byName.get(p.name);
        if (at === undefined) this.state.pods.push(p);
        else this.state.pods[at] = p;
      }
    }
    this.observer.changed?.(this.state);
    for (const e of change.events ?? []) this.observer.event?.(this.name, e);
  }
}

function isFinishedPod(r: PodRecord): boolean {
  return r.observation.phase === 'Succeeded' || r.observation.phase === 'Failed';
}

function mergeRecords(a: PodRecord[], b: PodRecord[]): PodRecord[] {
  const m = new Map<string, PodRecord>();
  for (const r of [...a, ...b]) m.set(r.name, r);
  return [...m.values()];
}
