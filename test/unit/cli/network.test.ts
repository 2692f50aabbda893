// `--network NAME` / TJOB_NETWORK on the fake runtime: the network is checked before anything is
// created, recorded with the job and carried by every pod plan, kept when the job is resumed, and a
// resumed job is not moved to another network (the real engine: test/integration/brokers).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRecordedNetwork, networkOf } from '../../../src/cli/args/network.js';
import { UsageError } from '../../../src/api/errors.js';
import { waitFor } from '../../support/wait-for.js';
import { cronJobManifest, fakeEngine, jobManifest } from './fake-engine.js';

const ok = () => ({ exitCode: 0, runMs: 1000 });

describe('networkOf', () => {
  it('the flag, else TJOB_NETWORK, else none', () => {
    assert.equal(networkOf({ network: 'a' }, { TJOB_NETWORK: 'b' }), 'a');
    assert.equal(networkOf({}, { TJOB_NETWORK: 'b' }), 'b');
    assert.equal(networkOf({}, { TJOB_NETWORK: '' }), undefined);
    assert.equal(networkOf({}, {}), undefined);
  });
  it('refuses what is no network name, naming where it came from', () => {
    assert.throws(() => networkOf({ network: 'container:abc' }, {}), /invalid --network "container:abc"/);
    assert.throws(() => networkOf({}, { TJOB_NETWORK: 'a b' }), /invalid TJOB_NETWORK "a b"/);
  });
});

describe('checkRecordedNetwork', () => {
  it('lets a job go on on its network, or when none is asked', () => {
    checkRecordedNetwork('j', 'a', 'a');
    checkRecordedNetwork('j', 'a', undefined);
    checkRecordedNetwork('j', undefined, undefined);
  });
  it('refuses to move a job to another network, with the way out', () => {
    assert.throws(
      () => checkRecordedNetwork('j', 'a', 'b'),
      (e: unknown) =>
        e instanceof UsageError &&
        /created on the network "a", not "b"/.test(e.message) &&
        /--network a\b.*--replace/.test(e.hint ?? ''),
    );
    assert.throws(() => checkRecordedNetwork('j', undefined, 'b'), /created without a network/);
  });
});

describe('tjob run --network on the fake runtime', { timeout: 60_000 }, () => {
  it('records the network with the job and gives it to every pod', async () => {
    const h = fakeEngine(ok);
    const code = await h.run('run', h.manifest(jobManifest('net', 'completions: 2')), '--network', 'brokers');
    assert.equal(code, 0, h.err());
    assert.deepEqual(h.runtime.networkChecks, ['brokers']);
    assert.equal((await h.store.loadJobConfig('net')).network, 'brokers');
    assert.equal(h.runtime.plans.length, 2);
    for (const plan of h.runtime.plans) assert.equal(plan.network, 'brokers');
  });

  it('TJOB_NETWORK is the default; without either, pods get no network', async () => {
    const h = fakeEngine(ok);
    h.ctx.env.TJOB_NETWORK = 'from-env';
    assert.equal(await h.run('run', h.manifest(jobManifest('env'))), 0, h.err());
    assert.equal(h.runtime.plans[0]?.network, 'from-env');
    delete h.ctx.env.TJOB_NETWORK;
    assert.equal(await h.run('run', h.manifest(jobManifest('none'))), 0, h.err());
    assert.equal(h.runtime.plans[1]?.network, undefined);
    assert.equal((await h.store.loadJobConfig('none')).network, undefined);
  });

  it('a missing network: exit 3 naming it, and nothing created', async () => {
    const h = fakeEngine(ok);
    h.runtime.networks = new Set(['other']);
    const code = await h.run('run', h.manifest(jobManifest('lost')), '--network', 'nope');
    assert.equal(code, 3);
    assert.match(h.err(), /the Docker network "nope" does not exist/);
    assert.equal(await h.store.loadJob('lost'), undefined);
    assert.deepEqual(h.runtime.created, []);
  });

  it('a resumed job keeps its network; asking for another is refused before anything changes', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 3_600_000 }));
    const file = h.manifest(jobManifest('long'));
    const { done } = h.start('run', file, '--network', 'first');
    await waitFor(async () => (await h.store.loadJob('long'))?.job.status.active === 1, {
      what: 'job long to have its pod running',
    });
    h.signal('SIGINT');
    assert.equal(await done, 130, h.err());

    assert.equal(await h.run('run', file, '--network', 'second'), 2);
    assert.match(h.err(), /job "long" exists and was created on the network "first", not "second"/);
    assert.equal((await h.store.loadJob('long'))?.job.spec.suspend, true, 'still suspended');

    // Resumed without the flag (TJOB_NETWORK, the default of new jobs, does not move it either).
    h.ctx.env.TJOB_NETWORK = 'second';
    const resumed = h.start('run', file);
    await waitFor(() => h.runtime.plans.length === 2, { what: 'the resumed job to start a pod' });
    assert.equal(h.runtime.plans[1]?.network, 'first');
    assert.deepEqual(h.runtime.networkChecks.at(-1), 'first', 'the recorded network is checked');
    h.signal('SIGINT');
    await resumed.done;
  });

  it('cron start --network: the jobs the scheduler creates are on it; a missing one stops it at once', async () => {
    const h = fakeEngine(ok, '2024-01-01T09:59:30Z');
    assert.equal(await h.run('apply', '-f', h.manifest(cronJobManifest)), 0, h.err());
    h.runtime.networks = new Set(['sched']);
    assert.equal(await h.run('cron', 'start', '--network', 'gone'), 3);
    assert.match(h.err(), /the Docker network "gone" does not exist/);

    const { done } = h.start('cron', 'start', '--network', 'sched');
    await waitFor(() => h.runtime.plans.length === 1, { what: 'the scheduler to start a pod' });
    h.signal('SIGINT');
    await done;
    assert.equal(h.runtime.plans[0]?.network, 'sched');
    const job = h.runtime.plans[0]?.jobName ?? '';
    assert.equal((await h.store.loadJobConfig(job)).network, 'sched');
  });

  it('cron trigger and apply check the network before creating a job', async () => {
    const h = fakeEngine(ok);
    assert.equal(await h.run('apply', '-f', h.manifest(cronJobManifest)), 0, h.err());
    h.runtime.networks = new Set();
    assert.equal(await h.run('cron', 'trigger', 'cj', '--network', 'gone'), 3);
    assert.equal(await h.run('apply', '-f', h.manifest(jobManifest('applied')), '--network', 'gone'), 3);
    assert.match(h.err(), /the Docker network "gone" does not exist/);
    assert.deepEqual(await h.store.listJobs(), []);
  });
});
