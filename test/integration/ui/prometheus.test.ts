// `tjob cron start --metrics`, scraped by a real Prometheus (Debian's, on loopback, started here
// with its own config and storage, stopped by pid even when a test fails): the kube-state-metrics
// series and tjob's own reach Prometheus' query API with the values the state directory holds,
// and `promtool check metrics` accepts the exposition.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  newStateDir,
  removeContainersWithPrefix,
  start,
  until,
  writeManifest,
  type Outcome,
} from '../cli/tjob-cli.js';

const CRONJOB = `itprom${process.pid}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(promPort: number, expr: string): Promise<Series[]> {
  const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: Series[] } };
  assert.equal(body.status, 'success', `query ${expr}`);
  return body.data.result;
}

describe('metrics scraped by Prometheus', { timeout: 180_000 }, () => {
  let stateDir: string;
  let promDir: string;
  let prometheus: ChildProcess | undefined;
  let daemon: { child: ChildProcess; done: Promise<Outcome> } | undefined;
  let metricsPort: number;
  let promPort: number;
  let promLog = '';

  before(async () => {
    stateDir = newStateDir();
    promDir = mkdtempSync(join(tmpdir(), 'tjob-prometheus-'));
    metricsPort = await freePort();
    promPort = await freePort();
    const manifest = writeManifest(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${CRONJOB}
spec:
  schedule: "@every 2s"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      completions: 2
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "echo tick"]
`);
    daemon = start(['cron', 'start', manifest, '--metrics', `127.0.0.1:${metricsPort}`], stateDir);
    writeFileSync(
      join(promDir, 'prometheus.yml'),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: tjob
    static_configs:
      - targets: ['127.0.0.1:${metricsPort}']
`,
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr!.on('data', (d: Buffer) => (promLog = (promLog + d.toString()).slice(-4000)));
    await until(async () => {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${promLog}`);
      return fetch(`http://127.0.0.1:${promPort}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
    }, 30_000);
  });

  after(async () => {
    if (prometheus?.pid && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      process.kill(prometheus.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (prometheus.exitCode === null) process.kill(prometheus.pid, 'SIGKILL');
    }
    if (daemon?.child.pid && daemon.child.exitCode === null) {
      daemon.child.kill('SIGTERM');
      await daemon.done;
    }
    removeContainersWithPrefix(`${CRONJOB}-`);
    rmSync(promDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('the job and cronjob series and tjob’s own reach Prometheus with the state’s values', async () => {
    // A completed job of the CronJob, as Prometheus sees it.
    let complete: Series[] = [];
    await until(async () => {
      complete = await query(promPort, `kube_job_complete{condition="true"} == 1`);
      return complete.length >= 1;
    }, 60_000);
    const job = complete[0]!.metric['job_name']!;
    assert.match(job, new RegExp(`^${CRONJOB}-\\d+$`));
    assert.equal(complete[0]!.metric['namespace'], 'default');
    assert.equal(complete[0]!.metric['job'], 'tjob', 'scraped by the tjob scrape job');

    await until(
      async () => (await query(promPort, `kube_job_status_succeeded{job_name="${job}"} == 2`)).length === 1,
    );
    const completions = await query(promPort, `kube_job_spec_completions{job_name="${job}"}`);
    assert.equal(completions[0]?.value[1], '2');
    const times = await query(
      promPort,
      `kube_job_status_completion_time{job_name="${job}"} - kube_job_status_start_time{job_name="${job}"}`,
    );
    assert.ok(Number(times[0]?.value[1]) >= 0, 'completion after start');

    const suspend = await query(promPort, `kube_cronjob_spec_suspend{cronjob="${CRONJOB}"}`);
    assert.equal(suspend[0]?.value[1], '0');
    const next = await query(
      promPort,
      `kube_cronjob_next_schedule_time{cronjob="${CRONJOB}"} - kube_cronjob_status_last_schedule_time{cronjob="${CRONJOB}"}`,
    );
    assert.equal(next[0]?.value[1], '2', '@every 2s: the next slot 2 s after the last');
    assert.ok((await query(promPort, `kube_cronjob_status_active{cronjob="${CRONJOB}"}`)).length === 1);

    const late = await query(promPort, `tjob_cronjob_schedule_lateness_seconds_count{cronjob="${CRONJOB}"}`);
    assert.ok(Number(late[0]?.value[1]) >= 1, 'lateness observed per slot');
    const lateWithinSecond = await query(
      promPort,
      `tjob_cronjob_schedule_lateness_seconds_bucket{cronjob="${CRONJOB}",le="1"} / ignoring(le) tjob_cronjob_schedule_lateness_seconds_count{cronjob="${CRONJOB}"}`,
    );
    assert.ok(Number(lateWithinSecond[0]?.value[1]) > 0, 'slots created within a second of their time');
    const starts = await query(promPort, 'tjob_pod_start_seconds_count');
    assert.ok(Number(starts[0]?.value[1]) >= 2, 'pod starts observed');
    assert.equal((await query(promPort, 'tjob_engine_errors_total'))[0]?.value[1], '0');
    assert.equal((await query(promPort, 'up{job="tjob"}'))[0]?.value[1], '1');
  });

  it('promtool check metrics accepts the exposition', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(text, /^kube_job_status_active\{/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool check metrics:\n${check.stdout}${check.stderr}`);
  });

  it('/metrics alone is served', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status, 405);
  });
});
