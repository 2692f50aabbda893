// `tjob get -o jsonpath=... | custom-columns=...` on a state directory, as kubectl prints them.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { complete, harness, log, pod, storeJob, tjob, type Harness } from './helpers.js';
import { tempDir } from '../../support/jobs.js';

/** The Jobs page's pi job (one pod, its digits in the log) next to another job. */
async function piAndOther(): Promise<Harness> {
  const h = harness();
  await storeJob(h, {
    name: 'pi',
    spec: { backoffLimit: 4 },
    status: { succeeded: 1, conditions: complete(), startTime: '2026-01-01T00:00:01Z' },
    pods: [pod('pi-x7k2q', 'Succeeded')],
    logs: { 'pi-x7k2q/pi': [log('2026-01-01T00:00:05Z', '3.14159265358979323846')] },
    mutate: (job) => (job.spec.template.spec.containers[0]!.name = 'pi'),
  });
  await storeJob(h, {
    name: 'other',
    spec: { completions: 2, parallelism: 2 },
    status: { succeeded: 1, active: 1 },
    pods: [pod('other-aaaaa', 'Succeeded'), pod('other-bbbbb', 'Running')],
  });
  return h;
}

/** What `tjob ARGS...` writes to stdout, and its exit code. */
async function run(h: Harness, ...args: string[]): Promise<[number, string]> {
  const before = h.out().length;
  const code = await tjob(h, ...args);
  return [code, h.out().slice(before)];
}

describe('tjob get -o jsonpath', () => {
  it("the Jobs page: pods=$(... --output=jsonpath='{.items[*].metadata.name}'), then logs $pods", async () => {
    const h = await piAndOther();
    // The shell has removed the quotes around the template.
    const [code, pods] = await run(
      h,
      'get',
      'pods',
      '--selector=batch.kubernetes.io/job-name=pi',
      '--output=jsonpath={.items[*].metadata.name}',
    );
    assert.equal(code, 0, h.err());
    assert.equal(pods, 'pi-x7k2q');
    assert.equal(h.err(), '');
    const [logsCode, logs] = await run(h, 'logs', ...pods.split(' '));
    assert.equal(logsCode, 0, h.err());
    assert.equal(logs, '3.14159265358979323846\n');
  });

  it('several pods are separated by a space, without a final newline', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}'), [
      0,
      'other-aaaaa other-bbbbb pi-x7k2q',
    ]);
  });

  it('one name: the object itself, not a List', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'pod', 'pi-x7k2q', '-o', 'jsonpath={.kind}/{.metadata.name}'), [
      0,
      'Pod/pi-x7k2q',
    ]);
    assert.deepEqual(
      await run(
        h,
        'get',
        'job/pi',
        '-o',
        'jsonpath={.apiVersion} {.kind} {.spec.backoffLimit} {.status.succeeded}',
      ),
      [0, 'batch/v1 Job 4 1'],
    );
  });

  it('several names or kinds: a v1 List', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'jobs', 'pi', 'other', '-o', 'jsonpath={.apiVersion} {.kind}'), [
      0,
      'v1 List',
    ]);
    assert.deepEqual(await run(h, 'get', 'jobs,pods', '-o', 'jsonpath={.items[*].kind}'), [
      0,
      'Job Job Pod Pod Pod',
    ]);
  });

  it('range, filters and string literals', async () => {
    const h = await piAndOther();
    assert.deepEqual(
      await run(
        h,
        'get',
        'jobs',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.succeeded}{"\\n"}{end}',
      ),
      [0, 'other\t1\npi\t1\n'],
    );
    assert.deepEqual(
      await run(h, 'get', 'pods', '-o', 'jsonpath={.items[?(@.status.phase=="Running")].metadata.name}'),
      [0, 'other-bbbbb'],
    );
    assert.deepEqual(
      await run(
        h,
        'get',
        'jobs',
        '-o',
        'jsonpath={.items[?(@.status.conditions[-1].type=="Complete")].metadata.name}',
      ),
      [0, 'pi'],
    );
  });

  it('-o jsonpath-as-json and -o jsonpath-file=FILE', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'jobs', '-o', 'jsonpath-as-json={.items[*].metadata.name}'), [
      0,
      '[\n    "other",\n    "pi"\n]\n',
    ]);
    const file = join(tempDir('tjob-jp-'), 'names.jsonpath');
    writeFileSync(file, '{range .items[*]}{.metadata.name}{"\\n"}{end}');
    assert.deepEqual(await run(h, 'get', 'jobs', '-o', `jsonpath-file=${file}`), [0, 'other\npi\n']);
  });

  it('missing keys print nothing; --allow-missing-template-keys=false makes them an error (exit 1)', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'job', 'pi', '-o', 'jsonpath=[{.status.failed}]'), [0, '[]']);
    assert.deepEqual(
      await run(
        h,
        'get',
        'job',
        'pi',
        '-o',
        'jsonpath=[{.status.failed}]',
        '--allow-missing-template-keys=false',
      ),
      [1, ''],
    );
    assert.match(
      h.err(),
      /^error: error executing jsonpath "\[\{\.status\.failed\}\]": Error executing template: failed is not found$/m,
    );
  });

  it('no objects: the template runs on an empty List, and there is no "No resources found"', async () => {
    const h = await piAndOther();
    assert.deepEqual(
      await run(h, 'get', 'pods', '-l', 'job-name=nope', '-o', 'jsonpath={.items[*].metadata.name}'),
      [0, ''],
    );
    assert.deepEqual(await run(h, 'get', 'pods', '-l', 'job-name=nope', '-o', 'jsonpath={.kind}'), [
      0,
      'List',
    ]);
    assert.equal(h.err(), '');
  });

  it('a missing name is NotFound (exit 1) and prints nothing', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'pod', 'nope', '-o', 'jsonpath={.metadata.name}'), [1, '']);
    assert.match(h.err(), /Error from server \(NotFound\): pods "nope" not found/);
  });

  it('kubectl errors: a template that does not parse (exit 2), one that fails (exit 1)', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'pods', '-o', 'jsonpath={.items[*].metadata.name'), [2, '']);
    assert.match(
      h.err(),
      /^error: error parsing jsonpath \{\.items\[\*\]\.metadata\.name, unclosed action$/m,
    );
    const f = await piAndOther();
    assert.deepEqual(await run(f, 'get', 'pods', '-o', 'jsonpath={.items[7].metadata.name}'), [1, '']);
    assert.match(
      f.err(),
      /^error: error executing jsonpath "\{\.items\[7\]\.metadata\.name\}": Error executing template: array index out of bounds: index 7, length 3$/m,
    );
    const e = await piAndOther();
    assert.deepEqual(await run(e, 'get', 'pods', '-o', 'jsonpath'), [2, '']);
    assert.match(e.err(), /^error: template format specified but no template given$/m);
  });

  it('Go templates are not supported, with a hint (exit 2)', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'pods', '-o', 'go-template={{.metadata.name}}'), [2, '']);
    assert.match(
      h.err(),
      /output format "go-template" \(Go templates\) is not supported by tjob\nhint: use -o jsonpath=/,
    );
  });

  it('-w: the template runs on each object, then on each change', async () => {
    const h = await piAndOther();
    const running = tjob(h, 'get', 'jobs', '-w', '-o', 'jsonpath={.metadata.name}={.status.succeeded};');
    for (let i = 0; i < 500 && !h.out().includes('pi=1;'); i++) await new Promise((r) => setTimeout(r, 10));
    await h.store.commitJob('other', { status: { succeeded: 2, conditions: complete() } });
    for (let i = 0; i < 500 && !h.out().includes('other=2;'); i++)
      await new Promise((r) => setTimeout(r, 10));
    h.signal('SIGINT');
    assert.equal(await running, 130);
    assert.equal(h.out(), 'other=1;pi=1;other=2;');
  });
});

