// Secret masking (which values, how they are replaced, where the run printer applies it) and the
// warnings for manifests that ask for power over this machine (privileged, host namespaces,
// hostPath of / or the Docker socket).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from '../../../src/api/k8s.js';
import { RunPrinter } from '../../../src/cli/run-printer.js';
import { SecretMask, maskFor, secretValuesUsed } from '../../../src/output/secret-mask.js';
import type { StoredJob } from '../../../src/ports/state-store.js';
import { cronJob, job, load } from '../manifest/helpers.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskSecretsOf } from '../../../src/cli/secret-masking.js';
import { testJob } from '../../support/jobs.js';
import { event, harness, log, pod, tjob } from '../cli/helpers.js';

const secrets = {
  db: { password: 's3cr3t-pass', user: 'admin-user', pin: '123' },
  tls: { key: '-----BEGIN KEY-----\nMIIEvQIBADAN\n-----END KEY-----' },
  unused: { token: 'never-used-token' },
};

describe('secretValuesUsed', () => {
  it('takes the keys a pod uses: secretKeyRef, envFrom, volumes (items or all), projected', () => {
    const spec = {
      containers: [
        {
          name: 'a',
          image: 'x',
          env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
        },
      ],
      volumes: [{ name: 'v', secret: { secretName: 'tls' } }],
    } as unknown as PodSpec;
    assert.deepEqual(
      secretValuesUsed(spec, secrets).sort(),
      ['-----BEGIN KEY-----\nMIIEvQIBADAN\n-----END KEY-----', 's3cr3t-pass'].sort(),
    );
    const all = {
      initContainers: [{ name: 'i', image: 'x', envFrom: [{ secretRef: { name: 'db' } }] }],
      containers: [{ name: 'a', image: 'x' }],
      volumes: [
        {
          name: 'p',
          projected: { sources: [{ secret: { name: 'unused', items: [{ key: 'token', path: 't' }] } }] },
        },
        { name: 'm', secret: { secretName: 'missing' } },
      ],
    } as unknown as PodSpec;
    assert.deepEqual(secretValuesUsed(all, secrets).sort(), [
      '123',
      'admin-user',
      'never-used-token',
      's3cr3t-pass',
    ]);
    assert.deepEqual(secretValuesUsed(undefined, secrets), []);
  });
});

describe('SecretMask', () => {
  it('replaces every occurrence, longest first, and each line of a multi-line value', () => {
    const m = new SecretMask([
      's3cr3t',
      's3cr3t-pass',
      '123',
      '-----BEGIN KEY-----\nMIIEvQIBADAN\n-----END KEY-----',
    ]);
    assert.equal(m.mask('pw=s3cr3t-pass and s3cr3t, s3cr3ts3cr3t'), 'pw=*** and ***, ******');
    assert.equal(m.mask('pin 123 stays'), 'pin 123 stays', 'values under 4 characters are not masked');
    assert.equal(m.mask('key: MIIEvQIBADAN'), 'key: ***');
    assert.equal(m.mask('regex chars (a+b)* are literal'), 'regex chars (a+b)* are literal');
    assert.equal(new SecretMask(['a.b*c']).mask('a.b*c aXbbc'), '*** aXbbc');
    assert.ok(new SecretMask([]).empty);
    assert.equal(maskFor(undefined, undefined, true).mask('anything'), 'anything');
  });
});

