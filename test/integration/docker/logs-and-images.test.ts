// Logs (demultiplexed, split into lines, delivered before the pod's terminal observation), the
// latency from a container's exit to its pod's observation, ensureImages and ping.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ImageUnavailableError, RuntimeUnavailableError } from '../../../src/api/errors.js';
import { DockerRuntime } from '../../../src/runtime/docker/docker-runtime.js';
import { container, docker, Image, plan, suiteEnv, TestTimeout } from './harness.js';

describe('DockerRuntime logs', { timeout: 3 * TestTimeout }, () => {
  const env = suiteEnv();

  it(
    'delivers every line, with its stream, in order, before the terminal observation',
    { timeout: TestTimeout },
    async () => {
      const script = [
        'for i in $(seq 1 200); do echo "out $i"; done',
        'echo "err 1" >&2',
        'echo "out 201"',
        'echo "err 2" >&2',
        // A long line (longer than the engine's 16 KiB log message) and a last line without newline.
        'head -c 40000 /dev/zero | tr "\\0" x; echo',
        'printf "no newline"',
      ].join('; ');
      const p = plan(env.jobUid, { containers: [container('main', script)] });
      await env.runtime.startPod(p);
      const terminal = await env.recorder.terminal(p.name);
      assert.equal(terminal.phase, 'Succeeded');
      const terminalAt = env.recorder.observations.find(
        (o) => o.obs === terminal || o.obs.phase === 'Succeeded',
      )!.at;
      const lines = env.recorder.logs.filter((l) => l.line.pod === p.name);
      assert.ok(
        lines.every((l) => l.at <= terminalAt),
        'every line came before the terminal observation',
      );
      const stdout = lines.filter((l) => l.line.stream === 'stdout').map((l) => l.line.text);
      const stderr = lines.filter((l) => l.line.stream === 'stderr').map((l) => l.line.text);
      const want = Array.from({ length: 201 }, (_, i) => `out ${i + 1}`);
      assert.deepEqual(stdout.slice(0, 201), want);
      assert.equal(stdout[201], 'x'.repeat(40000));
      assert.equal(stdout[202], 'no newline');
      assert.equal(stdout.length, 203);
      assert.deepEqual(stderr, ['err 1', 'err 2']);
      assert.ok(lines.every((l) => l.line.container === 'main'));
      assert.match(lines[0]!.line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    },
  );

  it('measures the time from a container exit to the pod observation', { timeout: TestTimeout }, async () => {
    // The engine's own die events, received independently, to measure from.
    const events = (await docker.getEvents({
      filters: JSON.stringify({
        type: ['container'],
        event: ['die', 'died'], // Podman filters by its own name for it
        label: [`io.tjob.job-uid=${env.jobUid}`],
      }),
    } as never)) as unknown as NodeJS.ReadableStream & { destroy(): void };
    const dieAt = new Map<string, number>();
    events.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const ev = JSON.parse(line) as { Actor: { Attributes: Record<string, string> } };
        const pod = ev.Actor.Attributes['io.tjob.pod'];
        if (pod !== undefined) dieAt.set(pod, Date.now());
      }
    });
    const fromDie: number[] = [];
    const fromFinish: number[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        // Half run a little, half exit at once (their die can overtake the start call).
        const p = plan(env.jobUid, { containers: [container('main', i % 2 === 0 ? 'sleep 0.2' : 'true')] });
        await env.runtime.startPod(p);
        await env.recorder.terminal(p.name);
        const at = env.recorder.observations.find(
          (o) => o.obs.name === p.name && o.obs.phase === 'Succeeded',
        )!.at;
        await env.recorder.until(() => true, 'nothing');
        const [c] = await docker.listContainers({ all: true, filters: { label: [`io.tjob.pod=${p.name}`] } });
        const info = await docker.getContainer(c!.Id).inspect();
        fromFinish.push(at - nanoDateMs(info.State.FinishedAt));
        await new Promise((r) => setTimeout(r, 50)); // let the independent stream catch up
        const die = dieAt.get(p.name);
        if (die !== undefined) fromDie.push(at - die);
      }
    } finally {
      events.destroy();
    }
    const stats = (xs: number[]): string => {
      const s = [...xs].sort((a, b) => a - b);
      return `median ${s[s.length >> 1]!.toFixed(1)} ms, max ${s[s.length - 1]!.toFixed(1)} ms (n=${s.length})`;
    };
    console.log(`die event → onPod: ${stats(fromDie)}`);
    console.log(`container FinishedAt → onPod: ${stats(fromFinish)}`);
    assert.ok(Math.max(...fromFinish) < 2000, 'a generous bound that catches a hang or a poll');
  });
});

/** Milliseconds (with a fraction) of an engine RFC 3339 nano timestamp. */
function nanoDateMs(t: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
  if (!m) return Date.parse(t);
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

describe('DockerRuntime images and engine', { timeout: 2 * TestTimeout }, () => {
  const env = suiteEnv();

  it('ping answers', { timeout: TestTimeout }, async () => {
    await env.runtime.ping();
  });

  it('ping names the address and a hint when the engine is absent', { timeout: TestTimeout }, async () => {
    const rt = new DockerRuntime({
      workDir: env.workDir,
      restartBackoffBaseMs: 10,
      restartBackoffCapMs: 10,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    await assert.rejects(rt.ping(), (err: unknown) => {
      assert.ok(err instanceof RuntimeUnavailableError);
      assert.match(
        err.message,
        /cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker.sock: .*ENOENT/,
      );
      assert.match(err.hint ?? '', /dockerd|DOCKER_HOST/);
      return true;
    });
    await rt.close();
  });

  it(
    'a present image is fine under every policy; duplicates are checked once',
    { timeout: TestTimeout },
    async () => {
      const progress: string[] = [];
      const warnings = await env.runtime.ensureImages(
        [
          { image: Image, pullPolicy: 'IfNotPresent' },
          { image: Image, pullPolicy: 'Never' },
        ],
        (p) => progress.push(p.message),
      );
      assert.deepEqual(warnings, []);
      assert.deepEqual(progress, [], 'nothing pulled');
    },
  );

  it(
    'Always with an unreachable registry falls back to the local copy with a warning',
    { timeout: TestTimeout },
    async () => {
      const warnings = await env.runtime.ensureImages([{ image: Image, pullPolicy: 'Always' }]);
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0]!,
        new RegExp(`^Warning: pulling image "${Image}" failed \\(.+\\); using the local copy$`),
      );
    },
  );

  it('Never with a missing image → ImageUnavailableError', { timeout: TestTimeout }, async () => {
    await assert.rejects(
      env.runtime.ensureImages([{ image: 'tjob-test-absent:1', pullPolicy: 'Never' }]),
      (err: unknown) => {
        assert.ok(err instanceof ImageUnavailableError);
        assert.equal(err.message, 'image "tjob-test-absent:1" is not present and imagePullPolicy is Never');
        return true;
      },
    );
  });

  it(
    'IfNotPresent with a missing image and no registry → ImageUnavailableError naming both',
    { timeout: TestTimeout },
    async () => {
      const t0 = Date.now();
      await assert.rejects(
        env.runtime.ensureImages([{ image: 'tjob-test-absent:1', pullPolicy: 'IfNotPresent' }]),
        (err: unknown) => {
          assert.ok(err instanceof ImageUnavailableError);
          assert.match(err.message, /^image "tjob-test-absent:1" is not present and pulling it failed: .+/);
          return true;
        },
      );
      console.log(`failed pull reported in ${Date.now() - t0} ms`);
    },
  );
});
