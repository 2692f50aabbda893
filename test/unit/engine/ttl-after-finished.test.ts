// When a finished job expires, as the TTL-after-finished controller decides it
// (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go, its timeLeft table).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobCondition, JobStatus } from '../../../src/api/k8s.js';
import { ttlExpired, ttlExpiry, ttlTimeLeft } from '../../../src/engine/ttl-after-finished.js';
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
