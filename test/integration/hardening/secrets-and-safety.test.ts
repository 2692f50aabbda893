// Secrets and safety on the real engine: secret values never printed (run's logs and failure
// summary, `tjob logs`, describe) unless --show-secrets, while the stored logs keep the truth; the
// state directory private to the user (every directory 0700, every file 0600, secret volume files
// unreadable by another user); no manifest value ever reaches a shell; risky fields warned about.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import { newStateDir, removeContainersOf, start, tjob, until, writeManifest } from '../cli/tjob-cli.js';

const P = `itsec${process.pid}`;
const dirs: string[] = [];
const jobs: string[] = [];
after(() => {
  for (const j of jobs) removeContainersOf(j);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function stateDir(): string {
  const d = newStateDir();
  dirs.push(d);
  return d;
}

const PASSWORD = 'hunter2-Pa55w0rd';
const TOKEN = 'tok-9f8e7d6c5b4a';
const KEYLINE = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC';

function secretJob(name: string, script: string, extra = ''): string {
  jobs.push(name);
  return `apiVersion: v1
kind: Secret
metadata:
  name: ${name}-creds
stringData:
  password: ${PASSWORD}
  token: ${TOKEN}
  short: abc
  key: |
    -----BEGIN PRIVATE KEY-----
    ${KEYLINE}
    -----END PRIVATE KEY-----
---
apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
${extra}      volumes:
      - name: creds
        secret:
          secretName: ${name}-creds
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef: {name: ${name}-creds, key: password}
        envFrom:
        - prefix: S_
          secretRef: {name: ${name}-creds}
        volumeMounts:
        - {name: creds, mountPath: /creds}
        command: ["sh", "-c", ${JSON.stringify(script)}]
`;
}

const leaks = (text: string) => [PASSWORD, TOKEN, KEYLINE].filter((s) => text.includes(s));

describe('secret values are never printed', { concurrency: true }, () => {
  it('run masks the logs and the failure summary; logs and describe mask; the stored logs keep the truth', async () => {
    const dir = stateDir();
    const name = `${P}-mask`;
    const file = writeManifest(
      secretJob(
        name,
        'echo "pw=$PASSWORD"; echo "token $S_token twice $S_token"; cat /creds/key; echo "short $S_short"; echo "$PASSWORD" >&2; exit 3',
      ),
    );
    const report = join(dir, 'report.xml');
    const run = await tjob(['run', file, '--backoff', '1s', '--report', report], dir);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(leaks(run.stdout + run.stderr), [], run.stdout + run.stderr);
    const xml = readFileSync(report, 'utf8');
    assert.deepEqual(leaks(xml), [], 'the JUnit report masks them too');
    assert.match(xml, /\*\*\*/);
    assert.match(run.stdout, /pw=\*\*\*\n/);
    assert.match(run.stdout, /token \*\*\* twice \*\*\*\n/);
    assert.match(run.stdout, /short abc\n/, 'values under 4 characters are left alone');
    assert.match(run.stderr, /last \d+ log lines of the last failed pod/);
    assert.match(run.stderr, /\| \*\*\*\n/);

    const logs = await tjob(['logs', name], dir);
    assert.equal(logs.code, 0, logs.stderr);
    assert.deepEqual(leaks(logs.stdout), []);
    assert.match(logs.stdout, /pw=\*\*\*/);
    const shown = await tjob(['logs', name, '--show-secrets'], dir);
    assert.deepEqual(leaks(shown.stdout).sort(), [KEYLINE, PASSWORD, TOKEN].sort());

    const pod = (await new FileStore(dir).loadJob(name))!.pods[0]!.name;
    for (const args of [
      ['describe', 'job', name],
      ['describe', 'pod', pod],
      ['get', 'job', name, '-o', 'yaml'],
      ['get', 'pod', pod, '-o', 'json'],
      ['logs', `pod/${pod}`, '--timestamps'],
      ['-v', 'logs', name, '--tail', '2'],
    ]) {
      const out = await tjob(args, dir);
      assert.deepEqual(leaks(out.stdout + out.stderr), [], args.join(' '));
    }
    // Masking is at print time: the state directory keeps what the container wrote.
    const stored = readFileSync(join(dir, 'jobs', name, 'logs', pod, 'main', '0.log'), 'utf8');
    assert.ok(stored.includes(PASSWORD) && stored.includes(KEYLINE));
  });

  it('run --show-secrets prints them; a followed run masks too', async () => {
    const dir = stateDir();
    const name = `${P}-show`;
    const file = writeManifest(secretJob(name, 'echo "pw=$PASSWORD"'));
    const run = await tjob(['run', file, '--show-secrets'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`pw=${PASSWORD}`));

    const name2 = `${P}-follow`;
    // Long enough that the second run finds it still running on a busy machine (it follows it).
    const file2 = writeManifest(secretJob(name2, 'sleep 8; echo "pw=$PASSWORD"'));
    const detached = await tjob(['run', '-d', file2], dir);
    assert.equal(detached.code, 0, detached.stderr);
    const follow = await tjob(['run', file2], dir);
    assert.equal(follow.code, 0, follow.stderr);
    assert.match(follow.stderr, /following it/);
    assert.match(follow.stdout, /pw=\*\*\*/);
    assert.deepEqual(leaks(follow.stdout + follow.stderr), []);
  });
});

/**
 * Every directory and file under `root`, with its mode. The job is live while it is walked: what
 * goes in the meantime (a finished pod's volume, a renamed temp file) is left out.
 */
function walk(root: string): { path: string; dir: boolean; mode: number }[] {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  const gone = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';
  const visit = (p: string) => {
    let s;
    let names: string[] = [];
    try {
      s = statSync(p);
      if (s.isDirectory()) names = readdirSync(p);
    } catch (err) {
      if (gone(err)) return;
      throw err;
    }
    out.push({ path: p, dir: s.isDirectory(), mode: s.mode & 0o777 });
    for (const n of names) visit(join(p, n));
  };
  visit(root);
  return out;
}

function asNobody(args: string[]): number {
  return (
    spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...args], {
      stdio: 'ignore',
    }).status ?? -1
  );
}

