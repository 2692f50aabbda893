// The scheduler daemon on a fake clock and a fake runtime, with the real state directory: the
// docs/cronjob.md §8.2 timelines (slot + 100 ms wake-ups, Forbid's late start on a job's end, Replace,
// Allow, history limits, suspend), restarts that adopt instead of duplicating, and edits noticed.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { CronJob, JobStatus } from '../../../src/api/k8s.js';
import { jobFromTemplate } from '../../../src/controller/cron/index.js';
import { CronDaemon } from '../../../src/engine/cron-daemon.js';
import { defaultJob, withGeneratedSelector } from '../../../src/manifest/index.js';
import { deleteJobEverywhere } from '../../../src/engine/job-deletion.js';
import { listKind } from '../../../src/cli/listed-objects.js';
import { FileCronStore } from '../../../src/state/cron-store.js';
import { FileStore } from '../../../src/state/file-store.js';
import { testBackoff } from '../../support/runner-options.js';
import { FakeClock, settle } from '../../support/fake-clock.js';
import { FakeRuntime } from '../../support/fake-runtime.js';
import { tempDir } from '../../support/jobs.js';
import { testCronJob as cronJob } from '../../support/cron-jobs.js';
import { holdLeases } from '../../support/gate.js';
import { waitFor } from '../../support/wait-for.js';

const T0 = '2024-01-01T09:58:00Z';
/** 2024-01-01T10:00Z in minutes since the epoch: the suffix of the 10:00 job. */
const M1000 = 28401720;

/** Counts the store calls in flight, so a test knows when the daemon has settled. */
class Inflight {
  n = 0;
  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (t, p) => {
        const v = Reflect.get(t, p, t) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          const out = (v as (...a: unknown[]) => unknown).apply(t, args);
          if (out instanceof Promise) {
            this.n++;
            // Leases are objects with I/O of their own (release): count theirs too.
            return out
              .then((v: unknown) => (v && typeof v === 'object' && 'release' in v ? this.wrap(v) : v))
              .finally(() => this.n--);
          }
          return out;
        };
      },
    });
  }
}

interface Harness {
  clock: FakeClock;
  root: string;
  store: FileStore;
  cronStore: FileCronStore;
  runtime: FakeRuntime;
  inflight: Inflight;
  log: string[];
  /** Run time (ms) and exit code of each job's pods, by job name; default 30 s, exit 0. */
  jobs: (name: string) => { runMs: number; exitCode: number };
}

function newHarness(start = T0, root = tempDir('tjob-cron-')): Harness {
  const clock = new FakeClock(start);
  const h: Harness = {
    clock,
    root,
    store: new FileStore(root),
    cronStore: new FileCronStore(root),
    runtime: undefined as unknown as FakeRuntime,
    inflight: new Inflight(),
    log: [],
    jobs: () => ({ runMs: 30_000, exitCode: 0 }),
  };
  h.runtime = new FakeRuntime(clock, (plan) => {
    const s = h.jobs(plan.jobName);
    return { runMs: s.runMs, exitCode: s.exitCode };
  });
  return h;
}

function hhmmss(d: Date): string {
  return d
    .toISOString()
    .slice(11, 23)
    .replace(/\.000$/, '');
}

interface Running {
  daemon: CronDaemon;
  stop: AbortController;
  done: Promise<void>;
  /** Calls the daemon as the store's watch would. */
  changed: () => void;
}

