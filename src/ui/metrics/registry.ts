// tjob's /metrics: the kube-state-metrics gauges of every job and CronJob in the state directory
// (computed from the stores at each scrape, src/ui/metrics/families.ts), and tjob's own: the
// scheduler's lateness per slot, how long pods take to start, pods in flight, engine errors.
// Exposed in the Prometheus text format by prom-client.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CronJobStore } from '../../ports/cron-store.js';
import type { StateStore, StoredJob } from '../../ports/state-store.js';
import { jobObject } from '../../output/objects.js';
import { isFinished } from '../../controller/cron/job-state.js';
import { containersStartedAt } from '../pod-times.js';
import { cronJobFamilies, jobFamilies, type Family } from './families.js';

export interface MetricsSources {
  store: Pick<StateStore, 'listJobSummaries'>;
  cronStore: Pick<CronJobStore, 'listCronJobs'>;
  /** The zone of CronJobs without spec.timeZone (the scheduler's). */
  localZone: string;
}

/** Seconds a slot's job came after its scheduled time: from well on time to minutes late. */
export const LATENESS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds from a pod's creation to its start (image ready, containers created, started). */
export const POD_START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** How many finished jobs' names observePods keeps, oldest forgotten first. */
const FINISHED_REMEMBERED = 10_000;

export class TjobMetrics {
  readonly registry = new Registry();
  private readonly gauges = new Map<string, Gauge>();
  private readonly lateness: Histogram;
  private readonly podStart: Histogram;
  private readonly podsInFlight: Gauge;
  private readonly engineErrors: Counter;
  private readonly schedulerWarnings: Counter;
  /** Pods whose start was observed, by job (forgotten when the job has no unfinished pod). */
  private readonly started = new Map<string, Set<string>>();
  private readonly finishedJobs = new Set<string>();

  constructor(private readonly sources: MetricsSources) {
    for (const f of [...jobFamilies([]), ...cronJobFamilies([], sources.localZone)]) {
      this.gauges.set(
        f.name,
        new Gauge({ name: f.name, help: f.help, labelNames: f.labelNames, registers: [this.registry] }),
      );
    }
    this.lateness = new Histogram({
      name: 'tjob_cronjob_schedule_lateness_seconds',
      help: "Seconds between a CronJob's scheduled time and the creation of its job.",
      labelNames: ['namespace', 'cronjob'],
      buckets: LATENESS_BUCKETS,
      registers: [this.registry],
    });
    this.podStart = new Histogram({
      name: 'tjob_pod_start_seconds',
      help: "Seconds from a pod's creation to its start (its containers running).",
      buckets: POD_START_BUCKETS,
      registers: [this.registry],
    });
    this.podsInFlight = new Gauge({
      name: 'tjob_pods_in_flight',
      help: 'Pods created and not yet finished (active and terminating), over all jobs.',
      registers: [this.registry],
    });
    this.engineErrors = new Counter({
      name: 'tjob_engine_errors_total',
      help: 'Times the container engine was found unreachable or failed an operation.',
      registers: [this.registry],
    });
    this.schedulerWarnings = new Counter({
      name: 'tjob_scheduler_warnings_total',
      help: 'Problems the CronJob scheduler met carrying out a decision (it retries them).',
      registers: [this.registry],
    });
    collectDefaultMetrics({ register: this.registry });
    // Gauges prom-client names with `_total`, which the exposition format keeps for counters
    // (`promtool check metrics` refuses them); the process_* metrics and the rest stay.
    for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** A slot's job was created `seconds` after its scheduled time. */
  observeLateness(cronJob: string, seconds: number, namespace = 'default'): void {
    this.lateness.observe({ namespace, cronjob: cronJob }, Math.max(0, seconds));
  }

  /** The engine reported a failure (down, or an operation refused). */
  engineError(): void {
    this.engineErrors.inc();
  }

  schedulerWarning(): void {
    this.schedulerWarnings.inc();
  }

  /**
   * Observes the start of each pod of the job not seen started before (a container of it ran), as
   * the time from its record's creation to `now`, when its start is first seen: the containers'
   * start times have whole seconds only (as the API's), too coarse for starts under a second.
   */
  observePods(state: StoredJob, now: Date): void {
    const name = state.job.metadata.name;
    if (this.finishedJobs.has(name)) return;
    let seen = this.started.get(name);
    for (const pod of state.pods) {
      if (containersStartedAt(pod.observation) === undefined || seen?.has(pod.uid)) continue;
      const seconds = (now.getTime() - Date.parse(pod.createdAt)) / 1000;
      if (!seen) this.started.set(name, (seen = new Set()));
      seen.add(pod.uid);
      if (Number.isFinite(seconds)) this.podStart.observe(Math.max(0, seconds));
    }
    // A finished job starts no pod: its set goes, and its name is remembered (a bounded number of
    // them) so that a later look at it observes nothing again. The memory stays flat.
    if (isFinished(state.job)) {
      this.started.delete(name);
      this.finishedJobs.add(name);
      if (this.finishedJobs.size > FINISHED_REMEMBERED)
        this.finishedJobs.delete(this.finishedJobs.values().next().value!);
    }
  }

  /** The exposition: state read now, then every metric. */
  async text(): Promise<string> {
    const [summaries, cronJobs] = await Promise.all([
      this.sources.store.listJobSummaries(),
      this.sources.cronStore.listCronJobs(),
    ]);
    const jobs = summaries.map((s) => jobObject(s.job));
    this.setFamilies([...jobFamilies(jobs), ...cronJobFamilies(cronJobs, this.sources.localZone)]);
    let inFlight = 0;
    for (const j of jobs) inFlight += (j.status.active ?? 0) + (j.status.terminating ?? 0);
    this.podsInFlight.set(inFlight);
    return this.registry.metrics();
  }

  private setFamilies(families: Family[]): void {
    for (const f of families) {
      const gauge = this.gauges.get(f.name)!;
      gauge.reset();
      for (const s of f.samples) gauge.set(s.labels, s.value);
    }
  }
}
