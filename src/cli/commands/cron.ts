// `tjob cron start|list|next|trigger|suspend|resume`: the CronJob scheduler daemon and its helpers
// (docs/cli.md#cron; deviations 5 and 6 in docs/deviations.md).

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { addTemplateFlags, collect } from '../args/template-flags.js';
import { ConflictError, UsageError } from '../../api/errors.js';
import type { CronJob } from '../../api/k8s.js';
import { jobAsCreated } from '../../engine/job-creation.js';
import {
  isChildOf,
  jobFromTemplate,
  parentCronJobName,
  manualTriggerPlan,
  nextRunsFrom,
  rfc3339InZone,
  scheduleZone,
} from '../../controller/cron/index.js';
import { CronDaemon } from '../../engine/cron-daemon.js';
import { imagesOf } from '../../engine/images.js';
import { storedConfigData } from '../../engine/pod-plan.js';
import { defaultJob, generateName } from '../../manifest/index.js';
import { allowsColor } from '../../output/color.js';
import {
  describeSchedule,
  localTimeZone,
  nextRuns,
  offsetAt,
  parseStoredSchedule,
} from '../../schedule/index.js';
import type { CliContext, GlobalOptions, RegisterCommand } from '../context.js';
import { openRuntime, openState, stateOf } from '../open-state.js';
import { startController } from '../controller-process.js';
import { lastFailedPodLog, runnerObserver } from '../drive-jobs.js';
import { deleteJobEverywhere } from '../../engine/job-deletion.js';
import { loadFromCommandLine, storedConfig, warnOn, writeWarnings } from '../load-manifests.js';
import { RunPrinter } from '../run-printer.js';
import { pullProgressWriter } from '../pull-progress.js';
import { maskSecretsOf } from '../secret-masking.js';
import { applyLoaded, type ApplyFlags } from '../apply-manifests.js';
import { runGet } from '../get-objects.js';
import { OUTPUT_FORMATS } from '../../output/output-format.js';
import { backoffSettings, DEFAULT_MAX_BACKOFF_FLAG } from '../args/backoff.js';
import { checkNetworks, NETWORK_FLAG_HELP, networkOf } from '../args/network.js';
import { recordedRuntime, RUNTIME_FLAG_HELP, runtimeOf, withRuntime } from '../args/runtime.js';
import { objectRefusals, refuseRefused } from '../swarm-report.js';
import { finishedOutcome } from '../../engine/job-status.js';
import type { RuntimeKind } from '../../ports/pod-runtime.js';
import type { FileStore } from '../../state/file-store.js';
import type { FileCronStore } from '../../state/cron-store.js';
import type { FieldError } from '../../api/errors.js';
import { setCronJobSuspend } from '../cronjob-suspend.js';
import { LEASE_RENEW_MS } from '../../state/lease-file.js';
import { parseListenAddress } from '../../ui/http/listen-address.js';

const HEARTBEAT_MS = LEASE_RENEW_MS;
const HANDOVER_WAIT_MS = 5_000;