function printer(showSecrets: boolean) {
  let out = '';
  let err = '';
  const p = new RunPrinter({
    stdout: { write: (s) => ((out += s), true) },
    stderr: { write: (s) => ((err += s), true) },
    colorStdout: false,
    colorStderr: false,
    live: false,
    quiet: false,
    showLogs: true,
    showSecrets,
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  return { p, out: () => out, err: () => err };
}

describe('RunPrinter masks the values of a job', () => {
  const state = {
    job: {
      metadata: { name: 'j' },
      spec: { template: { spec: { containers: [] } } },
      status: {
        failed: 1,
        conditions: [
          { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'said s3cr3t-pass' },
        ],
      },
    },
    pods: [],
    events: [],
    backoff: { failuresAfterLastSuccess: 0 },
  } as unknown as StoredJob;
  const line = {
    pod: 'j-abcde',
    container: 'main',
    stream: 'stdout' as const,
    time: '',
    text: 'the password is s3cr3t-pass',
  };

  it('in logs, events and the failure summary; only for that job', () => {
    const { p, out, err } = printer(false);
    p.setSecrets('j', ['s3cr3t-pass']);
    p.log('j', line, false);
    p.log('other', line, false);
    p.event('j', {
      type: 'Warning',
      reason: 'X',
      message: 'value s3cr3t-pass',
      firstTimestamp: '',
      lastTimestamp: '',
      count: 1,
      source: 'job-controller',
      involvedObject: 'Job/j',
    });
    p.result(state, 'Failed', ['last s3cr3t-pass']);
    assert.equal(out(), '[j-abcde/main] the password is ***\n[j-abcde/main] the password is s3cr3t-pass\n');
    assert.doesNotMatch(err(), /s3cr3t-pass/);
    assert.match(err(), /value \*\*\*/);
    assert.match(err(), /said \*\*\*/);
    assert.match(err(), /\| last \*\*\*/);
  });

  it('not with --show-secrets', () => {
    const { p, out } = printer(true);
    p.setSecrets('j', ['s3cr3t-pass']);
    p.log('j', line, false);
    p.flushLogs(); // log lines go out once per turn of the event loop
    assert.equal(out(), '[j-abcde/main] the password is s3cr3t-pass\n');
  });
});

describe('warnings for risky manifests', () => {
  const risky = (r: ReturnType<typeof load>) => r.warnings.filter((w) => !w.includes('apply'));

  it('names each risk on a line of its own, with the field path', () => {
    const r = load(
      job(
        {},
        {
          hostNetwork: true,
          hostPID: true,
          hostIPC: true,
          initContainers: [{ name: 'i', image: 'busybox', securityContext: { privileged: true } }],
          containers: [
            {
              name: 'a',
              image: 'busybox',
              securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } },
            },
          ],
          volumes: [
            { name: 'root', hostPath: { path: '/' } },
            { name: 'sock', hostPath: { path: '/var/run/docker.sock' } },
            { name: 'sock2', hostPath: { path: '/run//docker.sock' } },
            { name: 'run', hostPath: { path: '/var/run/' } },
            { name: 'fine', hostPath: { path: '/tmp/data' } },
          ],
        },
      ),
    );
    assert.deepEqual(r.errors, []);
    const base = 'Warning: job.yaml: spec.template.spec';
    assert.deepEqual(risky(r), [
      `${base}.hostNetwork: the pod uses this machine's network: it can reach every local service and listen on its ports`,
      `${base}.hostPID: the pod sees this machine's processes and can signal them`,
      `${base}.hostIPC: the pod shares this machine's IPC namespace (its shared memory and queues)`,
      `${base}.initContainers[0].securityContext.privileged: the container gets full access to this machine`,
      `${base}.containers[0].securityContext.privileged: the container gets full access to this machine`,
      `${base}.containers[0].securityContext.capabilities.add: the capability (ALL or SYS_ADMIN) gives the container near-full access to this machine`,
      `${base}.volumes[0].hostPath.path: "/": the pod gets this machine's whole file system`,
      `${base}.volumes[1].hostPath.path: "/var/run/docker.sock": the Docker socket gives the pod full control of the Docker engine, and so of this machine`,
      `${base}.volumes[2].hostPath.path: "/run//docker.sock": the Docker socket gives the pod full control of the Docker engine, and so of this machine`,
      `${base}.volumes[3].hostPath.path: "/var/run/": the directory holds the Docker socket, which gives the pod full control of the Docker engine, and so of this machine`,
    ]);
  });

  it('for a CronJob template too; none for an ordinary pod', () => {
    const c = cronJob();
    (
      c['spec'] as { jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } }
    ).jobTemplate.spec.template.spec['hostNetwork'] = true;
    assert.deepEqual(risky(load(c)), [
      "Warning: job.yaml: spec.jobTemplate.spec.template.spec.hostNetwork: the pod uses this machine's network: it can reach every local service and listen on its ports",
    ]);
    assert.deepEqual(
      risky(load(job({}, { hostNetwork: false, volumes: [{ name: 'd', hostPath: { path: '/data' } }] }))),
      [],
    );
  });
});

