// The engine's own limit for a chain of pods (scenario chain): a minimal dockerode client that runs
// N `busybox true` containers one after the other, as fast as a client can on this engine, in one
// of two ways. Run as its own process (node start-up and loading dockerode included, as for tjob):
//   node dist/bench/engine-chain.js N MODE LABEL_VALUE
// MODE bridge:   each container on the default bridge (its own network namespace made at its
//                start); the finished ones are removed in the background, never while a start is
//                on its way, so no removal is on the path from an exit to the next start.
// MODE sandbox:  the kubelet's way made eager: a pause container per pod, prepared two pods ahead,
//                each app container joined to its pod's; removals as above.
// No pod identity, state, logs or status: only what the engine must do. Containers carry the
// labels the bench's event watcher reads (`bench.pod`, `bench.role=app`).

import Docker from 'dockerode';

const [n = '20', mode = 'bridge', label = 'bench'] = process.argv.slice(2);
const total = Number(n);
const ahead = 2;
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const labels = (pod: string, role: string) => ({
  'io.tjob.bench': label,
  'bench.pod': pod,
  'bench.role': role,
});

/** Removals wait while a start is on its way. */
let starting = 0;
const removals: Docker.Container[] = [];
let removing: Promise<void> | undefined;
function remove(c: Docker.Container): void {
  removals.push(c);
  removing ??= (async () => {
    while (removals.length > 0) {
      while (starting > 0) await new Promise((r) => setTimeout(r, 2));
      await removals.shift()!.remove({ force: true });
    }
    removing = undefined;
  })();
}

async function sandbox(pod: string): Promise<Docker.Container> {
  const c = await docker.createContainer({
    name: `${label}-${pod}-pause`,
    Hostname: pod,
    Image: 'registry.k8s.io/pause:3.10',
    Labels: labels(pod, 'pause'),
    HostConfig: { IpcMode: 'shareable' },
  });
  await c.start();
  return c;
}

const sandboxes: Promise<Docker.Container>[] = [];
const prepare = (i: number): void => {
  if (mode === 'sandbox' && i < total) sandboxes[i] = sandbox(`p${i}`);
};
for (let i = 0; i < ahead; i++) prepare(i);

for (let i = 0; i < total; i++) {
  const pod = `p${i}`;
  const pause = mode === 'sandbox' ? await sandboxes[i]! : undefined;
  starting++;
  const c = await docker.createContainer({
    name: `${label}-${pod}-c`,
    ...(pause ? {} : { Hostname: pod }),
    Image: 'busybox:latest',
    Cmd: ['true'],
    Labels: labels(pod, 'app'),
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: pause ? { NetworkMode: `container:${pause.id}`, IpcMode: `container:${pause.id}` } : {},
  });
  const stream = await c.attach({ stream: true, stdout: true, stderr: true });
  stream.resume();
  const exited = c.wait() as Promise<{ StatusCode: number }>;
  await c.start();
  starting--;
  prepare(i + ahead);
  const r = await exited;
  if (r.StatusCode !== 0) throw new Error(`exit ${r.StatusCode}`);
  remove(c);
  if (pause) remove(pause);
}
while (removing) await removing;