export const registerCron: RegisterCommand = (program, ctx, globals, exitWith) => {
  const cron = program
    .command('cron')
    .description('the CronJob scheduler (start) and its helpers (list, next, trigger, suspend, resume)')
    .addHelpText(
      'after',
      `
Examples:
  tjob cron start samples/cronjob-hello.yaml   apply the file, then schedule every stored CronJob
  tjob cron list
  tjob cron next hello --count 5               the next runs, in the CronJob's time zone
  tjob cron trigger hello                      run it now (hello-manual-xxxxx)
  tjob cron suspend hello`,
    );

  addTemplateFlags(
    cron
      .command('start')
      .description('run the scheduler in the foreground: apply FILEs, then run every stored CronJob')
      .argument('[file...]', 'manifests to apply first (as `tjob apply -f`)'),
    'one object per item of a comma-separated list, with $ITEM set',
  )
    .option(
      '--backoff <duration>',
      'base of the pod-recreation and restart backoff (default 10s; env TJOB_BACKOFF)',
    )
    .option('--max-backoff <duration>', 'cap of both backoffs', DEFAULT_MAX_BACKOFF_FLAG)
    .option('--keep-containers', 'keep finished containers (by default they are removed once recorded)')
    .option('--network <name>', `for the jobs it creates: ${NETWORK_FLAG_HELP}`)
    .option('--runtime <docker|swarm>', `for the jobs it creates: ${RUNTIME_FLAG_HELP}`)
    .option('--no-logs', 'do not stream pod logs')
    .option(
      '--metrics <addr>',
      'serve Prometheus metrics at http://ADDR/metrics (PORT = loopback, :PORT = every interface, HOST:PORT)',
    )
    .addHelpText(
      'after',
      `
Examples:
  tjob cron start samples/cronjob-hello.yaml
  tjob cron start --metrics 127.0.0.1:9464     with /metrics for Prometheus (docs/ui-and-metrics.md)
  tjob apply -f cronjob.yaml     (while it runs: picked up within a second)

--runtime swarm runs the jobs' pods as services of a Docker Swarm cluster (tjob validate --runtime
swarm FILE says what Swarm refuses); the scheduler refuses to start on another runtime than the one
its unfinished jobs were created on.

One scheduler per state directory. Ctrl-C (SIGINT) or SIGTERM stops it gracefully: running jobs keep
their containers and the next \`tjob cron start\` adopts them; slots missed meanwhile are handled as
Kubernetes does (at most one late run, within startingDeadlineSeconds).`,
    )
    .action(
      exitWith(async (files: string[], flags: StartFlags) => {
        return await cronStart(files, flags, ctx, globals());
      }),
    );

  cron
    .command('list')
    .description('the CronJobs of the state directory (= tjob get cronjobs)')
    .addHelpText('after', '\nExamples:\n  tjob cron list\n  tjob cron list -o yaml')
    .option('-o, --output <format>', OUTPUT_FORMATS.join('|'))
    .option('-l, --selector <selector>', 'label selector')
    .action(
      exitWith(async (flags: { output?: string; selector?: string }) => {
        return await runGet(['cronjobs'], flags, ctx, globals());
      }),
    );

  cron
    .command('next')
    .description('the next run times of a CronJob, in its zone, with daylight-saving notes')
    .addHelpText(
      'after',
      '\nExamples:\n  tjob cron next hello\n  tjob cron next samples/cronjob-hello.yaml --count 10',
    )
    .argument('<name|file>', 'a stored CronJob, or a manifest file')
    .option('--count <n>', 'how many runs', '5')
    .option('--from <time>', 'list the runs after this RFC 3339 time instead of now')
    .option('--set <name=value>', 'template parameters of a file (repeatable)', collect, [])
    .action(
      exitWith(async (target: string, flags: { count: string; from?: string; set?: string[] }) => {
        return await cronNext(target, flags, ctx, globals());
      }),
    );

  cron
    .command('trigger')
    .description('create a Job from a CronJob now (NAME-manual-XXXXX), respecting concurrencyPolicy')
    .addHelpText(
      'after',
      '\nExamples:\n  tjob cron trigger hello\n  tjob cron trigger hello --force   even if concurrencyPolicy forbids it',
    )
    .argument('<name>', 'the CronJob')
    .option('--force', 'ignore concurrencyPolicy')
    .option('--network <name>', NETWORK_FLAG_HELP)
    .option('--runtime <docker|swarm>', `${RUNTIME_FLAG_HELP}; a running scheduler's own when one runs`)
    .option(
      '--backoff <duration>',
      'backoff base for a controller started here (default 10s; env TJOB_BACKOFF)',
    )
    .action(
      exitWith(async (name: string, flags: TriggerFlags) => {
        return await cronTrigger(name, flags, ctx, globals());
      }),
    );

  for (const verb of ['suspend', 'resume'] as const) {
    cron
      .command(verb)
      .description(`${verb === 'suspend' ? 'set' : 'clear'} spec.suspend of CronJobs (running jobs go on)`)
      .addHelpText('after', `\nExamples:\n  tjob cron ${verb} hello`)
      .argument('<name...>', 'CronJob names')
      .action(
        exitWith(async (names: string[]) => {
          return await setCronJobSuspend(names, verb === 'suspend', ctx, globals());
        }),
      );
  }
};

interface StartFlags extends ApplyFlags {
  logs: boolean;
  metrics?: string;
}

interface TriggerFlags {
  force?: boolean;
  backoff?: string;
  network?: string;
  runtime?: string;
}

/** The scheduler's lease names its runtime, so `cron trigger` creates jobs it can drive. */
const CRON_START_COMMAND = 'tjob cron start';

function schedulerCommand(kind: RuntimeKind): string {
  return kind === 'docker' ? CRON_START_COMMAND : `${CRON_START_COMMAND} --runtime ${kind}`;
}

/** The runtime of the scheduler that holds the lease `command`. */
function schedulerRuntime(command: string): RuntimeKind {
  return /--runtime swarm\b/.test(command) ? 'swarm' : 'docker';
}

// ---- start ----

