// The Kubernetes documentation's Job and CronJob examples (test/fixtures/k8s-docs/, copied
// unchanged from kubernetes/website), run as the pages run them, on the real engine, with the
// images scripts/build-example-images.sh builds under the names the examples use. Each test checks
// what its page shows: the conditions (type, reason, message), the status counts and indexes, the
// events and the output. `--backoff 1s` shortens the pod backoff only where the page's outcome
// does not depend on it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conditionsOf as conditions } from '../../support/jobs.js';
import { until } from '../cli/tjob-cli.js';
import { ROOT, cleanup, getJob, line, startLine, workspace, type Workspace } from './readme-shell.js';

const DOCS = join(ROOT, 'test', 'fixtures', 'k8s-docs');
const T = { timeout: 240_000 };

/** Runs one documentation command line in a fresh workspace, removing its containers after. */
async function inWorkspace(body: (ws: Workspace, uids: string[]) => Promise<void>): Promise<void> {
  const ws = workspace();
  const uids: string[] = [];
  try {
    await body(ws, uids);
  } finally {
    cleanup(ws, uids);
  }
}

/** The pods' log lines without tjob's `[POD/CONTAINER] ` prefix. */
function logLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\[[^\]]+\] /, ''));
}

const PI = readFileSync(join(DOCS, 'controllers', 'job.output.txt'), 'utf8').trim();

