// The API server's defaulting and create warnings, as a user meets them through the CLI on the
// real engine: the documentation's Indexed Job that reads its index from a downwardAPI volume
// (fieldRef without apiVersion), and a Job or CronJob named with dots.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FileStore } from '../../../src/state/file-store.js';
import { newStateDir, tjob, writeManifest } from './tjob-cli.js';

// Kubernetes' example application/job/indexed-job-vol.yaml, with the local busybox image (and
// IfNotPresent: the test never pulls); the downwardAPI volume is the example's, unchanged.
const indexedJobVol = `---
{
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: {
    name: "indexed-job",
  },
  spec: {
    completions: 5,
    parallelism: 3,
    completionMode: "Indexed",
    template: {
      spec: {
        restartPolicy: "Never",
        containers: [{
          name: "worker",
          image: "busybox:latest",
          imagePullPolicy: "IfNotPresent",
          command: [
            "rev",
            "/input/data.txt",
          ],
          volumeMounts: [{
            mountPath: "/input",
            name: "input",
          }],
        }],
        volumes: [{
          name: "input",
          downwardAPI: {
            items: [{
              path: "data.txt",
              fieldRef: {
                fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
              },
            }],
          },
        }],
      },
    },
  },
}
`;

const dnsLabelWarning =
  'metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]';

describe('API server defaults and warnings on the real engine', { timeout: 300_000 }, () => {
  it('the Indexed Job reading its index from a downwardAPI volume completes', async () => {
    const state = newStateDir();
    const file = writeManifest(indexedJobVol);
    const valid = await tjob(['validate', '-q', file], state);
    assert.equal(valid.code, 0, valid.stderr);
    assert.doesNotMatch(valid.stderr, /Required value|Not found/);

    const got = await tjob(['run', file, '--backoff', '300ms'], state);
    assert.equal(got.code, 0, got.stderr);
    for (let i = 0; i < 5; i++)
      assert.match(got.stdout, new RegExp(`^\\[indexed-job-${i}-\\w{5}/worker\\] ${i}$`, 'm'));
    const stored = await new FileStore(state).loadJob('indexed-job');
    assert.ok(stored);
    assert.equal(stored.job.status.succeeded, 5);
    assert.equal(stored.job.status.completedIndexes, '0-4');
    const complete = stored.job.status.conditions?.find((c) => c.type === 'Complete');
    assert.equal(complete?.status, 'True');
    const volume = stored.job.spec.template.spec.volumes?.[0] as unknown as {
      downwardAPI: { items: { fieldRef: { apiVersion: string } }[] };
    };
    assert.equal(volume.downwardAPI.items[0]?.fieldRef.apiVersion, 'v1', 'stored as defaulted');
  });

  it('a Job or CronJob named with dots gets the API server warning from validate, run and apply', async () => {
    const state = newStateDir();
    const jobFile = writeManifest(`apiVersion: batch/v1
kind: Job
metadata:
  name: my.job
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox:latest
        imagePullPolicy: IfNotPresent
        command: ["true"]
`);
    const warning = `Warning: ${jobFile}: ${dnsLabelWarning}`;
    const valid = await tjob(['validate', '-q', jobFile], state);
    assert.equal(valid.code, 0, valid.stderr);
    assert.ok(valid.stderr.split('\n').includes(warning), valid.stderr);

    const run = await tjob(['run', jobFile, '-q'], state);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stderr.split('\n').includes(warning), run.stderr);

    const cronFile = writeManifest(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: my.cron
spec:
  schedule: "0 0 1 1 *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox:latest
            command: ["true"]
`);
    const apply = await tjob(['apply', '-f', cronFile], state);
    assert.equal(apply.code, 0, apply.stderr);
    assert.ok(apply.stderr.split('\n').includes(`Warning: ${cronFile}: ${dnsLabelWarning}`), apply.stderr);
    assert.match(apply.stdout, /cronjob\.batch\/my\.cron created/);
  });
});