describe('masking fails closed when the job Secrets cannot be read', () => {
  async function jobUsingSecret(damage: (configPath: string) => void) {
    const h = harness();
    const job = testJob('s');
    job.spec.template.spec.containers[0]!.env = [
      { name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ];
    await h.store.createJob(
      { ...job, status: {} },
      { configMaps: {}, secrets: { db: { password: 's3cr3t-pass' } } },
    );
    const p = pod('s-aaaaa', 'Succeeded');
    await h.store.commitJob('s', {
      pods: [p],
      events: [event('Started', 'saw s3cr3t-pass', 'Pod/s-aaaaa')],
    });
    await h.store.appendLogs('s', 's-aaaaa', 'main', [
      log('2026-01-01T00:00:03Z', 'the password is s3cr3t-pass'),
    ]);
    damage(join(h.dir, 'jobs', 's', 'config.json'));
    return h;
  }
  const damaged = (path: string) => writeFileSync(path, '{"secrets": {');
  // A read that fails for another reason than a missing file (EISDIR here: tests run as root,
  // whom a mode of 000 does not stop).
  const unreadable = (path: string) => {
    rmSync(path);
    mkdirSync(path);
  };

  for (const [what, damage] of [
    ['damaged', damaged],
    ['unreadable', unreadable],
  ] as const) {
    it(`logs and describe refuse, naming the file, when config.json is ${what}`, async () => {
      const h = await jobUsingSecret(damage);
      assert.equal(await tjob(h, 'logs', 's'), 1);
      assert.equal(h.out(), '');
      assert.match(h.err(), /error: cannot mask the Secrets of job "s": .*config\.json/);
      assert.match(h.err(), /hint: .*--show-secrets/);
      const d = await jobUsingSecret(damage);
      assert.equal(await tjob(d, 'describe', 'pod', 's-aaaaa'), 1);
      assert.doesNotMatch(d.out() + d.err(), /s3cr3t-pass/);
      const s = await jobUsingSecret(damage);
      assert.equal(await tjob(s, 'logs', 's', '--show-secrets'), 0);
      assert.equal(s.out(), 'the password is s3cr3t-pass\n');
    });
  }

  it('a live run prints the job texts as *** and says why', async () => {
    const h = await jobUsingSecret(damaged);
    const { p, out, err } = printer(false);
    await maskSecretsOf(h.store, 's', p);
    p.log(
      's',
      { pod: 's-aaaaa', container: 'main', stream: 'stdout', time: '', text: 'pw s3cr3t-pass' },
      false,
    );
    p.flushLogs();
    assert.equal(out(), '[s-aaaaa/main] ***\n');
    assert.match(err(), /Warning: cannot mask the Secrets of job "s": .*config\.json is damaged/);
    const shown = printer(true);
    await maskSecretsOf(h.store, 's', shown.p);
    shown.p.log(
      's',
      { pod: 's-aaaaa', container: 'main', stream: 'stdout', time: '', text: 'pw s3cr3t-pass' },
      false,
    );
    shown.p.flushLogs();
    assert.equal(shown.out(), '[s-aaaaa/main] pw s3cr3t-pass\n');
  });
});
