// Storing what manifests hold, as kubectl apply does: CronJobs, ConfigMaps, Secrets and claims are
// created or updated; a Job is created and handed to a background controller, as `run -d` does.
// Shared by `tjob apply` and `tjob cron start FILE...`.

import { randomUUID } from 'node:crypto';
import { UsageError } from '../api/errors.js';
import type { Job } from '../api/k8s.js';
import { jobAsCreated } from '../engine/job-creation.js';
import { pullProgressWriter } from './pull-progress.js';
import { imagesOf } from '../engine/images.js';
import { sameJobSpec } from '../engine/job-identity.js';
import { finishedOutcome } from '../engine/job-status.js';
import { configData } from '../engine/pod-plan.js';
import type { CliContext, GlobalOptions } from './context.js';
import { openRuntime, openState } from './open-state.js';
import { startController } from './controller-process.js';
import { type LoadedManifests, type TemplateFlags, writeWarnings } from './load-manifests.js';
import { backoffSettings } from './args/backoff.js';
import { checkNetworks, networkOf } from './args/network.js';
import { checkRecordedRuntime, recordedRuntime, runtimeOf, withRuntime } from './args/runtime.js';
import { refuseRefused, swarmRefusals, swarmReports } from './swarm-report.js';

export interface ApplyFlags extends TemplateFlags {
  filename?: string[];
  backoff?: string;
  maxBackoff?: string;
  keepContainers?: boolean;
  network?: string;
  runtime?: string;
}

/**
 * Stores what `loaded` holds and prints one line per object on stdout. Shared by `apply` and
 * `cron start FILE...`. A Job that exists with another spec is refused before anything is written.
 */
export async function applyLoaded(
  loaded: LoadedManifests,
  flags: ApplyFlags,
  ctx: CliContext,
  global: GlobalOptions,
  options: { hintDaemon?: boolean } = {},
): Promise<number> {
  writeWarnings(ctx.stderr, loaded.warnings);
  const asked = runtimeOf(flags, ctx.env);
  const { stateDir, store, cronStore } = await openState(ctx, global);

  // Jobs: decide for each before writing anything.
  const jobPlans: { job: Job; exists: boolean }[] = [];
  for (const job of loaded.jobs) {
    const existing = await store.loadJob(job.metadata.name);
    if (existing && !sameJobSpec(existing.job, job)) {
      throw new UsageError(
        `The Job "${job.metadata.name}" is invalid: spec.template: Invalid value: field is immutable`,
        `remove it first with \`tjob delete job ${job.metadata.name}\`, or \`tjob run --replace\` it`,
      );
    }
    // An existing job stays on its runtime; --runtime naming the other one is refused.
    if (existing)
      checkRecordedRuntime(
        job.metadata.name,
        recordedRuntime(await store.loadJobConfig(job.metadata.name)),
        asked,
      );
    jobPlans.push({ job, exists: existing !== undefined });
  }
  // New jobs run on the asked runtime: what it cannot run is refused before anything is written.
  if (asked.kind === 'swarm' && jobPlans.some((p) => !p.exists)) {
    const fresh = new Set(jobPlans.filter((p) => !p.exists).map((p) => p.job.metadata.name));
    refuseRefused(swarmRefusals(swarmReports(loaded).filter((r) => r.kind === 'Job' && fresh.has(r.name))));
  }
  const backoff = backoffSettings(flags, ctx.env);
  const network = networkOf(flags, ctx.env);

  for (const cm of loaded.configMaps) {
    ctx.stdout.write(`configmap/${cm.metadata.name} ${await store.saveConfigObject(cm)}\n`);
  }
  for (const s of loaded.secrets) {
    ctx.stdout.write(`secret/${s.metadata.name} ${await store.saveConfigObject(s)}\n`);
  }
  for (const pvc of loaded.claims) {
    const outcome = await store.saveClaim(pvc, ctx.clock.now(), randomUUID());
    ctx.stdout.write(`persistentvolumeclaim/${pvc.metadata.name} ${outcome}\n`);
  }
  for (const cj of loaded.cronJobs) {
    const outcome = await cronStore.saveCronJob(cj, ctx.clock.now(), randomUUID);
    ctx.stdout.write(`cronjob.batch/${cj.metadata.name} ${outcome}\n`);
  }
  if (loaded.cronJobs.length > 0 && options.hintDaemon !== false && !(await cronStore.daemonLeaseHolder())) {
    ctx.stderr.write(
      `No scheduler is running for ${stateDir}: \`tjob cron start\` runs the CronJobs' schedules\n`,
    );
  }

  if (jobPlans.length === 0) return 0;
  const stored = await store.listConfigObjects();
  const config = configData({
    configMaps: [...stored.filter((o) => o.kind === 'ConfigMap'), ...loaded.configMaps] as never,
    secrets: [...stored.filter((o) => o.kind === 'Secret'), ...loaded.secrets] as never,
  });
  const runtime = await openRuntime(ctx, stateDir, backoff, asked.kind);
  try {
    await runtime.ping();
    const toStart = jobPlans.filter((p) => !p.exists).map((p) => p.job);
    if (toStart.length > 0) await checkNetworks(runtime, [network]);
    const warnings = await runtime.ensureImages(
      imagesOf(toStart.map((job) => ({ job, secrets: config.secrets }))),
      pullProgressWriter(ctx.stderr),
    );
    writeWarnings(ctx.stderr, warnings);
  } finally {
    await runtime.close();
  }
  const handOver: string[] = [];
  for (const { job, exists } of jobPlans) {
    const name = job.metadata.name;
    if (!exists) {
      await store.createJob(
        jobAsCreated(job, job.metadata.uid ?? randomUUID(), ctx.clock.now()),
        withRuntime(network === undefined ? config : { ...config, network }, asked.kind),
      );
      handOver.push(name);
      continue;
    }
    const state = await store.loadJob(name);
    // Unchanged; an unfinished one that nobody drives gets a controller again.
    if (state && !finishedOutcome(state.job.status) && !(await store.jobLeaseHolder(name)))
      handOver.push(name);
  }
  if (handOver.length > 0) {
    await startController(ctx, global, stateDir, store, handOver, {
      ...backoff,
      keepContainers: !!flags.keepContainers,
      maxJobs: Infinity,
    });
  }
  for (const { job, exists } of jobPlans) {
    ctx.stdout.write(`job.batch/${job.metadata.name} ${exists ? 'unchanged' : 'created'}\n`);
  }
  return 0;
}