async function cronStart(
  files: string[],
  flags: StartFlags,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const backoff = backoffSettings(flags, ctx.env);
  const network = networkOf(flags, ctx.env);
  const { kind } = runtimeOf(flags, ctx.env);
  const metricsAddress =
    flags.metrics === undefined ? undefined : parseListenAddress(flags.metrics, '--metrics');
  const { stateDir, store, cronStore } = await openState(ctx, global);
  const loaded =
    files.length > 0
      ? await loadFromCommandLine(files, flags, ctx, await storedConfig(store), kind)
      : undefined;
  if (loaded) refuseRefused(loaded.refused);
  await checkSchedulerRuntime(kind, store, cronStore);

  const command = `tjob cron start (pid ${process.pid})`;
  const lease = await cronStore.acquireDaemonLease(schedulerCommand(kind));
  if (!('renew' in lease)) {
    throw new ConflictError(
      `a scheduler is already running for ${stateDir} (pid ${lease.pid}, since ${lease.heartbeat})`,
      `stop it first (kill ${lease.pid}), or use another --state-dir`,
    );
  }
  const heartbeat = setInterval(() => void lease.renew(), HEARTBEAT_MS);
  heartbeat.unref();
  const runtime = await openRuntime(ctx, stateDir, backoff, kind);
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const stop = new AbortController();
  const offSignal = ctx.onSignal((s) => {
    if (signal) {
      ctx.stderr.write(
        'interrupted again: leaving now; the jobs go on and the next `tjob cron start` adopts them\n',
      );
      ctx.exit(s === 'SIGINT' ? 130 : 143);
      return;
    }
    signal = s;
    stop.abort();
  });
  try {
    await runtime.ping();
    await checkNetworks(runtime, [network]);
    if (loaded) await applyLoaded(loaded, flags, ctx, global, { hintDaemon: false });

    const noColorFlag = global.color === false;
    const printer = new RunPrinter({
      stdout: ctx.stdout,
      stderr: ctx.stderr,
      colorStdout: allowsColor({ isTTY: !!ctx.stdout.isTTY, env: ctx.env, noColorFlag }),
      colorStderr: allowsColor({ isTTY: !!ctx.stderr.isTTY, env: ctx.env, noColorFlag }),
      live: false,
      quiet: false,
      showLogs: flags.logs !== false,
      now: () => ctx.clock.now(),
    });
    const zone = localTimeZone();
    // prom-client is loaded only for --metrics, not at every command's start-up.
    const metrics = metricsAddress
      ? new (await import('../../ui/metrics/registry.js')).TjobMetrics({ store, cronStore, localZone: zone })
      : undefined;
    const runner = runnerObserver(printer, true);
    const daemon = new CronDaemon(
      {
        store,
        cronStore,
        runtime,
        clock: ctx.clock,
        newUid: randomUUID,
        random: Math.random,
        localTimeZone: zone,
        // (checkSchedulerRuntime: every job of a CronJob it meets is on its runtime)
        deleteUndrivenJob: (state) => deleteJobEverywhere(state, store, runtime),
      },
      {
        backoffBaseMs: backoff.backoffMs,
        backoffCapMs: backoff.maxBackoffMs,
        keepContainers: !!flags.keepContainers,
        command,
        ...(network !== undefined ? { network } : {}),
        ...(kind !== 'docker' ? { runtime: kind } : {}),
      },
      {
        cronEvent: (name, e) => {
          if (e.reason === 'SuccessfulCreate') return; // `created` says it, with the lateness
          const reason = e.type === 'Warning' ? `Warning ${e.reason}` : e.reason;
          printer.progress(`cronjob/${name}: ${reason}: ${e.message}`);
        },
        created: (name, job, slot, at) => {
          if (slot) metrics?.observeLateness(name, (at.getTime() - slot.getTime()) / 1000);
          const late = slot
            ? ` for ${slot.toISOString()} (+${((at.getTime() - slot.getTime()) / 1000).toFixed(3)}s)`
            : '';
          printer.progress(`cronjob/${name}: job.batch/${job} created${late}`);
        },
        driving: (job, adopted) => {
          void maskSecretsOf(store, job, printer);
          if (adopted) printer.progress(`job.batch/${job}: taken over (its running containers are adopted)`);
        },
        ended: (job, end, state) => {
          if (end === 'Deleted') {
            printer.progress(`job.batch/${job} deleted`);
            return;
          }
          void (end === 'Failed' ? lastFailedPodLog(store, state) : Promise.resolve(undefined)).then(
            (lastLog) => printer.result(state, end, lastLog),
            () => printer.result(state, end, undefined),
          );
        },
        warning: (m) => {
          metrics?.schedulerWarning();
          printer.warning(m);
        },
        runner: metrics
          ? {
              ...runner,
              changed: (state) => {
                metrics.observePods(state, ctx.clock.now());
                runner.changed?.(state);
              },
              engine: (down, message) => {
                if (down) metrics.engineError();
                runner.engine?.(down, message);
              },
            }
          : runner,
      },
    );
    const metricsServer =
      metrics && metricsAddress
        ? await (await import('../../ui/http/metrics-server.js')).serveMetrics(metrics, metricsAddress)
        : undefined;
    if (metricsServer) printer.progress(`metrics at ${metricsServer.url}`);
    const count = (await cronStore.listCronJobs()).length;
    printer.progress(
      `scheduler (pid ${process.pid}) started for ${stateDir}: ${count} cronjob${count === 1 ? '' : 's'}, local zone ${zone}`,
    );
    try {
      await daemon.run(stop.signal);
    } finally {
      await metricsServer?.close();
    }
    printer.progress(
      `scheduler stopped${signal ? ` (${signal})` : ''}: running jobs keep their containers; the next \`tjob cron start\` adopts them`,
    );
    return signal === 'SIGTERM' ? 143 : 130;
  } finally {
    offSignal();
    clearInterval(heartbeat);
    await lease.release();
    await runtime.close();
  }
}