function startDaemon(h: Harness, opts: { realWatch?: boolean } = {}): Running {
  const cronStore = h.inflight.wrap(h.cronStore);
  let onChange: () => void = () => undefined;
  const watched = opts.realWatch
    ? cronStore
    : new Proxy(cronStore, {
        get: (t, p) =>
          p === 'watchCronJobs'
            ? (cb: () => void) => {
                onChange = cb;
                return () => undefined;
              }
            : (Reflect.get(t, p, t) as unknown),
      });
  const store = h.inflight.wrap(h.store);
  const runtime = h.inflight.wrap(h.runtime);
  const daemon = new CronDaemon(
    {
      store,
      cronStore: watched,
      runtime,
      clock: h.clock,
      newUid: randomUUID,
      random: Math.random,
      localTimeZone: 'UTC',
      deleteUndrivenJob: (state) => deleteJobEverywhere(state, store, runtime),
    },
    { ...testBackoff, command: 'test daemon', heartbeatMs: 3_600_000 },
    {
      created: (_cj, job, _slot, at) => h.log.push(`${hhmmss(at)} create ${job}`),
      cronEvent: (_cj, e) => {
        if (e.reason !== 'SuccessfulCreate') h.log.push(`${hhmmss(h.clock.now())} ${e.reason} ${e.message}`);
      },
      driving: (job, adopted) => {
        if (adopted) h.log.push(`${hhmmss(h.clock.now())} adopt ${job}`);
      },
    },
  );
  const stop = new AbortController();
  const done = daemon.run(stop.signal);
  return { daemon, stop, done, changed: () => onChange() };
}

/** Waits (in real time) until no store call is in flight for a few turns of the event loop. */
async function quiet(h: Harness): Promise<void> {
  let calm = 0;
  while (calm < 4) {
    await new Promise((r) => setTimeout(r, 1));
    await settle(3);
    calm = h.inflight.n === 0 ? calm + 1 : 0;
  }
}

/** Moves the fake clock to `iso`, one timer at a time, letting the daemon settle after each. */
async function advanceTo(h: Harness, iso: string): Promise<void> {
  const target = Date.parse(iso);
  for (;;) {
    await quiet(h);
    const next = h.clock.nextDue();
    if (next === undefined || next > target) break;
    await h.clock.advance(Math.max(0, next - h.clock.now().getTime()));
  }
  const now = h.clock.now().getTime();
  if (target > now) await h.clock.advance(target - now);
  await quiet(h);
}

async function stopDaemon(h: Harness, r: Running): Promise<void> {
  r.stop.abort();
  await r.done;
  await quiet(h);
}

async function apply(h: Harness, cj: CronJob): Promise<void> {
  await h.cronStore.saveCronJob(cj, h.clock.now(), randomUUID);
}

const name = (offsetMinutes: number) => `cj-${M1000 + offsetMinutes}`;

