import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { ManifestError, UsageError } from '../../../src/api/errors.js';
import {
  expandTemplate,
  formatFieldReport,
  generateName,
  loadManifestFiles,
  loadManifests,
  parseSetFlags,
  readManifestSources,
  renderManifests,
} from '../../../src/manifest/index.js';
import { cronJob, errors, fullErrors, job, load, repoRoot } from './helpers.js';
import { tempDir } from '../../support/jobs.js';

test('every sample validates', () => {
  const dir = new URL('samples/', repoRoot);
  const files = [
    ...readdirSync(dir).filter((f) => f.endsWith('.yaml')),
    ...readdirSync(new URL('templates/', dir)).map((f) => `templates/${f}`),
  ];
  assert.ok(files.length >= 10);
  for (const f of files) {
    const text = readFileSync(new URL(f, dir), 'utf8');
    // Templates need their parameters; every other sample validates as it is (`tjob validate samples/`).
    const params = f.startsWith('templates/') ? { items: ['apple', 'banana'] } : {};
    const r = loadManifests([{ name: f, text }], params);
    assert.deepEqual(fullErrors(r), [], f);
    assert.ok(text.startsWith('# '), `${f} starts with a comment`);
    for (const j of [...r.jobs, ...r.cronJobs.map((c) => c.spec.jobTemplate)])
      for (const c of j.spec.template.spec.containers) assert.equal(c.imagePullPolicy, 'IfNotPresent', f);
  }
});

test('YAML syntax errors give file, line and column', () => {
  assert.deepEqual(fullErrors(load('apiVersion: batch/v1\nkind: Job\n metadata: x\n')), [
    'job.yaml: YAML syntax error at line 3, column 10: bad indentation of a mapping entry',
  ]);
});

test('multi-document files: empty documents skipped, errors name the document from 1', () => {
  const text = `${dump(job())}---\n---\n${dump(job({ parallelism: -1 }, {}, 'two'))}`;
  assert.deepEqual(fullErrors(load(text)), [
    'job.yaml (document 3): spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
  ]);
  const single = `---\n${dump(job({ parallelism: -1 }))}---\n`;
  assert.deepEqual(fullErrors(load(single)), [
    'job.yaml: spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
  ]);
});

test('unsupported kinds and missing apiVersion/kind are errors', () => {
  assert.deepEqual(errors({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }), [
    'apps/v1 Deployment is not supported: tjob runs batch/v1 Job and CronJob (plus v1 ConfigMap, Secret and PersistentVolumeClaim)',
  ]);
  assert.deepEqual(errors({ ...job(), apiVersion: 'batch/v1beta1' }), [
    'batch/v1beta1 Job is not supported: tjob runs batch/v1 Job and CronJob (plus v1 ConfigMap, Secret and PersistentVolumeClaim)',
  ]);
  assert.deepEqual(errors({ metadata: { name: 'x' } }), [
    'apiVersion: Required value: every document needs apiVersion and kind (e.g. apiVersion: batch/v1 and kind: Job)',
    'kind: Required value: every document needs apiVersion and kind (e.g. apiVersion: batch/v1 and kind: Job)',
  ]);
});

test('template parameters: --set, ${NAME}, unknown $ text and $(VAR) left alone', () => {
  const text = 'a: $NAME ${NAME} $OTHER $(NAME) $$(NAME) $NAMES ${IMAGE}\n';
  assert.equal(
    expandTemplate(text, { NAME: 'x', IMAGE: 'busybox' }),
    'a: x x $OTHER $(NAME) $$(NAME) $NAMES busybox\n',
  );
  const j = load(
    job(
      {},
      {
        containers: [
          { name: 'main', image: '${IMAGE}', command: ['sh', '-c', 'echo $JOB_COMPLETION_INDEX $(X)'] },
        ],
      },
    ),
    {
      set: { IMAGE: 'busybox:1.36' },
    },
  ).jobs[0];
  const c = j?.spec.template.spec.containers[0];
  assert.equal(c?.image, 'busybox:1.36');
  assert.deepEqual(c?.command, ['sh', '-c', 'echo $JOB_COMPLETION_INDEX $(X)']);
});

test('--items expands the template once per item; unchanged documents once', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } };
  const r = load([cm, { ...job(), metadata: { name: 'process-$ITEM', labels: { jobgroup: 'g' } } }], {
    items: ['a', 'b', 'c'],
  });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.jobs.map((j) => j.metadata.name),
    ['process-a', 'process-b', 'process-c'],
  );
  assert.equal(r.configMaps.length, 1);
  assert.ok(r.jobs.every((j) => j.metadata.labels?.['jobgroup'] === 'g'));
});