/**
 * Refuses to schedule on `kind` when a CronJob's unfinished job runs on the other runtime (this
 * scheduler would adopt it, and its pods are not there), or, on Swarm, when a stored CronJob's
 * template has a field Swarm refuses (each of its runs would fail to start).
 */
async function checkSchedulerRuntime(
  kind: RuntimeKind,
  store: FileStore,
  cronStore: FileCronStore,
): Promise<void> {
  for (const s of await store.listJobSummaries()) {
    const owner = parentCronJobName(s.job);
    if (owner === undefined || finishedOutcome(s.job.status)) continue;
    const recorded = recordedRuntime(await store.loadJobConfig(s.job.metadata.name));
    if (recorded === kind) continue;
    throw new UsageError(
      `job "${s.job.metadata.name}" of cronjob/${owner} runs on ${recorded}; this scheduler would run on ${kind}`,
      `start the scheduler with --runtime ${recorded} until it has finished, or delete it (\`tjob delete job ${s.job.metadata.name}\`)`,
    );
  }
  if (kind === 'swarm') refuseRefused(cronJobRefusals(await cronStore.listCronJobs()));
}

/** The fields of the stored CronJobs' templates Swarm refuses, named by CronJob. */
function cronJobRefusals(cronJobs: CronJob[]): FieldError[] {
  return objectRefusals(cronJobs.map((cj) => ({ source: `cronjob/${cj.metadata.name}`, object: cj })));
}

// ---- next ----

async function cronNext(
  target: string,
  flags: { count: string; from?: string; set?: string[] },
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const count = Number(flags.count);
  const from = flags.from === undefined ? ctx.clock.now() : new Date(flags.from);
  if (Number.isNaN(from.getTime()))
    throw new UsageError(`invalid --from "${flags.from}": expected an RFC 3339 time`);
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`invalid --count "${flags.count}": expected a whole number of at least 1`);
  let cronJobs: CronJob[];
  let stored = false;
  if (target === '-' || existsSync(target)) {
    const loaded = await loadFromCommandLine([target], { set: flags.set ?? [] }, ctx);
    cronJobs = loaded.cronJobs;
    if (cronJobs.length === 0) throw new UsageError(`no CronJob in ${target}`);
  } else {
    const cj = await stateOf(ctx, global).cronStore.loadCronJob(target);
    if (!cj) {
      ctx.stderr.write(`Error from server (NotFound): cronjobs.batch "${target}" not found\n`);
      return 1;
    }
    cronJobs = [cj];
    stored = true;
  }
  const multi = cronJobs.length > 1;
  for (const cj of cronJobs) {
    const lines = nextLines(cj, from, count, stored);
    if (multi) ctx.stdout.write(`cronjob.batch/${cj.metadata.name}:\n`);
    for (const l of lines) ctx.stdout.write(`${multi ? '  ' : ''}${l}\n`);
  }
  return 0;
}

