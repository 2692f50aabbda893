// Adoption: a second DockerRuntime (a restarted tjob) finds the pods of a job by label and resumes
// supervising them: it observes completions, starts the next init container, restarts under
// OnFailure, and sees exits that happened while nobody watched.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import type { PodPlan } from '../../../src/api/pod.js';
import {
  container,
  containersOf,
  type Env,
  exitCode,
  plan,
  Recorder,
  setUp,
  suiteEnv,
  TestTimeout,
} from './harness.js';
import { waitFor } from '../../support/wait-for.js';

describe('DockerRuntime adoption', { timeout: 4 * TestTimeout }, () => {
  const env = suiteEnv();

  async function restart(): Promise<{ recorder: Recorder; runtime: Env['runtime'] }> {
    // The old process goes away without stopping anything; a new one starts over the same engine.
    env.unsubscribe();
    await env.runtime.close();
    const next = await setUp({ workDir: env.workDir });
    next.jobUid = env.jobUid;
    Object.assign(env, next);
    return { recorder: next.recorder, runtime: next.runtime };
  }

  it('a new runtime adopts a running pod and observes its completion', { timeout: TestTimeout }, async () => {
    // It runs until the test, once the new runtime adopted it, creates /gate/go (its emptyDir, on
    // the host under workDir): how long an engine takes to start a pod does not matter.
    const running = plan(env.jobUid, {
      volumes: [{ name: 'gate', emptyDir: {} }],
      containers: [
        container('main', 'until [ -e /gate/go ]; do sleep 0.1; done; echo adopted-done; exit 4', {
          volumeMounts: [{ name: 'gate', mountPath: '/gate' }],
        }),
      ],
    });
    const finished = plan(env.jobUid, { containers: [container('main', 'echo early')] });
    await env.runtime.startPod(running);
    await env.runtime.startPod(finished);
    await env.recorder.terminal(finished.name);
    await env.recorder.until(() => env.recorder.latest(running.name)?.phase === 'Running', 'running');

    const { recorder, runtime } = await restart();
    const plans = new Map<string, PodPlan>([
      [running.name, running],
      [finished.name, finished],
    ]);
    const found = await runtime.adoptPods(env.jobUid, plans);
    const byName = new Map(found.map((o) => [o.name, o]));
    assert.equal(byName.get(running.name)?.phase, 'Running');
    assert.equal(byName.get(finished.name)?.phase, 'Succeeded');
    await writeFile(join(env.workDir, env.jobUid, running.name, 'empty-dir', 'gate', 'go'), '');
    const got = await recorder.terminal(running.name);
    assert.equal(got.phase, 'Failed');
    assert.equal(exitCode(got, 'main'), 4);
    assert.ok(recorder.linesOf(running.name, 'main').some((l) => l.text === 'adopted-done'));
  });

  it(
    'exits while nobody watched are seen; the next init container is started',
    { timeout: TestTimeout },
    async () => {
      const p = plan(env.jobUid, {
        initContainers: [container('first', 'sleep 0.3')],
        containers: [container('main', 'echo main-ran')],
      });
      await env.runtime.startPod(p);
      // Stop watching before the init container ends.
      const { recorder, runtime } = await restart();
      // The init container exits while no runtime watches (the engine says so).
      await waitFor(async () => (await containersOf(env.jobUid, p.name)).some((c) => c.State === 'exited'), {
        what: 'the init container to exit while nobody watched',
      });
      const [obs] = await runtime.adoptPods(env.jobUid, new Map([[p.name, p]]));
      assert.ok(obs);
      const got = await recorder.terminal(p.name);
      assert.equal(got.phase, 'Succeeded');
      assert.equal(got.initContainerStatuses[0]?.state.terminated?.exitCode, 0);
      assert.ok(recorder.linesOf(p.name, 'main').some((l) => l.text === 'main-ran'));
    },
  );

  it('OnFailure restarts continue from the adopted attempt', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, {
      restartPolicy: 'OnFailure',
      volumes: [{ name: 'w', emptyDir: {} }],
      containers: [
        container(
          'main',
          'n=$(cat /w/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /w/n; sleep 0.3; [ $n -ge 3 ]',
          {
            volumeMounts: [{ name: 'w', mountPath: '/w' }],
          },
        ),
      ],
    });
    await env.runtime.startPod(p);
    await env.recorder.until(
      () => env.recorder.latest(p.name)?.containerStatuses[0]?.restartCount === 1,
      'the first restart',
    );
    const { recorder, runtime } = await restart();
    await runtime.adoptPods(env.jobUid, new Map([[p.name, p]]));
    const got = await recorder.terminal(p.name);
    assert.equal(got.phase, 'Succeeded');
    assert.equal(got.containerStatuses[0]?.restartCount, 2);
    const attempts = (await containersOf(env.jobUid, p.name)).map((c) => c.Labels['io.tjob.attempt']).sort();
    assert.deepEqual(attempts, ['0', '1', '2']);
  });

  it('pods without containers are absent', { timeout: TestTimeout }, async () => {
    const p = plan(env.jobUid, { containers: [container('main', 'true')] });
    const found = await env.runtime.adoptPods(`${env.jobUid}-none`, new Map([[p.name, p]]));
    assert.deepEqual(found, []);
  });
});
