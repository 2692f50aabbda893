// The kubelet semantics of DockerRuntime against a real engine: phases, exit codes, in-place
// restarts, init containers, shared namespaces, sidecars, OOM, deadlines and graceful deletion.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TjobLabel } from '../../../src/api/labels.js';
import type { PodObservation } from '../../../src/api/pod.js';
import { container, containersOf, exitCode, plan, suiteEnv, TestTimeout } from './harness.js';

describe('DockerRuntime pod lifecycle', { timeout: 5 * TestTimeout }, () => {
  const env = suiteEnv();

  it('exit 0 → Succeeded, labels on the container', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, { containers: [container('main', 'echo hello')] });
    p.index = 4;
    const first = await env.runtime.startPod(p);
    assert.equal(first.name, p.name);
    assert.notEqual(first.startTime, undefined);
    const got = await env.recorder.terminal(p.name);
    assert.equal(got.phase, 'Succeeded');
    assert.equal(exitCode(got, 'main'), 0);
    assert.equal(got.containerStatuses[0]?.state.terminated?.reason, 'Completed');
    assert.equal(got.ready, false);
    assert.notEqual(got.finishTime, undefined);
    const phases = env.recorder.of(p.name).map((o) => o.phase);
    assert.equal(phases.filter((x) => x === 'Succeeded').length >= 1, true);
    const [c] = await containersOf(env.jobUid, p.name);
    assert.ok(c);
    assert.equal(c.Names[0], `/${p.name}-main`);
    assert.equal(c.Labels[TjobLabel.managedBy], 'tjob');
    assert.equal(c.Labels[TjobLabel.podUid], p.uid);
    assert.equal(c.Labels[TjobLabel.container], 'main');
    assert.equal(c.Labels[TjobLabel.role], 'app');
    assert.equal(c.Labels[TjobLabel.index], '4');
    assert.equal(c.Labels[TjobLabel.attempt], '0');
    assert.equal(c.Labels[TjobLabel.job], p.jobName);
  });

  it('exit 3 → Failed with exitCode 3', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, { containers: [container('main', 'exit 3')] });
    await env.runtime.startPod(p);
    const got = await env.recorder.terminal(p.name);
    assert.equal(got.phase, 'Failed');
    assert.equal(exitCode(got, 'main'), 3);
    assert.equal(got.containerStatuses[0]?.state.terminated?.reason, 'Error');
    assert.equal(got.containerStatuses[0]?.restartCount, 0);
  });

  it('OnFailure restarts in place with backoff, counting restarts', { timeout: TestTimeout }, async () => {
    // Fails twice, then succeeds: the emptyDir counter survives the in-place restarts.
    const script = 'n=$(cat /work/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /work/n; [ $n -ge 3 ]';
    const p = plan(env.jobUid, {
      restartPolicy: 'OnFailure',
      volumes: [{ name: 'work', emptyDir: {} }],
      containers: [container('main', script, { volumeMounts: [{ name: 'work', mountPath: '/work' }] })],
    });
    const t0 = Date.now();
    await env.runtime.startPod(p);
    const got = await env.recorder.terminal(p.name);
    const elapsed = Date.now() - t0;
    assert.equal(got.phase, 'Succeeded');
    const status = got.containerStatuses[0]!;
    assert.equal(status.restartCount, 2);
    assert.equal(status.lastState?.terminated?.exitCode, 1);
    // Backoff: 0 s before the first restart, then 200 ms before the second.
    assert.ok(elapsed >= 200, `elapsed ${elapsed} ms`);
    const seen = env.recorder.of(p.name);
    assert.ok(
      seen.every((o) => o.phase !== 'Failed'),
      'never Failed while restarting',
    );
    assert.ok(seen.some((o) => o.phase === 'Running' && o.containerStatuses[0]?.restartCount === 1));
    assert.ok(
      seen.some((o) => o.containerStatuses[0]?.state.waiting?.reason === 'CrashLoopBackOff'),
      'a CrashLoopBackOff wait is observed',
    );
    const names = (await containersOf(env.jobUid, p.name)).map((c) => c.Names[0]).sort();
    assert.deepEqual(names, [`/${p.name}-main`, `/${p.name}-main-1`, `/${p.name}-main-2`]);
  });

  it(
    'init container fills an emptyDir the app reads; Pending during init',
    { timeout: TestTimeout },
    async () => {
      const mount = { volumeMounts: [{ name: 'data', mountPath: '/data' }] };
      const p = plan(env.jobUid, {
        volumes: [{ name: 'data', emptyDir: {} }],
        initContainers: [container('fill', 'sleep 0.3; echo from-init > /data/msg', mount)],
        containers: [container('main', 'cat /data/msg', mount)],
      });
      const first = await env.runtime.startPod(p);
      assert.equal(first.phase, 'Pending');
      const got = await env.recorder.terminal(p.name);
      assert.equal(got.phase, 'Succeeded');
      assert.equal(got.initContainerStatuses[0]?.state.terminated?.exitCode, 0);
      assert.deepEqual(
        env.recorder.linesOf(p.name, 'main').map((l) => l.text),
        ['from-init'],
      );
      const seen = env.recorder.of(p.name);
      const firstRunning = seen.findIndex((o) => o.phase === 'Running' || o.phase === 'Succeeded');
      assert.ok(seen.slice(0, firstRunning).every((o) => o.phase === 'Pending'));
      assert.ok(
        seen.some((o) => o.phase === 'Pending' && o.initContainerStatuses[0]?.state.running !== undefined),
        'Pending while the init container runs',
      );
    },
  );

  it(
    'a failing init container with Never fails the pod; apps never start',
    { timeout: TestTimeout },
    async () => {
      const p = plan(env.jobUid, {
        initContainers: [container('setup', 'exit 7')],
        containers: [container('main', 'echo should-not-run')],
      });
      await env.runtime.startPod(p);
      const got = await env.recorder.terminal(p.name);
      assert.equal(got.phase, 'Failed');
      assert.equal(got.initContainerStatuses[0]?.state.terminated?.exitCode, 7);
      assert.equal(got.containerStatuses[0]?.state.running, undefined);
      const names = (await containersOf(env.jobUid, p.name)).map((c) => c.Labels[TjobLabel.container]).sort();
      assert.deepEqual(names, ['pause', 'setup']);
    },
  );

  it('two containers talk over localhost (shared network namespace)', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, {
      containers: [
        container('server', 'echo pong | nc -l -p 8080'),
        container('client', 'for i in $(seq 1 50); do nc localhost 8080 && exit 0; sleep 0.1; done; exit 1'),
      ],
    });
    await env.runtime.startPod(p);
    const got = await env.recorder.terminal(p.name);
    assert.equal(got.phase, 'Succeeded', JSON.stringify(got.containerStatuses));
    assert.deepEqual(
      env.recorder
        .linesOf(p.name, 'client')
        .filter((l) => l.stream === 'stdout') // stderr: refused tries while the server starts
        .map((l) => l.text),
      ['pong'],
    );
    const pause = (await containersOf(env.jobUid, p.name)).find((c) => c.Labels[TjobLabel.role] === 'pause');
    assert.ok(pause, 'a pause container holds the namespaces');
    assert.equal(pause.Names[0], `/${p.name}-pause`);
  });

  it('a native sidecar keeps running and does not block completion', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, {
      terminationGracePeriodSeconds: 10,
      initContainers: [
        container('side', "trap 'exit 0' TERM; while true; do sleep 0.1; done", { restartPolicy: 'Always' }),
      ],
      containers: [container('main', 'sleep 0.5; echo done')],
    });
    await env.runtime.startPod(p);
    const got = await env.recorder.terminal(p.name);
    assert.equal(got.phase, 'Succeeded');
    // Stopped once the app had ended, it left at once: not held for its grace period.
    const at = (pred: (o: PodObservation) => boolean) =>
      env.recorder.observations.find((o) => o.obs.name === p.name && pred(o.obs))!.at;
    const appEnded = at((o) => o.containerStatuses[0]?.state.terminated !== undefined);
    const podEnded = at((o) => o.phase === 'Succeeded');
    assert.ok(podEnded - appEnded < 8000, 'the sidecar did not hold the pod');
    assert.ok(
      env.recorder.of(p.name).some((o) => o.phase === 'Running' && o.initContainerStatuses[0]?.state.running),
      'the sidecar ran beside the app',
    );
    // The pod ends once its sidecar has been stopped (the kubelet's getPhase counts a running
    // sidecar): its final observation records the sidecar's end.
    const side = got.initContainerStatuses[0]!;
    assert.equal(side.state.terminated?.exitCode, 0, JSON.stringify(side));
    assert.equal(side.state.terminated?.reason, 'Completed');
    assert.ok(side.state.terminated?.finishedAt, 'finishedAt is recorded');
    assert.equal(side.ready, false);
    const mainStarted = got.containerStatuses[0]?.state.terminated?.startedAt ?? '';
    assert.ok(side.state.terminated!.startedAt! <= mainStarted, 'the sidecar started before the app');
  });

  it(
    'sidecars are stopped after the app, last declared first, within the grace period',
    { timeout: TestTimeout },
    async () => {
      const loop = 'while true; do sleep 0.1; done';
      const p = plan(env.jobUid, {
        terminationGracePeriodSeconds: 3,
        initContainers: [
          // Ignores SIGTERM: killed once the grace period has run out.
          container('deaf', `trap '' TERM; ${loop}`, { restartPolicy: 'Always' }),
          container('quick', `trap 'exit 0' TERM; ${loop}`, { restartPolicy: 'Always' }),
          container('slow', `trap 'sleep 1; exit 0' TERM; ${loop}`, { restartPolicy: 'Always' }),
        ],
        containers: [container('main', 'sleep 0.5')],
      });
      await env.runtime.startPod(p);
      const got = await env.recorder.terminal(p.name);
      assert.equal(got.phase, 'Succeeded', "the outcome is the app container's");
      const [deaf, quick, slow] = got.initContainerStatuses;
      assert.deepEqual(
        [deaf, quick, slow].map((s) => [s?.state.terminated?.exitCode, s?.state.terminated?.reason]),
        [
          [137, 'Error'],
          [0, 'Completed'],
          [0, 'Completed'],
        ],
      );
      // Each is asked to stop only once the sidecars declared after it have ended.
      const obs = env.recorder.of(p.name);
      const whenEnded = (i: number) => obs.find((o) => o.initContainerStatuses[i]?.state.terminated);
      assert.ok(whenEnded(2)?.initContainerStatuses[1]?.state.running, 'quick still ran when slow ended');
      assert.ok(whenEnded(1)?.initContainerStatuses[0]?.state.running, 'deaf still ran when quick ended');
      assert.ok(
        obs.every((o) => o.phase !== 'Succeeded' || o.initContainerStatuses.every((s) => s.state.terminated)),
        'the pod is not Succeeded while a sidecar runs',
      );
    },
  );

  it(
    'a sidecar that keeps crashing is restarted with backoff while the app runs',
    { timeout: TestTimeout },
    async () => {
      // Each run of the sidecar leaves a line; the app ends once it has seen three runs.
      const mount = { volumeMounts: [{ name: 'runs', mountPath: '/runs' }] };
      const p = plan(env.jobUid, {
        volumes: [{ name: 'runs', emptyDir: {} }],
        initContainers: [
          container('flaky', 'echo run >> /runs/flaky; sleep 0.2; exit 1', {
            restartPolicy: 'Always',
            ...mount,
          }),
        ],
        containers: [
          container(
            'main',
            'for i in $(seq 300); do [ $(wc -l < /runs/flaky) -ge 3 ] && exit 0; sleep 0.1; done; exit 1',
            mount,
          ),
        ],
      });
      await env.runtime.startPod(p);
      const got = await env.recorder.terminal(p.name);
      assert.equal(got.phase, 'Succeeded');
      const restarts = Math.max(
        ...env.recorder.of(p.name).map((o) => o.initContainerStatuses[0]?.restartCount ?? 0),
      );
      assert.ok(restarts >= 2, `the sidecar was restarted ${restarts} times`);
    },
  );

  it('a memory hog is OOMKilled (exit 137)', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, {
      containers: [
        // One process that grows until the OOM killer takes it (a pipeline could lose a child
        // instead, and the shell would then exit 0).
        container('hog', 'x=a; while true; do x=$x$x; done', {
          resources: { limits: { memory: '8Mi' } },
        }),
      ],
    });
    await env.runtime.startPod(p);
    const got = await env.recorder.terminal(p.name);
    assert.equal(got.phase, 'Failed');
    const t = got.containerStatuses[0]?.state.terminated;
    assert.equal(t?.exitCode, 137, JSON.stringify(t));
    if (process.env['TJOB_TEST_ENGINE'] === 'podman' && t?.reason !== 'OOMKilled') {
      // Podman 4.3 on a cgroup v1 host does not report the kernel's OOM kill (State.OOMKilled
      // stays false): the container is killed all the same (README, "Podman").
      assert.equal(t?.reason, 'Error', JSON.stringify(t));
      return;
    }
    assert.equal(t?.reason, 'OOMKilled', JSON.stringify(t));
  });

  it('activeDeadlineSeconds fails the pod with DeadlineExceeded', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, {
      activeDeadlineSeconds: 1,
      terminationGracePeriodSeconds: 1,
      containers: [container('main', 'sleep 30')],
    });
    const t0 = Date.now();
    await env.runtime.startPod(p);
    const got = await env.recorder.terminal(p.name);
    assert.equal(got.phase, 'Failed');
    assert.equal(got.reason, 'DeadlineExceeded');
    // Ended by the 1 s deadline, not by the container's own 30 s.
    assert.ok(Date.now() - t0 < 15_000);
    await env.recorder.until(
      () => env.recorder.latest(p.name)?.containerStatuses[0]?.state.terminated !== undefined,
      'the container to be killed',
    );
  });

  it(
    'deletePod stops with SIGTERM within the grace; terminating observed',
    { timeout: TestTimeout },
    async () => {
      const p = plan(env.jobUid, {
        containers: [container('main', "trap 'exit 143' TERM; while true; do sleep 0.1; done")],
      });
      await env.runtime.startPod(p);
      await env.recorder.until(() => env.recorder.latest(p.name)?.ready === true, 'the pod to be ready');
      await env.runtime.deletePod(env.jobUid, p.name, 20);
      const got = await env.recorder.terminal(p.name);
      assert.equal(got.phase, 'Failed');
      assert.equal(got.terminating, false);
      // 143 is the trap's answer to SIGTERM; the grace's SIGKILL would have given 137.
      assert.equal(exitCode(got, 'main'), 143);
      assert.ok(env.recorder.of(p.name).some((o) => o.terminating && o.phase === 'Running'));
    },
  );

  it('deletePod under OnFailure: no more restarts', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, {
      restartPolicy: 'OnFailure',
      containers: [container('main', 'sleep 0.2; exit 1')],
    });
    await env.runtime.startPod(p);
    await env.recorder.until(
      () => (env.recorder.latest(p.name)?.containerStatuses[0]?.restartCount ?? 0) >= 1,
      'a restart',
    );
    await env.runtime.deletePod(env.jobUid, p.name, 1);
    const got = await env.recorder.terminal(p.name);
    assert.equal(got.phase, 'Failed');
    const count = (await containersOf(env.jobUid, p.name)).length;
    // A gap in which nothing may happen: the scenario (a restart after deletion would come in it).
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(
      (await containersOf(env.jobUid, p.name)).length,
      count,
      'no container created after deletion',
    );
  });

  it('removePod removes every container of the pod', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, {
      initContainers: [container('init', 'true')],
      containers: [container('main', 'true')],
    });
    await env.runtime.startPod(p);
    await env.recorder.terminal(p.name);
    assert.ok((await containersOf(env.jobUid, p.name)).length >= 2);
    await env.runtime.removePod(env.jobUid, p.name);
    assert.deepEqual(await containersOf(env.jobUid, p.name), []);
  });
});