describe('the state directory is private', () => {
  it('every directory 0700, every file 0600; secret volume files unreadable by another user', async () => {
    const dir = stateDir();
    const name = `${P}-perm`;
    const file = writeManifest(secretJob(name, 'cat /creds/password; sleep 4'));
    const cron = writeManifest(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${P}-cron
spec:
  schedule: "0 0 1 1 *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - {name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["true"]}
---
apiVersion: v1
kind: Secret
metadata:
  name: ${P}-stored
stringData:
  k: ${TOKEN}
`);
    assert.equal((await tjob(['apply', '-f', cron], dir)).code, 0);
    const d = await tjob(['run', '-d', file], dir);
    assert.equal(d.code, 0, d.stderr);
    // While the pod runs: its secret volume is on disk, its lease and requests exist.
    const volumes = join(dir, 'volumes');
    let secretFile = '';
    await until(() => {
      const found = existsSync(volumes) ? walk(volumes).find((e) => e.path.endsWith('/password')) : undefined;
      secretFile = found?.path ?? '';
      return found !== undefined;
    });
    await new FileStore(dir).requestJobChange(name, { from: 'test', suspend: false });
    const during = walk(dir);
    const wait = await tjob(['wait', `job/${name}`, '--for=finished', '--timeout=60s'], dir);
    assert.equal(wait.code, 0, wait.stderr);
    const afterRun = walk(dir);

    const kinds = new Set<string>();
    for (const e of [...during, ...afterRun]) {
      const rel = e.path.slice(dir.length);
      // Under a pod's volume directory the modes are the pod's (Kubernetes' defaultMode 0644 for
      // secret files, 0777 for emptyDir): what keeps them private is the 0700 directories above.
      const inVolume = /^\/volumes\/[^/]+\/[^/]+\/./.test(rel);
      if (inVolume) continue;
      if (rel === '') continue; // the directory given (mkdtemp makes it 0700)
      kinds.add(rel.replace(/\/[^/]*(-[a-z0-9]{5}|[0-9a-f-]{36})(\/|$)/g, '/*$2'));
      if (e.dir) assert.equal(e.mode, 0o700, `${rel}: ${e.mode.toString(8)}`);
      else assert.equal(e.mode & 0o077, 0, `${rel}: ${e.mode.toString(8)}`);
    }
    const seen = [...kinds].join('\n');
    for (const k of [
      'state.json',
      'journal.jsonl',
      'lease.json',
      'config.json',
      'requests',
      'logs',
      'controllers.log',
      'cronjobs',
      'config/secret.',
      'volumes',
    ]) {
      assert.ok(seen.includes(k), `${k} checked:\n${seen}`);
    }
    // Another user cannot read the secret file, nor list the pod's volumes, nor any log.
    assert.notEqual(secretFile, '');
    if (spawnSync('setpriv', ['--version']).status === 0) {
      assert.notEqual(asNobody(['cat', secretFile]), 0, 'secret file readable by nobody');
      assert.notEqual(asNobody(['ls', volumes]), 0);
      assert.notEqual(asNobody(['cat', join(dir, 'config', `secret.${P}-stored.json`)]), 0);
      assert.equal(asNobody(['true']), 0, 'setpriv works');
    }
  });
});

describe('no manifest value reaches a shell', () => {
  it('$(...), backticks, ; and && in names, commands, env, labels, --set and --items execute nothing on the host', async () => {
    const dir = stateDir();
    const base = join(tmpdir(), `${P}-shell`);
    mkdirSync(base, { recursive: true });
    dirs.push(base);
    const canary = join(base, 'canary');
    mkdirSync(canary);
    const pwned = join(base, 'pwned');
    const hostile = [
      `$(touch ${pwned}-1)`,
      `\`touch ${pwned}-2\``,
      `; touch ${pwned}-3`,
      `&& rm -rf ${canary}`,
      `| touch ${pwned}-4`,
    ];
    const name = `${P}-shell`;
    jobs.push(name);
    const file = writeManifest(`apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
  annotations:
    note: ${JSON.stringify(hostile.join(' '))}
spec:
  template:
    metadata:
      labels: {x: "a"}
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        workingDir: /tmp
        env:
        - {name: EVIL, value: ${JSON.stringify(hostile.join(' '))}}
        command: ["echo", ${hostile.map((h) => JSON.stringify(h)).join(', ')}, "$SETVAL", "$ITEMX"]
`);
    const bad = writeManifest(`apiVersion: batch/v1
kind: Job
metadata:
  name: "$(touch ${pwned}-5); rm -rf ${canary}"
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox, command: ["true"]}]
`);
    const refused = await tjob(['run', bad], dir);
    assert.equal(refused.code, 2, refused.stderr);
    const run = await tjob(['run', file, '--set', `SETVAL=$(touch ${pwned}-6)`], dir);
    assert.equal(run.code, 0, run.stderr);
    // The container's echo printed every text literally, and nothing ran on the host.
    for (const h of hostile) assert.ok(run.stdout.includes(h), `${h} in ${run.stdout}`);
    assert.ok(run.stdout.includes(`$(touch ${pwned}-6)`));
    for (const args of [
      ['validate', file],
      ['run', '--dry-run', file, '--set', `SETVAL=\`touch ${pwned}-7\``],
      ['describe', 'job', name],
      ['logs', name],
    ]) {
      await tjob(args, dir);
    }
    const itemsFile = writeManifest(`apiVersion: batch/v1
kind: Job
metadata:
  name: ${P}-i-$ITEM
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox, command: ["echo", "$ITEM"]}]
`);
    await tjob(['validate', itemsFile, '--items', `$(touch ${pwned}-8),;touch ${pwned}-9`], dir);
    assert.deepEqual(readdirSync(base).sort(), ['canary'], 'no file created and the canary still there');
    // And the code has no way to: child_process is used only to start tjob itself, to run a
    // docker credential helper (spawn, no shell), whose name comes from the user's Docker config,
    // and to open the web view's URL in $BROWSER (`tjob ui --open`; spawn, no shell), never with a
    // manifest's value.
    const src = join(import.meta.dirname, '../../../../src');
    const hits = execFileSync('grep', [
      '-rlE',
      'child_process|execSync|spawnSync|[^.]exec\\(|shell: *true',
      src,
    ])
      .toString()
      .trim()
      .split('\n');
    assert.deepEqual(hits.map((h) => h.slice(src.length)).sort(), [
      '/cli/commands/ui.ts',
      '/cli/main.ts',
      '/runtime/registry/credential-helper.ts',
    ]);
    for (const file of ['cli/commands/ui.ts', 'cli/main.ts', 'runtime/registry/credential-helper.ts']) {
      const text = readFileSync(join(src, file), 'utf8');
      assert.doesNotMatch(text, /shell:\s*true|execSync|exec\(/, file);
    }
  });
});

describe('risky manifests run with a warning per risk', () => {
  const risky = (name: string, privileged: boolean) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      hostIPC: true
      volumes:
      - {name: sock, hostPath: {path: /var/run/docker.sock}}
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "test -S /sock && echo socket-mounted"]
        volumeMounts: [{name: sock, mountPath: /sock}]
${privileged ? '        securityContext: {privileged: true}\n' : ''}`;
  const lines = (file: string, privileged: boolean) => [
    `Warning: ${file}: spec.template.spec.hostIPC: the pod shares this machine's IPC namespace (its shared memory and queues)`,
    ...(privileged
      ? [
          `Warning: ${file}: spec.template.spec.containers[0].securityContext.privileged: the container gets full access to this machine`,
        ]
      : []),
    `Warning: ${file}: spec.template.spec.volumes[0].hostPath.path: "/var/run/docker.sock": the Docker socket gives the pod full control of the Docker engine, and so of this machine`,
  ];
  const warnings = (stderr: string) => stderr.split('\n').filter((l) => /^Warning: .*(machine|IPC)/.test(l));

  it('validate, run --dry-run and run print each warning once, and run runs it', async () => {
    const dir = stateDir();
    const name = `${P}-risky`;
    jobs.push(name, `${name}-priv`);
    const file = writeManifest(risky(name, false));
    for (const args of [
      ['validate', file],
      ['run', '--dry-run', file],
      ['run', file],
    ]) {
      const out = await tjob(args, dir);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(warnings(out.stderr), lines(file, false), args.join(' '));
      if (args[0] === 'run' && args.length === 2) assert.match(out.stdout, /socket-mounted/);
    }
    // privileged: warned the same way; whether it starts is the engine's affair (an engine in
    // a sandbox refuses it: "unable to apply caps"), so only the warnings are asserted.
    const priv = writeManifest(risky(`${name}-priv`, true));
    for (const args of [
      ['validate', priv],
      ['run', '--dry-run', priv],
      ['run', priv],
    ]) {
      const out = await tjob(args, dir);
      assert.ok(out.code === 0 || out.code === 1, out.stderr);
      assert.deepEqual(warnings(out.stderr), lines(priv, true), args.join(' '));
    }
  });
});

void start;