/** The lines of `tjob cron next` for one CronJob: its reading, then one line per run. */
export function nextLines(cj: CronJob, now: Date, count: number, stored: boolean): string[] {
  const parsed = parseStoredSchedule(cj.spec.schedule);
  if (!parsed.ok) return [`invalid schedule ${JSON.stringify(cj.spec.schedule)}: ${parsed.error}`];
  const schedule = parsed.schedule;
  const zone = scheduleZone(cj, schedule, localTimeZone());
  const zoneText = cj.spec.timeZone || schedule.location ? zone : `${zone}, the local zone`;
  const out = [`${cj.spec.schedule}: ${describeSchedule(cj.spec.schedule)} (${zoneText})`];
  if (cj.spec.suspend) out.push('suspended: no run starts until it is resumed');
  const from = nextRunsFrom(cj, schedule, now, stored);
  const runs = nextRuns(schedule, from, zone, count);
  if (runs.length === 0) out.push('never: no time matches this schedule');
  for (const r of runs) {
    const local = rfc3339InZone(r.time, zone);
    const day = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: zone }).format(r.time);
    const offset = offsetAt(r.time.getTime(), zone);
    const wall = local.replace('T', ' ').replace(/(Z|[+-]\d\d:\d\d)$/, '');
    out.push(`${day} ${wall} ${utcOffset(offset)}${r.note ? `  (${r.note})` : ''}`);
  }
  return out;
}

function utcOffset(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  return `UTC${ms < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

// ---- trigger ----

async function cronTrigger(
  name: string,
  flags: TriggerFlags,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const { stateDir, store, cronStore } = await openState(ctx, global);
  const cj = await cronStore.loadCronJob(name);
  if (!cj) {
    ctx.stderr.write(`Error from server (NotFound): cronjobs.batch "${name}" not found\n`);
    return 1;
  }
  const children = (await store.listJobs()).filter((s) => isChildOf(s.job, name));

  const backoff = backoffSettings(flags, ctx.env);
  const network = networkOf(flags, ctx.env);
  // A running scheduler drives the job: it goes on the scheduler's runtime.
  const asked = runtimeOf(flags, ctx.env);
  const scheduler = await cronStore.daemonLeaseHolder();
  const kind = scheduler ? schedulerRuntime(scheduler.command) : asked.kind;
  if (asked.byFlag && asked.kind !== kind) {
    throw new UsageError(
      `the scheduler (pid ${scheduler?.pid}) runs the jobs of cronjob/${name} on ${kind}, not ${asked.kind} (--runtime ${asked.kind})`,
      `trigger it without --runtime (on ${kind}), or stop the scheduler and start it with --runtime ${asked.kind}`,
    );
  }
  if (kind === 'swarm') refuseRefused(cronJobRefusals([cj]));
  const runtime = await openRuntime(ctx, stateDir, backoff, kind);
  let jobName: string;
  try {
    await runtime.ping();
    await checkNetworks(runtime, [network]);
    const template = jobFromTemplate(cj, generateName(`${name}-manual-`, Math.random));
    const job = defaultJob(template);
    jobName = job.metadata.name;
    const config = await storedConfigData(store);
    const warnings = await runtime.ensureImages(
      imagesOf([{ job, secrets: config.secrets }]),
      pullProgressWriter(ctx.stderr),
    );
    writeWarnings(ctx.stderr, warnings);

    if (!flags.force) {
      const plan = manualTriggerPlan(
        cj,
        children.map((s) => s.job),
      );
      if (!plan.ok) throw new ConflictError(`cannot trigger cronjob/${name}: ${plan.reason}`);
      for (const victim of plan.delete) {
        const state = children.find((s) => s.job.metadata.name === victim);
        if (!state) continue;
        if (await store.jobLeaseHolder(victim)) {
          await store.requestJobChange(victim, {
            delete: true,
            from: `tjob cron trigger (pid ${process.pid})`,
          });
        } else {
          await deleteJobEverywhere(state, store, runtime, warnOn(ctx));
        }
        ctx.stderr.write(`job.batch/${victim} deleted (concurrencyPolicy Replace)\n`);
      }
    }

    await store.createJob(
      jobAsCreated(job, randomUUID(), ctx.clock.now()),
      withRuntime(network === undefined ? config : { ...config, network }, kind),
    );
  } finally {
    await runtime.close();
  }

  // A running scheduler drives it (it adopts unfinished children nobody drives); else a background
  // controller, as `run -d`.
  const daemon = await cronStore.daemonLeaseHolder();
  let handed = false;
  if (daemon) {
    await cronStore.pokeDaemon(name);
    const deadline = ctx.clock.now().getTime() + HANDOVER_WAIT_MS;
    while (ctx.clock.now().getTime() < deadline) {
      const holder = await store.jobLeaseHolder(jobName);
      if (holder) {
        handed = true;
        break;
      }
      await ctx.clock.sleep(50);
    }
  }
  if (!handed) {
    await startController(ctx, global, stateDir, store, [jobName], {
      ...backoff,
      keepContainers: false,
      maxJobs: Infinity,
    });
  }
  ctx.stdout.write(`job.batch/${jobName} created\n`);
  return 0;
}
