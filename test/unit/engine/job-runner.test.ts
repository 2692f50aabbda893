import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobRunner, type JobRunObserver, type JobRunnerOptions } from '../../../src/engine/job-runner.js';
import { FileStore } from '../../../src/state/file-store.js';
import { testRunnerOptions } from '../../support/runner-options.js';
import { FakeClock, settle } from '../../support/fake-clock.js';
import { FakeRuntime, type PodScript } from '../../support/fake-runtime.js';
import { tempDir, testJob } from '../../support/jobs.js';
import type { Job, JobStatus } from '../../../src/api/k8s.js';
import type { PodPlan } from '../../../src/api/pod.js';
import { waitFor } from '../../support/wait-for.js';

const options = testRunnerOptions;

async function harness(job: Job, script: (plan: PodPlan, attempt: number) => PodScript) {
  const clock = new FakeClock();
  const store = new FileStore(tempDir());
  await store.createJob({ ...job, status: {} as JobStatus });
  const runtime = new FakeRuntime(clock, script);
  return { clock, store, runtime };
}

/** Runs a runner to its end, moving the fake clock on whenever it has nothing to do. */
async function runToEnd(
  h: Awaited<ReturnType<typeof harness>>,
  name: string,
  limitMs = 3_600_000,
  observer: JobRunObserver = {},
  runnerOptions: JobRunnerOptions = options,
) {
  let idle = 0;
  // A pass woken by a pod's change may be writing when the runner last said it was idle: the
  // clock moves on only once no commit is in flight (and the pass has said idle again).
  let committing = 0;
  const commitJob = h.store.commitJob.bind(h.store);
  h.store.commitJob = async (...args: Parameters<typeof commitJob>) => {
    committing++;
    try {
      return await commitJob(...args);
    } finally {
      committing--;
    }
  };
  const runner = new JobRunner({ store: h.store, runtime: h.runtime, clock: h.clock }, name, runnerOptions, {
    ...observer,
    idle: () => idle++,
  });
  let done = false;
  const result = runner.run().finally(() => (done = true));
  const start = h.clock.now().getTime();
  let seen = 0;
  while (!done) {
    // Wait (in real time) until the runner sleeps, then move the clock to its next timer.
    while (!done && idle === seen) await new Promise((r) => setTimeout(r, 1));
    if (done) break;
    seen = idle;
    await settle(10);
    while (committing > 0) await new Promise((r) => setTimeout(r, 1));
    if (idle !== seen || done) continue;
    let next = h.clock.nextDue();
    if (next === undefined) {
      // A notification may still be on its way (the runner wakes and syncs again); give it time.
      const deadline = Date.now() + 2000;
      while (!done && idle === seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      if (done || idle !== seen) continue;
      next = h.clock.nextDue();
      if (next === undefined) throw new Error('runner is stuck: idle with no timer pending');
    }
    if (next - start > limitMs) throw new Error('runner did not finish within the limit');
    await h.clock.advance(Math.max(0, next - h.clock.now().getTime()));
  }
  return result;
}

/** Waits until a runner started elsewhere is idle `times` times. */
async function untilIdle(counter: () => number, times = 1) {
  await waitFor(() => counter() >= times, { what: `the runner to be idle ${times} time(s)`, interval: 1 });
}

describe('JobRunner on a fake runtime', () => {
  it("records the kubelet's events on the pod (source kubelet, Pod/NAME)", async () => {
    const job = testJob('kev', { completions: 1 });
    const pulling = { type: 'Normal' as const, reason: 'Pulling', message: 'Pulling image "reg/app:1"' };
    const failed = {
      type: 'Warning' as const,
      reason: 'Failed',
      message: 'Failed to pull image "reg/app:1": manifest unknown',
    };
    const h = await harness(job, () => ({ exitCode: 0, runMs: 1000, events: [pulling, failed] }));
    const { end, state } = await runToEnd(h, 'kev');
    assert.equal(end, 'Complete');
    const pod = state.pods[0]!.name;
    const stored = await h.store.loadJob('kev');
    const kubelet = (stored?.events ?? []).filter((e) => e.source === 'kubelet');
    assert.deepEqual(
      kubelet.map((e) => `${e.involvedObject} ${e.type} ${e.reason}: ${e.message}`),
      [
        `Pod/${pod} ${pulling.type} ${pulling.reason}: ${pulling.message}`,
        `Pod/${pod} Warning Failed: ${failed.message}`,
      ],
    );
  });

  it('a failed pod creation is FailedCreate, not a failure, and what it left on the engine is removed', async () => {
    const job = testJob('fc', { completions: 1 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 1000 }));
    h.runtime.failNextStart = new Error('the Docker engine is going away');
    const { end, state } = await runToEnd(h, 'fc');
    assert.equal(end, 'Complete');
    assert.equal(state.job.status.succeeded, 1);
    assert.equal(state.job.status.failed ?? 0, 0);
    const failed = state.pods.find((p) => p.observation.reason === 'FailedCreate');
    assert.ok(failed, JSON.stringify(state.pods));
    // Its containers (a pause container made before the engine went away) were asked to go.
    assert.ok(h.runtime.removed.includes(failed.name), h.runtime.removed.join());
    assert.equal(failed.removed, true);
    const stored = await h.store.loadJob('fc');
    assert.ok(
      stored?.events.some((e) => e.reason === 'FailedCreate'),
      JSON.stringify(stored?.events),
    );
  });

  it('says once per pod that its containers cannot be removed, however often the removal is retried', async () => {
    const job = testJob('rm', { parallelism: 1, completions: 4 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 1000 }));
    h.runtime.failRemovals = new Error('engine refused');
    const warnings: string[] = [];
    const { end } = await runToEnd(h, 'rm', undefined, { warning: (m) => warnings.push(m) });
    assert.equal(end, 'Complete');
    const pods = warnings.map((w) => /pod (\S+):/.exec(w)?.[1]);
    assert.equal(pods.length, 4, warnings.join('\n'));
    assert.equal(new Set(pods).size, 4, warnings.join('\n'));
  });

  it("a runtime's warning about the job's pods is the run's warning; another job's is not", async () => {
    const job = testJob('warned', { completions: 2 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 1000 }));
    h.runtime.warnOnRemoval = 'volumes left on node n2';
    const warnings: string[] = [];
    const { end, state } = await runToEnd(h, 'warned', undefined, { warning: (m) => warnings.push(m) });
    assert.equal(end, 'Complete');
    assert.deepEqual(warnings.sort(), state.pods.map((p) => `volumes left on node n2 (${p.name})`).sort());
  });

  it('a deletion whose containers cannot be removed keeps the job, says so, and is retried', async () => {
    const job = testJob('del', { completions: 1 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 3_600_000 }));
    let idles = 0;
    let refused: (message: string) => void = () => undefined;
    const refusal = new Promise<string>((resolve) => (refused = resolve));
    const runner = new JobRunner({ store: h.store, runtime: h.runtime, clock: h.clock }, 'del', options, {
      idle: () => idles++,
      warning: (message) => refused(message),
    });
    const result = runner.run();
    await untilIdle(() => idles);
    const pod = h.runtime.created[0]!;
    h.runtime.failRemovals = new Error('Error response from daemon: device or resource busy');
    await h.store.requestJobChange('del', { delete: true, from: 'test' });
    const message = `Error deleting: pod ${pod}: Error response from daemon: device or resource busy`;
    assert.equal(await refusal, message);
    const before = idles;
    await untilIdle(() => idles, before + 1);
    const kept = await h.store.loadJob('del');
    assert.ok(kept, 'the job record is kept while a container may be left');
    assert.equal(kept.pods[0]?.removed, undefined);
    assert.deepEqual(
      kept.events.filter((e) => e.reason === 'FailedDelete').map((e) => [e.type, e.message]),
      [['Warning', message]],
    );
    h.runtime.failRemovals = undefined;
    await h.clock.advance(5000);
    const { end } = await result;
    assert.equal(end, 'Deleted');
    assert.deepEqual(h.runtime.removed, [pod], 'removed on the retry');
    assert.equal(await h.store.loadJob('del'), undefined);
  });

  it('runs a parallel job to completion, never more than parallelism at once', async () => {
    const job = testJob('par', { parallelism: 2, completions: 4 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 1000, logs: ['hello'] }));
    const { end, state } = await runToEnd(h, 'par');
    assert.equal(end, 'Complete');
    assert.equal(h.runtime.created.length, 4);
    assert.equal(h.runtime.maxRunning, 2);
    assert.equal(state.job.status.succeeded, 4);
    assert.equal(state.job.status.failed ?? 0, 0);
    assert.deepEqual(
      state.job.status.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
        ['Complete', 'True', 'CompletionsReached'],
      ],
    );
    // Finished containers are removed once recorded (deviation 4); the records stay.
    assert.equal(h.runtime.removed.length, 4);
    assert.equal(state.pods.length, 4);
    const stored = await h.store.loadJob('par');
    assert.deepEqual(stored?.job.status, state.job.status);
    const logs = await h.store.readLogs('par', state.pods[0]!.name, 'main');
    assert.deepEqual(
      logs.map((l) => l.text),
      ['hello'],
    );
  });

  it('retries with the 10 s doubling backoff and fails after backoffLimit is exceeded', async () => {
    const job = testJob('fails', { backoffLimit: 2 });
    const starts: number[] = [];
    const h = await harness(job, () => {
      starts.push(h.clock.now().getTime());
      return { exitCode: 1, runMs: 1000 };
    });
    const { end, state } = await runToEnd(h, 'fails');
    assert.equal(end, 'Failed');
    assert.equal(h.runtime.created.length, 3);
    assert.equal(state.job.status.failed, 3);
    const cond = state.job.status.conditions?.find((c) => c.type === 'Failed');
    assert.equal(cond?.reason, 'BackoffLimitExceeded');
    assert.equal(cond?.message, 'Job has reached the specified backoff limit');
    // Each new pod waits 10 s, then 20 s, after the previous one finished (1 s run).
    assert.deepEqual(
      starts.slice(1).map((t, i) => t - starts[i]! - 1000),
      [10_000, 20_000],
    );
  });

  it('counts every pod once when a new runner adopts the pods of a killed one', async () => {
    const job = testJob('adopt', { parallelism: 2, completions: 4 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 5000 }));
    // First runner: start the pods, then "die" (stop listening, no cleanup).
    let idle = 0;
    const first = new JobRunner({ store: h.store, runtime: h.runtime, clock: h.clock }, 'adopt', options, {
      idle: () => idle++,
    });
    const kill = new AbortController();
    const dead = first.run(undefined, kill.signal).catch((e: Error) => e.message);
    await untilIdle(() => idle);
    assert.equal(h.runtime.created.length, 2);
    kill.abort();
    assert.equal(await dead, 'killed');
    const { end, state } = await runToEnd(h, 'adopt');
    assert.equal(end, 'Complete');
    assert.equal(state.job.status.succeeded, 4);
    assert.equal(new Set(h.runtime.created).size, h.runtime.created.length);
  });

  it('counts a pod whose containers vanished while no tjob watched as failed', async () => {
    const job = testJob('lost', { backoffLimit: 0 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 60_000 }));
    let idle = 0;
    const first = new JobRunner({ store: h.store, runtime: h.runtime, clock: h.clock }, 'lost', options, {
      idle: () => idle++,
    });
    const kill = new AbortController();
    const dead = first.run(undefined, kill.signal).catch((e: Error) => e.message);
    await untilIdle(() => idle);
    kill.abort();
    assert.equal(await dead, 'killed');
    assert.equal(h.runtime.created.length, 1);
    h.runtime.vanish(h.runtime.created[0]!);
    const { end, state } = await runToEnd(h, 'lost');
    assert.equal(end, 'Failed');
    assert.equal(state.job.status.failed, 1);
  });

  it('suspends on interrupt: pods stopped, Suspended condition, not counted as failures', async () => {
    const job = testJob('intr', { parallelism: 2, completions: 2 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 60_000 }));
    const interrupt = new AbortController();
    let idle = 0;
    const runner = new JobRunner({ store: h.store, runtime: h.runtime, clock: h.clock }, 'intr', options, {
      idle: () => idle++,
    });
    const result = runner.run(interrupt.signal);
    await untilIdle(() => idle);
    interrupt.abort();
    const { end, state } = await result;
    assert.equal(end, 'Interrupted');
    assert.equal(state.job.spec.suspend, true);
    assert.equal(state.job.status.failed ?? 0, 0);
    assert.equal(state.job.status.active, 0);
    const suspended = state.job.status.conditions?.find((c) => c.type === 'Suspended');
    assert.equal(suspended?.status, 'True');
    assert.equal(h.runtime.running(), 0);
    // Recorded with the controller's reason, so a report tells them from failures.
    assert.deepEqual(
      state.pods.map((p) => p.deletionReason),
      ['Suspended', 'Suspended'],
    );
  });

  it('a pod asked to stop by a run that left before the engine confirmed it is stopped by the next runner', async () => {
    const job = testJob('unconfirmed', { completions: 1 });
    const h = await harness(job, () => ({ exitCode: 0, runMs: 600_000 }));
    // The engine takes the stop request and never acts on it (it stopped answering).
    const deletePod = h.runtime.deletePod.bind(h.runtime);
    h.runtime.deletePod = async () => undefined;
    let idle = 0;
    const first = new JobRunner(
      { store: h.store, runtime: h.runtime, clock: h.clock },
      'unconfirmed',
      options,
      {
        idle: () => idle++,
      },
    );
    const interrupt = new AbortController();
    const kill = new AbortController();
    const left = first.run(interrupt.signal, kill.signal).catch((e: Error) => e.message);
    await untilIdle(() => idle);
    interrupt.abort();
    await untilIdle(() => idle, 2);
    assert.deepEqual(
      first.containersNotConfirmedStopped().map((c) => c.replace(/ \(.*\)$/, '')),
      [`${h.runtime.created[0]}/main`],
    );
    kill.abort(); // the one signal's bound ran out: the run leaves
    assert.equal(await left, 'killed');
    assert.equal(h.runtime.running(), 1);

    h.runtime.deletePod = deletePod;
    const { end, state } = await runToEnd(
      h,
      'unconfirmed',
      60_000,
      {},
      { ...options, leaveWhenSuspended: true },
    );
    assert.equal(end, 'Suspended');
    assert.deepEqual(h.runtime.deleted, [h.runtime.created[0]]);
    assert.equal(h.runtime.running(), 0);
    assert.equal(state.job.status.failed ?? 0, 0);
  });
});

