// The README's three Job patterns, run as the README shows them, on the real engine.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  cleanup,
  fakeApiServer,
  getJob,
  hasKubectl,
  line,
  resultLines,
  terminalReason,
  workspace,
} from './readme-shell.js';

const T = { timeout: 90_000 };

describe('README: the three ways people use Jobs', { concurrency: true }, () => {
  it('pattern 1: one job per item, listed and deleted by label', T, async () => {
    const ws = workspace();
    const uids: string[] = [];
    try {
      let got = await line('tjob run samples/templates/process-item.yaml --items apple,banana,cherry', ws);
      assert.equal(got.code, 0, got.stderr);
      for (const item of ['apple', 'banana', 'cherry']) {
        assert.match(got.stdout, new RegExp(`\\[process-item-${item}-\\w{5}/c\\] Processing item ${item}`));
        const job = getJob(`process-item-${item}`, ws);
        uids.push(job.metadata.uid ?? '');
        assert.equal(job.metadata.labels?.['jobgroup'], 'jobexample');
        assert.equal(terminalReason(job), 'CompletionsReached');
      }
      assert.match(got.stderr, /NAME\s+STATUS\s+SUCCEEDED\s+FAILED\s+DURATION/);

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
      assert.match(got.stdout, /job\.batch "process-item-apple" deleted/);
      assert.match(got.stdout, /job\.batch "process-item-cherry" deleted/);
      got = await line('tjob get jobs -l jobgroup=jobexample', ws);
      assert.equal(got.stdout, '');
      assert.match(got.stderr, /No resources found/);
    } finally {
      cleanup(ws, uids);
    }
  });

  it('pattern 1: items from a file, at most one job at a time, and --set', T, async () => {
    const ws = workspace();
    const uids: string[] = [];
    try {
      let got = await line("printf 'date\\nfig\\n' > items.txt", ws);
      assert.equal(got.code, 0);
      got = await line(
        'tjob run samples/templates/process-item.yaml --items-file items.txt --max-jobs 1',
        ws,
      );
      assert.equal(got.code, 0, got.stderr);
      const date = getJob('process-item-date', ws);
      const fig = getJob('process-item-fig', ws);
      uids.push(date.metadata.uid ?? '', fig.metadata.uid ?? '');
      assert.equal(terminalReason(date), 'CompletionsReached');
      assert.equal(terminalReason(fig), 'CompletionsReached');
      // --max-jobs 1: the second job started only when the first had ended.
      const [first, second] = [date, fig].sort((a, b) =>
        (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? ''),
      );
      assert.ok(
        Date.parse(second?.status?.startTime ?? '') >= Date.parse(first?.status?.completionTime ?? '') - 1000,
        'jobs ran one after the other',
      );

      got = await line('tjob run samples/templates/process-item.yaml --set ITEM=kiwi', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /Processing item kiwi/);
      const kiwi = getJob('process-item-kiwi', ws);
      uids.push(kiwi.metadata.uid ?? '');
      assert.equal(kiwi.metadata.labels?.['jobgroup'], 'jobexample');
    } finally {
      cleanup(ws, uids);
    }
  });

  it('pattern 1: render | kubectl apply -f -', T, async (t) => {
    const ws = workspace();
    try {
      // Without kubectl, check what kubectl would be given.
      const rendered = await line(
        'tjob render samples/templates/process-item.yaml --items apple,banana,cherry',
        ws,
      );
      assert.equal(rendered.code, 0, rendered.stderr);
      assert.doesNotMatch(rendered.stdout, /^\s*status:/m);
      assert.doesNotMatch(rendered.stdout, /selector:|controller-uid|uid:/);
      assert.equal(rendered.stdout.match(/^kind: Job$/gm)?.length, 3);
      if (!hasKubectl()) {
        t.skip('kubectl is not installed');
        return;
      }
      const api = await fakeApiServer(ws.cwd);
      try {
        const got = await line(
          'tjob render samples/templates/process-item.yaml --items apple,banana,cherry | kubectl apply -f -',
          { ...ws, env: { ...ws.env, KUBECONFIG: api.kubeconfig } },
        );
        assert.equal(got.code, 0, got.stderr);
        assert.match(got.stdout, /job\.batch\/process-item-apple created/);
        assert.deepEqual(
          api.created.map((o) => (o['metadata'] as { name: string }).name),
          ['process-item-apple', 'process-item-banana', 'process-item-cherry'],
        );
        for (const o of api.created) {
          assert.equal(o['status'], undefined);
          const spec = o['spec'] as Record<string, unknown>;
          assert.equal(spec['selector'], undefined);
          assert.equal(
            (o['metadata'] as { labels: Record<string, string> }).labels['jobgroup'],
            'jobexample',
          );
        }
        // The "Moving to a cluster" line: a defaulted Job, also taken as it is.
        const parallel = await line('tjob render samples/job-parallel.yaml | kubectl apply -f -', {
          ...ws,
          env: { ...ws.env, KUBECONFIG: api.kubeconfig },
        });
        assert.equal(parallel.code, 0, parallel.stderr);
        assert.match(parallel.stdout, /job\.batch\/parallel created/);
        const last = api.created.at(-1) ?? {};
        assert.equal((last['spec'] as Record<string, unknown>)['backoffLimit'], 6);
        assert.equal(last['status'], undefined);
      } finally {
        await api.close();
      }
    } finally {
      cleanup(ws);
    }
  });

  it('pattern 2: fixed completions, each pod takes one item from the queue', T, async () => {
    const ws = workspace();
    let uid = '';
    try {
      let got = await line('tjob run samples/job-wq-1.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      const job = getJob('job-wq-1', ws);
      uid = job.metadata.uid ?? '';
      assert.equal(terminalReason(job), 'CompletionsReached');
      assert.equal(job.status?.succeeded, 8);
      const items = ['apple', 'banana', 'cherry', 'date', 'fig', 'grape', 'lemon', 'melon'];
      const dir = join('/tmp/tjob-wq-1', uid);
      const resultFiles = readdirSync(join(dir, 'results'));
      assert.equal(resultFiles.length, 8, 'one results file per pod');
      assert.deepEqual(resultLines(resultFiles.map((f) => join(dir, 'results', f))).sort(), items);
      assert.deepEqual(readdirSync(join(dir, 'todo')), []);
      assert.deepEqual(readdirSync(join(dir, 'claimed')).sort(), items);

      got = await line('tjob logs job-wq-1', ws);
      assert.equal(got.code, 0, got.stderr);
      const processed = [...got.stdout.matchAll(/processing (\w+)/g)].map((m) => m[1]);
      assert.deepEqual(processed.sort(), items);
    } finally {
      cleanup(ws, [uid]);
      if (uid) rmSync(join('/tmp/tjob-wq-1', uid), { recursive: true, force: true });
    }
  });

  it('pattern 2: the broker samples are valid Jobs', T, async () => {
    const ws = workspace();
    try {
      const got = await line('tjob validate samples/brokers/', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /job-wq-1\.yaml: Job job-wq-1/);
      assert.match(got.stdout, /job-wq-2\.yaml: Job job-wq-2/);
      assert.match(got.stdout, /job-wq-2-redis\.yaml: Job job-wq-2-redis/);
    } finally {
      cleanup(ws);
    }
  });

  it('pattern 3: parallelism without completions drains the queue', T, async () => {
    const ws = workspace();
    let uid = '';
    try {
      let got = await line('tjob run samples/job-wq-2.yaml', ws);
      assert.equal(got.code, 0, got.stderr);
      const job = getJob('job-wq-2', ws);
      uid = job.metadata.uid ?? '';
      assert.equal(terminalReason(job), 'CompletionsReached');
      assert.ok((job.status?.succeeded ?? 0) >= 1);
      assert.equal(job.status?.active ?? 0, 0);
      const dir = join('/tmp/tjob-wq-2', uid, 'results');
      const lines = resultLines(readdirSync(dir).map((f) => join(dir, f)));
      assert.deepEqual(lines.sort(), Array.from({ length: 10 }, (_, i) => `item-${i + 1}`).sort());

      got = await line('tjob get job job-wq-2', ws);
      assert.equal(got.code, 0, got.stderr);
      assert.match(got.stdout, /job-wq-2\s+Complete\s+\d\/1 of 2/);
    } finally {
      cleanup(ws, [uid]);
      if (uid) rmSync(join('/tmp/tjob-wq-2', uid), { recursive: true, force: true });
    }
  });
});
