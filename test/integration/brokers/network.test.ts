// `tjob run --network NAME` on the real engine: pods resolve the containers of a user-defined
// network by name (a single-container pod, and a pod whose containers share the pause container's
// namespace), hostAliases land in the pod's /etc/hosts, hostNetwork keeps a pod on the host's
// network, and a network that does not exist stops the run before anything starts (exit 3).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { FileStore } from '../../../src/state/file-store.js';
import { containersOf, newStateDir, tjob, writeManifest } from '../cli/tjob-cli.js';
import { TestNetwork, docker } from './broker-kit.js';

const T = { timeout: 120_000 };

function job(name: string, spec: string): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
${spec}`;
}

describe('tjob run --network', () => {
  let net: TestNetwork | undefined;
  let svcIp = '';
  before(async () => {
    net = await new TestNetwork().create();
    const svc = await net.startContainer('busybox:latest', 'svc', 'sleep', '600');
    svcIp = (
      await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${net.name}").IPAddress}}`, svc)
    ).trim();
  }, T);
  after(async () => {
    await net?.remove();
  });

  it(
    'a single-container pod resolves a container of the network by its alias, and its hostAliases',
    T,
    async () => {
      const state = newStateDir();
      const file = writeManifest(
        job(
          'one',
          `      hostAliases:
        - ip: "${svcIp}"
          hostnames: [db.example, cache.example]
      containers:
        - name: c
          image: busybox
          imagePullPolicy: IfNotPresent
          command: [sh, -c, 'nslookup svc && ping -c1 -W5 svc && ping -c1 -W5 db.example && grep example /etc/hosts']
`,
        ),
      );
      const got = await tjob(['run', file, '--network', net!.name], state);
      assert.equal(got.code, 0, got.stdout + got.stderr);
      assert.match(got.stdout, new RegExp(`Address:? ${svcIp.replace(/\./g, '\\.')}`));
      assert.match(got.stdout, new RegExp(`${svcIp.replace(/\./g, '\\.')}\\s+db\\.example`));
      assert.match(got.stdout, /cache\.example/);
      assert.equal((await new FileStore(state).loadJobConfig('one')).network, net!.name);
    },
  );

  it(
    'in a multi-container pod every container (init too) is on the network and sees the aliases',
    T,
    async () => {
      const state = newStateDir();
      const file = writeManifest(
        job(
          'multi',
          `      hostAliases:
        - ip: "${svcIp}"
          hostnames: [db.example]
      initContainers:
        - name: init
          image: busybox
          imagePullPolicy: IfNotPresent
          command: [sh, -c, 'ping -c1 -W5 svc && echo init reached svc']
      containers:
        - name: a
          image: busybox
          imagePullPolicy: IfNotPresent
          command: [sh, -c, 'ping -c1 -W5 db.example && echo a reached db']
        - name: b
          image: busybox
          imagePullPolicy: IfNotPresent
          command: [sh, -c, 'ping -c1 -W5 svc && echo b reached svc']
`,
        ),
      );
      const got = await tjob(['run', file, '--keep-containers'], state, { TJOB_NETWORK: net!.name });
      assert.equal(got.code, 0, got.stdout + got.stderr);
      for (const line of ['init reached svc', 'a reached db', 'b reached svc'])
        assert.match(got.stdout, new RegExp(line));
      // The pause container joined the network; the others share its namespace.
      const names = (await containersOf(state, 'multi')).map((l) => l.split(' ')[0] ?? '');
      const pause = names.find((n) => n.endsWith('-pause'));
      assert.ok(pause, `a pause container among ${names.join(', ')}`);
      const modes = await docker('inspect', '-f', '{{.Name}} {{.HostConfig.NetworkMode}}', ...names);
      for (const row of modes.trim().split('\n')) {
        const [name, mode] = row.split(' ');
        assert.equal(
          mode,
          name?.endsWith('-pause')
            ? net!.name
            : `container:${await docker('inspect', '-f', '{{.Id}}', pause).then((s) => s.trim())}`,
        );
      }
      await docker('rm', '-f', ...names);
    },
  );

  it('hostNetwork: true keeps the pod on the host network, as on a cluster', T, async () => {
    const state = newStateDir();
    const file = writeManifest(
      job(
        'hostnet',
        `      hostNetwork: true
      containers:
        - name: c
          image: busybox
          imagePullPolicy: IfNotPresent
          command: [sh, -c, 'echo "host is $(hostname)"']
`,
      ),
    );
    const got = await tjob(['run', file, '--network', net!.name], state);
    assert.equal(got.code, 0, got.stdout + got.stderr);
    assert.match(got.stdout, new RegExp(`host is ${hostname()}`));
  });

  it('a network that does not exist: exit 3 naming it, before any job or container is made', T, async () => {
    const state = newStateDir();
    const file = writeManifest(
      job(
        'lost',
        `      containers:\n        - name: c\n          image: busybox\n          command: ['true']\n`,
      ),
    );
    const missing = `${net!.name}-missing`;
    const got = await tjob(['run', file, '--network', missing], state);
    assert.equal(got.code, 3, got.stderr);
    assert.match(got.stderr, new RegExp(`the Docker network "${missing}" does not exist`));
    assert.match(got.stderr, /docker network create/);
    assert.equal(await new FileStore(state).loadJob('lost'), undefined);
    // The same from the environment default.
    const viaEnv = await tjob(['run', file], state, { TJOB_NETWORK: missing });
    assert.equal(viaEnv.code, 3, viaEnv.stderr);
    assert.match(viaEnv.stderr, new RegExp(`"${missing}"`));
  });

  it('a predefined network is refused with a hint (no name resolution there)', T, async () => {
    const state = newStateDir();
    const file = writeManifest(
      job(
        'bridge',
        `      containers:\n        - name: c\n          image: busybox\n          command: ['true']\n`,
      ),
    );
    const got = await tjob(['run', file, '--network', 'bridge'], state);
    assert.equal(got.code, 2, got.stderr);
    assert.match(got.stderr, /--network bridge: the default bridge resolves no container names/);
  });
});
