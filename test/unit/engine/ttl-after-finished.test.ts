// When a finished job expires, as the TTL-after-finished controller decides it
// (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go, its timeLeft table).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobCondition, JobStatus } from '../../../src/api/k8s.js';
import {
  deleteExpired,
  ttlDue,
  ttlExpired,
  ttlExpiry,
  ttlTimeLeft,
} from '../../../src/engine/ttl-after-finished.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryStore } from '../../support/memory-store.js';
import { testJob } from '../../support/jobs.js';

const cond = (type: string, status: string, at?: string): JobCondition =>
  ({ type, status, reason: 'R', message: 'm', lastTransitionTime: at }) as JobCondition;

interface Case {
  name: string;
  ttl?: number;
  status: JobStatus;
  now: string;
  /** ms left; undefined: never expires */
  left: number | undefined;
}

const NOW = '2026-01-01T00:01:00Z';

const cases: Case[] = [
  { name: 'no TTL', status: { conditions: [cond('Complete', 'True', NOW)] }, now: NOW, left: undefined },
  { name: 'unfinished', ttl: 0, status: { active: 1 }, now: NOW, left: undefined },
  {
    name: 'finish condition not true',
    ttl: 0,
    status: { conditions: [cond('Failed', 'False', NOW)] },
    now: NOW,
    left: undefined,
  },
  {
    name: 'finish time unknown: skipped',
    ttl: 0,
    status: { conditions: [cond('Complete', 'True')] },
    now: NOW,
    left: undefined,
  },
  {
    name: 'Complete, TTL 0: expires at once',
    ttl: 0,
    status: { conditions: [cond('Complete', 'True', NOW)] },
    now: NOW,
    left: 0,
  },
  {
    name: 'Complete, time left',
    ttl: 30,
    status: { conditions: [cond('Complete', 'True', '2026-01-01T00:00:50Z')] },
    now: NOW,
    left: 20_000,
  },
  {
    name: 'Failed, expired',
    ttl: 5,
    status: {
      conditions: [
        cond('FailureTarget', 'True', '2026-01-01T00:00:00Z'),
        cond('Failed', 'True', '2026-01-01T00:00:10Z'),
      ],
    },
    now: NOW,
    left: -45_000,
  },
  {
    name: 'the condition time counts, not completionTime',
    ttl: 10,
    status: {
      completionTime: '2026-01-01T00:00:00Z',
      conditions: [cond('Complete', 'True', '2026-01-01T00:00:55Z')],
    },
    now: NOW,
    left: 5_000,
  },
  {
    name: 'finished in the future (clock skew): deferred',
    ttl: 0,
    status: { conditions: [cond('Complete', 'True', '2026-01-01T00:02:00Z')] },
    now: NOW,
    left: 60_000,
  },
];

describe('ttlSecondsAfterFinished: when a finished job expires', () => {
  for (const c of cases) {
    it(c.name, () => {
      const job = {
        ...testJob('a', c.ttl === undefined ? {} : { ttlSecondsAfterFinished: c.ttl }),
        status: c.status,
      };
      const now = new Date(c.now);
      assert.equal(ttlTimeLeft(job, now), c.left);
      assert.equal(ttlExpiry(job), c.left === undefined ? undefined : now.getTime() + c.left);
      assert.equal(ttlExpired(job, now), c.left !== undefined && c.left <= 0);
    });
  }
});

describe('ttlDue: what to delete now, when to look again', () => {
  const jobs = cases.map((c, i) => ({
    ...testJob(`j${i}`, c.ttl === undefined ? {} : { ttlSecondsAfterFinished: c.ttl }),
    status: c.status,
  }));
  it('the expired jobs in order, and the earliest expiry of the others', () => {
    const { expired, nextExpiry } = ttlDue(jobs, new Date(NOW));
    assert.deepEqual(
      expired.map((j) => j.metadata.name),
      cases.flatMap((c, i) => (c.left !== undefined && c.left <= 0 ? [`j${i}`] : [])),
    );
    assert.equal(nextExpiry, Date.parse(NOW) + 5_000);
  });
  it('nothing to wait for: no expiry', () => {
    assert.deepEqual(ttlDue(jobs.slice(0, 4), new Date(NOW)), { expired: [] });
  });
});

describe('deleteExpired on a fake clock', () => {
  it('deletes each job when its TTL runs out, and says when the next one does', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const store = new MemoryStore();
    const finishedAt = (name: string, ttl: number) => ({
      ...testJob(name, { ttlSecondsAfterFinished: ttl }),
      status: { conditions: [cond('Complete', 'True', '2026-01-01T00:00:00Z')] },
    });
    for (const j of [finishedAt('ten', 10), finishedAt('sixty', 60), testJob('running')]) {
      await store.createJob({ ...j, status: j.status ?? {} });
    }
    const warnings: string[] = [];
    const sweep = async () =>
      deleteExpired(
        (await store.listJobSummaries()).map((s) => s.job),
        clock.now(),
        { deleteJob: (name) => store.deleteJob(name), warning: (m) => warnings.push(m) },
      );
    const names = async () => (await store.listJobSummaries()).map((s) => s.job.metadata.name).sort();

    let next = await sweep();
    assert.equal(next, Date.parse('2026-01-01T00:00:10Z'));
    assert.deepEqual(await names(), ['running', 'sixty', 'ten']);
    await clock.advance(next! - clock.now().getTime());
    next = await sweep();
    assert.equal(next, Date.parse('2026-01-01T00:01:00Z'));
    assert.deepEqual(await names(), ['running', 'sixty']);
    await clock.advance(next! - clock.now().getTime());
    assert.equal(await sweep(), undefined);
    assert.deepEqual(await names(), ['running']);
    assert.deepEqual(warnings, []);
  });

  it('a failed deletion is a warning and the others still go', async () => {
    const job = (name: string) => ({
      ...testJob(name, { ttlSecondsAfterFinished: 0 }),
      status: { conditions: [cond('Failed', 'True', NOW)] },
    });
    const deleted: string[] = [];
    const warnings: string[] = [];
    await deleteExpired([job('a'), job('b')], new Date(NOW), {
      deleteJob: async (name) => {
        if (name === 'a') throw new Error('engine says no');
        deleted.push(name);
      },
      warning: (m) => warnings.push(m),
    });
    assert.deepEqual(deleted, ['b']);
    assert.deepEqual(warnings, ['deleting expired job a: engine says no']);
  });
});
