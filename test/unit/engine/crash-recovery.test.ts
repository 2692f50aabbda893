// Kill the controller at every kind of point (before or after any recorded change) across several
// job shapes, start a new one over the same containers and state: the end is always the one the
// uninterrupted run reaches, with no pod counted twice, no index run twice at once, and never
// more pods at once than parallelism; and a job recorded as finished has no container left.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobRunner } from '../../../src/engine/job-runner.js';
import type { Job, JobSpec, JobStatus } from '../../../src/api/k8s.js';
import type { PodPlan } from '../../../src/api/pod.js';
import { testRunnerOptions } from '../../support/runner-options.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeRuntime, type PodScript } from '../../support/fake-runtime.js';
import { KilledError, MemoryStore } from '../../support/memory-store.js';
import { testJob } from '../../support/jobs.js';

const options = testRunnerOptions;

interface Shape {
  name: string;
  spec: Partial<JobSpec>;
  restartPolicy?: 'Never' | 'OnFailure';
  script: (plan: PodPlan, attempt: number, restart: number, starts: Map<number, number>) => PodScript;
}

const shapes: Shape[] = [
  {
    name: 'NonIndexed, Never, some failures',
    spec: { completions: 8, parallelism: 3, backoffLimit: 5 },
    script: (_p, attempt) => ({ exitCode: attempt % 3 === 1 ? 1 : 0, runMs: 1000 + (attempt % 4) * 370 }),
  },
  {
    name: 'OnFailure, restarts in place',
    spec: { completions: 3, parallelism: 2, backoffLimit: 6 },
    restartPolicy: 'OnFailure',
    script: (_p, _a, restart) => ({ exitCode: restart === 0 ? 2 : 0, runMs: 800 }),
  },
  {
    name: 'Indexed with backoffLimitPerIndex',
    spec: {
      completions: 4,
      parallelism: 2,
      completionMode: 'Indexed',
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 2,
      backoffLimit: 2147483647,
    },
    script: (plan, _a, _r, starts) => {
      const i = plan.index ?? -1;
      const n = starts.get(i) ?? 0;
      starts.set(i, n + 1);
      // Index 1 always fails; index 2 fails once.
      return { exitCode: i === 1 || (i === 2 && n === 0) ? 3 : 0, runMs: 700 };
    },
  },
  {
    name: 'NonIndexed, Never, backoffLimit exceeded',
    spec: { completions: 4, parallelism: 2, backoffLimit: 2 },
    // Finishing times differ, so no two pods end in the same sync (that order is not the point here).
    script: (_p, attempt) => ({ exitCode: attempt === 0 ? 0 : 5, runMs: 600 + attempt * 137 }),
  },
  {
    name: 'work queue (parallelism only)',
    spec: { completions: null, parallelism: 3 },
    script: (_p, attempt) => ({ exitCode: 0, runMs: 500 + attempt * 400 }),
  },
];

interface Run {
  status: Projection;
  commits: number;
  runtime: FakeRuntime;
  store: MemoryStore;
}

type Projection = Pick<
  JobStatus,
  'succeeded' | 'failed' | 'completedIndexes' | 'failedIndexes' | 'active'
> & {
  end?: string;
};

function project(status: JobStatus): Projection {
  const end = status.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  return {
    succeeded: status.succeeded ?? 0,
    failed: status.failed ?? 0,
    completedIndexes: status.completedIndexes ?? '',
    failedIndexes: status.failedIndexes ?? '',
    active: status.active ?? 0,
    ...(end ? { end: `${end.type}/${end.reason}` } : {}),
  };
}

/** Drives runners until the job ends; a runner that is "killed" is replaced by a new one. */
async function runWithCrash(
  shape: Shape,
  crash?: { commit: number; when: 'before' | 'after' },
): Promise<Run> {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const job: Job = testJob('crash', shape.spec, shape.restartPolicy ?? 'Never');
  await store.createJob({ ...job, status: {} });
  const starts = new Map<number, number>();
  const runtime = new FakeRuntime(clock, (plan, attempt, restart) =>
    shape.script(plan, attempt, restart, starts),
  );
  if (crash) store.crashAt = crash;
  for (let generation = 0; generation < 5; generation++) {
    let idle = 0;
    const runner = new JobRunner({ store, runtime, clock }, 'crash', options, { idle: () => idle++ });
    let done = false;
    let killed = false;
    const result = runner.run().then(
      (r) => ((done = true), r),
      (err: unknown) => {
        if (!(err instanceof KilledError)) throw err;
        killed = done = true;
        return undefined;
      },
    );
    let seen = 0;
    while (!done) {
      while (!done && idle === seen) await new Promise((r) => setTimeout(r, 0));
      if (done) break;
      seen = idle;
      await new Promise((r) => setImmediate(r));
      if (done || idle !== seen) continue;
      const next = clock.nextDue();
      if (next === undefined) {
        const until = Date.now() + 1000;
        while (!done && idle === seen && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
        if (done || idle !== seen) continue;
        throw new Error('stuck: idle with nothing pending');
      }
      await clock.advance(Math.max(0, next - clock.now().getTime()));
    }
    const r = await result;
    if (killed) {
      // Finalizer order: a job whose journal says it finished has nothing left on the engine,
      // since nobody drives a finished job again.
      const stored = await store.loadJob('crash');
      const uid = stored?.job.metadata.uid ?? '';
      if (stored && project(stored.job.status).end)
        assert.deepEqual(
          runtime.podsLeft(uid),
          [],
          `killed once finished (${crash?.when} commit ${crash?.commit})`,
        );
    }
    if (!killed && r) {
      return { status: project(r.state.job.status), commits: store.commits, runtime, store };
    }
    store.revive(); // a new tjob process starts over the same state and containers
  }
  throw new Error('never finished');
}

let pointsTried = 0;

describe('crash recovery at every recorded change', () => {
  for (const shape of shapes) {
    it(shape.name, { timeout: 120_000 }, async () => {
      const reference = await runWithCrash(shape);
      assert.ok(reference.status.end, 'the uninterrupted run ends');
      assert.deepEqual(reference.runtime.duplicateIndexes, []);
      // Every commit point, on both sides: the change lost, or recorded just before the end.
      const points: { commit: number; when: 'before' | 'after' }[] = [];
      for (let c = 1; c <= reference.commits; c++) {
        points.push({ commit: c, when: 'before' }, { commit: c, when: 'after' });
      }
      for (const point of points) {
        pointsTried++;
        const got = await runWithCrash(shape, point);
        const where = `crash ${point.when} commit ${point.commit}`;
        assert.deepEqual(got.status, reference.status, where);
        assert.deepEqual(got.runtime.duplicateIndexes, [], where);
        assert.ok(
          got.runtime.maxRunning <= (shape.spec.parallelism ?? 1),
          `${where}: ${got.runtime.maxRunning} at once`,
        );
        const stored = await got.store.loadJob('crash');
        const names = stored!.pods.map((p) => p.name);
        assert.equal(new Set(names).size, names.length, `${where}: a pod recorded twice`);
      }
    });
  }

  // A guard that the harness enumerated the commits at all (180 when a pass's new pods share its
  // journal line; the count falls when commits are merged, which is the point of merging them).
  it('tried at least 150 crash points in all', () => {
    assert.ok(pointsTried >= 150, `${pointsTried} crash points`);
  });
});
