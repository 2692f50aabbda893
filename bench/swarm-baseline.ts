// The Swarm scenario's baseline: N services of `busybox true` on a manager, P at a time, each a
// Replicated service of one task that Swarm does not restart, its task polled until it ended, then
// removed: what tjob does per pod, without tjob. Polls at the Swarm runtime's interval. Run as its
// own process (node start-up and loading dockerode included, as for tjob):
//   node dist/bench/swarm-baseline.js MANAGER_SOCKET N P LABEL_VALUE

import Docker from 'dockerode';
import { DefaultPollIntervalMs } from '../src/runtime/swarm/task-poller.js';

const [socketPath = '/var/run/docker.sock', n = '60', p = '4', label = 'bench'] = process.argv.slice(2);
const total = Number(n);
const parallel = Number(p);
const docker = new Docker({ socketPath });

let next = 0;
async function worker(): Promise<void> {
  while (next < total) {
    const i = next++;
    const created = (await docker.createService({
      Name: `${label}-loop-${i}`,
      Labels: { 'io.tjob.bench': label },
      TaskTemplate: {
        ContainerSpec: { Image: 'busybox:latest', Command: ['true'] },
        RestartPolicy: { Condition: 'none' },
      },
      Mode: { Replicated: { Replicas: 1 } },
    })) as { id?: string; ID?: string };
    const id = created.id ?? created.ID ?? '';
    for (;;) {
      const tasks = (await docker.listTasks({ filters: { service: [id] } })) as {
        Status?: { State?: string; Err?: string };
      }[];
      const state = tasks[0]?.Status?.State;
      if (state === 'complete') break;
      if (state === 'failed' || state === 'rejected')
        throw new Error(`task ${state}: ${tasks[0]?.Status?.Err}`);
      await new Promise((r) => setTimeout(r, DefaultPollIntervalMs));
    }
    await docker.getService(id).remove();
  }
}

await Promise.all(Array.from({ length: parallel }, worker));
