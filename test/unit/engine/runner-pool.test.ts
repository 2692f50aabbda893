// The cron daemon's runner pool on a fake clock, the memory store and the fake runtime: created
// jobs are driven to their end under their lease, starts wait while paused and go a few at a
// time, jobs nobody drives are adopted, and leaving keeps the containers and frees the leases.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { JobSummary, StoredJob } from '../../../src/ports/state-store.js';
import type { RunEnd } from '../../../src/engine/job-runner.js';
import { RunnerPool } from '../../../src/engine/runner-pool.js';
import { testBackoff } from '../../support/runner-options.js';
import { FakeClock, settle } from '../../support/fake-clock.js';
import { FakeRuntime } from '../../support/fake-runtime.js';
import { MemoryStore } from '../../support/memory-store.js';
import { childJob, finished, testCronJob } from '../../support/cron-jobs.js';
import { waitFor } from '../../support/wait-for.js';
import { holdLeases } from '../../support/gate.js';

const cj = testCronJob('cj', {}, 'uid-cj');
const slot = (minute: number) => `2024-01-01T10:${String(minute).padStart(2, '0')}:00Z`;

function harness(runMs = 30_000) {
  const clock = new FakeClock('2024-01-01T10:00:00Z');
  const store = new MemoryStore();
  const runtime = new FakeRuntime(clock, () => ({ exitCode: 0, runMs }));
  const indexed = new Map<string, JobSummary['job']>();
  const index = {
    put: (s: JobSummary) => void indexed.set(s.job.metadata.name, s.job),
    remove: (name: string) => void indexed.delete(name),
  };
  const log: string[] = [];
  const ends: { job: string; end: RunEnd; state: StoredJob }[] = [];
  const pool = new RunnerPool(
    { store, runtime, clock, newUid: randomUUID, random: Math.random },
    { ...testBackoff, command: 'test pool' },
    index,
    {
      driving: (job, adopted) => log.push(`${adopted ? 'adopt' : 'drive'} ${job}`),
      ended: (job, end, state) => ends.push({ job, end, state }),
      warning: (m) => log.push(`warning ${m}`),
    },
    (owner) => log.push(`ended (owner ${owner})`),
  );
  return { clock, store, runtime, indexed, pool, log, ends, stop: new AbortController() };
}

async function created(h: ReturnType<typeof harness>, minute: number) {
  const job = childJob(cj, slot(minute));
  await h.store.createJob(job);
  return job.metadata.name;
}

/** Moves the fake clock from timer to timer until `done` holds. */
async function advanceUntil(h: ReturnType<typeof harness>, done: () => boolean, what: string) {
  await waitFor(
    async () => {
      await settle(10);
      if (done()) return true;
      const next = h.clock.nextDue();
      if (next !== undefined) await h.clock.advance(Math.max(0, next - h.clock.now().getTime()));
      return done();
    },
    { what, interval: 1 },
  );
}

