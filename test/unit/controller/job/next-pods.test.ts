// predictNextPods: the pods syncJob will create once the active ones end (warm sandboxes). Each
// row also checks the prediction against syncJob itself: once the active pods succeed, the pods
// the controller creates are the predicted ones (same count, same indexes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../../../src/api/k8s.js';
import { predictNextPods } from '../../../../src/controller/job/next-pods.js';
import type { PodView } from '../../../../src/controller/job/types.js';
import { at, defaultOptions, job, pod } from './builders.js';
import { syncJob } from '../../../../src/controller/job/sync.js';

interface Row {
  name: string;
  job: Job;
  pods: PodView[];
  max: number;
  want: (number | undefined)[];
  /** Whether syncJob, after the active pods succeed, creates exactly the predicted pods. */
  checkAgainstSync?: boolean;
}

const succeededAll = (pods: PodView[]): PodView[] =>
  pods.map((p) => (p.phase === 'Running' || p.phase === 'Pending' ? { ...p, phase: 'Succeeded' } : p));

const rows: Row[] = [
  {
    name: 'chain: completions 20, parallelism 1, one running → one next pod',
    job: job({ completions: 20, parallelism: 1, status: { succeeded: 3 } }),
    pods: [pod('a').running().build()],
    max: 4,
    want: [undefined],
    checkAgainstSync: true,
  },
  {
    name: 'the last pod running: nothing after it',
    job: job({ completions: 5, parallelism: 1, status: { succeeded: 4 } }),
    pods: [pod('a').running().build()],
    max: 4,
    want: [],
    checkAgainstSync: true,
  },
  {
    name: 'parallelism 4 with 6 left beyond the active: one per active pod, up to max',
    job: job({ completions: 10, parallelism: 4 }),
    pods: ['a', 'b', 'c', 'd'].map((n) => pod(n).running().build()),
    max: 2,
    want: [undefined, undefined],
  },
  {
    name: 'parallelism 4, 2 left beyond the active: 2',
    job: job({ completions: 6, parallelism: 4 }),
    pods: ['a', 'b', 'c', 'd'].map((n) => pod(n).running().build()),
    max: 8,
    want: [undefined, undefined],
    checkAgainstSync: true,
  },
  {
    name: 'succeeded pods not yet counted in status count as done',
    job: job({ completions: 3, parallelism: 1, status: { succeeded: 1 } }),
    pods: [pod('a').succeeded().build(), pod('b').running().build()],
    max: 4,
    want: [],
  },
  {
    name: 'work queue (no completions): no pod follows a success',
    job: job({ parallelism: 2 }),
    pods: [pod('a').running().build(), pod('b').running().build()],
    max: 4,
    want: [],
  },
  {
    name: 'suspended: nothing',
    job: job({ completions: 5, suspend: true }),
    pods: [pod('a').running().build()],
    max: 4,
    want: [],
  },
  {
    name: 'finished: nothing',
    job: job({
      completions: 5,
      status: { conditions: [{ type: 'Complete', status: 'True' }] },
    }),
    pods: [pod('a').running().build()],
    max: 4,
    want: [],
  },
  {
    name: 'failing (FailureTarget, e.g. past its deadline): no pod comes after, nothing',
    job: job({
      completions: 50,
      status: { conditions: [{ type: 'FailureTarget', status: 'True' }] },
    }),
    pods: [pod('a').running().build()],
    max: 4,
    want: [],
  },
  {
    name: 'succeeding (SuccessCriteriaMet): nothing',
    job: job({
      completions: 5,
      status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] },
    }),
    pods: [pod('a').running().build()],
    max: 4,
    want: [],
  },
  {
    name: 'terminating pods are not active: nothing to replace them with yet',
    job: job({ completions: 5 }),
    pods: [pod('a').terminating(1).build()],
    max: 4,
    want: [],
  },
  {
    name: 'max 0 (the engine is busy): nothing',
    job: job({ completions: 5 }),
    pods: [pod('a').running().build()],
    max: 0,
    want: [],
  },
  {
    name: 'Indexed chain: index 0 running, the next is 1',
    job: job({ completions: 5, completionMode: 'Indexed' }),
    pods: [pod('a').index(0).running().build()],
    max: 4,
    want: [1],
    checkAgainstSync: true,
  },
  {
    name: 'Indexed: completed (status and uncounted pods) and active indexes are skipped, lowest first',
    job: job({
      completions: 8,
      parallelism: 2,
      completionMode: 'Indexed',
      status: { completedIndexes: '0,2' },
    }),
    pods: [
      pod('a').index(1).running().build(),
      pod('b').index(3).succeeded().build(),
      pod('c').index(5).running().build(),
    ],
    max: 4,
    want: [4, 6],
    checkAgainstSync: true,
  },
  {
    name: 'Indexed: failed indexes (backoffLimitPerIndex) are not picked again',
    job: job({
      completions: 4,
      completionMode: 'Indexed',
      backoffLimitPerIndex: 1,
      status: { failedIndexes: '1' },
    }),
    pods: [pod('a').index(0).running().build()],
    max: 4,
    want: [2],
  },
  {
    name: 'Indexed: every index done or active: nothing',
    job: job({ completions: 2, parallelism: 2, completionMode: 'Indexed' }),
    pods: [pod('a').index(0).running().build(), pod('b').index(1).running().build()],
    max: 4,
    want: [],
    checkAgainstSync: true,
  },
];

describe('predictNextPods', () => {
  for (const row of rows) {
    it(row.name, () => {
      const got = predictNextPods(row.job, row.pods, row.max).map((p) => p.index);
      assert.deepEqual(got, row.want);
      if (!row.checkAgainstSync) return;
      const first = syncJob({
        job: row.job,
        pods: succeededAll(row.pods),
        backoff: { failuresAfterLastSuccess: 0 },
        now: at(10),
        options: defaultOptions,
      });
      const creates = first.actions.filter((a) => a.type === 'createPod');
      assert.deepEqual(
        creates.map((a) => a.index).slice(0, got.length),
        got,
        'syncJob creates the predicted pods once the active ones succeed',
      );
      assert.equal(creates.length >= got.length, true);
    });
  }
});