test('a placeholder left in a name or label fails with a hint naming the parameter and flag', () => {
  const r = load({ ...job(), metadata: { name: 'process-item-$ITEM', labels: { v: '${VERSION}' } } });
  const msgs = fullErrors(r);
  assert.equal(msgs.length, 3);
  assert.match(
    msgs[0] ?? '',
    /^job\.yaml: metadata\.name: Invalid value: "process-item-\$ITEM": a lowercase RFC 1123 subdomain .*; hint: \$ITEM is a template parameter: set it with --items or --set ITEM=\.\.\.$/,
  );
  assert.match(
    msgs[1] ?? '',
    /^job\.yaml: metadata\.labels: Invalid value: "\$\{VERSION\}": .*; hint: \$VERSION is a template parameter: set it with --set VERSION=\.\.\.$/,
  );
  assert.match(
    msgs[2] ?? '',
    /^job\.yaml: spec\.template\.labels: Invalid value: "process-item-\$ITEM": .*hint: \$ITEM/,
  );
});

test('parseSetFlags', () => {
  assert.deepEqual(parseSetFlags(['A=1', 'B=x=y', 'C=']), { A: '1', B: 'x=y', C: '' });
  assert.throws(() => parseSetFlags(['A']), UsageError);
  assert.throws(() => parseSetFlags(['1A=x']), UsageError);
  assert.throws(() => parseSetFlags(['=x']), UsageError);
});

test('generateName: prefix (cut to 58) + 5 characters of the alphabet, from the given random source', () => {
  let i = 0;
  const seq = [0, 0.999, 0.5, 0.1, 0.04];
  assert.equal(
    generateName('pi-', () => seq[i++ % seq.length] ?? 0),
    'pi-b9rdc',
  );
  assert.equal(generateName('x'.repeat(70), () => 0).length, 63);
  const r = load({ ...job(), metadata: { generateName: 'pi-' } });
  assert.equal(r.jobs[0]?.metadata.name, 'pi-bbbbb');
});

test('Job defaults as the API server sets them', () => {
  const j = load({ ...job(), metadata: { name: 'pi' } }).jobs[0];
  assert.ok(j);
  assert.equal(j.metadata.namespace, 'default');
  assert.equal(j.metadata.uid, 'uid-1');
  assert.deepEqual(
    [
      j.spec.completions,
      j.spec.parallelism,
      j.spec.backoffLimit,
      j.spec.completionMode,
      j.spec.suspend,
      j.spec.manualSelector,
      j.spec.podReplacementPolicy,
    ],
    [1, 1, 6, 'NonIndexed', false, false, 'TerminatingOrFailed'],
  );
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
  assert.deepEqual(j.spec.template.metadata?.labels, {
    'batch.kubernetes.io/controller-uid': 'uid-1',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'uid-1',
    'job-name': 'pi',
  });
  assert.equal(j.metadata.labels, undefined);
  const c = j.spec.template.spec.containers[0];
  assert.equal(c?.imagePullPolicy, 'Always');
  assert.equal(j.spec.template.spec.terminationGracePeriodSeconds, 30);

  const p = load(job({ parallelism: 3 })).jobs[0];
  assert.equal(p?.spec.completions, undefined);
  assert.equal(p?.spec.parallelism, 3);
  const q = load(job({ completions: 4 })).jobs[0];
  assert.deepEqual([q?.spec.completions, q?.spec.parallelism], [4, 1]);
  const b = load(job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 })).jobs[0];
  assert.equal(b?.spec.backoffLimit, 2147483647);
  const f = load(
    job({
      podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
    }),
  ).jobs[0];
  assert.equal(f?.spec.podReplacementPolicy, 'Failed');
  assert.equal(f?.spec.podFailurePolicy?.rules[0]?.onPodConditions?.[0]?.status, 'True');
  const t = load(job({}, { containers: [{ name: 'm', image: 'busybox:1.36' }] })).jobs[0];
  assert.equal(t?.spec.template.spec.containers[0]?.imagePullPolicy, 'IfNotPresent');
});

test('Job labels copied from the template carry the generated labels too', () => {
  const base = job();
  const spec = base['spec'] as { template: Record<string, unknown> };
  spec.template['metadata'] = { labels: { app: 'x' } };
  const j = load(base).jobs[0];
  assert.deepEqual(j?.metadata.labels, {
    app: 'x',
    'batch.kubernetes.io/controller-uid': 'uid-1',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'uid-1',
    'job-name': 'pi',
  });
});

test('render gives kubectl-ready YAML without generated selector, labels, uid or status', () => {
  const r = load([{ ...job(), status: { succeeded: 1 } }, cronJob()]);
  const out = renderManifests(r.documents.flatMap((d) => (d.rendered ? [d.rendered] : [])));
  assert.ok(out.includes('---\n'));
  assert.ok(!out.includes('controller-uid'));
  assert.ok(!out.includes('uid-1'));
  assert.ok(!out.includes('status'));
  assert.ok(out.includes('backoffLimit: 6'));
  assert.ok(out.includes('concurrencyPolicy: Allow'));
});

