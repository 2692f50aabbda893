// The gauges tjob shares with kube-state-metrics, computed from Job and CronJob objects: the same
// names, labels and values (kube-state-metrics `internal/store/job.go` and `internal/store/cronjob.go`),
// so dashboards and alerts written for a cluster work on a tjob state directory. Pure: the caller
// gives the objects, the local zone and `now`; src/ui/metrics/registry.ts exposes them.

import type { CronJob, JobCondition } from '../../api/k8s.js';
import type { JobObject } from '../../output/objects.js';
import { DEFAULT_NAMESPACE } from '../../output/objects.js';
import { scheduleZone } from '../../controller/cron/index.js';
import { nextRuns, parseStoredSchedule } from '../../schedule/index.js';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  labelNames: string[];
  samples: Sample[];
}

/** kube-state-metrics' `jobFailureReasons`: the Failed condition's reasons it names. */
const JOB_FAILURE_REASONS = ['BackoffLimitExceeded', 'DeadlineExceeded', 'Evicted'];

const unix = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

/**
 * kube-state-metrics' addConditionMetrics: one sample per condition value (`true`, `false`,
 * `unknown`), 1 for the condition's status and 0 for the others.
 */
function conditionSamples(base: Record<string, string>, c: JobCondition): Sample[] {
  const status = c.status.toLowerCase();
  return ['true', 'false', 'unknown'].map((v) => ({
    labels: { ...base, condition: v },
    value: status === v ? 1 : 0,
  }));
}

/** The `kube_job_*` families of the given jobs (labels `namespace`, `job_name`). */
export function jobFamilies(jobs: JobObject[]): Family[] {
  const family = (name: string, help: string, extra: string[] = []): Family => ({
    name,
    help,
    labelNames: ['namespace', 'job_name', ...extra],
    samples: [],
  });
  const info = family('kube_job_info', 'Information about job.');
  const created = family('kube_job_created', 'Unix creation timestamp');
  const parallelism = family(
    'kube_job_spec_parallelism',
    'The maximum desired number of pods the job should run at any given time.',
  );
  const completions = family(
    'kube_job_spec_completions',
    'The desired number of successfully finished pods the job should be run with.',
  );
  const deadline = family(
    'kube_job_spec_active_deadline_seconds',
    'The duration in seconds relative to the startTime that the job may be active before the system tries to terminate it.',
  );
  const succeeded = family('kube_job_status_succeeded', 'The number of pods which reached Phase Succeeded.');
  const failed = family(
    'kube_job_status_failed',
    'The number of pods which reached Phase Failed and the reason for failure.',
    ['reason'],
  );
  const active = family('kube_job_status_active', 'The number of actively running pods.');
  const ready = family('kube_job_status_ready', 'The number of ready pods that belong to this Job.');
  const complete = family('kube_job_complete', 'The job has completed its execution.', ['condition']);
  const failedCondition = family('kube_job_failed', 'The job has failed its execution.', ['condition']);
  const start = family(
    'kube_job_status_start_time',
    'StartTime represents time when the job was acknowledged by the Job Manager.',
  );
  const completion = family(
    'kube_job_status_completion_time',
    'CompletionTime represents time when the job was completed.',
  );
  const suspended = family('kube_job_status_suspended', 'The number of pods which reached Phase Suspended.');
  const owner = family('kube_job_owner', "Information about the Job's owner.", [
    'owner_kind',
    'owner_name',
    'owner_is_controller',
  ]);

  for (const job of jobs) {
    const base = { namespace: job.metadata.namespace ?? DEFAULT_NAMESPACE, job_name: job.metadata.name };
    const s = job.status;
    const conditions = s.conditions ?? [];
    info.samples.push({ labels: base, value: 1 });
    const createdAt = unix(job.metadata.creationTimestamp);
    if (createdAt !== undefined) created.samples.push({ labels: base, value: createdAt });
    if (job.spec.parallelism != null) parallelism.samples.push({ labels: base, value: job.spec.parallelism });
    if (job.spec.completions != null) completions.samples.push({ labels: base, value: job.spec.completions });
    if (job.spec.activeDeadlineSeconds != null)
      deadline.samples.push({ labels: base, value: job.spec.activeDeadlineSeconds });
    succeeded.samples.push({ labels: base, value: s.succeeded ?? 0 });
    failed.samples.push(...failedSamples(base, s.failed ?? 0, conditions));
    active.samples.push({ labels: base, value: s.active ?? 0 });
    ready.samples.push({ labels: base, value: s.ready ?? 0 });
    for (const c of conditions) {
      if (c.type === 'Complete') complete.samples.push(...conditionSamples(base, c));
      if (c.type === 'Failed') failedCondition.samples.push(...conditionSamples(base, c));
      if (c.type === 'Suspended')
        suspended.samples.push({ labels: base, value: c.status === 'True' ? 1 : 0 });
    }
    const started = unix(s.startTime);
    if (started !== undefined) start.samples.push({ labels: base, value: started });
    const ended = unix(s.completionTime);
    if (ended !== undefined) completion.samples.push({ labels: base, value: ended });
    const owners = (
      job.metadata as { ownerReferences?: { kind: string; name: string; controller?: boolean }[] }
    ).ownerReferences;
    if (!owners || owners.length === 0)
      owner.samples.push({
        labels: { ...base, owner_kind: '', owner_name: '', owner_is_controller: '' },
        value: 1,
      });
    else
      for (const o of owners)
        owner.samples.push({
          labels: {
            ...base,
            owner_kind: o.kind,
            owner_name: o.name,
            owner_is_controller: String(!!o.controller),
          },
          value: 1,
        });
  }
  return [
    info,
    created,
    parallelism,
    completions,
    deadline,
    succeeded,
    failed,
    active,
    ready,
    complete,
    failedCondition,
    start,
    completion,
    suspended,
    owner,
  ];
}

