import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { load } from 'js-yaml';
import { complete, event, failed, harness, pod, storeJob, tjob } from './helpers.js';
import { waitFor } from '../../support/wait-for.js';

async function twoJobs() {
  const h = harness();
  await storeJob(h, {
    name: 'done',
    spec: { completions: 2, parallelism: 2 },
    labels: { team: 'a', tier: 'batch' },
    status: {
      startTime: '2026-01-01T00:00:01Z',
      completionTime: '2026-01-01T00:00:08Z',
      active: 0,
      ready: 0,
      terminating: 0,
      succeeded: 2,
      failed: 0,
      conditions: complete(),
    },
    pods: [
      pod('done-bbbbb', 'Succeeded', { createdAt: '2026-01-01T00:00:01.500Z' }),
      pod('done-aaaaa', 'Succeeded'),
    ],
    events: [
      event('SuccessfulCreate', 'Created pod: done-aaaaa', 'Job/done'),
      event('Completed', 'Job completed', 'Job/done', '2026-01-01T00:00:08Z'),
    ],
  });
  await storeJob(h, {
    name: 'queue',
    spec: { completions: null, parallelism: 3 },
    labels: { team: 'b' },
    status: {
      startTime: '2026-01-01T00:05:00Z',
      active: 2,
      ready: 1,
      terminating: 0,
      succeeded: 0,
      failed: 1,
    },
    pods: [
      pod('queue-ccccc', 'Running', { createdAt: '2026-01-01T00:05:00.000Z' }),
      pod('queue-ddddd', 'Failed', {
        createdAt: '2026-01-01T00:05:00.000Z',
        exitCode: 137,
        reason: 'OOMKilled',
      }),
      pod('queue-eeeee', 'Pending', { createdAt: '2026-01-01T00:09:59.000Z' }),
    ],
  });
  return h;
}

