// emptyDir on a real three-node Swarm, through the CLI as a user runs it: the pod's volume on its
// node is shared by the init container and the app, survives an in-place restart (OnFailure) and a
// kill -9 of tjob, and goes with the pod on the manager's node; on a worker it is left, labelled,
// with one warning per job naming the node and the command that removes it there.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import Docker from 'dockerode';

import { TjobLabel } from '../../../src/api/labels.js';
import { FileStore } from '../../../src/state/file-store.js';
import { newStateDir, start, tjob, writeManifest } from '../cli/tjob-cli.js';
import { useSwarmCluster } from '../../support/swarm.js';
import { waitFor } from '../../support/wait-for.js';

const run = promisify(execFile);

const { cluster, skip } = useSwarmCluster({ prefix: 'tjsed', subnet: '10.203.8' });

/** The manager as a user names it; TJOB_RUNTIME is left to the flags. */
const onCluster = (): Record<string, string> => ({ DOCKER_HOST: cluster.managerHost, TJOB_RUNTIME: '' });

/** A client of node n's own engine. */
const engineOf = (n: number): Docker => new Docker({ socketPath: `${cluster.dir}/n${n}/docker.sock` });

async function jobUid(stateDir: string, job: string): Promise<string> {
  const uid = (await new FileStore(stateDir).loadJob(job))?.job.metadata.uid;
  assert.ok(uid, `job ${job} has a uid`);
  return uid;
}

/** The volumes tjob made for the job on node n's engine: name → labels. */
async function volumesOf(n: number, uid: string): Promise<Map<string, Record<string, string>>> {
  const { Volumes } = await engineOf(n).listVolumes({ filters: { label: [`${TjobLabel.jobUid}=${uid}`] } });
  return new Map((Volumes ?? []).map((v) => [v.Name, v.Labels ?? {}]));
}

/** A Job whose init container writes into an emptyDir and whose app container reads it. */
function handOff(name: string, placement: string, { extra = '', pause = 0, emptyDir = '{}' } = {}): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${extra}  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 2
      nodeSelector: {${placement}}
      initContainers:
      - name: fetch
        image: busybox:latest
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo payload-of-\`hostname\` > /work/data; sleep ${pause}"]
        volumeMounts: [{name: work, mountPath: /work}]
      containers:
      - name: main
        image: busybox:latest
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo read: \`cat /work/data\`"]
        volumeMounts: [{name: work, mountPath: /work}]
      volumes: [{name: work, emptyDir: ${emptyDir}}]
`;
}

const onManager = (): string => `kubernetes.io/hostname: ${cluster.node(1).name}`;