/**
 * kube_job_status_failed: with no failed pod, one sample without a reason; else, for each Failed
 * condition, one sample per known reason (1 for the condition's), and the count under reason ""
 * when no known reason applies.
 */
function failedSamples(base: Record<string, string>, count: number, conditions: JobCondition[]): Sample[] {
  if (count === 0) return [{ labels: { ...base, reason: '' }, value: 0 }];
  const out: Sample[] = [];
  let known = false;
  for (const c of conditions) {
    if (c.type !== 'Failed') continue;
    for (const reason of JOB_FAILURE_REASONS) {
      known ||= c.reason === reason;
      out.push({ labels: { ...base, reason }, value: c.reason === reason ? 1 : 0 });
    }
  }
  if (!known) out.push({ labels: { ...base, reason: '' }, value: count });
  return out;
}

/**
 * The next activation kube-state-metrics reports: the schedule's next time after the last
 * scheduled time, else after the creation time (`getNextScheduledTime`), in the CronJob's zone
 * (spec.timeZone, a `TZ=` prefix, else the scheduler's local zone: deviation 6).
 */
export function nextScheduleTime(cj: CronJob, localZone: string): Date | undefined {
  const parsed = parseStoredSchedule(cj.spec.schedule);
  if (!parsed.ok) return undefined;
  const fromText = cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp;
  if (!fromText) return undefined;
  const zone = scheduleZone(cj, parsed.schedule, localZone);
  return nextRuns(parsed.schedule, new Date(fromText), zone, 1)[0]?.time;
}

/** The `kube_cronjob_*` families (labels `namespace`, `cronjob`). */
export function cronJobFamilies(cronJobs: CronJob[], localZone: string): Family[] {
  const family = (name: string, help: string): Family => ({
    name,
    help,
    labelNames: ['namespace', 'cronjob'],
    samples: [],
  });
  const info = family('kube_cronjob_info', 'Info about cronjob.');
  const created = family('kube_cronjob_created', 'Unix creation timestamp');
  const active = family('kube_cronjob_status_active', 'Active holds pointers to currently running jobs.');
  const last = family(
    'kube_cronjob_status_last_schedule_time',
    'LastScheduleTime keeps information of when was the last time the job was successfully scheduled.',
  );
  const suspend = family(
    'kube_cronjob_spec_suspend',
    'Suspend flag tells the controller to suspend subsequent executions.',
  );
  const deadline = family(
    'kube_cronjob_spec_starting_deadline_seconds',
    'Deadline in seconds for starting the job if it misses scheduled time for any reason.',
  );
  const next = family(
    'kube_cronjob_next_schedule_time',
    "Next time the cronjob should be scheduled. The time after lastScheduleTime, or after the cron job's creation time if it's never been scheduled. Use this to determine if the job is delayed.",
  );
  info.labelNames.push('schedule', 'concurrency_policy');
  for (const cj of cronJobs) {
    const base = { namespace: cj.metadata.namespace ?? DEFAULT_NAMESPACE, cronjob: cj.metadata.name };
    info.samples.push({
      labels: {
        ...base,
        schedule: cj.spec.schedule,
        concurrency_policy: cj.spec.concurrencyPolicy ?? 'Allow',
      },
      value: 1,
    });
    const createdAt = unix(cj.metadata.creationTimestamp);
    if (createdAt !== undefined) created.samples.push({ labels: base, value: createdAt });
    active.samples.push({ labels: base, value: cj.status?.active?.length ?? 0 });
    const lastAt = unix(cj.status?.lastScheduleTime);
    if (lastAt !== undefined) last.samples.push({ labels: base, value: lastAt });
    suspend.samples.push({ labels: base, value: cj.spec.suspend ? 1 : 0 });
    if (cj.spec.startingDeadlineSeconds != null)
      deadline.samples.push({ labels: base, value: cj.spec.startingDeadlineSeconds });
    // Not while suspended: no run is due.
    const nextAt = cj.spec.suspend ? undefined : nextScheduleTime(cj, localZone);
    if (nextAt) next.samples.push({ labels: base, value: Math.floor(nextAt.getTime() / 1000) });
  }
  return [info, created, active, last, suspend, deadline, next];
}
