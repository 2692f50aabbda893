import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Backoff, ImagePullBackOff } from '../../../src/runtime/image-pull-backoff.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('client-go flowcontrol Backoff (kubelet image backoff: 10 s doubling to 300 s)', () => {
  it('doubles from the initial period to the cap; is in backoff only within the period', async () => {
    const clock = new FakeClock();
    const b = new Backoff(10_000, 300_000);
    const t = () => clock.now().getTime();
    const periods: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.next('k', t());
      const until = b.until('k')!;
      periods.push((until - t()) / 1000);
      assert.equal(b.inBackOff('k', t()), true);
      await clock.advance(until - t() - 1);
      assert.equal(b.inBackOff('k', t()), true, `1 ms before the end of period ${i}`);
      await clock.advance(1);
      assert.equal(b.inBackOff('k', t()), false, `at the end of period ${i}`);
    }
    assert.deepEqual(periods, [10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('an entry quiet for more than twice the cap starts again at the initial period; GC forgets it', async () => {
    const clock = new FakeClock();
    const b = new Backoff(10_000, 300_000);
    const t = () => clock.now().getTime();
    b.next('k', t());
    b.next('k', t());
    assert.equal(b.until('k')! - t(), 20_000);
    await clock.advance(600_000);
    b.next('k', t());
    assert.equal(b.until('k')! - t(), 40_000, 'exactly twice the cap is not yet expired');
    await clock.advance(600_001);
    assert.equal(b.inBackOff('k', t()), false);
    b.next('k', t());
    assert.equal(b.until('k')! - t(), 10_000);
    await clock.advance(600_001);
    b.gc(t());
    assert.equal(b.until('k'), undefined);
  });
});

describe('ImagePullBackOff: the waiting reasons of image_manager.go', () => {
  it('ErrImagePull on a failure, then ImagePullBackOff with the last error until the period ends; per pod and image', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const m = new ImagePullBackOff();
    const img = 'r.io/app:1';
    const steps: [number, string, string | undefined][] = [];
    const step = async (advanceS: number, action: 'check' | 'fail') => {
      await clock.advance(advanceS * 1000);
      const w =
        action === 'check'
          ? m.beforePull('pod-a', img, clock.now())
          : m.pullFailed('pod-a', img, clock.now(), 'unauthorized: authentication required');
      steps.push([advanceS, w ? `${w.reason} ${w.message}` : 'pull', w?.retryAt.toISOString()]);
    };
    await step(0, 'check');
    await step(0, 'fail');
    await step(5, 'check');
    await step(5, 'check');
    await step(0, 'fail');
    await step(19, 'check');
    await step(1, 'check');
    const failed = 'Failed to pull image "r.io/app:1": unauthorized: authentication required';
    assert.deepEqual(steps, [
      [0, 'pull', undefined],
      [0, `ErrImagePull ${failed}`, '2026-01-01T00:00:10.000Z'],
      [
        5,
        `ImagePullBackOff Back-off pulling image "r.io/app:1": ErrImagePull: ${failed}`,
        '2026-01-01T00:00:10.000Z',
      ],
      [5, 'pull', undefined],
      [0, `ErrImagePull ${failed}`, '2026-01-01T00:00:30.000Z'],
      [
        19,
        `ImagePullBackOff Back-off pulling image "r.io/app:1": ErrImagePull: ${failed}`,
        '2026-01-01T00:00:30.000Z',
      ],
      [1, 'pull', undefined],
    ]);
    assert.equal(m.beforePull('pod-b', img, clock.now()), undefined, 'another pod has its own backoff');
    assert.equal(m.beforePull('pod-a', 'r.io/other:1', clock.now()), undefined, 'another image too');
  });
});