/** A fake runtime that prepares sandboxes: records what was prepared, taken and discarded. */
class SandboxRuntime extends FakeRuntime {
  readonly prepared: PodPlan[] = [];
  readonly discarded: string[] = [];
  readonly unused = new Set<string>();
  /** How long each predecessor had run when its successor's sandbox was prepared (ms). */
  readonly preparedAfterMs: number[] = [];
  /** What preparing a sandbox takes on this pretend engine; pods run 1000 ms. */
  preparationMs: number | undefined = 300;
  sandboxRoom(): number {
    return 1;
  }
  sandboxPreparationMs(): number | undefined {
    return this.preparationMs;
  }
  prepareSandbox(plan: PodPlan): boolean {
    // Parallelism 1: the predecessor is the pod started last.
    this.preparedAfterMs.push(this.now() - this.lastStartMs);
    this.prepared.push(plan);
    this.unused.add(plan.name);
    return true;
  }
  discardSandboxes(_jobUid: string, keep?: ReadonlySet<string>): Promise<void> {
    for (const name of [...this.unused]) {
      if (keep?.has(name)) continue;
      this.unused.delete(name);
      this.discarded.push(name);
    }
    return Promise.resolve();
  }
  private lastStartMs = 0;
  private now(): number {
    return this.clockOf.now().getTime();
  }
  constructor(
    private readonly clockOf: FakeClock,
    script: ConstructorParameters<typeof FakeRuntime>[1],
  ) {
    super(clockOf, script);
  }
  override startPod(plan: PodPlan) {
    this.unused.delete(plan.name);
    this.lastStartMs = this.now();
    return super.startPod(plan);
  }
}

