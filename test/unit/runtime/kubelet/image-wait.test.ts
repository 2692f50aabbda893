// A container whose image cannot be had, on the fake clock: the kubelet (pod-kubelet.ts) with the
// image manager's pull backoff (image-pull-backoff.ts) in the runtime's part, as the Docker
// runtime's PodImagePuller has it. ErrImagePull after a failed pull, ImagePullBackOff while the
// backoff lasts (10 s doubling), a pull at the pod's next sync after it, the container made once a
// pull succeeds; the pod stays Pending meanwhile and its activeDeadlineSeconds still ends it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { PodSpec } from '../../../../src/api/k8s.js';
import { ImagePullBackOff } from '../../../../src/runtime/image-pull-backoff.js';
import { POD_SYNC_ERROR_REQUEUE_MS } from '../../../../src/runtime/kubelet/pod-kubelet.js';
import { kubeletFor } from './harness.js';

const image = '127.0.0.1:5000/team/app:1';

/** The kubelet with a runtime whose image manager pulls `image` until the registry has it. */
function withImageManager(spec: Partial<PodSpec>) {
  const k = kubeletFor({ ...spec, containers: [{ name: 'main', image }] });
  const backoff = new ImagePullBackOff();
  const registry = { has: false };
  const pulls: string[] = [];
  const retryAts: string[] = [];
  /** Carries out the launches asked for: the image manager first, as PodImagePuller.ensure. */
  const act = (): void => {
    for (const action of k.runtime.take()) {
      if (action !== `launch main#${k.slot('main').attempt}`) continue;
      const slot = k.slot('main');
      const now = k.clock.now();
      const backingOff = backoff.beforePull('pod-uid', image, now);
      if (backingOff) {
        k.kubelet.imageUnavailable(slot, { reason: backingOff.reason, message: backingOff.message });
        continue;
      }
      pulls.push(now.toISOString().slice(11, 19));
      if (!registry.has) {
        const failed = backoff.pullFailed('pod-uid', image, now, 'manifest unknown');
        retryAts.push(failed.retryAt.toISOString().slice(11, 19));
        k.kubelet.imageUnavailable(slot, { reason: failed.reason, message: failed.message });
        continue;
      }
      backoff.pullSucceeded(now);
      k.start('main');
    }
  };
  return { ...k, registry, pulls, retryAts, act };
}

describe('kubelet: a container waiting for its image', () => {
  it('ErrImagePull, then ImagePullBackOff with a growing backoff, then running once the pull succeeds', async () => {
    const k = withImageManager({});
    k.kubelet.placed(k.clock.now());
    k.kubelet.run();
    // [seconds since start, the waiting reason then]
    const table: [number, string][] = [
      [0, 'ErrImagePull'], // first pull fails: backoff 10 s
      [10, 'ErrImagePull'], // the next sync is past it: pulled again, fails: backoff 20 s
      [20, 'ImagePullBackOff'], // inside the backoff: no pull
      [30, 'ErrImagePull'], // backoff 40 s
      [40, 'ImagePullBackOff'],
      [50, 'ImagePullBackOff'],
      [60, 'ImagePullBackOff'],
      [70, 'ErrImagePull'], // backoff 80 s
    ];
    let t = 0;
    for (const [at, reason] of table) {
      await k.advance((at - t) * 1000);
      t = at;
      k.act();
      const s = k.status('main');
      assert.equal(s.state.waiting?.reason, reason, `at ${at}s`);
      assert.equal(s.restartCount, 0, 'waiting for an image is no restart');
      assert.equal(k.observe().phase, 'Pending', `at ${at}s`);
    }
    assert.deepEqual(k.pulls, ['00:00:00', '00:00:10', '00:00:30', '00:01:10']);
    assert.deepEqual(k.retryAts, ['00:00:10', '00:00:30', '00:01:10', '00:02:30'], 'the backoff doubles');
    assert.match(
      k.status('main').state.waiting?.message ?? '',
      /^Failed to pull image ".*": manifest unknown$/,
    );
    await k.advance(POD_SYNC_ERROR_REQUEUE_MS);
    k.act();
    assert.deepEqual(k.status('main').state.waiting, {
      reason: 'ImagePullBackOff',
      message: `Back-off pulling image "${image}": ErrImagePull: Failed to pull image "${image}": manifest unknown`,
    });

    // The image is pushed: the first sync after the backoff pulls it and the container runs.
    k.registry.has = true; // at 1:20
    for (let i = 0; i < 6; i++) {
      await k.advance(POD_SYNC_ERROR_REQUEUE_MS);
      k.act();
      assert.equal(k.status('main').state.waiting?.reason, 'ImagePullBackOff', 'not before the backoff ends');
    }
    await k.advance(POD_SYNC_ERROR_REQUEUE_MS); // 2:30: the backoff ends
    k.act();
    assert.equal(k.pulls.at(-1), '00:02:30');
    assert.notEqual(k.status('main').state.running, undefined);
    assert.equal(k.observe().phase, 'Running');
    k.exit('main', 0);
    assert.equal(k.observe().phase, 'Succeeded');
  });

  it('activeDeadlineSeconds ends the pod while it backs off: Failed, DeadlineExceeded, no pull after', async () => {
    const k = withImageManager({ activeDeadlineSeconds: 25 });
    k.kubelet.placed(k.clock.now());
    k.kubelet.run();
    k.act();
    await k.advance(10_000);
    k.act();
    await k.advance(10_000);
    k.act();
    assert.equal(k.status('main').state.waiting?.reason, 'ImagePullBackOff');
    await k.advance(5000);
    const obs = k.observe();
    assert.equal(obs.phase, 'Failed');
    assert.equal(obs.reason, 'DeadlineExceeded');
    assert.deepEqual(k.runtime.take(), ['stop sandbox 30s']);
    await k.advance(600_000);
    k.act();
    assert.deepEqual(k.pulls, ['00:00:00', '00:00:10'], 'no pull once the pod has failed');
    assert.equal(k.status('main').state.waiting?.reason, 'ImagePullBackOff', 'as the kubelet leaves it');
  });

  it('an init container waits for its image before the app container is made', async () => {
    const k = kubeletFor({ initContainers: [{ name: 'init', image }] });
    k.kubelet.run();
    assert.deepEqual(k.runtime.take(), ['launch init#0']);
    k.kubelet.imageUnavailable(k.slot('init'), { reason: 'ErrImageNeverPull', message: 'absent' });
    const obs = k.observe();
    assert.equal(obs.phase, 'Pending');
    assert.equal(obs.initContainerStatuses[0]?.state.waiting?.reason, 'ErrImageNeverPull');
    assert.equal(k.status('main').state.waiting?.reason, 'PodInitializing');
    await k.advance(POD_SYNC_ERROR_REQUEUE_MS - 1);
    assert.deepEqual(k.runtime.take(), []);
    await k.advance(1);
    assert.deepEqual(k.runtime.take(), ['launch init#0'], 'tried again at the next sync');
  });
});