describe('tjob get', () => {
  it('prints the jobs table as kubectl does', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'jobs'), 0);
    assert.equal(
      h.out(),
      'NAME    STATUS     COMPLETIONS   DURATION   AGE\n' +
        'done    Complete   2/2           7s         10m\n' +
        'queue   Running    0/1 of 3      5m         10m\n',
    );
    assert.equal(h.err(), '');
  });

  it('adds CONTAINERS IMAGES SELECTOR with -o wide', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'job.batch', 'done', '-o', 'wide'), 0);
    const [header, row] = h.out().split('\n');
    assert.equal(
      header,
      'NAME   STATUS     COMPLETIONS   DURATION   AGE   CONTAINERS   IMAGES           SELECTOR',
    );
    assert.ok(
      row!.startsWith(
        'done   Complete   2/2           7s         10m   main         busybox:latest   batch.kubernetes.io/controller-uid=',
      ),
      row,
    );
  });

  it('prints the pods table with kubectl pod statuses', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'po'), 0);
    assert.equal(
      h.out(),
      'NAME          READY   STATUS              RESTARTS   AGE\n' +
        'done-aaaaa    0/1     Completed           0          9m59s\n' +
        'done-bbbbb    0/1     Completed           0          9m59s\n' +
        'queue-ccccc   1/1     Running             0          5m\n' +
        'queue-ddddd   0/1     OOMKilled           0          5m\n' +
        'queue-eeeee   0/1     ContainerCreating   0          1s\n',
    );
  });

  it('lists the pods of one job with --job', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'pods', '--job', 'done', '--no-headers'), 0);
    assert.equal(
      h.out(),
      'done-aaaaa   0/1   Completed   0     9m59s\ndone-bbbbb   0/1   Completed   0     9m59s\n',
    );
    const h2 = await twoJobs();
    assert.equal(await tjob(h2, 'get', 'pods', '--job', 'nope'), 1);
    assert.equal(h2.err(), 'Error from server (NotFound): jobs.batch "nope" not found\n');
  });

  it('prints -o name lines', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'jobs', '-o', 'name'), 0);
    assert.equal(h.out(), 'job.batch/done\njob.batch/queue\n');
    const p = await twoJobs();
    assert.equal(await tjob(p, 'get', 'pods', '-l', 'batch.kubernetes.io/job-name=queue', '-o', 'name'), 0);
    assert.equal(p.out(), 'pod/queue-ccccc\npod/queue-ddddd\npod/queue-eeeee\n');
  });

  it('filters by label selector and rejects a bad one (exit 2)', async () => {
    for (const [sel, want] of [
      ['team=a', 'job.batch/done\n'],
      ['team!=a', 'job.batch/queue\n'],
      ['team in (a,b),!tier', 'job.batch/queue\n'],
      ['tier', 'job.batch/done\n'],
      ['job-name notin (done)', 'job.batch/queue\n'],
    ] as const) {
      const h = await twoJobs();
      assert.equal(await tjob(h, 'get', 'jobs', '-l', sel, '-o', 'name'), 0, sel);
      assert.equal(h.out(), want, sel);
    }
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'jobs', '-l', 'team in a'), 2);
    assert.match(h.err(), /^error: invalid label selector "team in a": found 'a', expected: '\('/);
    const none = await twoJobs();
    assert.equal(await tjob(none, 'get', 'jobs', '-l', 'team=zzz'), 0);
    assert.equal(none.out(), '');
    assert.equal(none.err(), 'No resources found in default namespace.\n');
  });

  it('says No resources found on stderr, exit 0, for an empty state directory', async () => {
    for (const kind of ['jobs', 'pods', 'cronjobs']) {
      const h = harness();
      assert.equal(await tjob(h, 'get', kind), 0);
      assert.equal(h.out(), '');
      assert.equal(h.err(), 'No resources found in default namespace.\n');
    }
    const h = harness();
    assert.equal(await tjob(h, 'get', 'jobs', '-o', 'json'), 0);
    assert.deepEqual(JSON.parse(h.out()), {
      apiVersion: 'v1',
      items: [],
      kind: 'List',
      metadata: { resourceVersion: '' },
    });
  });

  it('reports a missing name as NotFound (exit 1) and still prints the others', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'jobs', 'nope', 'done'), 1);
    assert.equal(
      h.out(),
      'NAME   STATUS     COMPLETIONS   DURATION   AGE\ndone   Complete   2/2           7s         10m\n',
    );
    assert.equal(h.err(), 'Error from server (NotFound): jobs.batch "nope" not found\n');
    const p = await twoJobs();
    assert.equal(await tjob(p, 'get', 'pod/nope'), 1);
    assert.equal(p.err(), 'Error from server (NotFound): pods "nope" not found\n');
    const j = await twoJobs();
    assert.equal(await tjob(j, 'get', 'job', 'nope', '-o', 'json'), 1);
    assert.equal(j.out(), '');
  });

  it('-o json of one job is the batch/v1 Job, as the API server reports it', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'job', 'done', '-o', 'json'), 0);
    assert.match(h.out(), /^\{\n {4}"apiVersion": "batch\/v1",\n/);
    const job = JSON.parse(h.out());
    assert.equal(job.kind, 'Job');
    assert.equal(job.metadata.name, 'done');
    assert.equal(job.metadata.namespace, 'default');
    assert.match(job.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal(job.metadata.creationTimestamp, '2026-01-01T00:00:00Z');
    assert.equal(job.metadata.labels.team, 'a');
    assert.equal(job.spec.completions, 2);
    assert.equal(job.spec.backoffLimit, 6);
    assert.deepEqual(job.status, {
      completionTime: '2026-01-01T00:00:08Z',
      conditions: complete(),
      ready: 0,
      startTime: '2026-01-01T00:00:01Z',
      succeeded: 2,
      terminating: 0,
      uncountedTerminatedPods: {},
    });
  });

  it('-o json of several objects is a v1 List; -o yaml round-trips to the same objects', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'jobs', '-o', 'json'), 0);
    const list = JSON.parse(h.out());
    assert.equal(list.kind, 'List');
    assert.equal(list.apiVersion, 'v1');
    assert.deepEqual(list.metadata, { resourceVersion: '' });
    assert.deepEqual(
      list.items.map((j: { metadata: { name: string } }) => j.metadata.name),
      ['done', 'queue'],
    );
    const y = await twoJobs();
    assert.equal(await tjob(y, 'get', 'jobs', '-o', 'yaml'), 0);
    assert.match(y.out(), /^apiVersion: v1\nitems:\n- apiVersion: batch\/v1\n/);
    const fromYaml = load(y.out()) as typeof list;
    // The uids differ between the two fixtures; compare everything else.
    const strip = (l: typeof list) =>
      JSON.parse(
        JSON.stringify(l).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UID'),
      );
    assert.deepEqual(strip(fromYaml), strip(list));
  });

  it('-o json of a pod carries the Job controller labels, owner reference and container statuses', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'pod', 'queue-ddddd', '-o', 'json'), 0);
    const p = JSON.parse(h.out());
    assert.equal(p.apiVersion, 'v1');
    assert.equal(p.kind, 'Pod');
    assert.equal(p.metadata.labels['batch.kubernetes.io/job-name'], 'queue');
    assert.match(p.metadata.labels['batch.kubernetes.io/controller-uid'], /^[0-9a-f-]{36}$/);
    assert.deepEqual(p.metadata.ownerReferences[0], {
      apiVersion: 'batch/v1',
      blockOwnerDeletion: true,
      controller: true,
      kind: 'Job',
      name: 'queue',
      uid: p.metadata.labels['batch.kubernetes.io/controller-uid'],
    });
    assert.equal(p.spec.hostname, 'queue-ddddd');
    assert.equal(p.spec.restartPolicy, 'Never');
    assert.equal(p.spec.enableServiceLinks, true, 'a Pod-only default (SetDefaults_Pod)');
    assert.equal(p.status.phase, 'Failed');
    assert.equal(p.status.startTime, '2026-01-01T00:00:02Z');
    const c = p.status.containerStatuses[0];
    assert.equal(c.name, 'main');
    assert.equal(c.restartCount, 0);
    assert.match(c.containerID, /^docker:\/\//);
    assert.deepEqual(Object.keys(c.state.terminated).sort(), [
      'containerID',
      'exitCode',
      'finishedAt',
      'reason',
      'startedAt',
    ]);
    assert.equal(c.state.terminated.exitCode, 137);
  });

  it('-o json of a finished job answers jq queries', async () => {
    const h = await twoJobs();
    assert.equal(await tjob(h, 'get', 'job', 'done', '-o', 'json'), 0);
    const jq = (filter: string) => {
      const r = spawnSync('jq', ['-c', filter], { input: h.out(), encoding: 'utf8' });
      if (r.error) {
        // No jq on this machine: the same queries in JS.
        const job = JSON.parse(h.out());
        if (filter === '.status.succeeded') return String(job.status.succeeded);
        return JSON.stringify(job.status.conditions.find((c: { type: string }) => c.type === 'Complete'));
      }
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    assert.equal(jq('.status.succeeded'), '2');
    const cond = JSON.parse(jq('.status.conditions[] | select(.type=="Complete")'));
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'CompletionsReached');
  });

  it('shows Failed, Suspended and the interim conditions as STATUS', async () => {
    const h = harness();
    await storeJob(h, {
      name: 'f',
      status: { startTime: '2026-01-01T00:00:01Z', failed: 7, conditions: failed() },
    });
    await storeJob(h, {
      name: 's',
      spec: { suspend: true },
      status: {
        conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }],
      },
    });
    await storeJob(h, {
      name: 't',
      status: { startTime: '2026-01-01T00:00:01Z', conditions: [failed()[0]!] },
    });
    assert.equal(await tjob(h, 'get', 'jobs'), 0);
    assert.equal(
      h.out(),
      'NAME   STATUS          COMPLETIONS   DURATION   AGE\n' +
        'f      Failed          0/1           9m59s      10m\n' +
        's      Suspended       0/1                      10m\n' +
        't      FailureTarget   0/1           9m59s      10m\n',
    );
  });

  it('rejects an unknown resource type and output format (exit 2)', async () => {
    const h = harness();
    assert.equal(await tjob(h, 'get', 'deployments'), 2);
    assert.match(h.err(), /the server doesn't have a resource type "deployments"/);
    const o = harness();
    assert.equal(await tjob(o, 'get', 'jobs', '-o', 'xml'), 2);
    assert.match(
      o.err(),
      /allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,wide,yaml\n/,
    );
  });

  it('-w prints the table, then a row per change, until SIGINT', async () => {
    const h = await twoJobs();
    const running = tjob(h, 'get', 'jobs', '-w');
    // Change the job only once the first table is out.
    await waitFor(() => h.out().split('\n').length >= 4, { what: 'the first table of get -w' });
    await h.store.commitJob('queue', {
      status: {
        startTime: '2026-01-01T00:05:00Z',
        completionTime: '2026-01-01T00:08:08Z',
        succeeded: 1,
        conditions: complete(),
      },
    });
    await waitFor(() => h.out().split('\n').length >= 5, { what: 'get -w to print the changed row' });
    h.signal('SIGINT');
    assert.equal(await running, 130);
    assert.equal(
      h.out(),
      'NAME    STATUS     COMPLETIONS   DURATION   AGE\n' +
        'done    Complete   2/2           7s         10m\n' +
        'queue   Running    0/1 of 3      5m         10m\n' +
        'queue   Complete   1/1 of 3      3m8s       10m\n',
    );
  });
});
