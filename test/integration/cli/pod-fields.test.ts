// The pod-spec fields the field report calls applied, seen where a user meets them: DNS in the
// container's resolv.conf, mount propagation in docker inspect, termination messages in describe
// and -o json, PersistentVolumeClaims shared between jobs, missing claims, ephemeral volumes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { newStateDir, start, tjob, writeManifest } from './tjob-cli.js';

const Timeout = 120_000;

function job(name: string, spec: string, extra = ''): string {
  return `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
  backoffLimit: 0
${extra}  template:
    spec:
      restartPolicy: Never
${spec}`;
}

const claim = (name: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`;

function volumeNames(filter: string): string[] {
  return execFileSync('docker', ['volume', 'ls', '-q', '--filter', filter])
    .toString()
    .split('\n')
    .filter(Boolean);
}

describe('pod fields applied by the Docker runtime', { timeout: 8 * Timeout }, () => {
  it('dnsPolicy None + dnsConfig make the resolv.conf', { timeout: Timeout }, async () => {
    const dir = newStateDir();
    const file = writeManifest(
      job(
        'dns',
        `      dnsPolicy: None
      dnsConfig:
        nameservers: [10.9.8.7]
        searches: [corp.example]
        options: [{name: ndots, value: "2"}]
      containers:
      - {name: c, image: busybox:latest, imagePullPolicy: Never, command: [cat, /etc/resolv.conf]}
`,
      ),
    );
    const run = await tjob(['run', file], dir);
    assert.equal(run.code, 0, run.stderr);
    const logs = await tjob(['logs', 'job/dns'], dir);
    assert.match(logs.stdout, /^nameserver 10\.9\.8\.7$/m);
    assert.match(logs.stdout, /^search corp\.example$/m);
    assert.match(logs.stdout, /^options ndots:2$/m);
    await tjob(['delete', 'job', 'dns'], dir);
  });

  it(
    "status.podIP in env is the pod's own address, for one container and for a pod with an init container",
    { timeout: Timeout },
    async () => {
      const dir = newStateDir();
      const env = `env: [{name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]`;
      // hostname -i: the address /etc/hosts gives the pod's hostname, the one on its network.
      const check = `[sh, -c, 'echo "env=$POD_IP own=$(hostname -i)"']`;
      const file = writeManifest(
        job(
          'podip',
          `      initContainers:
      - {name: init, image: busybox:latest, imagePullPolicy: Never, command: ${check}, ${env}}
      containers:
      - {name: c, image: busybox:latest, imagePullPolicy: Never, command: ${check}, ${env}}
`,
        ) +
          '---\n' +
          job(
            'podip-one',
            `      containers:
      - {name: c, image: busybox:latest, imagePullPolicy: Never, command: ${check}, ${env}}
`,
          ),
      );
      const run = await tjob(['run', file], dir);
      assert.equal(run.code, 0, run.stderr);
      for (const [name, containers] of [
        ['podip', ['init', 'c']],
        ['podip-one', ['c']],
      ] as const) {
        for (const c of containers) {
          const logs = await tjob(['logs', `job/${name}`, '-c', c], dir);
          const m = /^env=(\S+) own=(\S+)$/m.exec(logs.stdout);
          assert.ok(m, logs.stdout);
          assert.match(m[1]!, /^\d+\.\d+\.\d+\.\d+$/);
          assert.notEqual(m[1], '127.0.0.1');
          assert.equal(m[1], m[2], `${name}/${c}: ${logs.stdout}`);
        }
        await tjob(['delete', 'job', name], dir);
      }
    },
  );

  it(
    'termination messages: from the file, and from the log tail on error',
    { timeout: Timeout },
    async () => {
      const dir = newStateDir();
      const file = writeManifest(
        job(
          'tm',
          `      containers:
      - name: file
        image: busybox:latest
        imagePullPolicy: Never
        terminationMessagePath: /tmp/done
        command: [sh, -c, 'echo -n "wrote 42 rows" > /tmp/done']
      - name: logs
        image: busybox:latest
        imagePullPolicy: Never
        terminationMessagePolicy: FallbackToLogsOnError
        command: [sh, -c, 'echo first; echo "it broke"; exit 3']
`,
        ),
      );
      const run = await tjob(['run', file], dir);
      assert.equal(run.code, 1, run.stderr);
      const json = JSON.parse((await tjob(['get', 'pods', '-o', 'json'], dir)).stdout) as {
        items: {
          status: { containerStatuses: { name: string; state: { terminated?: { message?: string } } }[] };
        }[];
      };
      const statuses = json.items[0]!.status.containerStatuses;
      const message = (n: string) => statuses.find((s) => s.name === n)?.state.terminated?.message;
      assert.equal(message('file'), 'wrote 42 rows');
      assert.equal(message('logs'), 'first\nit broke\n');
      const describe = await tjob(['describe', 'pods'], dir);
      assert.match(describe.stdout, /Message:\s+wrote 42 rows/);
      await tjob(['delete', 'job', 'tm'], dir);
    },
  );

  it('mountPropagation HostToContainer is rslave on the bind mount', { timeout: Timeout }, async () => {
    const dir = newStateDir();
    const host = mkdtempSync(join(tmpdir(), 'tjob-prop-'));
    const file = writeManifest(
      job(
        'prop',
        `      volumes: [{name: h, hostPath: {path: ${host}}}]
      containers:
      - name: c
        image: busybox:latest
        imagePullPolicy: Never
        command: ["true"]
        volumeMounts: [{name: h, mountPath: /h, mountPropagation: HostToContainer}]
`,
      ),
    );
    // On a host whose / is not a shared mount the engine refuses to start it (as containerd does
    // for a kubelet); the container and its mount are there either way.
    await tjob(['run', '--keep-containers', file], dir);
    const stored = JSON.parse((await tjob(['get', 'job', 'prop', '-o', 'json'], dir)).stdout) as {
      metadata: { uid: string };
    };
    const ids = execFileSync('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=io.tjob.job-uid=${stored.metadata.uid}`,
    ])
      .toString()
      .split('\n')
      .filter(Boolean);
    assert.ok(ids.length > 0);
    const mounts = JSON.parse(
      execFileSync('docker', ['inspect', '-f', '{{json .Mounts}}', ids[0]!]).toString(),
    ) as { Destination: string; Propagation: string }[];
    assert.equal(mounts.find((m) => m.Destination === '/h')?.Propagation, 'rslave');
    await tjob(['delete', 'job', 'prop'], dir);
    rmSync(host, { recursive: true, force: true });
  });

  it(
    'a claim outlives the job that wrote it; a second job reads it; delete pvc removes its volume',
    { timeout: Timeout },
    async () => {
      const dir = newStateDir();
      const mount = `      volumes: [{name: d, persistentVolumeClaim: {claimName: shared}}]
      containers:
      - name: c
        image: busybox:latest
        imagePullPolicy: Never
        volumeMounts: [{name: d, mountPath: /d}]
`;
      const writer = writeManifest(
        `${claim('shared')}---\n${job('writer', mount.replace('volumeMounts', "command: [sh, -c, 'echo kept > /d/f']\n        volumeMounts"))}`,
      );
      const run1 = await tjob(['run', writer], dir);
      assert.equal(run1.code, 0, run1.stderr);
      const reader = writeManifest(
        job('reader', mount.replace('volumeMounts', 'command: [cat, /d/f]\n        volumeMounts')),
      );
      const run2 = await tjob(['run', reader], dir);
      assert.equal(run2.code, 0, run2.stderr);
      assert.equal((await tjob(['logs', 'job/reader'], dir)).stdout, 'kept\n');
      const get = await tjob(['get', 'pvc'], dir);
      assert.match(get.stdout, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+AGE$/m);
      assert.match(get.stdout, /^shared\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s/m);
      const volume = /pvc-\S+/.exec(get.stdout)![0];
      assert.deepEqual(volumeNames(`name=${volume}`), [volume]);
      const del = await tjob(['delete', 'pvc', 'shared'], dir);
      assert.equal(del.stdout, 'persistentvolumeclaim "shared" deleted\n');
      assert.deepEqual(volumeNames(`name=${volume}`), []);
      await tjob(['delete', 'job', '--all'], dir);
    },
  );

  it(
    'a pod whose claim is missing stays Pending, unscheduled, until the claim is stored',
    { timeout: Timeout },
    async () => {
      const dir = newStateDir();
      const file = writeManifest(
        job(
          'waits',
          `      volumes: [{name: d, persistentVolumeClaim: {claimName: later}}]
      containers:
      - {name: c, image: busybox:latest, imagePullPolicy: Never, command: [ls, /d], volumeMounts: [{name: d, mountPath: /d}]}
`,
        ),
      );
      const run = start(['run', file], dir);
      let pod:
        | {
            status: {
              phase: string;
              conditions?: { type: string; status: string; reason?: string; message?: string }[];
            };
          }
        | undefined;
      for (let i = 0; i < 60 && !pod?.status.conditions; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const out = await tjob(['get', 'pods', '-o', 'json'], dir);
        pod = (JSON.parse(out.stdout) as { items: (typeof pod)[] }).items[0];
      }
      assert.equal(pod?.status.phase, 'Pending');
      assert.deepEqual(
        pod?.status.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
        [
          [
            'PodScheduled',
            'False',
            'Unschedulable',
            '0/1 nodes are available: persistentvolumeclaim "later" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
          ],
        ],
      );
      const jobs = await tjob(['get', 'jobs'], dir);
      assert.match(jobs.stdout, /^waits\s+Running/m);
      const applied = await tjob(['apply', '-f', writeManifest(claim('later'))], dir);
      assert.equal(applied.stdout, 'persistentvolumeclaim/later created\n');
      const done = await run.done;
      assert.equal(done.code, 0, done.stderr);
      await tjob(['delete', 'job', 'waits'], dir);
      await tjob(['delete', 'pvc', 'later'], dir);
    },
  );

  it('an ephemeral volume is the pod’s own and goes with it', { timeout: Timeout }, async () => {
    const dir = newStateDir();
    const file = writeManifest(
      job(
        'eph',
        `      volumes:
      - name: scratch
        ephemeral:
          volumeClaimTemplate:
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
      containers:
      - {name: c, image: busybox:latest, imagePullPolicy: Never, command: [sh, -c, 'echo x > /s/f && cat /s/f'], volumeMounts: [{name: scratch, mountPath: /s}]}
`,
      ),
    );
    const run = start(['run', '--keep-containers', file], dir);
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    const pod = (
      JSON.parse((await tjob(['get', 'pods', '-o', 'json'], dir)).stdout) as {
        items: { metadata: { name: string } }[];
      }
    ).items[0]!.metadata.name;
    assert.equal(volumeNames(`label=io.tjob.pod=${pod}`).length, 1, 'kept with its pod');
    await tjob(['delete', 'job', 'eph'], dir);
    assert.deepEqual(volumeNames(`label=io.tjob.pod=${pod}`), []);
  });
});