test('field report classifies fields; the formatter prints it', () => {
  const r = load(
    job(
      { activeDeadlineSeconds: 10 },
      {
        nodeSelector: { a: 'b' },
        containers: [
          {
            name: 'm',
            image: 'busybox',
            resources: { requests: { cpu: '1' } },
            readinessProbe: { exec: { command: ['true'] } },
          },
        ],
      },
    ),
  );
  const rep = r.report[0];
  assert.ok(rep);
  const cls = (p: string) => rep.fields.find((f) => f.path === p)?.class;
  assert.equal(cls('spec.activeDeadlineSeconds'), 'honoured');
  assert.equal(cls('spec.template.spec.nodeSelector'), 'ignored');
  assert.equal(cls('spec.template.spec.containers[0].readinessProbe'), 'ignored');
  assert.equal(cls('spec.template.spec.containers[0].resources.requests'), 'approximated');
  const text = formatFieldReport(r.report);
  assert.ok(text.startsWith('job.yaml: Job pi\n  honoured:\n'));
  assert.ok(
    text.includes(
      '    spec.template.spec.containers[0].resources.requests: seen by the downward API (resourceFieldRef); no scheduler on one node\n',
    ),
  );
});

test('ConfigMap and Secret references', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } };
  const ref = (key: string) =>
    job(
      {},
      {
        containers: [
          {
            name: 'm',
            image: 'busybox',
            env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key } } }],
          },
        ],
      },
    );
  assert.deepEqual(errors([cm, ref('a')]), []);
  assert.deepEqual(errors([cm, ref('zz')]), [
    'spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Not found: "zz": configmap "cfg" in these manifests has no such key',
  ]);
  const alone = load(ref('a'));
  assert.deepEqual(alone.errors, []);
  assert.deepEqual(alone.warnings, [
    'Warning: job.yaml: spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef: configmap "cfg" is not in these manifests; it must have been stored with tjob apply',
  ]);
  const strict = loadManifests([{ name: 'j.yaml', text: dump(ref('a')) }], {}, { knownConfigMaps: [] });
  assert.deepEqual(fullErrors(strict), [
    'j.yaml: spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.name: Not found: "cfg": no ConfigMap of that name in these manifests or stored with tjob apply',
  ]);
  assert.deepEqual(
    errors({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'not base64!' } }),
    ['data[k]: Invalid value: "not base64!": illegal base64 data at input byte 3'],
  );
  const s = load({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { k: 'v' } })
    .secrets[0];
  assert.deepEqual(s?.data, { k: 'dg==' });
  assert.equal(s?.type, 'Opaque');
});

test('two Jobs of the same name in one run', () => {
  assert.deepEqual(fullErrors(load([job(), job()])), [
    'job.yaml (document 2): metadata.name: Duplicate value: "pi": job.yaml (document 1) defines a Job of the same name',
  ]);
});

test('readManifestSources: files, directories (sorted *.yaml/*.yml), stdin, missing paths', async () => {
  const dir = tempDir('tjob-manifest-');
  mkdirSync(join(dir, 'd'));
  writeFileSync(join(dir, 'd', 'b.yml'), 'b');
  writeFileSync(join(dir, 'd', 'a.yaml'), 'a');
  writeFileSync(join(dir, 'd', 'c.txt'), 'c');
  writeFileSync(join(dir, 'f.yaml'), 'f');
  const got = await readManifestSources([join(dir, 'f.yaml'), join(dir, 'd'), '-'], async () => 'stdin');
  assert.deepEqual(
    got.map((s) => [s.name.replace(dir, ''), s.text]),
    [
      ['/f.yaml', 'f'],
      ['/d/a.yaml', 'a'],
      ['/d/b.yml', 'b'],
      ['<stdin>', 'stdin'],
    ],
  );
  await assert.rejects(
    readManifestSources([join(dir, 'nope.yaml')], async () => ''),
    UsageError,
  );
  await assert.rejects(
    readManifestSources(['-', '-'], async () => ''),
    UsageError,
  );
  writeFileSync(join(dir, 'bad.yaml'), dump(job({ parallelism: -1 })));
  await assert.rejects(
    loadManifestFiles({ paths: [join(dir, 'bad.yaml')], stdin: async () => '' }),
    (e: unknown) => {
      assert.ok(e instanceof ManifestError);
      assert.equal(e.errors.length, 1);
      assert.equal(e.exitCode, 2);
      return true;
    },
  );
});

test('validating 50 assorted manifests neither hangs nor blows up', () => {
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < 50; i++) {
    if (i % 5 === 0) docs.push(cronJob({}, `cron-${i}`));
    else if (i % 7 === 0) docs.push(job({ parallelism: -1 }, { nodeSelector: { a: 'b' } }, `bad-${i}`));
    else
      docs.push(
        job(
          { completions: i, parallelism: 2, completionMode: i % 2 ? 'Indexed' : 'NonIndexed' },
          {},
          `job-${i}`,
        ),
      );
  }
  const text = docs.map((d) => dump(d)).join('---\n');
  const start = performance.now();
  const r = loadManifests([{ name: 'many.yaml', text }], {});
  const ms = performance.now() - start;
  assert.equal(r.documents.length, 50);
  // A bound that only catches a hang or a blow-up (on an idle machine this takes a few ms).
  assert.ok(ms < 10_000, `took ${ms} ms`);
});
