// The kubelet's state machine for one pod on a fake clock (pod-kubelet.ts): what it asks the
// runtime to do as containers start and end, the phase and statuses it reports, restarts with
// backoff, init and sidecar sequencing, termination order, deadline, deletion, OOM patience.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { PodSpec } from '../../../../src/api/k8s.js';
import { OOM_REPORT_PATIENCE_MS } from '../../../../src/runtime/kubelet/pod-kubelet.js';
import { kubeletFor } from './harness.js';

/** A pod with sidecars s1 and s2 and the app main, all three started. */
function runningWithTwoSidecars(spec: Partial<PodSpec>) {
  const k = kubeletFor({
    ...spec,
    initContainers: [
      { name: 's1', restartPolicy: 'Always' },
      { name: 's2', restartPolicy: 'Always' },
    ],
    containers: [{ name: 'main' }],
  });
  k.kubelet.run();
  for (const name of ['s1', 's2', 'main']) k.start(name);
  k.runtime.take();
  return k;
}

describe('kubelet: one container', () => {
  it('Pending while made, Running once started, Succeeded on exit 0; the sandbox stopped last', () => {
    const k = kubeletFor({});
    k.kubelet.placed(k.clock.now());
    k.kubelet.run();
    assert.deepEqual(k.runtime.take(), ['launch main#0']);
    assert.equal(k.observe().phase, 'Pending');
    assert.equal(k.status('main').state.waiting?.reason, 'ContainerCreating');
    k.start('main');
    const running = k.observe();
    assert.equal(running.phase, 'Running');
    assert.equal(running.ready, true);
    assert.equal(running.startTime, '2026-01-01T00:00:00Z');
    assert.deepEqual(
      running.conditions?.map((c) => `${c.type}=${c.status}`),
      ['PodScheduled=True', 'Initialized=True', 'ContainersReady=True', 'Ready=True'],
    );
    k.exit('main', 0);
    assert.deepEqual(k.runtime.take(), ['stop sandbox 30s']);
    const done = k.observe();
    assert.equal(done.phase, 'Succeeded');
    assert.equal(done.ready, false);
    assert.equal(done.finishTime, '2026-01-01T00:00:00Z');
    assert.equal(done.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  });

  const outcomes: [string, 'Never' | 'OnFailure', number, string, string[]][] = [
    ['Never, exit 1: Failed, no restart', 'Never', 1, 'Failed', ['stop sandbox 30s']],
    ['OnFailure, exit 1: restarted at once', 'OnFailure', 1, 'Running', ['launch main#1']],
    ['OnFailure, exit 0: Succeeded', 'OnFailure', 0, 'Succeeded', ['stop sandbox 30s']],
  ];
  for (const [name, restartPolicy, code, phase, actions] of outcomes) {
    it(name, () => {
      const k = kubeletFor({ restartPolicy });
      k.kubelet.run();
      k.runtime.take();
      k.start('main');
      k.exit('main', code);
      assert.equal(k.observe().phase, phase);
      assert.deepEqual(k.runtime.take(), actions);
    });
  }

  it('decides nothing while the runtime is paused', () => {
    const k = kubeletFor({});
    k.runtime.paused = true;
    k.kubelet.run();
    assert.deepEqual(k.runtime.take(), []);
    k.runtime.paused = false;
    k.kubelet.step();
    assert.deepEqual(k.runtime.take(), ['launch main#0']);
  });
});

describe('kubelet: restart backoff (OnFailure)', () => {
  it('restarts at once, then after the base, doubling up to the cap, as CrashLoopBackOff', async () => {
    const k = kubeletFor({ restartPolicy: 'OnFailure' }, { baseMs: 10_000, capMs: 40_000 });
    k.kubelet.run();
    k.start('main');
    k.exit('main', 1);
    assert.deepEqual(k.runtime.take(), ['launch main#0', 'launch main#1']);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      k.start('main');
      k.exit('main', 1);
      const waiting = k.status('main').state.waiting;
      assert.equal(waiting?.reason, 'CrashLoopBackOff');
      assert.equal(k.status('main').lastState?.terminated?.exitCode, 1);
      assert.equal(k.status('main').restartCount, attempt);
      let waited = 0;
      while (k.runtime.actions.length === 0) {
        await k.advance(1000);
        waited += 1000;
      }
      delays.push(waited);
      assert.match(
        waiting?.message ?? '',
        new RegExp(`^back-off ${waited / 1000}s restarting failed container=main pod=p$`),
      );
      assert.deepEqual(k.runtime.take(), [`launch main#${attempt + 1}`]);
    }
    assert.deepEqual(delays, [10_000, 20_000, 40_000, 40_000, 40_000]);
    assert.equal(k.observe().phase, 'Running');
  });

  it('starts the backoff again after a run of 10 minutes', async () => {
    const k = kubeletFor({ restartPolicy: 'OnFailure' });
    k.kubelet.run();
    k.start('main');
    k.exit('main', 1); // restarted at once
    k.start('main');
    k.exit('main', 1); // 10s
    await k.advance(10_000);
    k.start('main');
    await k.advance(9 * 60_000 + 59_000);
    k.exit('main', 1); // ran 9m59s: 20s
    assert.equal(k.status('main').state.waiting?.reason, 'CrashLoopBackOff');
    await k.advance(20_000);
    k.runtime.take();
    k.start('main');
    await k.advance(10 * 60_000);
    k.exit('main', 1); // ran 10m: restarted at once
    assert.deepEqual(k.runtime.take(), ['launch main#4']);
  });

  it('a deletion during the backoff cancels the restart', async () => {
    const k = kubeletFor({ restartPolicy: 'OnFailure' });
    k.kubelet.run();
    k.start('main');
    k.exit('main', 1);
    k.start('main');
    k.exit('main', 1);
    k.runtime.take();
    k.kubelet.delete(30);
    await k.advance(60_000);
    assert.deepEqual(k.runtime.take(), ['stop sandbox 30s']);
    assert.equal(k.observe().phase, 'Failed');
  });
});

