// The pod supervisor when the engine goes away under a container that never ran (issue #9), on a
// fake engine: a start that meets the engine shutting down leaves the pod Pending and is tried
// again when the engine answers (the kubelet's behaviour), finding the container by its name;
// a start refused because containerd kept a half-made task makes the container again; a genuine
// refusal still fails the pod; a container that was running when the engine stopped still fails.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { PodObservation } from '../../../../src/api/pod.js';
import type { ContainerEvent, EventHub } from '../../../../src/runtime/docker/events.js';
import { LaunchGate } from '../../../../src/runtime/docker/launch-gate.js';
import { PodSupervisor } from '../../../../src/runtime/docker/pod-supervisor.js';
import { SystemClock } from '../../../../src/runtime/system-clock.js';
import { testPlan } from './plan.js';
import { waitFor } from '../../../support/wait-for.js';
import { tempDir } from '../../../support/jobs.js';

const root = tempDir('tjob-supervisor-');
after(() => rmSync(root, { recursive: true, force: true }));

const ZERO = '0001-01-01T00:00:00Z';

/** One frame of the engine's multiplexed stream (1: stdout, 2: stderr). */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function answered(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message} `), {
    statusCode,
    json: { message },
  });
}

interface FakeContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  status: 'created' | 'running' | 'exited';
  startedAt: string;
  finishedAt: string;
  exitCode: number;
}

/** Just the engine calls the supervisor makes, with scripted failures. */
class FakeEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly calls: string[] = [];
  /** The next start() calls reject with these, in order. */
  startFailures: Error[] = [];
  /** The next start starts the container, writes these lines to its attach stream and loses its answer. */
  lostStartWith: string[] | undefined;
  /** What the container has written, as `docker logs` replays it from its start. */
  logLines: string[] = [];
  private attached: PassThrough | undefined;
  private next = 0;

  private find(idOrName: string): FakeContainer {
    for (const c of this.containers.values()) if (c.id === idOrName || c.name === idOrName) return c;
    throw answered(404, `No such container: ${idOrName}`);
  }

  createContainer = async (opts: Docker.ContainerCreateOptions): Promise<{ id: string }> => {
    const name = opts.name ?? '';
    this.calls.push(`create ${name}`);
    for (const c of this.containers.values())
      if (c.name === name) throw answered(409, `Conflict. The container name "/${name}" is already in use`);
    const id = (++this.next).toString(16).padStart(64, '0');
    this.containers.set(id, {
      id,
      name,
      labels: opts.Labels ?? {},
      status: 'created',
      startedAt: ZERO,
      finishedAt: ZERO,
      exitCode: 0,
    });
    return { id };
  };

  getContainer = (idOrName: string) => ({
    inspect: async () => this.inspect(this.find(idOrName)),
    start: async () => {
      const c = this.find(idOrName);
      this.calls.push(`start ${c.name} ${c.id.slice(-2)}`);
      const failure = this.startFailures.shift();
      if (failure) throw failure;
      c.status = 'running';
      c.startedAt = new Date().toISOString();
      const lost = this.lostStartWith;
      if (lost) {
        this.lostStartWith = undefined;
        for (const l of lost) this.attached?.write(frame(1, `${l}\n`));
        // The scenario: the lines went out live, and the start's answer is lost a moment later.
        await new Promise((r) => setTimeout(r, 20));
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
    },
    remove: async () => {
      const c = this.find(idOrName);
      this.calls.push(`remove ${c.name} ${c.id.slice(-2)}`);
      this.containers.delete(c.id);
    },
    stop: async () => undefined,
    attach: async () => {
      this.attached = new PassThrough();
      return this.attached;
    },
    logs: async () => {
      const s = new PassThrough();
      for (const l of this.logLines) s.write(frame(1, `${new Date().toISOString()} ${l}\n`));
      s.end();
      return s;
    },
  });

  private inspect(c: FakeContainer): Docker.ContainerInspectInfo {
    return {
      Id: c.id,
      Name: `/${c.name}`,
      Image: 'sha256:busybox',
      Config: { Tty: false, Labels: c.labels, Image: 'busybox:latest' },
      State: {
        Status: c.status,
        Running: c.status === 'running',
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: 0,
        ExitCode: c.exitCode,
        Error: '',
        StartedAt: c.startedAt,
        FinishedAt: c.finishedAt,
      },
    } as unknown as Docker.ContainerInspectInfo;
  }

  only(): FakeContainer {
    const all = [...this.containers.values()];
    assert.equal(all.length, 1, JSON.stringify(all));
    return all[0]!;
  }
}

function setup(name: string, shared: { engine?: FakeEngine; launches?: LaunchGate } = {}) {
  const engine = shared.engine ?? new FakeEngine();
  const handlers = new Map<string, (ev: ContainerEvent) => void>();
  const hub = { down: false };
  const events = {
    ensure: async () => undefined,
    on: (id: string, h: (ev: ContainerEvent) => void) => handlers.set(id, h),
    off: (id: string) => handlers.delete(id),
    get isDown() {
      return hub.down;
    },
  } as unknown as EventHub;
  const seen: PodObservation[] = [];
  const logs: string[] = [];
  const sup = new PodSupervisor(
    {
      docker: engine as unknown as Docker,
      events,
      clock: new SystemClock(),
      pauseImage: 'registry.k8s.io/pause:3.10',
      instanceLabels: {},
      backoffBaseMs: 10,
      backoffCapMs: 100,
      podDir: join(root, name),
      launches: shared.launches ?? new LaunchGate(8),
      emitPod: (_uid, obs) => seen.push(obs),
      emitLog: (_uid, lines) => logs.push(...lines.text.slice(0, -1).split('\n')),
      debug: () => undefined,
    },
    testPlan({ name, uid: `${name}-uid` }),
  );
  const exit = (c: FakeContainer, code: number): void => {
    c.status = 'exited';
    c.exitCode = code;
    c.finishedAt = new Date().toISOString();
    handlers.get(c.id)?.({
      action: 'die',
      id: c.id,
      attributes: { exitCode: String(code) },
      timeNano: BigInt(Date.now()) * 1_000_000n,
    });
  };
  const last = (): PodObservation => seen[seen.length - 1]!;
  const until = (what: string, ok: (o: PodObservation) => boolean): Promise<PodObservation> =>
    waitFor(() => (seen.length > 0 && ok(last()) ? last() : undefined), {
      what: `the pod to be ${what} (last observation: ${JSON.stringify(last())} when the wait began)`,
    });
  return { engine, hub, sup, exit, last, until, logs };
}

const shuttingDown = answered(500, 'transport is closing: unavailable');

describe('pod supervisor: the engine goes away under a container that never ran', () => {
  it('a start that meets the engine shutting down waits for it, then starts the same container', async () => {
    const { engine, hub, sup, exit, until } = setup('wait-0');
    engine.startFailures = [shuttingDown];
    const first = await sup.start();
    assert.equal(first.phase, 'Pending', JSON.stringify(first));
    assert.equal(first.containerStatuses[0]?.state.waiting?.reason, 'ContainerCreating');
    assert.match(
      first.containerStatuses[0]?.state.waiting?.message ?? '',
      /waiting for the Docker engine: transport is closing/,
    );
    // The engine stops, then answers again: the runtime reconciles every pod.
    hub.down = true;
    hub.down = false;
    await sup.reconcile();
    const running = await until('running', (o) => o.phase === 'Running');
    assert.equal(running.containerStatuses[0]?.restartCount, 0);
    const c = engine.only(); // the same container, found by its name: none made twice
    assert.deepEqual(engine.calls, [
      'create wait-0-main',
      `start wait-0-main ${c.id.slice(-2)}`,
      'create wait-0-main',
      `start wait-0-main ${c.id.slice(-2)}`,
    ]);
    exit(c, 0);
    const done = await until('succeeded', (o) => o.phase === 'Succeeded');
    assert.equal(done.containerStatuses[0]?.state.terminated?.exitCode, 0);
    sup.dispose();
  });

  it('a container containerd cannot start again (stale task) is made again, not failed', async () => {
    const { engine, sup, exit, until } = setup('stale-0');
    engine.startFailures = [shuttingDown, answered(500, `task ${'ab'.repeat(32)}: already exists`)];
    assert.equal((await sup.start()).phase, 'Pending');
    await sup.reconcile();
    await until('running', (o) => o.phase === 'Running');
    const c = engine.only();
    assert.equal(c.id.slice(-2), '02', 'a second container, the first removed');
    assert.ok(engine.calls.includes('remove stale-0-main 01'), engine.calls.join(', '));
    exit(c, 0);
    await until('succeeded', (o) => o.phase === 'Succeeded');
    sup.dispose();
  });

  it('a created container whose start never reached the engine is started after it came back', async () => {
    const { engine, sup, exit, until } = setup('reset-0');
    engine.startFailures = [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })];
    assert.equal((await sup.start()).phase, 'Pending');
    assert.equal(engine.only().status, 'created');
    await sup.reconcile();
    await until('running', (o) => o.phase === 'Running');
    exit(engine.only(), 0);
    await until('succeeded', (o) => o.phase === 'Succeeded');
    sup.dispose();
  });

  it('a container whose start answer was lost is followed again without repeating its lines', async () => {
    const { engine, sup, exit, until, logs } = setup('replay-0');
    engine.lostStartWith = ['one', 'two'];
    assert.equal((await sup.start()).phase, 'Pending');
    assert.deepEqual(logs, ['one', 'two'], 'passed on live, before the answer was lost');
    // It ran on meanwhile; found by its name, its log is followed from its start.
    engine.logLines = ['one', 'two', 'three'];
    await sup.reconcile();
    await until('running', (o) => o.phase === 'Running');
    await waitFor(() => logs.length >= 3, { what: 'the third line' });
    assert.deepEqual(logs, ['one', 'two', 'three']);
    exit(engine.only(), 0);
    await until('succeeded', (o) => o.phase === 'Succeeded');
    sup.dispose();
  });

  it('lines replayed in one message with new ones: only the new ones are passed on', async () => {
    const { engine, sup, exit, until, logs } = setup('replay-1');
    engine.lostStartWith = ['one\ntwo'];
    assert.equal((await sup.start()).phase, 'Pending');
    assert.deepEqual(logs, ['one', 'two']);
    engine.logLines = ['one\ntwo\nthree\nfour'];
    await sup.reconcile();
    await until('running', (o) => o.phase === 'Running');
    await waitFor(() => logs.length >= 4, { what: 'the new lines' });
    assert.deepEqual(logs, ['one', 'two', 'three', 'four']);
    exit(engine.only(), 0);
    await until('succeeded', (o) => o.phase === 'Succeeded');
    sup.dispose();
  });

  it('the engine refusing the start (not going away) still fails the pod', async () => {
    const { engine, sup } = setup('bad-0');
    engine.startFailures = [
      answered(
        400,
        'failed to create shim task: OCI runtime create failed: exec: "nope": executable file not found in $PATH: unknown',
      ),
    ];
    const obs = await sup.start();
    assert.equal(obs.phase, 'Failed', JSON.stringify(obs));
    assert.equal(obs.containerStatuses[0]?.state.waiting?.reason, 'CreateContainerError');
    sup.dispose();
  });

  it('a container that was running when the engine stopped still counts as failed', async () => {
    const { engine, hub, sup, until } = setup('lost-0');
    assert.equal((await sup.start()).phase, 'Running');
    const c = engine.only();
    hub.down = true;
    c.status = 'exited'; // stopped with the engine; its die event was lost with the stream
    c.exitCode = 137;
    c.finishedAt = new Date().toISOString();
    hub.down = false;
    await sup.reconcile();
    const obs = await until('failed', (o) => o.phase === 'Failed');
    assert.equal(obs.containerStatuses[0]?.state.terminated?.exitCode, 137);
    sup.dispose();
  });
});

describe('pod supervisor: the launch gate', () => {
  it('creates the next pod only once a launch through the gate has had its start answered', async () => {
    const engine = new FakeEngine();
    const launches = new LaunchGate(1);
    // The engine holds the first start until the test lets it go.
    let letStart!: () => void;
    const held = new Promise<void>((r) => (letStart = r));
    const start = engine.getContainer;
    engine.getContainer = (idOrName: string) => {
      const c = start(idOrName);
      return {
        ...c,
        start: async () => {
          await held;
          await c.start();
        },
      };
    };
    const a = setup('gate-a', { engine, launches });
    const b = setup('gate-b', { engine, launches });
    const startedA = a.sup.start();
    const startedB = b.sup.start();
    // a reaches the engine, and b waits at the gate.
    await waitFor(() => engine.calls.length > 0 && launches.load.waiting === 1, {
      what: 'a to reach the engine and b to wait at the launch gate',
    });
    assert.deepEqual(engine.calls, ['create gate-a-main'], 'b waits for its turn');
    assert.equal(b.sup.observe().phase, 'Pending');
    letStart();
    assert.equal((await startedA).phase, 'Running');
    assert.equal((await startedB).phase, 'Running');
    assert.deepEqual(
      engine.calls.map((c) => c.split(' ').slice(0, 2).join(' ')),
      ['create gate-a-main', 'start gate-a-main', 'create gate-b-main', 'start gate-b-main'],
    );
  });

  it('a pod deleted while it waits for its turn never creates a container', async () => {
    const engine = new FakeEngine();
    const launches = new LaunchGate(1);
    const release = await launches.enter();
    const p = setup('gate-del', { engine, launches });
    const started = p.sup.start();
    await waitFor(() => launches.load.waiting === 1, { what: 'the pod to wait at the launch gate' });
    p.sup.delete(0);
    release!();
    await started;
    assert.deepEqual(engine.calls, []);
  });
});
