// The engine's own limit for scenario 1: a minimal dockerode client that creates, starts, waits
// for and removes N `busybox true` containers, P at a time. Run as its own process (node start-up
// and loading dockerode included, as for tjob):
//   node dist/bench/api-baseline.js N P LABEL_VALUE

import Docker from 'dockerode';

const [n = '100', p = '4', label = 'bench'] = process.argv.slice(2);
const total = Number(n);
const parallel = Number(p);
const docker = new Docker({ socketPath: '/var/run/docker.sock' });

let next = 0;
async function worker(): Promise<void> {
  while (next < total) {
    next++;
    const c = await docker.createContainer({
      Image: 'busybox',
      Cmd: ['true'],
      Labels: { 'io.tjob.bench': label },
    });
    await c.start();
    const r = (await c.wait()) as { StatusCode: number };
    if (r.StatusCode !== 0) throw new Error(`exit ${r.StatusCode}`);
    await c.remove({ force: true });
  }
}

await Promise.all(Array.from({ length: parallel }, worker));
