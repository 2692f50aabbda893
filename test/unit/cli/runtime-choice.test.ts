// `--runtime docker|swarm` / TJOB_RUNTIME on the fake runtime: the runtime a command opens, the
// runtime a job records and keeps when resumed or deleted, the refusal of a flag that contradicts
// the record, and the refusal before anything starts of what Swarm cannot run (the real cluster:
// test/integration/swarm).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRecordedRuntime, oneRuntime, runtimeOf, withRuntime } from '../../../src/cli/args/runtime.js';
import { UsageError } from '../../../src/api/errors.js';
import type { RuntimeKind } from '../../../src/ports/pod-runtime.js';
import { waitFor } from '../../support/wait-for.js';
import { cronJobManifest, fakeEngine, jobManifest, type FakeEngineHarness } from './fake-engine.js';

/** The fake engine, remembering which runtime each command asked for. */
function engine(runMs = 1000): FakeEngineHarness & { kinds: RuntimeKind[] } {
  const h = fakeEngine(() => ({ exitCode: 0, runMs }));
  const kinds: RuntimeKind[] = [];
  h.ctx.createRuntime = (options) => {
    kinds.push(options.kind);
    return Promise.resolve(h.runtime);
  };
  return Object.assign(h, { kinds });
}

const twoContainers = `apiVersion: batch/v1
kind: Job
metadata:
  name: pair
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
      - name: helper
        image: busybox
        imagePullPolicy: IfNotPresent
`;

describe('runtimeOf and the recorded runtime', () => {
  it('the flag, else TJOB_RUNTIME, else docker; only the flag is asked of existing jobs', () => {
    assert.deepEqual(runtimeOf({ runtime: 'swarm' }, { TJOB_RUNTIME: 'docker' }), {
      kind: 'swarm',
      byFlag: true,
    });
    assert.deepEqual(runtimeOf({}, { TJOB_RUNTIME: 'swarm' }), { kind: 'swarm', byFlag: false });
    assert.deepEqual(runtimeOf({}, { TJOB_RUNTIME: '' }), { kind: 'docker', byFlag: false });
    assert.deepEqual(runtimeOf({}, {}), { kind: 'docker', byFlag: false });
  });

  it('refuses another name, saying where it came from', () => {
    assert.throws(
      () => runtimeOf({ runtime: 'k8s' }, {}),
      /invalid --runtime "k8s": expected docker or swarm/,
    );
    assert.throws(() => runtimeOf({}, { TJOB_RUNTIME: 'Swarm' }), /invalid TJOB_RUNTIME "Swarm"/);
  });

  it('a job keeps its runtime: the flag naming the other is refused with both named and the way out', () => {
    checkRecordedRuntime('j', 'swarm', { kind: 'swarm', byFlag: true });
    checkRecordedRuntime('j', 'swarm', { kind: 'docker', byFlag: false });
    assert.throws(
      () => checkRecordedRuntime('j', 'swarm', { kind: 'docker', byFlag: true }),
      (e: UsageError) =>
        /job "j" exists and runs on swarm, not docker/.test(e.message) &&
        /--runtime swarm\b.*--replace/.test(e.hint ?? ''),
    );
  });

  it('one command drives jobs of one runtime', () => {
    assert.equal(oneRuntime([], 'swarm'), 'swarm');
    assert.equal(oneRuntime([{ name: 'a', kind: 'swarm' }], 'docker'), 'swarm');
    assert.throws(
      () =>
        oneRuntime(
          [
            { name: 'a', kind: 'swarm' },
            { name: 'b', kind: 'docker' },
          ],
          'docker',
        ),
      /job "a" runs on swarm and job "b" on docker/,
    );
  });

  it('docker, the default, is not written into the job’s config', () => {
    const config = { configMaps: {}, secrets: {} };
    assert.equal(withRuntime(config, 'docker'), config);
    assert.deepEqual(withRuntime(config, 'swarm'), { ...config, runtime: 'swarm' });
  });
});