describe('RunnerPool', () => {
  it('drives a created job to its end under its lease, keeping the index and the owner told', async () => {
    const h = harness();
    const name = await created(h, 0);
    h.pool.enqueue(name, 'cj');
    assert.ok(h.pool.drivesHere(name), 'queued: driven here, not to be adopted');
    assert.equal(h.pool.isDriving(name), false);
    h.pool.resume(h.stop.signal);
    await waitFor(() => h.pool.isDriving(name), { what: 'the runner to start' });
    assert.equal((await h.store.jobLeaseHolder(name))?.command, 'test pool');
    await advanceUntil(h, () => h.ends.length > 0, 'the job to end');
    await h.pool.runnerDone(name);
    assert.deepEqual(
      h.ends.map((e) => `${e.job} ${e.end}`),
      [`${name} Complete`],
    );
    assert.deepEqual(h.log, [`drive ${name}`, 'ended (owner cj)']);
    assert.equal(h.indexed.get(name)?.status.succeeded, 1, 'the index has the final status');
    assert.equal(await h.store.jobLeaseHolder(name), undefined);
    assert.deepEqual(h.pool.drivenJobs(), []);
    assert.equal(h.pool.drivesHere(name), false);
  });

  it('queued starts wait while paused, then go at most 8 at a time, in order', async () => {
    const h = harness();
    const names: string[] = [];
    for (let m = 0; m < 10; m++) names.push(await created(h, m));
    const leases = holdLeases(h.store);
    h.pool.pause();
    for (const n of names) h.pool.enqueue(n, 'cj');
    await settle(10);
    assert.deepEqual(leases.asked, [], 'paused: none started');
    h.pool.resume(h.stop.signal);
    h.pool.pause(); // (resume started the first ones; pausing again holds the rest)
    await settle(10);
    assert.deepEqual(leases.asked, names.slice(0, 8), 'eight at a time');
    leases.open();
    await waitFor(() => h.pool.drivenJobs().length === 8, { what: 'the first eight runners' });
    await settle(10);
    assert.equal(h.pool.drivenJobs().length, 8, 'paused: the last two wait');
    h.pool.resume(h.stop.signal);
    await waitFor(() => h.pool.drivenJobs().length === 10, { what: 'every runner' });
    assert.deepEqual(leases.asked, names);
    await h.pool.leaveAll();
  });

  it('adopts the unfinished jobs nobody drives; leaves finished ones and those another process holds', async () => {
    const h = harness();
    const undriven = await created(h, 0);
    const done = finished(childJob(cj, slot(5)), 'Complete', slot(6));
    await h.store.createJob(done);
    const elsewhere = childJob(cj, slot(10));
    await h.store.createJob(elsewhere);
    // Another process holds this one's lease (the memory store is one process: take it by hand).
    await h.store.acquireJobLease(elsewhere.metadata.name, 'tjob run (pid 7)');
    const all = await h.store.listJobSummaries();
    assert.equal(await h.pool.adoptUndriven(all), true, 'one is driven by another live process');
    assert.deepEqual(h.log, [`adopt ${undriven}`]);
    assert.deepEqual(h.pool.drivenJobs(), [undriven]);
    // Driven here now: not adopted twice.
    assert.equal(await h.pool.adoptUndriven(all.filter((s) => s.job.metadata.name === undriven)), false);
    assert.deepEqual(h.log, [`adopt ${undriven}`]);
    await h.pool.leaveAll();
  });

  it("the controller's adoption drives the stored job only if it is unfinished and nobody drives it", async () => {
    const h = harness();
    const free = await created(h, 0);
    const held = await created(h, 5);
    await h.store.acquireJobLease(held, 'tjob run (pid 7)');
    await h.pool.adopt(held, 'cj');
    await h.pool.adopt('missing', 'cj');
    await h.pool.adopt(free, 'cj');
    assert.deepEqual(h.log, [`adopt ${free}`]);
    await h.pool.leaveAll();
  });

  it('leaving: runners stop where they are, containers keep running, leases are freed, owners not told', async () => {
    const h = harness(10 * 60_000);
    const name = await created(h, 0);
    h.pool.enqueue(name, 'cj');
    h.pool.resume(h.stop.signal);
    await waitFor(() => h.runtime.running() === 1, { what: 'the pod to run' });
    h.stop.abort();
    await h.pool.leaveAll();
    await h.pool.runnerDone(name);
    assert.equal(h.runtime.running(), 1);
    assert.deepEqual(h.runtime.deleted, []);
    assert.equal(await h.store.jobLeaseHolder(name), undefined);
    assert.deepEqual(h.ends, []);
    assert.deepEqual(h.log, [`drive ${name}`]);
    assert.deepEqual(h.pool.drivenJobs(), []);
  });

  it('a runner whose lease is being taken when leaving begins is not started, its lease freed', async () => {
    const h = harness();
    const name = await created(h, 0);
    const leases = holdLeases(h.store);
    const driving = h.pool.drive(name, true, 'cj');
    await waitFor(() => leases.asked.length > 0, { what: 'the lease to be asked for' });
    await h.pool.leaveAll();
    leases.open();
    await driving;
    assert.deepEqual(h.runtime.created, []);
    assert.deepEqual(h.pool.drivenJobs(), []);
    assert.equal(await h.store.jobLeaseHolder(name), undefined);
  });

  it('renews the leases of the driven jobs every heartbeat period', async () => {
    const h = harness(10 * 60_000);
    const pool = new RunnerPool(
      { store: h.store, runtime: h.runtime, clock: h.clock, newUid: randomUUID, random: Math.random },
      { ...testBackoff, command: 'test', heartbeatMs: 5000 },
      { put: () => undefined, remove: () => undefined },
    );
    let renewals = 0;
    const acquire = h.store.acquireJobLease.bind(h.store);
    h.store.acquireJobLease = async (job, command) => {
      const lease = await acquire(job, command);
      if (!('renew' in lease)) return lease;
      return { ...lease, renew: async () => void renewals++ };
    };
    await pool.drive(await created(h, 0), false, 'cj');
    const beating = pool.heartbeats(h.stop.signal);
    await settle(10);
    await h.clock.advance(4999);
    assert.equal(renewals, 0);
    await h.clock.advance(1);
    await settle(10);
    assert.equal(renewals, 1);
    await h.clock.advance(5000);
    await settle(10);
    assert.equal(renewals, 2);
    h.stop.abort();
    await beating;
    await pool.leaveAll();
  });
});