// Three at a time: the pi examples are CPU-bound, and pi-with-timeout must finish within its own
// 100 s deadline on a 2-core machine.
describe('Kubernetes documentation examples', { concurrency: 3 }, () => {
  it('job.md: controllers/job.yaml computes π to 2000 places and completes', T, () =>
    inWorkspace(async (ws, uids) => {
      let got = await line(`tjob run ${DOCS}/controllers/job.yaml`, ws);
      assert.equal(got.code, 0, got.stderr);
      const job = getJob('pi', ws);
      uids.push(job.metadata.uid ?? '');
      // "The output is similar to this": the same 2000 places.
      assert.deepEqual(logLines(got.stdout), [PI]);
      assert.equal(job.spec?.backoffLimit, 4);
      assert.equal(job.spec?.completionMode, 'NonIndexed');
      assert.equal(job.metadata.labels?.['batch.kubernetes.io/job-name'], 'pi');
      assert.equal(job.metadata.labels?.['batch.kubernetes.io/controller-uid'], job.metadata.uid);
      assert.equal(job.status?.succeeded, 1);
      assert.equal(job.status?.failed ?? 0, 0);
      assert.deepEqual(
        conditions(job).map((c) => [c.type, c.status, c.reason]),
        [
          ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
          ['Complete', 'True', 'CompletionsReached'],
        ],
      );

      // kubectl describe job pi: one pod succeeded, SuccessfulCreate then Completed.
      got = await line('tjob describe job pi', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m);
      assert.match(got.stdout, /^\s+Image:\s+perl:5\.34\.0$/m);
      assert.match(
        got.stdout,
        /Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: pi-\w{5}\n\s+Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/,
      );

      // kubectl logs jobs/pi
      got = await line('tjob logs jobs/pi', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout.trim(), PI);

      // "To list all the Pods that belong to a Job in a machine readable form", then their logs.
      got = await line(
        "pods=$(tjob get pods --selector=batch.kubernetes.io/job-name=pi --output=jsonpath='{.items[*].metadata.name}'); echo $pods; tjob logs $pods",
        ws,
      );
      assert.equal(got.code, 0, got.stderr);
      const [pods, ...logs] = got.stdout.split('\n');
      assert.match(pods!, /^pi-[a-z0-9]{5}$/);
      assert.equal(logs.join('\n').trim(), PI);
    }),
  );

  for (const [file, name] of [
    ['job.md-pi-with-timeout.yaml', 'pi-with-timeout'],
    ['job.md-pi-with-ttl.yaml', 'pi-with-ttl'],
  ] as const) {
    it(`job.md: the inline ${name} example completes`, T, () =>
      inWorkspace(async (ws, uids) => {
        const got = await line(`tjob run ${DOCS}/inline/${file}`, ws);
        assert.equal(got.code, 0, got.stderr);
        const job = getJob(name, ws);
        uids.push(job.metadata.uid ?? '');
        assert.deepEqual(logLines(got.stdout), [PI]);
        assert.equal(job.status?.succeeded, 1);
        assert.equal(conditions(job).at(-1)?.type, 'Complete');
        // Eligible for deletion 100 s after it finished, so still there now.
        if (name === 'pi-with-ttl') assert.equal(job.spec?.ttlSecondsAfterFinished, 100);
        else assert.equal(job.spec?.activeDeadlineSeconds, 100);
      }),
    );
  }

  it('job.md: backoff limit per index fails indexes 0,2,4,6,8 after one retry each', T, () =>
    inWorkspace(async (ws, uids) => {
      const got = await line(
        `tjob run ${DOCS}/controllers/job-backoff-limit-per-index-example.yaml --backoff 1s`,
        ws,
      );
      assert.equal(got.code, 1, got.stderr);
      const job = getJob('job-backoff-limit-per-index-example', ws);
      uids.push(job.metadata.uid ?? '');
      // The status the page shows.
      assert.equal(job.status?.completedIndexes, '1,3,5,7,9');
      assert.equal(job.status?.failedIndexes, '0,2,4,6,8');
      assert.equal(job.status?.succeeded, 5);
      assert.equal(job.status?.failed, 10);
      assert.deepEqual(conditions(job), [
        { type: 'FailureTarget', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' },
        { type: 'Failed', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' },
      ]);
      assert.equal(logLines(got.stdout).filter((l) => l === 'Hello world').length, 15);
    }),
  );

  it('job.md: the pod failure policy example fails the job on exit code 42 (FailJob)', T, () =>
    inWorkspace(async (ws, uids) => {
      const got = await line(`tjob run ${DOCS}/controllers/job-pod-failure-policy-example.yaml`, ws);
      assert.equal(got.code, 1, got.stderr);
      const job = getJob('job-pod-failure-policy-example', ws);
      uids.push(job.metadata.uid ?? '');
      const [target, failed] = conditions(job);
      assert.equal(target?.type, 'FailureTarget');
      assert.equal(target?.reason, 'PodFailurePolicy');
      assert.match(
        target?.message ?? '',
        /^Container main for pod default\/job-pod-failure-policy-example-\w{5} failed with exit code 42 matching FailJob rule at index 0$/,
      );
      assert.deepEqual(failed, { ...target, type: 'Failed' });
      assert.equal(conditions(job).length, 2);
      // The first failure ends the job: no pod is retried, none succeeds.
      assert.equal(job.status?.succeeded ?? 0, 0);
      assert.ok((job.status?.failed ?? 0) <= 3, `failed ${job.status?.failed}`);
      assert.ok(logLines(got.stdout).every((l) => l === 'Hello world!'));
    }),
  );

  // The page's outcome is a race the example itself sets up: all 10 indexes start at once, 9 of
  // them exit 1 and the default backoffLimit is 6. When index 2 succeeds before the 7th failure
  // is seen, the success policy is met (the page's outcome); otherwise the backoff limit is, and
  // the terminating policy wins, as the page's note says (pkg/controller/job/job_controller.go
  // checks the backoff limit before the success policy). A loaded machine sees either.
  it(
    'job.md: the success policy example succeeds on index 2 (SuccessPolicy), or loses the race to backoffLimit',
    T,
    () =>
      inWorkspace(async (ws, uids) => {
        const got = await line(`tjob run ${DOCS}/controllers/job-success-policy.yaml`, ws);
        const job = getJob('job-success', ws);
        uids.push(job.metadata.uid ?? '');
        assert.equal(job.status?.active ?? 0, 0, 'the lingering pods were terminated');
        if (got.code === 0) {
          assert.deepEqual(conditions(job), [
            {
              type: 'SuccessCriteriaMet',
              status: 'True',
              reason: 'SuccessPolicy',
              message: 'Matched rules at index 0',
            },
            {
              type: 'Complete',
              status: 'True',
              reason: 'SuccessPolicy',
              message: 'Matched rules at index 0',
            },
          ]);
          assert.equal(job.status?.completedIndexes, '2');
          assert.equal(job.status?.succeeded, 1);
        } else {
          assert.equal(got.code, 1, got.stderr);
          const message = 'Job has reached the specified backoff limit';
          assert.deepEqual(conditions(job), [
            { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message },
            { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message },
          ]);
          assert.ok((job.status?.failed ?? 0) >= 7, `failed ${job.status?.failed}`);
        }
      }),
  );

  it('pod-failure-policy.md: job-pod-failure-policy-failjob fails after about 30 s (FailJob)', T, () =>
    inWorkspace(async (ws, uids) => {
      const started = Date.now();
      const got = await line(`tjob run ${DOCS}/controllers/job-pod-failure-policy-failjob.yaml`, ws);
      assert.equal(got.code, 1, got.stderr);
      // "After around 30s the entire Job should be terminated" (not 6 retries, at least 2 minutes).
      assert.ok(Date.now() - started < 120_000);
      const job = getJob('job-pod-failure-policy-failjob', ws);
      uids.push(job.metadata.uid ?? '');
      const [target, failed] = conditions(job);
      assert.equal(target?.type, 'FailureTarget');
      assert.equal(target?.reason, 'PodFailurePolicy');
      assert.match(
        target?.message ?? '',
        /^Container main for pod default\/job-pod-failure-policy-failjob-\w{5} failed with exit code 42 matching FailJob rule at index 0$/,
      );
      assert.deepEqual(failed, { ...target, type: 'Failed' });
      assert.ok(
        logLines(got.stdout).every(
          (l) => l === "Hello world! I'm going to exit with 42 to simulate a software bug.",
        ),
      );
    }),
  );

  it('pod-failure-policy.md: FailIndex fails index 1 at once and index 0 after one retry', T, () =>
    inWorkspace(async (ws, uids) => {
      const got = await line(
        `tjob run ${DOCS}/controllers/job-backoff-limit-per-index-failindex.yaml --backoff 1s`,
        ws,
      );
      assert.equal(got.code, 1, got.stderr);
      const job = getJob('job-backoff-limit-per-index-failindex', ws);
      uids.push(job.metadata.uid ?? '');
      assert.equal(job.status?.completedIndexes, '2,3');
      assert.equal(job.status?.failedIndexes, '0,1');
      assert.equal(job.status?.failed, 3);
      assert.equal(job.status?.succeeded, 2);
      assert.deepEqual(conditions(job), [
        { type: 'FailureTarget', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' },
        { type: 'Failed', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' },
      ]);
    }),
  );

  it('indexed-parallel-processing-static.md: indexed-job.yaml reverses one item per index', T, () =>
    inWorkspace(async (ws, uids) => {
      let got = await line(`tjob run ${DOCS}/application/job/indexed-job.yaml`, ws);
      assert.equal(got.code, 0, got.stderr);
      const job = getJob('indexed-job', ws);
      uids.push(job.metadata.uid ?? '');
      assert.equal(job.status?.completedIndexes, '0-4');
      assert.equal(job.status?.succeeded, 5);
      assert.equal(conditions(job).at(-1)?.reason, 'CompletionsReached');

      got = await line('tjob describe jobs/indexed-job', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /^Parallelism:\s+3$/m);
      assert.match(got.stdout, /^Completions:\s+5$/m);
      assert.match(got.stdout, /^Completed Indexes:\s+0-4$/m);
      assert.match(got.stdout, /^\s+Image:\s+docker\.io\/library\/bash$/m);
      assert.match(got.stdout, /^\s+\/input from input \(rw\)$/m);
      assert.equal(
        got.stdout.match(/SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: indexed-job-/g)?.length,
        5,
      );

      // kubectl logs of the pod of each index: the index's item, reversed ("xuq" for index 3).
      const items = ['oof', 'rab', 'zab', 'xuq', 'zyx'];
      for (const [index, reversed] of items.entries()) {
        got = await line(`tjob logs jobs/indexed-job --index ${index}`, ws);
        assert.equal(got.code, 0, got.stderr);
        assert.deepEqual(logLines(got.stdout), [reversed]);
      }
    }),
  );

  // Needs the downward API's fieldRef.apiVersion defaulted to "v1" (pkg/apis/core/v1/defaults.go,
  // SetDefaults_ObjectFieldSelector), which the example leaves out.
  it(
    'indexed-parallel-processing-static.md: indexed-job-vol.yaml reads the index from a downwardAPI file',
    T,
    () =>
      inWorkspace(async (ws, uids) => {
        let got = await line(`tjob run ${DOCS}/application/job/indexed-job-vol.yaml`, ws);
        assert.equal(got.code, 0, got.stderr);
        const job = getJob('indexed-job', ws);
        uids.push(job.metadata.uid ?? '');
        assert.equal(job.status?.completedIndexes, '0-4');
        for (const index of [0, 1, 2, 3, 4]) {
          got = await line(`tjob logs jobs/indexed-job --index ${index}`, ws);
          assert.equal(got.stdout.trim(), String(index));
        }
      }),
  );

  it('parallel-processing-expansion.md: job-tmpl.yaml expanded with sed, one job per item', T, () =>
    inWorkspace(async (ws, uids) => {
      // The page's own commands: download (here: copy) the template, expand it with sed.
      let got = await line(
        `cp ${DOCS}/application/job/job-tmpl.yaml . && mkdir ./jobs && ` +
          'for i in apple banana cherry; do cat job-tmpl.yaml | sed "s/\\$ITEM/$i/" > ./jobs/job-$i.yaml; done && ls jobs/',
        ws,
      );
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout, 'job-apple.yaml\njob-banana.yaml\njob-cherry.yaml\n');

      got = await line('tjob run ./jobs', ws);
      assert.equal(got.code, 0, got.stderr);
      for (const item of ['apple', 'banana', 'cherry'])
        uids.push(getJob(`process-item-${item}`, ws).metadata.uid ?? '');
      assert.deepEqual(logLines(got.stdout).sort(), [
        'Processing item apple',
        'Processing item banana',
        'Processing item cherry',
      ]);

      got = await line('tjob get jobs -l jobgroup=jobexample', ws);
      assert.equal(got.code, 0, got.stderr);
      const rows = got.stdout.trim().split('\n');
      assert.match(rows[0] ?? '', /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
      assert.deepEqual(
        rows.slice(1).map((r) => r.split(/\s+/).slice(0, 3).join(' ')),
        [
          'process-item-apple Complete 1/1',
          'process-item-banana Complete 1/1',
          'process-item-cherry Complete 1/1',
        ],
      );

      got = await line('tjob delete job -l jobgroup=jobexample', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /job\.batch "process-item-banana" deleted/);
    }),
  );

  it('automated-tasks-with-cron-jobs.md: cronjob.yaml runs hello within about a minute', T, () =>
    inWorkspace(async (ws, uids) => {
      const daemon = startLine(`tjob cron start ${DOCS}/application/job/cronjob.yaml`, ws);
      let out = '';
      daemon.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      try {
        // "Watch for the job to be created in around one minute".
        await until(() => /Hello from the Kubernetes cluster/.test(out), 120_000);
        const got = await line('tjob get cronjob hello', ws);
        assert.equal(got.code, 0, got.stderr);
        assert.match(got.stdout, /^hello\s+\* \* \* \* \*\s+<none>\s+False\s+[01]\s+\S+\s+\S+$/m);
        const jobs = await line('tjob get jobs -o name', ws);
        const name = /job\.batch\/(hello-\d{8})/.exec(jobs.stdout)?.[1];
        assert.ok(name, jobs.stdout);
        uids.push(getJob(name, ws).metadata.uid ?? '');
        // Its pod's log: the date, then the greeting.
        const lines = logLines(
          out
            .split('\n')
            .filter((l) => l.startsWith(`[${name}-`))
            .join('\n'),
        );
        assert.match(lines[0] ?? '', /^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \w+ \d{4}$/);
        assert.equal(lines[1], 'Hello from the Kubernetes cluster');
      } finally {
        daemon.child.kill('SIGINT');
        await daemon.done;
      }
    }),
  );
});
