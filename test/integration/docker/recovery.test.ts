// Recovery: the event stream breaking (as when the engine restarts) and container names left
// behind by a crashed run.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TjobLabel } from '../../../src/api/labels.js';
import { container, containersOf, docker, Image, plan, suiteEnv, TestTimeout } from './harness.js';

describe('DockerRuntime recovery', { timeout: 3 * TestTimeout }, () => {
  const env = suiteEnv();

  it(
    'a broken event stream is reported, resubscribed, and exits in between are seen',
    { timeout: TestTimeout },
    async () => {
      const quick = plan(env.jobUid, { containers: [container('main', 'sleep 30')] });
      const slow = plan(env.jobUid, { containers: [container('main', 'sleep 2')] });
      await env.runtime.startPod(quick);
      await env.runtime.startPod(slow);
      // Break the shared stream the way an engine restart does, and keep the engine "down" (pings
      // fail) for a while, during which one container is killed (the test reaches into the runtime).
      const internals = env.runtime as unknown as {
        hub: { stream?: { destroy(): void } };
        dockerClient: { ping(): Promise<unknown> };
      };
      const realPing = internals.dockerClient.ping.bind(internals.dockerClient);
      const downUntil = Date.now() + 1200;
      internals.dockerClient.ping = () =>
        Date.now() < downUntil
          ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
          : realPing();
      assert.ok(internals.hub.stream, 'the runtime holds one event stream');
      internals.hub.stream.destroy();
      const [victim] = await containersOf(env.jobUid, quick.name);
      await docker.getContainer(victim!.Id).kill();
      await env.recorder.until(
        () => env.recorder.engineDown.some((e) => e.down) && env.recorder.engineDown.some((e) => !e.down),
        'engine down, then up',
      );
      assert.equal(env.recorder.engineDown[0]?.down, true);
      assert.match(env.recorder.engineDown[0]!.message, /lost the Docker engine/);
      internals.dockerClient.ping = realPing;
      const q = await env.recorder.terminal(quick.name);
      const upAt = env.recorder.engineDown.find((e) => !e.down)!.at;
      const seenAt = env.recorder.observations.find(
        (o) => o.obs.name === quick.name && o.obs.phase === 'Failed',
      )!.at;
      assert.ok(seenAt >= upAt, 'the exit during the outage was seen once the engine was back');
      assert.equal(q.phase, 'Failed');
      assert.equal(q.containerStatuses[0]?.state.terminated?.exitCode, 137);
      const s = await env.recorder.terminal(slow.name);
      assert.equal(s.phase, 'Succeeded');
    },
  );

  it(
    'a container of the same pod name left by a crashed run is replaced',
    { timeout: TestTimeout },
    async () => {
      const p = plan(env.jobUid, { containers: [container('main', 'echo fresh')] });
      const stale = await docker.createContainer({
        name: `${p.name}-main`,
        Image: Image,
        Cmd: ['sh', '-c', 'echo stale'],
        Labels: {
          [TjobLabel.managedBy]: 'tjob',
          [TjobLabel.jobUid]: env.jobUid,
          [TjobLabel.pod]: p.name,
          [TjobLabel.podUid]: 'an-older-pod-uid',
          [TjobLabel.container]: 'main',
          [TjobLabel.attempt]: '0',
        },
      });
      await env.runtime.startPod(p);
      const got = await env.recorder.terminal(p.name);
      assert.equal(got.phase, 'Succeeded');
      assert.deepEqual(
        env.recorder.linesOf(p.name).map((l) => l.text),
        ['fresh'],
      );
      const ids = (await containersOf(env.jobUid, p.name)).map((c) => c.Id);
      assert.ok(!ids.includes(stale.id), 'the stale container was removed');
    },
  );

  it(
    'the very container of this pod, created before a crash, is adopted',
    { timeout: TestTimeout },
    async () => {
      const p = plan(env.jobUid, { containers: [container('main', 'echo unused')] });
      const mine = await docker.createContainer({
        name: `${p.name}-main`,
        Image: Image,
        Cmd: ['sh', '-c', 'echo adopted'],
        Labels: {
          [TjobLabel.managedBy]: 'tjob',
          [TjobLabel.jobUid]: env.jobUid,
          [TjobLabel.pod]: p.name,
          [TjobLabel.podUid]: p.uid,
          [TjobLabel.container]: 'main',
          [TjobLabel.attempt]: '0',
        },
      });
      await env.runtime.startPod(p);
      const got = await env.recorder.terminal(p.name);
      assert.equal(got.phase, 'Succeeded');
      assert.equal(got.containerStatuses[0]?.containerID, `docker://${mine.id}`);
      assert.ok(env.recorder.linesOf(p.name).some((l) => l.text === 'adopted'));
    },
  );

  it(
    'a name taken by a container tjob did not create fails the pod with a message',
    { timeout: TestTimeout },
    async () => {
      const p = plan(env.jobUid, { containers: [container('main', 'true')] });
      await docker.createContainer({
        name: `${p.name}-main`,
        Image: Image,
        Cmd: ['true'],
        Labels: { [TjobLabel.jobUid]: env.jobUid }, // removed by the cleanup, but not tjob's
      });
      await env.runtime.startPod(p);
      const got = await env.recorder.terminal(p.name);
      assert.equal(got.phase, 'Failed');
      assert.match(got.message ?? '', /is in use by a container tjob did not create/);
      assert.equal(got.containerStatuses[0]?.state.waiting?.reason, 'CreateContainerError');
    },
  );
});
