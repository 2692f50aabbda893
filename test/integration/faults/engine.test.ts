// Engine faults on the real engine. (1) The engine stopped and restarted mid-job: on an engine of
// the test's own (a second dockerd, so the machine's shared engine is never touched), SIGTERM it
// while a pod runs, check tjob says so on stderr and waits, start it again, and check the job
// reaches its documented outcome: the pod stopped with the engine counts as failed once, the job
// goes on with a retry (a pod created while the engine shuts down waits for it, it does not
// fail), and nothing is lost or counted twice. (2) A running pod's container
// removed behind tjob's back (`docker rm -f`): the pod fails once, the job goes on.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { newStateDir, start, writeManifest } from '../cli/tjob-cli.js';
import {
  SecondEngine,
  checkFinishedJob,
  containersOfUid,
  countedPods,
  docker,
  jobYaml,
  removeContainersLabelled,
  runningPod,
  waitFor,
} from './fault-kit.js';

const P = `itfeng${process.pid}`;
const dirs: string[] = [];
const engines: SecondEngine[] = [];
after(async () => {
  for (const e of engines) await e.destroy();
  removeContainersLabelled(`io.tjob.job=${P}-rm`);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('engine faults', { concurrency: true }, () => {
  const skip = SecondEngine.available();
  it('the engine stopped and started again mid-job', { skip, timeout: 180_000 }, async () => {
    const bridgeBefore = existsSync('/sys/class/net/docker0');
    const engine = new SecondEngine();
    engines.push(engine);
    await engine.start();
    engine.loadImages(['busybox:latest', 'registry.k8s.io/pause:3.10']);
    const dir = newStateDir();
    dirs.push(dir);
    const name = `${P}-restart`;
    const file = writeManifest(jobYaml(name, { completions: 3, script: 'echo start; sleep 4; echo done' }));
    const run = start(['run', file, '--backoff', '1s'], dir, { DOCKER_HOST: engine.host });
    let stderr = '';
    run.child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const pod = await waitFor('a running pod', () => runningPod(dir, name), 90_000);

    await engine.stop();
    await waitFor(
      'tjob to notice',
      () => /Docker engine stopped answering/.test(stderr) || undefined,
      30_000,
    );
    // A gap in which tjob must not give up: the scenario.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(run.child.exitCode, null, 'tjob waits for the engine');
    await engine.start();

    const out = await run.done;
    assert.ok(existsSync('/sys/class/net/docker0') || !bridgeBefore, "the machine's docker0 is untouched");
    assert.equal(out.code, 0, out.stderr);
    assert.match(
      out.stderr,
      /Warning: the Docker engine stopped answering \(lost the Docker engine: [^)]*\); waiting for it\n/,
    );
    assert.match(out.stderr, /Warning: the Docker engine answers again; reconciling/);
    const { state, failed } = await checkFinishedJob(dir, name, 3, engine.host);
    // The pod running when the engine stopped was stopped with it: failed once, then retried.
    const lost = state.pods.find((p) => p.name === pod)!;
    assert.equal(lost.observation.phase, 'Failed', JSON.stringify(lost.observation));
    // Every other pod succeeded, the replacement too: created while the engine shut down, its
    // create or start met the engine going away, so it waited for the engine (Pending) and ran.
    for (const other of countedPods(state).filter((p) => p.name !== pod)) {
      assert.equal(other.observation.phase, 'Succeeded', JSON.stringify(other.observation));
    }
    assert.equal(failed, 1, 'one outage, one failure');
    assert.equal(out.stdout.split('\n').filter((l) => l.endsWith(' done')).length, 3);
    console.log(
      `FIGURES engine-restart: pods ${state.pods.length}, failed ${failed} (${lost.observation.reason ?? ''} exit ${lost.observation.containerStatuses[0]?.state.terminated?.exitCode ?? '-'}), succeeded ${state.job.status.succeeded}`,
    );
  });

  it(
    'one SIGTERM ends tjob run when the engine stops answering; the next run adopts and cleans up',
    {
      skip,
      timeout: 240_000,
    },
    async () => {
      const engine = new SecondEngine();
      engines.push(engine);
      await engine.start();
      engine.loadImages(['busybox:latest', 'registry.k8s.io/pause:3.10']);
      const dir = newStateDir();
      dirs.push(dir);
      const marker = newStateDir();
      dirs.push(marker);
      const name = `${P}-frozen`;
      // The pod runs until the test creates /m/go (at most 120 s), and stops at once on SIGTERM.
      const script = `trap 'exit 143' TERM; i=0; while [ ! -e /m/go ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done; echo done`;
      const file = writeManifest(
        jobYaml(name, { completions: 1, script }).replace(
          '      containers:',
          `      volumes: [{name: m, hostPath: {path: ${marker}, type: Directory}}]\n      containers:`,
        ) + '        volumeMounts: [{name: m, mountPath: /m}]\n',
      );
      const run = start(['run', file, '--backoff', '1s'], dir, { DOCKER_HOST: engine.host });
      const pod = await waitFor('a running pod', () => runningPod(dir, name), 90_000);

      engine.freeze();
      const signalled = Date.now();
      run.child.kill('SIGTERM');
      const out = await run.done;
      const took = Date.now() - signalled;
      engine.thaw();
      // Grace period 1 s + 10 s for the engine, and a few seconds of a loaded machine.
      assert.ok(took < 20_000, `one SIGTERM ended tjob after ${took} ms`);
      assert.equal(out.code, 143, out.stderr);
      assert.match(out.stderr, /SIGTERM received: stopping the pods and suspending the job/);
      assert.match(
        out.stderr,
        new RegExp(
          `Warning: the engine did not confirm within 11 s that these containers stopped: ${pod}/main \\([0-9a-f]{12}\\); leaving them: the next \`tjob run\` of the same file adopts them`,
        ),
      );
      const left = (await new FileStore(dir).loadJob(name))!;
      assert.equal(left.job.spec.suspend, true, 'recorded suspended');
      assert.equal(
        left.job.status.conditions?.find((c) => c.type === 'Suspended')?.status,
        'True',
        JSON.stringify(left.job.status),
      );

      const again = start(['run', file, '--backoff', '1s'], dir, { DOCKER_HOST: engine.host });
      // The pod the first run asked to stop is stopped (adopted), not left running.
      await waitFor(
        'the old pod stopped',
        () =>
          containersOfUid(left.job.metadata.uid!, engine.host).every(
            (c) => c.pod !== pod || c.state !== 'running',
          ) || undefined,
        60_000,
      );
      writeFileSync(join(marker, 'go'), '');
      const second = await again.done;
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /job\.batch\/\S+ resumed/);
      const state = (await new FileStore(dir).loadJob(name))!;
      assert.equal(state.job.status.succeeded, 1);
      // Stopped for the suspension, the first pod failed (exit 143) without counting.
      assert.equal(state.job.status.failed ?? 0, 0);
      assert.equal(state.pods.find((p) => p.name === pod)?.observation.phase, 'Failed');
      const recorded = new Set(state.pods.map((p) => p.name));
      for (const c of containersOfUid(state.job.metadata.uid!, engine.host)) {
        assert.ok(recorded.has(c.pod), `container ${c.name} is of a recorded pod`);
        assert.notEqual(c.state, 'running', `container ${c.name} left running`);
      }
    },
  );

  it("a running pod's container removed behind tjob's back", { timeout: 120_000 }, async () => {
    const dir = newStateDir();
    dirs.push(dir);
    const name = `${P}-rm`;
    const file = writeManifest(jobYaml(name, { completions: 2, script: 'echo start; sleep 6; echo done' }));
    const run = start(['run', file, '--backoff', '1s'], dir);
    const pod = await waitFor('a running pod', () => runningPod(dir, name), 90_000);
    // Its container, once the engine has it running (the record may run ahead of a loaded engine).
    const container = `${pod}-main`;
    await waitFor('the container running', () => {
      try {
        return docker(['inspect', '-f', '{{.State.Running}}', container]).trim() === 'true' || undefined;
      } catch {
        return undefined;
      }
    });
    docker(['rm', '-f', container]);
    const out = await run.done;
    assert.equal(out.code, 0, out.stderr);
    const { state, failed } = await checkFinishedJob(dir, name, 2);
    assert.equal(failed, 1, 'the removed pod counts as failed once');
    const gone = state.pods.find((p) => p.name === pod)!;
    assert.equal(gone.observation.phase, 'Failed');
    assert.equal(state.pods.length, 3);
    const store = new FileStore(dir);
    assert.equal((await store.loadJob(name))!.job.status.failed, 1);
    console.log(
      `FIGURES container-removed: pods ${state.pods.length}, failed ${failed} (${gone.observation.reason ?? ''})`,
    );
  });
});
