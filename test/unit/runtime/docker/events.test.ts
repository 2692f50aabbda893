// The shared event stream as Podman's Docker-compatible API speaks it: it filters `event` by its own
// names (`died`, `remove`) and reports a removal as `remove`; the supervisors see Docker's names.

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';

import type Docker from 'dockerode';

import { EventHub, type ContainerEvent } from '../../../../src/runtime/docker/events.js';

function fakeEngine(): { docker: Docker; stream: PassThrough; filters: () => Record<string, string[]> } {
  const stream = new PassThrough();
  let asked: { filters: string } | undefined;
  const docker = {
    getEvents: async (opts: { filters: string }) => {
      asked = opts;
      return stream;
    },
    ping: async () => 'OK',
  } as unknown as Docker;
  return { docker, stream, filters: () => JSON.parse(asked!.filters) as Record<string, string[]> };
}

function line(action: string, id: string, attributes: Record<string, string> = {}): string {
  const event = {
    status: action,
    Action: action,
    Type: 'container',
    id,
    Actor: { ID: id, Attributes: attributes },
  };
  return `${JSON.stringify({ ...event, time: 1, timeNano: 1_000_000_001 })}\n`;
}

describe('EventHub on Podman', () => {
  it("subscribes with Docker's and Podman's names of the events it acts on", async () => {
    const engine = fakeEngine();
    const hub = new EventHub(engine.docker, { onDown: () => undefined, onUp: async () => undefined });
    await hub.ensure();
    const events = engine.filters()['event'] ?? [];
    for (const name of ['start', 'die', 'died', 'oom', 'destroy', 'remove'])
      assert.ok(events.includes(name), name);
    hub.close();
  });

  it("hands a handler Docker's names: remove → destroy, died → die; others unchanged", async () => {
    const engine = fakeEngine();
    const hub = new EventHub(engine.docker, { onDown: () => undefined, onUp: async () => undefined });
    await hub.ensure();
    const seen: ContainerEvent[] = [];
    hub.on('c1', (ev) => seen.push(ev));
    engine.stream.write(line('start', 'c1'));
    engine.stream.write(line('died', 'c1', { exitCode: '3' }));
    engine.stream.write(line('die', 'c1', { exitCode: '3' }));
    engine.stream.write(line('remove', 'c1'));
    engine.stream.write(line('die', 'other'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      seen.map((e) => [e.action, e.attributes['exitCode']]),
      [
        ['start', undefined],
        ['die', '3'],
        ['die', '3'],
        ['destroy', undefined],
      ],
    );
    hub.close();
  });
});
