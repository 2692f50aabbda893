// The kube-state-metrics families computed from Job and CronJob objects: names, labels and values
// as kube-state-metrics' internal/store/job.go and cronjob.go give them, and tjob's own metrics
// through prom-client.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, JobStatus } from '../../../src/api/k8s.js';
import type { StoredJob } from '../../../src/ports/state-store.js';
import { jobObject, type JobObject } from '../../../src/output/objects.js';
import {
  cronJobFamilies,
  jobFamilies,
  nextScheduleTime,
  type Family,
} from '../../../src/ui/metrics/families.js';
import { TjobMetrics } from '../../../src/ui/metrics/registry.js';
import { podRecord, testJob } from '../../support/jobs.js';
import { UsageError } from '../../../src/api/errors.js';
import { parseListenAddress } from '../../../src/ui/http/listen-address.js';

function job(name: string, status: JobStatus, spec = {}): JobObject {
  return jobObject({ ...testJob(name, spec), status });
}

function sample(families: Family[], name: string, labels: Record<string, string>): number | undefined {
  const f = families.find((x) => x.name === name);
  assert.ok(f, `family ${name}`);
  const s = f.samples.find((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

function cronJob(spec: Partial<CronJob['spec']>, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'default', creationTimestamp: '2026-03-01T10:00:30Z' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } } },
      ...spec,
    } as CronJob['spec'],
    status,
  };
}

describe('kube_job_* families', () => {
  const running = job(
    'running',
    { active: 2, ready: 1, startTime: '2026-01-01T00:00:05Z' },
    { parallelism: 3, completions: 5 },
  );
  const complete = job('done', {
    succeeded: 1,
    startTime: '2026-01-01T00:00:05Z',
    completionTime: '2026-01-01T00:01:05Z',
    conditions: [
      { type: 'Complete', status: 'True', lastProbeTime: '', lastTransitionTime: '2026-01-01T00:01:05Z' },
    ],
  });
  const deadline = job(
    'late',
    {
      failed: 1,
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'DeadlineExceeded',
          lastProbeTime: '',
          lastTransitionTime: '',
        },
      ],
    },
    { activeDeadlineSeconds: 30 },
  );
  const policy = job('policy', {
    failed: 2,
    conditions: [
      {
        type: 'Failed',
        status: 'True',
        reason: 'PodFailurePolicy',
        lastProbeTime: '',
        lastTransitionTime: '',
      },
    ],
  });
  const families = jobFamilies([running, complete, deadline, policy]);
  const of = (name: string) => ({ namespace: 'default', job_name: name });

  it('counts and spec values carry namespace and job_name', () => {
    assert.equal(sample(families, 'kube_job_status_active', of('running')), 2);
    assert.equal(sample(families, 'kube_job_status_ready', of('running')), 1);
    assert.equal(sample(families, 'kube_job_spec_parallelism', of('running')), 3);
    assert.equal(sample(families, 'kube_job_spec_completions', of('running')), 5);
    assert.equal(sample(families, 'kube_job_status_succeeded', of('done')), 1);
    assert.equal(sample(families, 'kube_job_spec_active_deadline_seconds', of('late')), 30);
    assert.equal(sample(families, 'kube_job_spec_active_deadline_seconds', of('done')), undefined);
  });

  it('times are Unix seconds, present only once set', () => {
    assert.equal(
      sample(families, 'kube_job_status_start_time', of('done')),
      Date.parse('2026-01-01T00:00:05Z') / 1000,
    );
    assert.equal(
      sample(families, 'kube_job_status_completion_time', of('done')),
      Date.parse('2026-01-01T00:01:05Z') / 1000,
    );
    assert.equal(sample(families, 'kube_job_status_completion_time', of('running')), undefined);
  });

  it('kube_job_complete / kube_job_failed: one sample per condition value, 1 on the status', () => {
    assert.equal(sample(families, 'kube_job_complete', { ...of('done'), condition: 'true' }), 1);
    assert.equal(sample(families, 'kube_job_complete', { ...of('done'), condition: 'false' }), 0);
    assert.equal(sample(families, 'kube_job_complete', { ...of('done'), condition: 'unknown' }), 0);
    assert.equal(sample(families, 'kube_job_complete', of('running')), undefined);
    assert.equal(sample(families, 'kube_job_failed', { ...of('late'), condition: 'true' }), 1);
  });

  it('kube_job_status_failed: a known reason is a label; an unknown one gives the count under ""', () => {
    assert.equal(sample(families, 'kube_job_status_failed', { ...of('running'), reason: '' }), 0);
    assert.equal(
      sample(families, 'kube_job_status_failed', { ...of('late'), reason: 'DeadlineExceeded' }),
      1,
    );
    assert.equal(
      sample(families, 'kube_job_status_failed', { ...of('late'), reason: 'BackoffLimitExceeded' }),
      0,
    );
    assert.equal(sample(families, 'kube_job_status_failed', { ...of('late'), reason: '' }), undefined);
    assert.equal(sample(families, 'kube_job_status_failed', { ...of('policy'), reason: '' }), 2);
    assert.equal(sample(families, 'kube_job_status_failed', { ...of('policy'), reason: 'Evicted' }), 0);
  });
});