describe('tjob get -o custom-columns', () => {
  it('NAME:.metadata.name,STATUS:.status.phase; <none> where a path finds nothing', async () => {
    const h = await piAndOther();
    assert.deepEqual(
      await run(
        h,
        'get',
        'pods',
        '-o',
        'custom-columns=NAME:.metadata.name,STATUS:.status.phase,NODE:.spec.nodeName',
      ),
      [
        0,
        'NAME          STATUS      NODE\n' +
          'other-aaaaa   Succeeded   <none>\n' +
          'other-bbbbb   Running     <none>\n' +
          'pi-x7k2q      Succeeded   <none>\n',
      ],
    );
  });

  it('one name; several values joined by commas; --no-headers', async () => {
    const h = await piAndOther();
    assert.deepEqual(
      await run(
        h,
        'get',
        'job',
        'pi',
        '-o',
        'custom-columns=JOB:metadata.name,CONDITIONS:{.status.conditions[*].type}',
      ),
      [0, 'JOB   CONDITIONS\npi    SuccessCriteriaMet,Complete\n'],
    );
    assert.deepEqual(await run(h, 'get', 'jobs', '--no-headers', '-o', 'custom-columns=JOB:.metadata.name'), [
      0,
      'other\npi\n',
    ]);
  });

  it('-o custom-columns-file=FILE: a header line and a path line', async () => {
    const h = await piAndOther();
    const file = join(tempDir('tjob-cc-'), 'columns.txt');
    writeFileSync(file, 'JOB        SUCCEEDED\n.metadata.name   .status.succeeded\n');
    assert.deepEqual(await run(h, 'get', 'jobs', '-o', `custom-columns-file=${file}`), [
      0,
      'JOB     SUCCEEDED\nother   1\npi      1\n',
    ]);
  });

  it('no objects: the header alone', async () => {
    const h = await piAndOther();
    assert.deepEqual(
      await run(h, 'get', 'pods', '-l', 'job-name=nope', '-o', 'custom-columns=NAME:.metadata.name'),
      [0, 'NAME\n'],
    );
    assert.equal(h.err(), '');
  });

  it('a bad spec is a usage error (exit 2)', async () => {
    const h = await piAndOther();
    assert.deepEqual(await run(h, 'get', 'pods', '-o', 'custom-columns=NAME'), [2, '']);
    assert.match(
      h.err(),
      /^error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>$/m,
    );
  });
});
