// ConfigMaps and Secrets stored with `tjob apply` are available to every later job, as objects of
// its namespace: `run`, `apply` and `cron start` accept manifests that refer to them (a reference to
// an object stored nowhere stays an error, exit 2). Before, only a run's own files counted.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PodPlan } from '../../../src/api/pod.js';
import { waitFor } from '../../support/wait-for.js';
import { fakeEngine, jobManifest } from './fake-engine.js';

const STORED = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  GREETING: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: token
stringData:
  TOKEN: t0k3n
`;

const REFS = `
        env:
        - name: GREETING
          valueFrom: {configMapKeyRef: {name: settings, key: GREETING}}
        envFrom:
        - secretRef: {name: token}
`;

/** Every path under `dir`, sorted. */
function listing(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listing(dir, join(base, e.name)) : [join(base, e.name)]))
    .sort();
}

function referring(name: string): string {
  return jobManifest(name).replace(/\n$/, REFS);
}

function cronReferring(name: string): string {
  const job = referring('x')
    .split('\n')
    .slice(5) // from `  backoffLimit` on: the Job's spec
    .map((l) => `    ${l}`)
    .join('\n');
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "0 0 1 1 *"
  jobTemplate:
    spec:
${job}`;
}

describe('references to ConfigMaps and Secrets stored with apply', { timeout: 120_000 }, () => {
  it('run: a job that refers to stored ones runs, and its pods get their values', async () => {
    const plans: PodPlan[] = [];
    const h = fakeEngine((plan) => (plans.push(plan), { exitCode: 0, runMs: 500 }));
    assert.equal(await h.run('apply', '-f', h.manifest(STORED, 'config.yaml')), 0, h.err());
    const code = await h.run('run', h.manifest(referring('uses-stored')));
    assert.equal(code, 0, h.err());
    const plan = plans.find((p) => p.jobName === 'uses-stored');
    assert.deepEqual(plan?.configMaps, { settings: { GREETING: 'hello' } });
    assert.deepEqual(plan?.secrets, { token: { TOKEN: 't0k3n' } });
  });

  it('run: a reference to an object stored nowhere is still refused (exit 2)', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 500 }));
    const code = await h.run('run', h.manifest(referring('uses-missing')));
    assert.equal(code, 2);
    assert.match(h.err(), /configMapKeyRef\.name: Not found: "settings": no ConfigMap of that name/);
    assert.match(h.err(), /secretRef\.name: Not found: "token": no Secret of that name/);
  });

  it('validate, render and run --dry-run accept references to stored ones, and write nothing', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 500 }));
    const job = h.manifest(referring('checked'));
    // No state directory yet: the references are unknown, and none is created by looking.
    rmSync(h.dir, { recursive: true });
    assert.equal(await h.run('validate', '-q', job), 2);
    assert.match(h.err(), /configMapKeyRef\.name: Not found: "settings"/);
    assert.equal(await h.run('run', '--dry-run', job), 2);
    assert.equal(existsSync(h.dir), false, 'validate or run --dry-run created the state directory');
    assert.equal(await h.run('apply', '-f', h.manifest(STORED, 'config.yaml')), 0, h.err());
    const before = listing(h.dir);
    assert.equal(await h.run('validate', '-q', job), 0, h.err());
    assert.equal(await h.run('render', job), 0, h.err());
    assert.match(h.out(), /configMapKeyRef: \{ name: settings|name: settings/);
    assert.equal(await h.run('run', '--dry-run', job), 0, h.err());
    assert.deepEqual(listing(h.dir), before, 'a dry run changed the state directory');
  });

  it('apply and cron start: a CronJob that refers to stored ones is stored', async () => {
    const h = fakeEngine(() => ({ exitCode: 0, runMs: 500 }));
    assert.equal(await h.run('apply', '-f', h.manifest(STORED, 'config.yaml')), 0, h.err());
    assert.equal(await h.run('apply', '-f', h.manifest(cronReferring('nightly'), 'cron.yaml')), 0, h.err());
    assert.match(h.out(), /^cronjob\.batch\/nightly created$/m);
    const { done } = h.start('cron', 'start', h.manifest(cronReferring('weekly'), 'w.yaml'));
    await waitFor(() => /scheduler \(pid \d+\) started/.test(h.err()), { what: 'the scheduler to start' });
    h.signal('SIGINT');
    assert.equal(await done, 130, h.err());
    assert.match(h.out(), /^cronjob\.batch\/weekly created$/m);
  });
});