describe('kube_cronjob_* families', () => {
  it('next schedule: after the last schedule time, else after creation, in the CronJob zone', () => {
    assert.equal(nextScheduleTime(cronJob({}), 'UTC')?.toISOString(), '2026-03-01T10:05:00.000Z');
    assert.equal(
      nextScheduleTime(cronJob({}, { lastScheduleTime: '2026-03-01T11:00:00Z' }), 'UTC')?.toISOString(),
      '2026-03-01T11:05:00.000Z',
    );
    // 02:30 every day in New York: the spring-forward day has no 02:30 (robfig skips it).
    const daily = cronJob(
      { schedule: '30 2 * * *', timeZone: 'America/New_York' },
      { lastScheduleTime: '2026-03-07T07:30:00Z' },
    );
    assert.equal(nextScheduleTime(daily, 'UTC')?.toISOString(), '2026-03-09T06:30:00.000Z');
  });

  it('active, suspend, last schedule; no next time while suspended', () => {
    const base = { namespace: 'default', cronjob: 'nightly' };
    const active = cronJob(
      { concurrencyPolicy: 'Forbid' },
      { active: [{ kind: 'Job', name: 'a' }], lastScheduleTime: '2026-03-01T11:00:00Z' },
    );
    const f = cronJobFamilies([active], 'UTC');
    assert.equal(sample(f, 'kube_cronjob_status_active', base), 1);
    assert.equal(sample(f, 'kube_cronjob_spec_suspend', base), 0);
    assert.equal(
      sample(f, 'kube_cronjob_status_last_schedule_time', base),
      Date.parse('2026-03-01T11:00:00Z') / 1000,
    );
    assert.equal(
      sample(f, 'kube_cronjob_info', { ...base, concurrency_policy: 'Forbid', schedule: '*/5 * * * *' }),
      1,
    );
    const suspended = cronJobFamilies([cronJob({ suspend: true })], 'UTC');
    assert.equal(sample(suspended, 'kube_cronjob_spec_suspend', base), 1);
    assert.equal(sample(suspended, 'kube_cronjob_next_schedule_time', base), undefined);
    assert.equal(sample(suspended, 'kube_cronjob_status_last_schedule_time', base), undefined);
  });
});

describe('TjobMetrics (prom-client)', () => {
  const stored = (status: JobStatus): StoredJob => {
    const j = { ...testJob('work'), status };
    const started = podRecord('work-a', 'Running');
    started.observation.startTime = '2026-01-01T00:00:00Z';
    started.observation.containerStatuses = [
      {
        name: 'main',
        state: { running: { startedAt: '2026-01-01T00:00:01Z' } },
        ready: true,
        restartCount: 0,
      } as never,
    ];
    started.createdAt = '2026-01-01T00:00:00.000Z';
    return {
      job: j,
      backoff: { failuresByIndex: {} } as never,
      pods: [started, podRecord('work-b', 'Pending')],
      events: [],
    };
  };

  it('exposes the state, lateness, pod starts and pods in flight in the text format', async () => {
    const state = stored({ active: 2, terminating: 1 });
    const metrics = new TjobMetrics({
      store: { listJobSummaries: async () => [{ job: state.job }] },
      cronStore: { listCronJobs: async () => [cronJob({})] },
      localZone: 'UTC',
    });
    metrics.observeLateness('nightly', 0.2);
    metrics.observeLateness('nightly', 3);
    metrics.observePods(state, new Date('2026-01-01T00:00:01.500Z'));
    metrics.observePods(state, new Date('2026-01-01T00:00:09Z')); // seen already: not again
    metrics.engineError();
    const text = await metrics.text();
    assert.match(text, /^kube_job_status_active\{namespace="default",job_name="work"\} 2$/m);
    assert.match(text, /^kube_cronjob_next_schedule_time\{namespace="default",cronjob="nightly"\} \d+$/m);
    assert.match(
      text,
      /^tjob_cronjob_schedule_lateness_seconds_bucket\{le="0.25",namespace="default",cronjob="nightly"\} 1$/m,
    );
    assert.match(
      text,
      /^tjob_cronjob_schedule_lateness_seconds_count\{namespace="default",cronjob="nightly"\} 2$/m,
    );
    assert.match(text, /^tjob_pod_start_seconds_count 1$/m);
    assert.match(text, /^tjob_pod_start_seconds_sum 1.5$/m);
    assert.match(text, /^tjob_pods_in_flight 3$/m);
    assert.match(text, /^tjob_engine_errors_total 1$/m);
    assert.match(text, /^# TYPE process_resident_memory_bytes gauge$/m);
  });

  it('a job gone from the state directory leaves its series', async () => {
    let jobs = [{ job: stored({ active: 1 }).job }];
    const metrics = new TjobMetrics({
      store: { listJobSummaries: async () => jobs },
      cronStore: { listCronJobs: async () => [] },
      localZone: 'UTC',
    });
    assert.match(await metrics.text(), /job_name="work"/);
    jobs = [];
    assert.doesNotMatch(await metrics.text(), /job_name="work"/);
  });
});

describe('listen addresses (--metrics)', () => {
  it('reads PORT, HOST:PORT, :PORT and [IPv6]:PORT', () => {
    assert.deepEqual(parseListenAddress('9464', '--metrics'), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parseListenAddress('10.0.0.2:9464', '--metrics'), { host: '10.0.0.2', port: 9464 });
    assert.deepEqual(parseListenAddress(':9464', '--metrics'), { host: '0.0.0.0', port: 9464 });
    assert.deepEqual(parseListenAddress('[::1]:0', '--metrics'), { host: '::1', port: 0 });
  });
  it('refuses anything else with a usage error and a hint', () => {
    for (const bad of ['', 'localhost', '::1:80', 'host:99999', 'host:x']) {
      assert.throws(
        () => parseListenAddress(bad, '--metrics'),
        (e: unknown) => e instanceof UsageError && /invalid --metrics/.test(e.message) && !!e.hint,
      );
    }
  });
});