describe('cron daemon on a fake clock', () => {
  it('creates each job at its slot + 100 ms and prunes the 4th success (S01)', async () => {
    const h = newHarness();
    await apply(h, cronJob('cj'));
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:16:00Z');
    await stopDaemon(h, r);
    assert.deepEqual(
      h.log.filter((l) => l.includes('create')),
      [
        `10:00:00.100 create ${name(0)}`,
        `10:05:00.100 create ${name(5)}`,
        `10:10:00.100 create ${name(10)}`,
        `10:15:00.100 create ${name(15)}`,
      ],
    );
    assert.ok(
      h.log.includes(`10:00:30.100 SawCompletedJob Saw completed job: ${name(0)}, condition: Complete`),
    );
    assert.ok(h.log.includes(`10:15:30.100 SuccessfulDelete Deleted job ${name(0)}`), h.log.join('\n'));
    const jobs = (await h.store.listJobs()).map((s) => s.job.metadata.name);
    assert.deepEqual(jobs, [name(5), name(10), name(15)]);
    const stored = await h.cronStore.loadCronJob('cj');
    assert.equal(stored?.status?.lastScheduleTime, '2024-01-01T10:15:00Z');
    assert.equal(stored?.status?.lastSuccessfulTime, '2024-01-01T10:15:30Z');
    assert.deepEqual(stored?.status?.active ?? [], []);
    // The child job is the API server's Job: defaulted, owned, labelled, annotated with its slot.
    const child = (await h.store.loadJob(name(15)))!.job;
    assert.equal(child.metadata.labels?.['io.tjob.cronjob'], 'cj');
    assert.equal(
      child.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      '2024-01-01T10:15:00Z',
    );
    assert.equal((child.metadata.ownerReferences as { uid?: string }[])[0]?.uid, stored?.metadata.uid);
    assert.equal(child.spec.backoffLimit, 6);
    assert.ok(child.spec.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']);
    const events = await h.cronStore.listCronJobEvents('cj');
    assert.equal(events.filter((e) => e.reason === 'SuccessfulCreate').length, 4);
  });

  it('Forbid skips while a job runs and starts the skipped slot when it ends (S08)', async () => {
    const h = newHarness();
    h.jobs = () => ({ runMs: 7 * 60_000, exitCode: 0 });
    await apply(h, cronJob('cj', { concurrencyPolicy: 'Forbid' }));
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:16:00Z');
    await stopDaemon(h, r);
    const forbid = 'Not starting job because prior execution is running and concurrency policy is Forbid';
    assert.deepEqual(
      h.log.filter((l) => !l.includes('SawCompletedJob')),
      [
        `10:00:00.100 create ${name(0)}`,
        `10:05:00.100 JobAlreadyActive ${forbid}`,
        // The job's end (7 min after its start) is a change: the 10:05 slot starts late.
        `10:07:00.100 create ${name(5)}`,
        `10:10:00.100 JobAlreadyActive ${forbid}`,
        `10:14:00.100 create ${name(10)}`,
        `10:15:00.100 JobAlreadyActive ${forbid}`,
      ],
    );
    assert.equal(h.runtime.maxRunning, 1);
  });

  it('Replace deletes the running job, then creates the new one (S11)', async () => {
    const h = newHarness();
    h.jobs = () => ({ runMs: 7 * 60_000, exitCode: 0 });
    await apply(h, cronJob('cj', { concurrencyPolicy: 'Replace' }));
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:11:00Z');
    await stopDaemon(h, r);
    assert.deepEqual(h.log, [
      `10:00:00.100 create ${name(0)}`,
      `10:05:00.100 SuccessfulDelete Deleted job ${name(0)}`,
      `10:05:00.100 create ${name(5)}`,
      `10:10:00.100 SuccessfulDelete Deleted job ${name(5)}`,
      `10:10:00.100 create ${name(10)}`,
    ]);
    // The replaced jobs' pods were stopped and the jobs removed by their runners.
    assert.deepEqual(
      (await h.store.listJobs()).map((s) => s.job.metadata.name),
      [name(10)],
    );
    assert.equal(h.runtime.deleted.length, 2);
    const stored = await h.cronStore.loadCronJob('cj');
    assert.deepEqual(
      stored?.status?.active?.map((a) => a.name),
      [name(10)],
    );
    assert.equal(stored?.status?.lastSuccessfulTime, undefined);
  });

  it('Replace: a listing never shows the replaced job and its replacement together', async () => {
    const h = newHarness();
    h.jobs = () => ({ runMs: 7 * 60_000, exitCode: 0 });
    await apply(h, cronJob('cj', { concurrencyPolicy: 'Replace' }));
    // Its pods take 5 s of their grace period to stop.
    const deletePod = h.runtime.deletePod.bind(h.runtime);
    h.runtime.deletePod = async (uid, pod, grace) => {
      void h.clock.sleep(5000).then(() => deletePod(uid, pod, grace));
    };
    // `tjob get jobs` (another process, its own store) after every change the daemon makes.
    const listings: string[][] = [];
    const look = async () => {
      const listed = await listKind(new FileStore(h.root), 'jobs');
      listings.push(listed.map((l) => l.name));
    };
    for (const method of ['createJob', 'commitJob', 'deleteJob', 'requestJobChange'] as const) {
      const original = (h.store[method] as (...a: unknown[]) => Promise<unknown>).bind(h.store);
      (h.store as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        const out = await original(...args);
        await look();
        return out;
      };
    }
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:06:00Z');
    await stopDaemon(h, r);
    assert.ok(
      listings.some((l) => l.includes(name(0))) && listings.some((l) => l.includes(name(5))),
      'both jobs were listed, each in its time',
    );
    const together = listings.filter((l) => l.includes(name(0)) && l.includes(name(5)));
    assert.deepEqual(together, [], 'the replaced job is gone from listings before its replacement exists');
    // Its pods were still stopped in the background, and its record removed.
    assert.ok(h.runtime.deleted.some((p) => p.startsWith(name(0))));
    assert.equal(await h.store.loadJob(name(0)), undefined);
  });

  it('Allow lets jobs overlap (S10)', async () => {
    const h = newHarness();
    h.jobs = () => ({ runMs: 7 * 60_000, exitCode: 0 });
    await apply(h, cronJob('cj'));
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:11:00Z');
    const stored = await h.cronStore.loadCronJob('cj');
    await stopDaemon(h, r);
    assert.deepEqual(
      h.log.filter((l) => l.includes('create')),
      [`10:00:00.100 create ${name(0)}`, `10:05:00.100 create ${name(5)}`, `10:10:00.100 create ${name(10)}`],
    );
    assert.deepEqual(
      stored?.status?.active?.map((a) => a.name),
      [name(5), name(10)],
    );
    assert.equal(h.runtime.maxRunning, 2);
  });

  it('keeps successfulJobsHistoryLimit successes and failedJobsHistoryLimit failures (S13, S14)', async () => {
    const h = newHarness('2024-01-01T09:59:30Z');
    h.jobs = (job) => ({ runMs: 10_000, exitCode: Number(job.split('-')[1]) % 2 === 0 ? 0 : 1 });
    await apply(
      h,
      cronJob('cj', {
        schedule: '* * * * *',
        successfulJobsHistoryLimit: 2,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'main', image: 'busybox', imagePullPolicy: 'IfNotPresent' }],
              },
            },
          },
        },
      }),
    );
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:07:30Z');
    await stopDaemon(h, r);
    // 10:00..10:07 ran; even minutes succeed, odd ones fail: keep 10:04, 10:06 and 10:07.
    assert.deepEqual(
      (await h.store.listJobs()).map((s) => s.job.metadata.name),
      [name(4), name(6), name(7)],
    );
    // The second failure removes the first (limit 1), the third success the first success (limit 2).
    assert.ok(h.log.includes(`10:03:10.100 SuccessfulDelete Deleted job ${name(1)}`), h.log.join('\n'));
    assert.ok(h.log.includes(`10:04:10.100 SuccessfulDelete Deleted job ${name(0)}`), h.log.join('\n'));
  });

  it('suspend stops new runs; resuming runs the most recent missed slot at once (S25)', async () => {
    const h = newHarness();
    await apply(h, cronJob('cj'));
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:02:00Z');
    await apply(h, cronJob('cj', { suspend: true }));
    r.changed();
    await advanceTo(h, '2024-01-01T10:13:00Z');
    await apply(h, cronJob('cj', { suspend: false }));
    r.changed();
    await advanceTo(h, '2024-01-01T10:16:00Z');
    await stopDaemon(h, r);
    assert.deepEqual(
      h.log.filter((l) => l.includes('create')),
      [`10:00:00.100 create ${name(0)}`, `10:13:00 create ${name(10)}`, `10:15:00.100 create ${name(15)}`],
    );
  });

  it('a restarted daemon adopts the running job and does not create its slot again (§7)', async () => {
    const h = newHarness();
    h.jobs = () => ({ runMs: 3 * 60_000, exitCode: 0 });
    await apply(h, cronJob('cj', { concurrencyPolicy: 'Forbid' }));
    const first = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:01:00Z');
    await stopDaemon(h, first);
    // The job's lease was released and its pod goes on.
    assert.equal(await h.store.jobLeaseHolder(name(0)), undefined);
    assert.equal(h.runtime.running(), 1);
    await advanceTo(h, '2024-01-01T10:02:00Z');

    const second = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:06:00Z');
    await stopDaemon(h, second);
    assert.deepEqual(h.log, [
      `10:00:00.100 create ${name(0)}`,
      `10:02:00 adopt ${name(0)}`,
      `10:03:00.100 SawCompletedJob Saw completed job: ${name(0)}, condition: Complete`,
      `10:05:00.100 create ${name(5)}`,
    ]);
    assert.equal(h.runtime.created.length, 2); // one pod per job: the adopted one was not restarted
    const s = await h.store.loadJob(name(0));
    assert.equal(s?.job.status.succeeded, 1);
  });

  it('after a crash between creating a job and recording it, the job is adopted, not duplicated (S27)', async () => {
    const h = newHarness('2024-01-01T10:06:00Z');
    await h.cronStore.saveCronJob(cronJob('cj'), new Date('2024-01-01T09:58:00Z'), randomUUID);
    const cj = (await h.cronStore.loadCronJob('cj'))!;
    await h.cronStore.commitCronJobStatus('cj', cj.metadata.uid, {
      lastScheduleTime: '2024-01-01T10:00:00Z',
    });
    const orphan = withGeneratedSelector(
      defaultJob(jobFromTemplate(cj, name(5), new Date('2024-01-01T10:05:00Z'))),
      randomUUID(),
    );
    await h.store.createJob({ ...orphan, status: {} as JobStatus });
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:06:10Z');
    await stopDaemon(h, r);
    assert.deepEqual(h.log, [
      `10:06:00 adopt ${name(5)}`,
      `10:06:00 UnexpectedJob Saw a job that the controller did not create or forgot: ${name(5)}`,
    ]);
    const stored = await h.cronStore.loadCronJob('cj');
    assert.deepEqual(
      stored?.status?.active?.map((a) => a.name),
      [name(5)],
    );
    assert.equal(stored?.status?.lastScheduleTime, '2024-01-01T10:05:00Z');
    assert.equal((await h.store.listJobs()).length, 1);
  });

  it('deletes a finished job when its ttlSecondsAfterFinished expires (deviation 3)', async () => {
    const h = newHarness();
    const cj = cronJob('cj');
    cj.spec.jobTemplate.spec.ttlSecondsAfterFinished = 60;
    await apply(h, cj);
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:01:29Z');
    assert.deepEqual(
      (await h.store.listJobs()).map((s) => s.job.metadata.name),
      [name(0)],
    );
    await advanceTo(h, '2024-01-01T10:01:31Z');
    await stopDaemon(h, r);
    // Finished at 10:00:30 (its Complete condition has whole seconds): gone at 10:01:30.
    assert.deepEqual(await h.store.listJobs(), []);
  });

  it("a slot's jobs are all created before any CronJob's status or events are written", async () => {
    const h = newHarness();
    for (const n of ['a', 'b', 'c', 'd']) await apply(h, cronJob(n));
    const order: string[] = [];
    const createJob = h.store.createJob.bind(h.store);
    h.store.createJob = async (job, config) => {
      await createJob(job, config);
      order.push(`create ${job.metadata.name.split('-')[0]}`);
    };
    const commitStatus = h.cronStore.commitCronJobStatus.bind(h.cronStore);
    h.cronStore.commitCronJobStatus = async (name, uid, status) => {
      order.push(`status ${name}`);
      return commitStatus(name, uid, status);
    };
    const appendEvents = h.cronStore.appendCronJobEvents.bind(h.cronStore);
    h.cronStore.appendCronJobEvents = async (name, events) => {
      order.push(`events ${name}`);
      return appendEvents(name, events);
    };
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:00:01Z');
    await stopDaemon(h, r);
    const slot = order.slice(order.findIndex((o) => o.startsWith('create')));
    assert.deepEqual(
      slot.slice(0, 4).sort(),
      ['create a', 'create b', 'create c', 'create d'],
      order.join(', '),
    );
    assert.deepEqual(
      slot.slice(4).sort(),
      ['a', 'b', 'c', 'd'].flatMap((n) => [`events ${n}`, `status ${n}`]).sort(),
      order.join(', '),
    );
    // The statuses written after the creations are the ones the next daemon reads.
    for (const n of ['a', 'b', 'c', 'd']) {
      const stored = await new FileCronStore(h.root).loadCronJob(n);
      assert.equal(stored?.status?.lastScheduleTime, '2024-01-01T10:00:00Z');
      assert.equal(stored?.status?.active?.length, 1);
    }
  });

  it('a runner being started when the daemon stops is not started: its job is left, its lease free', async () => {
    const h = newHarness();
    await apply(h, cronJob('cj'));
    const leases = holdLeases(h.store); // the lease is being taken when the stop comes
    const r = startDaemon(h);
    await quiet(h);
    await h.clock.advance(h.clock.nextDue()! - h.clock.now().getTime());
    await waitFor(() => leases.asked.length > 0, { what: 'the slot to create its job and start its runner' });
    r.stop.abort();
    leases.open();
    await r.done;
    await quiet(h);
    assert.deepEqual(h.runtime.created, [], 'no pod made after the stop');
    assert.deepEqual(r.daemon.drivenJobs(), []);
    assert.equal(await h.store.jobLeaseHolder(name(0)), undefined);
    assert.ok(await h.store.loadJob(name(0)), 'the job stays for the next daemon');
  });

  it('a failed create is a FailedCreate event and a retry with back-off, not a lost slot', async () => {
    const h = newHarness();
    await apply(h, cronJob('cj'));
    const create = h.store.createJob.bind(h.store);
    let failures = 2;
    h.store.createJob = async (job) => {
      if (failures-- > 0) throw new Error('no space left on device');
      return create(job);
    };
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:00:10Z');
    await stopDaemon(h, r);
    assert.deepEqual(h.log, [
      '10:00:00.100 FailedCreate Error creating job: no space left on device',
      '10:00:01.100 FailedCreate Error creating job: no space left on device',
      `10:00:03.100 create ${name(0)}`,
    ]);
    const stored = await h.cronStore.loadCronJob('cj');
    assert.equal(stored?.status?.lastScheduleTime, '2024-01-01T10:00:00Z');
  });

  it('notices an applied CronJob through the store watch within a second', async () => {
    const h = newHarness('2024-01-01T10:12:00Z');
    await h.cronStore.saveCronJob(cronJob('cj', { suspend: true }), new Date(T0), randomUUID);
    const r = startDaemon(h, { realWatch: true });
    await quiet(h);
    // Resuming at 10:12 runs the 10:10 slot at once (no deadline). The fake clock stands still:
    // only the watch can wake the daemon. How soon is not asserted (the machine may be loaded):
    // the wait's timeout only catches a watch that never fires.
    await h.cronStore.saveCronJob(cronJob('cj', { suspend: false }), h.clock.now(), randomUUID);
    await waitFor(() => h.log.some((l) => l.includes('create')), {
      what: 'the daemon to notice the apply and create the job',
    });
    await stopDaemon(h, r);
    assert.deepEqual(h.log, [`10:12:00 create ${name(10)}`]);
  });

  it('deletes the jobs of a CronJob that was deleted (garbage collection)', async () => {
    const h = newHarness();
    h.jobs = () => ({ runMs: 10 * 60_000, exitCode: 0 });
    await apply(h, cronJob('cj'));
    const r = startDaemon(h);
    await advanceTo(h, '2024-01-01T10:01:00Z');
    assert.equal((await h.store.listJobs()).length, 1);
    await h.cronStore.deleteCronJob('cj');
    r.changed();
    await advanceTo(h, '2024-01-01T10:02:00Z');
    await stopDaemon(h, r);
    assert.deepEqual(await h.store.listJobs(), []);
    assert.deepEqual(
      h.runtime.deleted,
      [name(0)].map((n) => h.runtime.created.find((p) => p.startsWith(n))!),
    );
  });
});