describe('JobRunner: warm sandboxes (docs/warm-sandboxes.md)', () => {
  async function sandboxHarness(job: Job, exitCode = 0) {
    const h = await harness(job, () => ({ exitCode, runMs: 1000 }));
    const runtime = new SandboxRuntime(h.clock, () => ({ exitCode, runMs: 1000 }));
    return { ...h, runtime };
  }
  const identity = (p: PodPlan) => ({
    name: p.name,
    uid: p.uid,
    hostname: p.hostname,
    labels: p.labels,
    index: p.index,
    annotations: p.annotations,
  });

  it('the next pods take the identities their sandboxes were prepared under; none is left', async () => {
    const h = await sandboxHarness(testJob('warm-ix', { completions: 4, completionMode: 'Indexed' }));
    const events: string[] = [];
    const { end, state } = await runToEnd(h, 'warm-ix', 3_600_000, {
      event: (_j, e) => events.push(e.reason),
    });
    assert.equal(end, 'Complete');
    const started = h.runtime.plans;
    assert.equal(started.length, 4);
    assert.deepEqual(
      started.map((p) => p.hostname),
      ['warm-ix-0', 'warm-ix-1', 'warm-ix-2', 'warm-ix-3'],
    );
    // Pods 1..3 were predicted while their predecessor ran: prepared under exactly their identity.
    for (const pod of started.slice(1)) {
      const prepared = h.runtime.prepared.find((p) => p.name === pod.name);
      assert.ok(prepared, `${pod.name} was prepared`);
      assert.deepEqual(identity(prepared), identity(pod));
    }
    assert.equal(h.runtime.prepared.length, 3, 'nothing prepared beyond the last pod');
    assert.deepEqual([...h.runtime.unused], []);
    assert.equal(state.pods.length, 4, 'reservations are not pods');
    assert.equal(events.filter((r) => r === 'SuccessfulCreate').length, 4, 'no event of a reservation');
  });

  it('a failed job leaves no prepared sandbox: the unused one is discarded', async () => {
    const h = await sandboxHarness(testJob('warm-fail', { completions: 4, backoffLimit: 0 }), 1);
    const { end, state } = await runToEnd(h, 'warm-fail');
    assert.equal(end, 'Failed');
    assert.ok(h.runtime.prepared.length >= 1);
    assert.deepEqual([...h.runtime.unused], []);
    const taken = new Set(h.runtime.plans.map((p) => p.name));
    assert.ok(h.runtime.discarded.every((n) => !taken.has(n)));
    assert.ok(h.runtime.discarded.length >= 1);
    assert.ok(
      state.pods.every((p) => !h.runtime.discarded.includes(p.name)),
      'no record of a discarded one',
    );
  });

  it('a sandbox is prepared once its predecessor has run as long as a preparation takes', async () => {
    const h = await sandboxHarness(testJob('warm-lead', { completions: 3 }));
    const { end } = await runToEnd(h, 'warm-lead');
    assert.equal(end, 'Complete');
    assert.equal(h.runtime.prepared.length, 2);
    for (const ms of h.runtime.preparedAfterMs) assert.ok(ms >= 300 && ms < 1000, `after ${ms} ms`);
  });

  it('pods shorter than a preparation get no sandbox prepared (it would run into the next start)', async () => {
    const h = await sandboxHarness(testJob('warm-short', { completions: 3 }));
    h.runtime.preparationMs = 5000;
    const { end } = await runToEnd(h, 'warm-short');
    assert.equal(end, 'Complete');
    assert.deepEqual(h.runtime.prepared, []);
  });

  it('before any preparation was timed, one is taken to last a second', async () => {
    const h = await sandboxHarness(testJob('warm-untimed', { completions: 2 }));
    h.runtime.preparationMs = undefined;
    const { end } = await runToEnd(h, 'warm-untimed');
    assert.equal(end, 'Complete');
    // Pods of 1000 ms: the successor is made when the first ends, not prepared before.
    assert.ok(
      h.runtime.preparedAfterMs.every((ms) => ms >= 1000),
      String(h.runtime.preparedAfterMs),
    );
  });

  it('warmSandboxes: false prepares nothing', async () => {
    const h = await sandboxHarness(testJob('warm-off', { completions: 3 }));
    const { end } = await runToEnd(h, 'warm-off', 3_600_000, {}, { ...options, warmSandboxes: false });
    assert.equal(end, 'Complete');
    assert.deepEqual(h.runtime.prepared, []);
  });
});