describe('emptyDir on a three-node Swarm', { skip, timeout: 900_000 }, () => {
  it('an init container hands a file to the app through the emptyDir; on the manager the volume goes with the pod', async () => {
    const stateDir = newStateDir();
    const file = writeManifest(handOff('handoff', onManager()));
    const got = await tjob(['run', '--runtime', 'swarm', file], stateDir, onCluster());
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stderr, /job\.batch\/handoff Complete/);
    assert.match(got.stdout, /read: payload-of-handoff-/, 'the app read what the init container wrote');
    const logs = await tjob(['logs', 'job/handoff'], stateDir, onCluster());
    assert.match(logs.stdout, /^read: payload-of-handoff-/m);
    assert.doesNotMatch(got.stderr, /emptyDir volumes stay/, 'nothing is left: no warning');

    const uid = await jobUid(stateDir, 'handoff');
    for (const n of [1, 2, 3]) assert.deepEqual([...(await volumesOf(n, uid)).keys()], [], `node ${n}`);
    assert.deepEqual(await cluster.manager().listServices(), [], 'every service is gone');
  });

  it('medium Memory handed from the init container to the app: the pod volume (a tmpfs volume would lose it)', async () => {
    const stateDir = newStateDir();
    const file = writeManifest(
      handOff('inmemory', onManager(), { emptyDir: '{medium: Memory, sizeLimit: 1Mi}' }),
    );
    const got = await tjob(['run', '--runtime', 'swarm', file], stateDir, onCluster());
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /read: payload-of-inmemory-/);
    const uid = await jobUid(stateDir, 'inmemory');
    assert.deepEqual([...(await volumesOf(1, uid)).keys()], [], 'removed with the pod');
  });

  it('restartPolicy OnFailure: the restarted container finds what its first run wrote', async () => {
    const stateDir = newStateDir();
    const file = writeManifest(`apiVersion: batch/v1
kind: Job
metadata:
  name: marker
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: OnFailure
      nodeSelector: {${onManager()}}
      containers:
      - name: main
        image: busybox:latest
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "if [ -f /scratch/marker ]; then echo found \`cat /scratch/marker\`; exit 0; fi; echo run-1 > /scratch/marker; echo no marker; exit 3"]
        volumeMounts: [{name: scratch, mountPath: /scratch}]
      volumes: [{name: scratch, emptyDir: {}}]
`);
    const got = await tjob(['run', '--runtime', 'swarm', file], stateDir, onCluster());
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /no marker\n[\s\S]*found run-1/);
    const pods = await tjob(['get', 'pods'], stateDir, onCluster());
    assert.match(pods.stdout, /marker-\S+\s+0\/1\s+Completed\s+1\s/, 'one in-place restart');
    const previous = await tjob(['logs', 'job/marker', '-p'], stateDir, onCluster());
    assert.match(previous.stdout, /^no marker$/m);

    const uid = await jobUid(stateDir, 'marker');
    assert.deepEqual([...(await volumesOf(1, uid)).keys()], [], 'removed with the pod');
  });

  it('on a worker the volumes are left, labelled, with one warning per job whose command removes them there', async () => {
    const stateDir = newStateDir();
    const file = writeManifest(
      handOff('onworker', 'pool: b', { extra: '  completions: 2\n  parallelism: 2\n' }),
    );
    const got = await tjob(['run', '--runtime', 'swarm', file], stateDir, onCluster());
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.match(/read: payload-of-onworker-/g)?.length, 2, got.stdout);
    const uid = await jobUid(stateDir, 'onworker');
    const worker = cluster.node(2);
    const warnings = got.stderr.match(/emptyDir volumes stay there/g) ?? [];
    assert.equal(warnings.length, 1, `one warning for the job:\n${got.stderr}`);
    const command = new RegExp(
      `ran on node ${worker.name}: .*remove this job's on that node with: (docker volume prune --force --filter label=io\\.tjob\\.job-uid=${uid})$`,
      'm',
    ).exec(got.stderr)?.[1];
    assert.ok(command, got.stderr);

    const left = await volumesOf(2, uid);
    assert.equal(left.size, 2, 'one volume per pod');
    for (const [name, labels] of left) {
      assert.match(name, /^onworker-\S+-work-[0-9a-f]{8}$/);
      assert.equal(labels[TjobLabel.managedBy], 'tjob');
      assert.equal(labels[TjobLabel.job], 'onworker');
      assert.ok(
        name.startsWith(`${labels[TjobLabel.pod]}-work-`),
        `${name} is pod ${labels[TjobLabel.pod]}'s`,
      );
    }
    for (const n of [1, 3]) assert.deepEqual([...(await volumesOf(n, uid)).keys()], [], `node ${n}`);

    // The warning's command, run on that node once the removed services' containers are gone
    // there (the node removes them just after the services), removes them.
    await waitFor(
      async () =>
        (await engineOf(2).listContainers({ all: true, filters: { label: [`${TjobLabel.jobUid}=${uid}`] } }))
          .length === 0,
      { timeout: 60_000, interval: 250, what: "the job's containers gone from the worker" },
    );
    const [docker, ...args] = command.split(' ');
    await run(docker!, ['-H', worker.host, ...args]);
    assert.deepEqual([...(await volumesOf(2, uid)).keys()], []);
  });

  it('--keep-containers keeps the volumes with the services; tjob delete removes them, also of a pod whose services went already', async () => {
    const stateDir = newStateDir();
    const file = writeManifest(
      handOff('kept', onManager(), { extra: '  completions: 2\n  parallelism: 2\n' }),
    );
    const got = await tjob(['run', '--runtime', 'swarm', '--keep-containers', file], stateDir, onCluster());
    assert.equal(got.code, 0, got.stderr);
    const uid = await jobUid(stateDir, 'kept');
    const kept = await volumesOf(1, uid);
    assert.equal(kept.size, 2, 'kept with the pods');
    // One pod's services removed behind tjob's back (or by an earlier removal cut short).
    const manager = cluster.manager();
    const pod = [...kept.values()][0]![TjobLabel.pod]!;
    for (const s of await manager.listServices({ filters: { label: [`${TjobLabel.pod}=${pod}`] } }))
      await manager.getService(s.ID).remove();

    const deleted = await tjob(['delete', 'job', 'kept'], stateDir, onCluster());
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual([...(await volumesOf(1, uid)).keys()], []);
    assert.deepEqual(await manager.listServices(), []);
  });

  it('kill -9 of tjob while the init container runs: the next run adopts the pod and its app reads the same volume', async () => {
    const stateDir = newStateDir();
    const file = writeManifest(handOff('adopted', onManager(), { pause: 8 }));
    const first = start(['run', '--runtime', 'swarm', file], stateDir, onCluster());
    const manager = cluster.manager();
    await waitFor(
      async () => {
        const tasks = (await manager.listTasks({
          filters: { label: [`${TjobLabel.job}=adopted`, `${TjobLabel.role}=init`] },
        })) as { Status?: { State?: string } }[];
        return tasks.some((t) => t.Status?.State === 'running');
      },
      { timeout: 90_000, interval: 250, what: 'the init container running' },
    );
    first.child.kill('SIGKILL');
    await first.done;

    const second = await tjob(['run', file], stateDir, onCluster());
    assert.equal(second.code, 0, second.stderr);
    const logs = await tjob(['logs', 'job/adopted'], stateDir, onCluster());
    assert.match(
      logs.stdout,
      /^read: payload-of-adopted-/m,
      'the app read what the adopted init container wrote',
    );
    const pods = await tjob(['get', 'pods', '--no-headers'], stateDir, onCluster());
    assert.equal(pods.stdout.trim().split('\n').length, 1, `one pod, adopted:\n${pods.stdout}`);
    const uid = await jobUid(stateDir, 'adopted');
    assert.deepEqual([...(await volumesOf(1, uid)).keys()], [], 'removed with the pod');
  });
});
