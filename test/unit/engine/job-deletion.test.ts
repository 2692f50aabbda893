// Deleting a job: running pods stopped with the grace period, containers removed, then the
// records; a pod that cannot be removed keeps the job's record (fail closed).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PodsNotRemovedError } from '../../../src/api/errors.js';
import type { PodPhase } from '../../../src/api/k8s.js';
import type { PodRecord } from '../../../src/api/pod.js';
import type { PodRuntime } from '../../../src/ports/pod-runtime.js';
import { FileStore } from '../../../src/state/file-store.js';
import { deleteJobEverywhere, podsToStop, removePods } from '../../../src/engine/job-deletion.js';
import { tempDir, testJob } from '../../support/jobs.js';

const pod = (name: string, phase: PodPhase, removed = false): PodRecord => ({
  name,
  uid: `uid-${name}`,
  createdAt: '2026-01-01T00:00:00Z',
  labels: {},
  annotations: {},
  hostname: name,
  tracked: false,
  removed,
  observation: { phase } as PodRecord['observation'],
});

/** Records the calls; removing a pod named in `refuse` fails. */
function runtime(refuse: string[] = []) {
  const calls: string[] = [];
  const rt = {
    async deletePod(jobUid: string, name: string, grace: number) {
      calls.push(`stop ${jobUid} ${name} ${grace}`);
      throw new Error('stop request failed'); // not fatal: removal forces the stop
    },
    async removePod(jobUid: string, name: string) {
      calls.push(`remove ${jobUid} ${name}`);
      if (refuse.includes(name)) throw new Error('engine says no');
    },
  };
  return { calls, rt: rt as unknown as PodRuntime };
}

async function storedJob(pods: PodRecord[]) {
  const store = new FileStore(tempDir());
  const job = testJob('j');
  job.spec.template.spec.terminationGracePeriodSeconds = 7;
  await store.createJob({ ...job, status: {} });
  await store.commitJob('j', { pods });
  const state = await store.loadJob('j');
  assert.ok(state);
  return { store, state, uid: job.metadata.uid };
}

describe('job deletion', () => {
  const pods = [
    pod('j-run', 'Running'),
    pod('j-pend', 'Pending'),
    pod('j-ok', 'Succeeded'),
    pod('j-bad', 'Failed'),
    pod('j-gone', 'Succeeded', true),
  ];

  it('stops only the pods that may still run', () => {
    assert.deepEqual(
      podsToStop([...pods, pod('j-gone-running', 'Running', true)]).map((p) => p.name),
      ['j-run', 'j-pend'],
    );
  });

  it('stops the running pods with the grace period, removes every container left, then the records', async () => {
    const { store, state, uid } = await storedJob(pods);
    const { calls, rt } = runtime();
    await deleteJobEverywhere(state, store, rt);
    assert.deepEqual(calls.filter((c) => c.startsWith('stop')).sort(), [
      `stop ${uid} j-pend 7`,
      `stop ${uid} j-run 7`,
    ]);
    assert.deepEqual(calls.filter((c) => c.startsWith('remove')).sort(), [
      `remove ${uid} j-bad`,
      `remove ${uid} j-ok`,
      `remove ${uid} j-pend`,
      `remove ${uid} j-run`,
    ]);
    assert.equal(await store.loadJob('j'), undefined);
  });

  it('fails closed: a pod that cannot be removed keeps the job record, and every such pod is named', async () => {
    const { store, state } = await storedJob(pods);
    const { rt } = runtime(['j-run', 'j-bad']);
    await assert.rejects(deleteJobEverywhere(state, store, rt), (err: unknown) => {
      assert.ok(err instanceof PodsNotRemovedError);
      assert.deepEqual(err.failures, [
        { pod: 'j-bad', message: 'engine says no' },
        { pod: 'j-run', message: 'engine says no' },
      ]);
      assert.match(
        err.message,
        /^job "j" is not deleted: pod j-bad: engine says no; pod j-run: engine says no$/,
      );
      return true;
    });
    assert.equal((await store.loadJob('j'))?.pods.length, pods.length);
  });

  it('removePods reports the pods removed and the ones that failed', async () => {
    const { state } = await storedJob(pods);
    const { rt } = runtime(['j-ok']);
    const { removed, failures } = await removePods(rt, state.job, state.pods);
    assert.deepEqual(removed.map((p) => [p.name, p.removed]).sort(), [
      ['j-bad', true],
      ['j-pend', true],
      ['j-run', true],
    ]);
    assert.deepEqual(failures, [{ pod: 'j-ok', message: 'engine says no' }]);
  });
});