describe('kubelet: init containers and sidecars', () => {
  it('runs init containers one at a time, then the apps; a failed one fails the pod (Never)', () => {
    const k = kubeletFor({
      initContainers: [{ name: 'i1' }, { name: 'i2' }],
      containers: [{ name: 'a' }, { name: 'b' }],
    });
    k.kubelet.run();
    assert.deepEqual(k.runtime.take(), ['launch i1#0']);
    assert.equal(k.status('a').state.waiting?.reason, 'PodInitializing');
    k.start('i1');
    k.exit('i1', 0);
    assert.deepEqual(k.runtime.take(), ['launch i2#0']);
    k.start('i2');
    k.exit('i2', 1);
    assert.deepEqual(k.runtime.take(), ['stop sandbox 30s']);
    const obs = k.observe();
    assert.equal(obs.phase, 'Failed');
    assert.equal(obs.conditions?.find((c) => c.type === 'Initialized')?.status, 'False');
    assert.equal(obs.initContainerStatuses[0]?.ready, true);
    assert.equal(obs.initContainerStatuses[1]?.ready, false);
  });

  it('restarts a failed init container under OnFailure, then starts the apps together', () => {
    const k = kubeletFor({
      restartPolicy: 'OnFailure',
      initContainers: [{ name: 'i1' }],
      containers: [{ name: 'a' }, { name: 'b' }],
    });
    k.kubelet.run();
    k.start('i1');
    k.exit('i1', 2);
    assert.deepEqual(k.runtime.take(), ['launch i1#0', 'launch i1#1']);
    assert.equal(k.observe().phase, 'Pending');
    k.start('i1');
    k.exit('i1', 0);
    assert.deepEqual(k.runtime.take(), ['launch a#0', 'launch b#0']);
    assert.equal(k.observe().conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
  });

  it('starts a sidecar before the next init container, keeps it through the apps, stops it after them', () => {
    const k = kubeletFor({
      initContainers: [{ name: 'proxy', restartPolicy: 'Always' }, { name: 'setup' }],
      containers: [{ name: 'main' }],
    });
    k.kubelet.run();
    assert.deepEqual(k.runtime.take(), ['launch proxy#0']);
    k.kubelet.step(); // still being made: nothing after it yet
    assert.deepEqual(k.runtime.take(), []);
    k.start('proxy');
    assert.deepEqual(k.runtime.take(), ['launch setup#0']);
    k.start('setup');
    k.exit('setup', 0);
    assert.deepEqual(k.runtime.take(), ['launch main#0']);
    k.start('main');
    assert.equal(k.observe().initContainerStatuses[0]?.ready, true, 'a running sidecar is ready');
    k.exit('main', 0);
    assert.deepEqual(k.runtime.take(), ['stop proxy 30s']);
    assert.equal(k.observe().phase, 'Running', 'the sidecar is still stopping');
    k.exit('proxy', 143);
    assert.deepEqual(k.runtime.take(), ['stop sandbox 30s']);
    assert.equal(k.observe().phase, 'Succeeded', 'the sidecar exit code does not count');
  });

  it('restarts a sidecar that ends while the apps run, whatever its exit code, with backoff', async () => {
    const k = kubeletFor({
      initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
      containers: [{ name: 'main' }],
    });
    k.kubelet.run();
    k.start('proxy');
    k.start('main');
    k.runtime.take();
    k.exit('proxy', 0);
    assert.deepEqual(k.runtime.take(), ['launch proxy#1']);
    k.start('proxy');
    k.exit('proxy', 0);
    assert.equal(k.status('proxy').state.waiting?.reason, 'CrashLoopBackOff');
    await k.advance(10_000);
    assert.deepEqual(k.runtime.take(), ['launch proxy#2']);
  });

  it('stops sidecars last declared first, each with what is left of the grace period', async () => {
    const k = runningWithTwoSidecars({});
    k.kubelet.delete(30);
    assert.deepEqual(k.runtime.take(), ['stop main 30s']);
    assert.equal(k.observe().terminating, true);
    await k.advance(4000);
    k.exit('main', 143);
    assert.deepEqual(k.runtime.take(), ['stop s2 26s']);
    await k.advance(12_000);
    k.exit('s2', 143);
    assert.deepEqual(k.runtime.take(), ['stop s1 14s']);
    k.exit('s1', 143);
    assert.deepEqual(k.runtime.take(), ['stop sandbox 30s']);
    assert.equal(k.observe().phase, 'Failed');
    assert.equal(k.observe().terminating, false);
  });

  it('stops the waiting sidecars once the grace period has run out, with the minimum grace', async () => {
    const k = runningWithTwoSidecars({ terminationGracePeriodSeconds: 10 });
    k.exit('main', 0);
    assert.deepEqual(k.runtime.take(), ['stop s2 10s']);
    await k.advance(9999);
    assert.deepEqual(k.runtime.take(), []);
    await k.advance(1);
    assert.deepEqual(k.runtime.take(), ['stop s1 2s']);
  });
});

describe('kubelet: deadline, deletion, failures the runtime reports', () => {
  it('fails the pod at activeDeadlineSeconds from its start and stops its containers', async () => {
    const k = kubeletFor({ activeDeadlineSeconds: 5, terminationGracePeriodSeconds: 3 });
    k.kubelet.placed(k.clock.now());
    k.kubelet.run();
    k.start('main');
    k.runtime.take();
    await k.advance(4999);
    assert.equal(k.observe().phase, 'Running');
    await k.advance(1);
    assert.deepEqual(k.runtime.take(), ['stop main 3s']);
    const obs = k.observe();
    assert.equal(obs.phase, 'Failed');
    assert.equal(obs.reason, 'DeadlineExceeded');
    assert.equal(obs.message, 'Pod was active on the node longer than the specified deadline');
  });

  it('counts the deadline from an adopted pod start, not from the adoption', async () => {
    const k = kubeletFor({ activeDeadlineSeconds: 60 });
    k.kubelet.placed(new Date(k.clock.now().getTime() - 50_000));
    k.kubelet.run();
    await k.advance(10_000);
    assert.equal(k.observe().reason, 'DeadlineExceeded');
  });

  it('a pod deleted during its init containers is Failed once they stopped', () => {
    const k = kubeletFor({ initContainers: [{ name: 'i1' }] });
    k.kubelet.run();
    k.start('i1');
    k.runtime.take();
    k.kubelet.delete(5);
    assert.deepEqual(k.runtime.take(), ['stop i1 5s']);
    assert.equal(k.observe().phase, 'Pending');
    k.exit('i1', 137);
    assert.equal(k.observe().phase, 'Failed');
  });

  it('a container the runtime cannot make fails the pod with CreateContainerError', () => {
    const k = kubeletFor({});
    k.kubelet.run();
    k.kubelet.launchFailed(k.slot('main'), 'exec: "nope": executable file not found');
    const obs = k.observe();
    assert.equal(obs.phase, 'Failed');
    assert.equal(obs.message, 'container "main": exec: "nope": executable file not found');
    assert.deepEqual(obs.containerStatuses[0]?.state.waiting, {
      reason: 'CreateContainerError',
      message: 'exec: "nope": executable file not found',
    });
  });

  it('a lost container fails the pod with ContainerLost', () => {
    const k = kubeletFor({});
    k.kubelet.run();
    k.start('main');
    k.kubelet.lost(k.slot('main'), 'docker://abc');
    const obs = k.observe();
    assert.equal(obs.phase, 'Failed');
    assert.equal(obs.reason, 'ContainerLost');
    assert.equal(obs.containerStatuses[0]?.state.terminated?.exitCode, 137);
    assert.equal(obs.containerStatuses[0]?.state.terminated?.containerID, 'docker://abc');
  });

  it('a container the runtime cannot make yet waits with its reason, then is made again', async () => {
    const k = kubeletFor({});
    k.kubelet.run();
    k.runtime.take();
    // Any waiting reason the runtime gives is shown (the engine away; an image backing off).
    k.kubelet.retryLaunchAfter(k.slot('main'), 2000, {
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image',
    });
    assert.equal(k.observe().phase, 'Pending');
    assert.deepEqual(k.status('main').state.waiting, {
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image',
    });
    assert.equal(k.status('main').restartCount, 0);
    k.kubelet.step();
    assert.deepEqual(k.runtime.take(), [], 'not before the delay');
    await k.advance(2000);
    assert.deepEqual(k.runtime.take(), ['launch main#0'], 'the same attempt, no restart counted');
    k.kubelet.retryLaunchAfter(k.slot('main'), 60_000, { reason: 'ContainerCreating' });
    k.kubelet.releaseHolds();
    k.kubelet.step();
    assert.deepEqual(k.runtime.take(), ['launch main#0'], 'released early');
    k.start('main');
    assert.equal(k.status('main').state.running !== undefined, true);
  });
});

describe('kubelet: OOM report patience', () => {
  it('waits for an OOM report up to the patience, and not at all after its own stop', async () => {
    const k = kubeletFor({});
    k.kubelet.run();
    k.start('main');
    const slot = k.slot('main');
    let outcome: boolean | undefined;
    void k.kubelet.awaitOomReport(slot).then((v) => (outcome = v));
    await k.advance(OOM_REPORT_PATIENCE_MS - 1);
    assert.equal(outcome, undefined, 'still waiting');
    await k.advance(1);
    assert.equal(outcome, false, 'no report came');

    outcome = undefined;
    void k.kubelet.awaitOomReport(slot).then((v) => (outcome = v));
    await k.advance(1000);
    k.kubelet.oomKilled(slot);
    await k.advance(0);
    assert.equal(outcome, true, 'the report ends the wait at once');
    k.exit('main', 137, true);
    assert.equal(k.status('main').state.terminated?.reason, 'OOMKilled');
  });

  it('does not wait for a container the kubelet stopped', async () => {
    const k = kubeletFor({});
    k.kubelet.run();
    k.start('main');
    k.kubelet.delete(30);
    assert.equal(await k.kubelet.awaitOomReport(k.slot('main')), false);
  });
});
