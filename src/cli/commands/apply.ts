// `tjob apply -f FILE...`: stores CronJobs (a running `tjob cron start` picks the change up within
// a second) and ConfigMaps/Secrets, as kubectl apply does; a Job in the files is created and handed
// to a background controller, as `run -d` does.

import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { UsageError } from '../../api/errors.js';
import type { Job, JobStatus } from '../../api/k8s.js';
import { rfc3339 } from '../../api/time.js';
import { imagesOf } from '../../engine/images.js';
import { sameJobSpec } from '../../engine/job-identity.js';
import { finishedOutcome } from '../../engine/job-status.js';
import { configData } from '../../engine/pod-plan.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { openRuntime, openState } from '../open-state.js';
import { startController } from '../controller-process.js';
import {
  loadFromCommandLine,
  type LoadedManifests,
  type TemplateFlags,
  writeWarnings,
} from '../load-manifests.js';
import type { CommandResult } from '../program.js';
import { backoffSettings, DEFAULT_MAX_BACKOFF_FLAG } from '../args/backoff.js';

export interface ApplyFlags extends TemplateFlags {
  filename?: string[];
  backoff?: string;
  maxBackoff?: string;
  keepContainers?: boolean;
}

export function registerApply(
  program: Command,
  ctx: CliContext,
  globals: () => GlobalOptions,
  result: CommandResult,
): void {
  program
    .command('apply')
    .description(
      'store CronJobs, ConfigMaps, Secrets and PersistentVolumeClaims (create or update); create and start the Jobs',
    )
    .requiredOption('-f, --filename <file...>', 'manifest files or directories; - reads standard input')
    .option('--set <name=value>', 'replace $NAME / ${NAME} in the manifests (repeatable)', collect, [])
    .option('--items <list>', 'one object per item of a comma-separated list, with $ITEM set')
    .option('--items-file <file>', 'like --items, one item per line')
    .option('--backoff <duration>', 'for Jobs in the files: backoff base (default 10s; env TJOB_BACKOFF)')
    .option('--max-backoff <duration>', 'for Jobs in the files: backoff cap', DEFAULT_MAX_BACKOFF_FLAG)
    .option('--keep-containers', 'for Jobs in the files: keep finished containers')
    .addHelpText(
      'after',
      `
Examples:
  tjob apply -f samples/cronjob-hello.yaml     store (or update) a CronJob; \`tjob cron start\` runs it
  tjob apply -f config.yaml -f cronjobs/       ConfigMaps and Secrets are available to later jobs

Prints kubectl's lines: cronjob.batch/NAME created|configured|unchanged, configmap/NAME ...,
secret/NAME ..., job.batch/NAME created.`,
    )
    .action(async (flags: ApplyFlags) => {
      const files = flags.filename ?? [];
      const loaded = await loadFromCommandLine(files, flags, ctx);
      result.code = await applyLoaded(loaded, flags, ctx, globals());
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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
    jobPlans.push({ job, exists: existing !== undefined });
  }
  const backoff = backoffSettings(flags, ctx.env);

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
  const runtime = await openRuntime(ctx, stateDir, backoff);
  try {
    await runtime.ping();
    const toStart = jobPlans.filter((p) => !p.exists).map((p) => p.job);
    const warnings = await runtime.ensureImages(imagesOf(toStart), (m) => ctx.stderr.write(`${m}\n`));
    writeWarnings(ctx.stderr, warnings);
  } finally {
    await runtime.close();
  }
  const handOver: string[] = [];
  for (const { job, exists } of jobPlans) {
    const name = job.metadata.name;
    if (!exists) {
      job.metadata.creationTimestamp = rfc3339(ctx.clock.now());
      await store.createJob({ ...job, status: {} as JobStatus }, config);
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
