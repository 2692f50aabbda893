// Ctrl-C and resumption with --runtime swarm on a real three-node Swarm, through the CLI as a CI
// script uses it: the first run is interrupted (pods stopped, job suspended, exit 130), the
// second, without --runtime, resumes the job on the runtime it recorded and writes the JUnit report.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { newStateDir, start, tjob, writeManifest } from '../cli/tjob-cli.js';
import { useSwarmCluster } from '../../support/swarm.js';
import { waitFor } from '../../support/wait-for.js';

const { cluster, skip } = useSwarmCluster({ prefix: 'tjsres', subnet: '10.203.6' });

/** The manager as a user names it; TJOB_RUNTIME is left to the flags. */
const onCluster = (): Record<string, string> => ({ DOCKER_HOST: cluster.managerHost, TJOB_RUNTIME: '' });

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: interrupted
spec:
  completions: 4
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: work
          image: busybox:latest
          imagePullPolicy: IfNotPresent
          command: ["sh", "-c", "sleep 6; echo done"]
`;

describe('Ctrl-C and resumption on a three-node Swarm', { skip, timeout: 600_000 }, () => {
  it('Ctrl-C stops the pods and suspends the job (130); the next run resumes it and writes its report', async () => {
    const stateDir = newStateDir();
    const file = writeManifest(JOB);
    const first = start(['run', '--runtime', 'swarm', file], stateDir, onCluster());
    const runningTasks = async (): Promise<number> =>
      ((await cluster.manager().listTasks()) as { Status?: { State?: string } }[]).filter(
        (t) => t.Status?.State === 'running',
      ).length;
    await waitFor(async () => (await runningTasks()) === 2, { what: 'two pods running', timeout: 120_000 });
    first.child.kill('SIGINT');
    const firstEnd = await first.done;
    assert.equal(firstEnd.code, 130, firstEnd.stderr);
    assert.equal(await runningTasks(), 0, 'Ctrl-C stopped every pod');
    const suspended = await tjob(
      ['get', 'job', 'interrupted', '-o', 'jsonpath={.spec.suspend}'],
      stateDir,
      onCluster(),
    );
    assert.equal(suspended.stdout, 'true');

    const report = join(tmpdir(), `tjob-swarm-report-${process.pid}.xml`);
    const second = await tjob(['run', file, '--report', report], stateDir, onCluster());
    assert.equal(second.code, 0, second.stderr);
    const status = await tjob(
      ['get', 'job', 'interrupted', '-o', 'jsonpath={.status.succeeded} {.status.failed}'],
      stateDir,
      onCluster(),
    );
    // status.failed is omitted while it is 0, as the API server does.
    assert.equal(status.stdout.trim(), '4', 'four pods succeeded; the stopped ones are no failures');
    assert.ok(existsSync(report), 'the JUnit report is written');
    const xml = readFileSync(report, 'utf8');
    assert.match(xml, /<testsuite [^>]*name="interrupted"/);
    assert.match(xml, /<property name="succeeded" value="4"\/>/);
    assert.match(xml, /<property name="failed" value="0"\/>/);
    // The pods Ctrl-C stopped are no failed test cases; the suite names them.
    assert.match(xml, /<testsuite [^>]*name="interrupted" [^>]*failures="0"/);
    assert.match(xml, /<system-out>Stopped, not counted as failures:\n[^<]*\(Suspended\)/);
    assert.deepEqual(await cluster.manager().listServices(), [], 'every service is gone');
  });
});