describe('tjob run --runtime on the fake runtime', { timeout: 120_000 }, () => {
  it('opens the runtime asked for and records it with the job', async () => {
    const h = engine();
    assert.equal(await h.run('run', h.manifest(jobManifest('on-swarm')), '--runtime', 'swarm'), 0, h.err());
    assert.deepEqual(h.kinds, ['swarm']);
    assert.equal((await h.store.loadJobConfig('on-swarm')).runtime, 'swarm');

    h.ctx.env.TJOB_RUNTIME = 'swarm';
    assert.equal(await h.run('run', h.manifest(jobManifest('from-env'))), 0, h.err());
    assert.equal((await h.store.loadJobConfig('from-env')).runtime, 'swarm');
    delete h.ctx.env.TJOB_RUNTIME;

    assert.equal(await h.run('run', h.manifest(jobManifest('on-docker'))), 0, h.err());
    assert.deepEqual(h.kinds, ['swarm', 'swarm', 'docker']);
    assert.equal((await h.store.loadJobConfig('on-docker')).runtime, undefined, 'docker: the default');
  });

  it('a resumed job keeps its runtime; --runtime naming the other is refused before anything changes', async () => {
    const h = engine(3_600_000);
    const file = h.manifest(jobManifest('long'));
    const { done } = h.start('run', file, '--runtime', 'swarm');
    await waitFor(async () => (await h.store.loadJob('long'))?.job.status.active === 1, {
      what: 'job long to have its pod running',
    });
    h.signal('SIGINT');
    assert.equal(await done, 130, h.err());

    assert.equal(await h.run('run', file, '--runtime', 'docker'), 2);
    assert.match(h.err(), /job "long" exists and runs on swarm, not docker \(--runtime docker\)/);
    assert.match(
      h.err(),
      /hint: run it as it was created \(--runtime swarm\), or start it anew on docker with --replace/,
    );
    assert.equal((await h.store.loadJob('long'))?.job.spec.suspend, true, 'still suspended');
    assert.deepEqual(h.kinds, ['swarm'], 'no runtime opened for the refused run');

    // Without the flag (TJOB_RUNTIME, the default of new jobs, does not move it either).
    h.ctx.env.TJOB_RUNTIME = 'docker';
    const resumed = h.start('run', file);
    await waitFor(() => h.runtime.plans.length === 2, { what: 'the resumed job to start a pod' });
    assert.deepEqual(h.kinds, ['swarm', 'swarm']);
    h.signal('SIGINT');
    await resumed.done;
  });

  it('jobs on different runtimes are not run by one command', async () => {
    const h = engine(3_600_000);
    const first = h.manifest(jobManifest('first'));
    const { done } = h.start('run', first, '--runtime', 'swarm');
    await waitFor(async () => (await h.store.loadJob('first'))?.job.status.active === 1, {
      what: 'job first to have its pod running',
    });
    h.signal('SIGINT');
    await done;
    assert.equal(await h.run('run', first, h.manifest(jobManifest('second'))), 2);
    assert.match(h.err(), /job "first" runs on swarm and job "second" on docker/);
    assert.equal(await h.store.loadJob('second'), undefined);
  });

  it('delete removes a job’s pods through the runtime it recorded', async () => {
    const h = engine();
    const file = h.manifest(jobManifest('kept'));
    assert.equal(await h.run('run', file, '--runtime', 'swarm', '--keep-containers'), 0, h.err());
    assert.equal(await h.run('delete', 'job', 'kept'), 0, h.err());
    assert.deepEqual(h.kinds, ['swarm', 'swarm']);
  });

  it('what Swarm cannot run is refused before anything is created: exit 2, the container named', async () => {
    const h = engine();
    const file = h.manifest(twoContainers);
    assert.equal(await h.run('run', file, '--runtime', 'swarm'), 2);
    assert.match(
      h.err(),
      /spec\.template\.spec\.containers\[1\]: Forbidden on swarm: container "helper" is a second app container/,
    );
    assert.match(h.err(), /hint: run it on one engine \(--runtime docker\)/);
    assert.equal(await h.store.loadJob('pair'), undefined);
    assert.deepEqual(h.kinds, []);
    // The same job on Docker runs.
    assert.equal(await h.run('run', file), 0, h.err());
  });

  it("an emptyDir handed from an init container to the app runs on Swarm: validate reports the pod's volume", async () => {
    const h = engine();
    const handOff = `apiVersion: batch/v1
kind: Job
metadata:
  name: handoff
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - name: fetch
        image: busybox
        imagePullPolicy: IfNotPresent
        volumeMounts: [{name: work, mountPath: /work}]
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        volumeMounts: [{name: work, mountPath: /work}]
      volumes: [{name: work, emptyDir: {}}]
`;
    const file = h.manifest(handOff);
    assert.equal(await h.run('validate', '--runtime', 'swarm', file), 0, h.err());
    assert.match(
      h.out(),
      /approximated:[\s\S]*volumes\[0\]\.emptyDir: a named volume of the pod on its node/,
    );
    assert.equal(await h.run('run', file, '--runtime', 'swarm'), 0, h.err());
    assert.deepEqual(h.kinds, ['swarm']);
  });

  it('apply --runtime swarm refuses a Job Swarm cannot run before anything is stored', async () => {
    const h = engine();
    assert.equal(await h.run('apply', '-f', h.manifest(twoContainers), '--runtime', 'swarm'), 2);
    assert.match(h.err(), /containers\[1\]: Forbidden on swarm: container "helper"/);
    assert.equal(await h.store.loadJob('pair'), undefined);
    assert.deepEqual(h.kinds, []);
  });

  it('run --dry-run --runtime swarm prints the report on Swarm, refused fields included', async () => {
    const h = engine();
    assert.equal(await h.run('run', '--dry-run', '--runtime', 'swarm', h.manifest(twoContainers)), 0);
    assert.match(h.err(), /: Job pair \(on swarm\)\n/);
    assert.match(h.err(), /^ {2}refused:\n {4}spec\.template\.spec\.containers\[1\]: container "helper"/m);
    assert.deepEqual(h.kinds, []);
  });
});

