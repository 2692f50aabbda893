// The CronJob commands as a user types them: apply (kubectl's lines, ConfigMaps for later jobs, a
// Job run as with run -d), cron list, cron next (zone, offsets, daylight-saving notes), cron trigger
// (a background controller without a daemon; the daemon's job with one; Forbid; --force).

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { FileStore } from '../../../src/state/file-store.js';
import {
  newStateDir,
  removeContainersWithPrefix,
  start,
  tjob,
  until,
  writeManifest,
} from '../cli/tjob-cli.js';

const PREFIX = `itcmd${process.pid}`;
const children: ChildProcess[] = [];

const manifest = (suspend = false, sleep = 3) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${PREFIX}-greet}
data: {WHO: world}
---
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: ${PREFIX}-cj}
spec:
  schedule: "30 1 * * *"
  timeZone: America/New_York
  concurrencyPolicy: Forbid
  suspend: ${suspend}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "echo hello $WHO; sleep ${sleep}"]
            envFrom: [{configMapRef: {name: ${PREFIX}-greet}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: ${PREFIX}-once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo once"]
`;

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeContainersWithPrefix(PREFIX);
});

async function finished(dir: string, job: string): Promise<number | undefined> {
  const s = await new FileStore(dir).loadJob(job);
  const c = s?.job.status.conditions?.find(
    (x) => x.status === 'True' && (x.type === 'Complete' || x.type === 'Failed'),
  );
  return c ? (s!.job.status.succeeded ?? 0) : undefined;
}

describe('CronJob commands', () => {
  it('apply prints created / unchanged / configured, and runs a Job in the file', async () => {
    const dir = newStateDir();
    const file = writeManifest(manifest());
    const first = await tjob(['apply', '-f', file], dir);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      first.stdout,
      `configmap/${PREFIX}-greet created\ncronjob.batch/${PREFIX}-cj created\njob.batch/${PREFIX}-once created\n`,
    );
    assert.match(first.stderr, /batch\/v1beta1 CronJob is deprecated/);
    assert.match(first.stderr, /No scheduler is running/);
    const again = await tjob(['apply', '-f', file], dir);
    assert.equal(
      again.stdout,
      `configmap/${PREFIX}-greet unchanged\ncronjob.batch/${PREFIX}-cj unchanged\njob.batch/${PREFIX}-once unchanged\n`,
    );
    const edited = await tjob(['apply', '-f', writeManifest(manifest(true))], dir);
    assert.match(edited.stdout, new RegExp(`cronjob.batch/${PREFIX}-cj configured`));
    await until(async () => (await finished(dir, `${PREFIX}-once`)) === 1, 15_000);

    const list = await tjob(['cron', 'list'], dir);
    assert.match(list.stdout, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE/);
    assert.match(
      list.stdout,
      new RegExp(`${PREFIX}-cj\\s+30 1 \\* \\* \\*\\s+America/New_York\\s+True\\s+0\\s+<none>`),
    );
    const json = JSON.parse((await tjob(['get', 'cronjob', `${PREFIX}-cj`, '-o', 'json'], dir)).stdout) as {
      apiVersion: string;
      metadata: { uid?: string };
    };
    assert.equal(json.apiVersion, 'batch/v1');
    assert.ok(json.metadata.uid);
  });

  it('cron next prints the runs in the zone with offsets, and the fall-back note', async () => {
    const dir = newStateDir();
    const out = await tjob(
      ['cron', 'next', writeManifest(manifest()), '--from', '2024-11-02T12:00:00Z', '--count', '3'],
      dir,
    );
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.trimEnd().split('\n');
    assert.equal(lines[0], '30 1 * * *: at 01:30 every day (America/New_York)');
    assert.match(lines[1]!, /^Sun 2024-11-03 01:30:00 UTC-04:00 .*occurs twice.*first/);
    assert.match(lines[2]!, /^Sun 2024-11-03 01:30:00 UTC-05:00 .*occurs twice.*second/);
    assert.equal(lines[3], 'Mon 2024-11-04 01:30:00 UTC-05:00');
    const missing = await tjob(['cron', 'next', 'nope'], dir);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error from server (NotFound): cronjobs.batch "nope" not found\n');
  });

  it('cron trigger: a background controller runs it; Forbid refuses a second; --force runs anyway', async () => {
    const dir = newStateDir();
    await tjob(['apply', '-f', writeManifest(manifest(true, 4))], dir);
    const first = await tjob(['cron', 'trigger', `${PREFIX}-cj`], dir);
    assert.equal(first.code, 0, first.stderr);
    const job = /^job\.batch\/(\S+) created\n$/.exec(first.stdout)?.[1];
    assert.ok(job?.startsWith(`${PREFIX}-cj-manual-`), first.stdout);
    const refused = await tjob(['cron', 'trigger', `${PREFIX}-cj`], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /concurrencyPolicy is Forbid .* still running/);
    const forced = await tjob(['cron', 'trigger', `${PREFIX}-cj`, '--force'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    await until(async () => (await finished(dir, job!)) === 1, 20_000);
    const logs = await tjob(['logs', job!], dir);
    assert.match(logs.stdout, /hello world/);
    const s = await new FileStore(dir).loadJob(job!);
    assert.equal(s?.job.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
  });

  it('cron trigger with a daemon running: the daemon drives the new job', async () => {
    const dir = newStateDir();
    await tjob(['apply', '-f', writeManifest(manifest(true, 1))], dir);
    const d = start(['cron', 'start'], dir);
    children.push(d.child);
    let err = '';
    d.child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    await until(() => err.includes('scheduler (pid'), 10_000);
    const out = await tjob(['cron', 'trigger', `${PREFIX}-cj`], dir);
    assert.equal(out.code, 0, out.stderr);
    const job = /^job\.batch\/(\S+) created/.exec(out.stdout)![1]!;
    await until(async () => (await finished(dir, job)) === 1, 15_000);
    d.child.kill('SIGTERM');
    const end = await d.done;
    assert.equal(end.code, 143);
    assert.match(end.stderr, new RegExp(`job.batch/${job}: taken over`));
    assert.match(end.stdout, new RegExp(`\\[${job}-\\w+/main\\] hello world`));
  });
});