describe('tjob validate --runtime swarm', () => {
  it('prints what Swarm honours, approximates and refuses; a refused field is exit 2 naming it', async () => {
    const h = engine();
    const placed = h.manifest(
      twoContainers
        .replace(/\n {6}- name: helper[\s\S]*$/, '\n')
        .replace('restartPolicy: Never', 'restartPolicy: Never\n      nodeSelector: {pool: b}'),
    );
    assert.equal(await h.run('validate', '--runtime', 'swarm', placed), 0, h.err());
    assert.match(
      h.out(),
      /spec\.template\.spec\.nodeSelector\["pool"\]: the placement constraint node\.labels\.pool==b/,
    );
    assert.doesNotMatch(h.err(), /ignored on a single node/, 'Swarm places by nodeSelector');

    assert.equal(await h.run('validate', '--runtime', 'swarm', h.manifest(twoContainers)), 2);
    assert.match(h.out(), /refused:\n {4}spec\.template\.spec\.containers\[1\]/);
    assert.match(
      h.err(),
      /error: invalid manifest:\n {2}\S+: spec\.template\.spec\.containers\[1\]: Forbidden on swarm/,
    );

    assert.equal(await h.run('validate', h.manifest(twoContainers)), 0, 'on Docker it is valid');
  });

  it("a hostPath is said on every run to be the node's path, on Swarm only", async () => {
    const h = engine();
    const hostPath = h.manifest(
      twoContainers
        .replace(/\n {6}- name: helper[\s\S]*$/, '\n')
        .replace(
          'restartPolicy: Never',
          'restartPolicy: Never\n      volumes: [{name: data, hostPath: {path: /srv/data}}]',
        ),
    );
    assert.equal(await h.run('validate', '--runtime', 'swarm', hostPath), 0, h.err());
    assert.match(
      h.err(),
      /^Warning: \S+: Job pair: spec\.template\.spec\.volumes\[0\]\.hostPath: on swarm, a bind of that path on whichever node runs the pod: it is that node’s path/m,
    );
    const before = h.err().length;
    assert.equal(await h.run('validate', hostPath), 0, h.err());
    assert.doesNotMatch(h.err().slice(before), /on swarm/, 'on Docker the path is this machine’s');
  });
});

describe('tjob cron start --runtime swarm', { timeout: 120_000 }, () => {
  it('the jobs the scheduler creates are on Swarm; a scheduler on Docker refuses to adopt them', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 3_600_000 }), '2024-01-01T09:59:30Z');
    const kinds: RuntimeKind[] = [];
    h.ctx.createRuntime = (options) => {
      kinds.push(options.kind);
      return Promise.resolve(h.runtime);
    };
    assert.equal(await h.run('apply', '-f', h.manifest(cronJobManifest)), 0, h.err());
    const { done } = h.start('cron', 'start', '--runtime', 'swarm');
    await waitFor(() => h.runtime.plans.length === 1, { what: 'the scheduler to start a pod' });
    h.signal('SIGINT');
    await done;
    const job = h.runtime.plans[0]?.jobName ?? '';
    assert.equal((await h.store.loadJobConfig(job)).runtime, 'swarm');
    assert.deepEqual(kinds, ['swarm']);

    assert.equal(await h.run('cron', 'start'), 2);
    assert.match(
      h.err(),
      new RegExp(`job "${job}" of cronjob/cj runs on swarm; this scheduler would run on docker`),
    );
    assert.match(h.err(), /hint: start the scheduler with --runtime swarm/);
  });
});

describe('README: Running on a Swarm cluster', () => {
  it('the report on Swarm of samples/job-parallel.yaml, from validate and run --dry-run', async () => {
    const h = engine();
    assert.equal(await h.run('validate', '--runtime', 'swarm', 'samples/job-parallel.yaml'), 0, h.err());
    assert.match(h.out(), /^samples\/job-parallel\.yaml: Job parallel \(on swarm\)$/m);
    assert.match(h.out(), /spec\.template\.spec\.containers\[0\]\.command: the service's Command and Args/);
    assert.doesNotMatch(h.out(), /refused:/);
    assert.equal(
      await h.run('run', '--dry-run', '--runtime', 'swarm', 'samples/job-parallel.yaml'),
      0,
      h.err(),
    );
    assert.match(h.err(), /^samples\/job-parallel\.yaml: Job parallel \(on swarm\)$/m);
    assert.deepEqual(h.kinds, [], 'neither talks to an engine');
  });
});
