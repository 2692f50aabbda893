// `tjob run FILE...`: create every Job in the files and drive them to the end in the foreground
// (or, with -d, in a detached controller process); exit with the outcome.

import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { junitReport } from '../../output/junit.js';
import { addManifestCommand } from '../args/template-flags.js';
import { ConflictError, UsageError } from '../../api/errors.js';
import type { Job } from '../../api/k8s.js';
import { BuiltInControllerName } from '../../controller/job/sync.js';
import { jobAsCreated } from '../../engine/job-creation.js';
import { finishedOutcome } from '../../engine/job-status.js';
import { configData } from '../../engine/pod-plan.js';
import { sameJobSpec } from '../../engine/job-identity.js';
import { pullProgressWriter } from '../pull-progress.js';
import { imagesOf } from '../../engine/images.js';
import type { StoredJob } from '../../ports/job-records.js';
import type { JobConfigs } from '../../ports/job-config.js';
import type { PodLogs } from '../../ports/pod-logs.js';
import type { RuntimeKind } from '../../ports/pod-runtime.js';
import { backoffSettings, DEFAULT_MAX_BACKOFF_FLAG } from '../args/backoff.js';
import { checkNetworks, checkRecordedNetwork, NETWORK_FLAG_HELP, networkOf } from '../args/network.js';
import {
  checkRecordedRuntime,
  oneRuntime,
  recordedRuntime,
  RUNTIME_FLAG_HELP,
  runtimeOf,
  withRuntime,
} from '../args/runtime.js';
import { RecordedRuntimes } from '../job-runtimes.js';
import { refuseRefused, swarmRefusals, swarmReports } from '../swarm-report.js';
import type { CliContext, GlobalOptions, RegisterCommand } from '../context.js';
import { openRuntime, stateOf, stateWatchAt } from '../open-state.js';
import {
  loadFromCommandLine,
  storedConfig,
  storedConfigOf,
  type TemplateFlags,
  warnOn,
  writeWarnings,
} from '../load-manifests.js';
import { deleteJobEverywhere } from '../../engine/job-deletion.js';
import { driveJobs, podLogTail, type DriveSettings } from '../drive-jobs.js';
import { sweepExpiredJobs } from '../ttl-sweep.js';
import { newRunPrinter } from '../run-printer.js';
import { startController } from '../controller-process.js';
import { jobSecretMask } from '../secret-masking.js';

export interface RunFlags extends TemplateFlags {
  maxJobs?: string;
  backoff?: string;
  maxBackoff?: string;
  replace?: boolean;
  dryRun?: boolean;
  detach?: boolean;
  logs: boolean;
  quiet?: boolean;
  keepContainers?: boolean;
  showSecrets?: boolean;
  report?: string;
  network?: string;
  runtime?: string;
}

export const registerRun: RegisterCommand = (program, ctx, globals, exitWith) => {
  addManifestCommand(
    program,
    'run',
    'create the Jobs in the files and drive them to the end; exit with the outcome',
    'one Job per item of a comma-separated list, with $ITEM set',
  )
    .option('--max-jobs <n>', 'how many of the expanded Jobs run at once (default: all)')
    .option('-d, --detach', 'hand the jobs to a background controller process and return at once')
    .option(
      '--backoff <duration>',
      'base of the pod-recreation and container-restart backoff (default 10s; env TJOB_BACKOFF)',
    )
    .option('--max-backoff <duration>', 'cap of both backoffs', DEFAULT_MAX_BACKOFF_FLAG)
    .option('--network <name>', NETWORK_FLAG_HELP)
    .option('--runtime <docker|swarm>', RUNTIME_FLAG_HELP)
    .option('--replace', 'delete an existing job of the same name (containers, records, logs) first')
    .option('--dry-run', 'validate, print the plan and the field report; create nothing')
    .option('--no-logs', 'do not stream pod logs')
    .option('--keep-containers', 'keep finished containers (by default they are removed once recorded)')
    .option('-q, --quiet', 'print only the final result line(s)')
    .option('--show-secrets', "print the values of the job's Secrets in its logs (masked as *** by default)")
    .option(
      '--report <file>',
      'write a JUnit XML report of the jobs (one test suite per job, one test case per pod)',
    )
    .addHelpText(
      'after',
      `
Examples:
  tjob run samples/job-hello.yaml
  tjob run samples/templates/process-item.yaml --items apple,banana,cherry --max-jobs 2
  tjob run samples/job-fails.yaml --backoff 1s       retry quickly while testing
  tjob run job.yaml > out.log                         stdout carries only the pods' logs
  tjob run -d job.yaml && tjob wait job/NAME --for=finished
  tjob run samples/brokers/job-wq-1.yaml --network tjob-demo
                                                      its pods reach amqp://rabbitmq-service on tjob-demo

Ctrl-C stops the job's pods, marks the job suspended and exits 130; run the same file again to
resume it. If tjob is killed, the next run of the same file adopts the running containers.

--network NAME (or TJOB_NETWORK) attaches every pod of the new jobs to that existing user-defined
Docker network (docker network create NAME), where it resolves the containers on it by name or
alias, as a pod resolves a Service; a job keeps its network when it is resumed. Pods with
hostNetwork: true stay on the host's network, as on a cluster.

--runtime swarm (or TJOB_RUNTIME=swarm) runs each pod as a service of the Docker Swarm cluster that
DOCKER_HOST or the docker context names a manager of; --dry-run --runtime swarm prints what Swarm
honours, approximates and refuses, field by field. A job keeps its runtime when it is resumed.`,
    )
    .action(
      exitWith(async (files: string[], flags: RunFlags) => {
        return await runCommand(files, flags, ctx, globals());
      }),
    );
};

export async function runCommand(
  files: string[],
  flags: RunFlags,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const backoff = backoffSettings(flags, ctx.env);
  const network = networkOf(flags, ctx.env);
  const asked = runtimeOf(flags, ctx.env);
  let maxJobs = Infinity;
  if (flags.maxJobs !== undefined) {
    maxJobs = Number(flags.maxJobs);
    if (!Number.isInteger(maxJobs) || maxJobs < 1) {
      throw new UsageError(`invalid --max-jobs "${flags.maxJobs}": expected a whole number of at least 1`);
    }
  }

  // Opened (created) only after the dry run, which writes nothing but reads the stored
  // ConfigMaps and Secrets if there are any.
  const { stateDir, store } = stateOf(ctx, global);
  const known = flags.dryRun
    ? await storedConfigOf(ctx, global)
    : await store.init().then(() => storedConfig(store));
  const loaded = await loadFromCommandLine(files, flags, ctx, known, asked.kind);
  writeWarnings(ctx.stderr, loaded.warnings);
  if (loaded.jobs.length === 0) {
    throw new UsageError(
      `no Job in ${files.join(', ')}`,
      loaded.cronJobs.length > 0
        ? 'CronJobs are scheduled by `tjob cron start`; `tjob cron trigger NAME` runs one now'
        : undefined,
    );
  }
  if (flags.dryRun) {
    printPlan(loaded.jobs, ctx);
    ctx.stderr.write(loaded.reportText);
    return 0;
  }

  const config = configData({
    configMaps: [...known.configMaps, ...loaded.configMaps],
    secrets: [...known.secrets, ...loaded.secrets],
  });

  // Finished jobs whose TTL ran out go first (deviation 3), so they do not block a new run.
  let sweepRuntimes: RecordedRuntimes | undefined;
  try {
    await sweepExpiredJobs(
      store,
      ctx.clock.now(),
      (job) => {
        sweepRuntimes ??= new RecordedRuntimes(ctx, stateDir, store);
        return sweepRuntimes.forJob(job);
      },
      undefined,
      warnOn(ctx),
    );
  } finally {
    await sweepRuntimes?.close();
  }

  // Decide for every job before touching anything: a refusal must leave everything as it was.
  const plans: { job: Job; existing?: StoredJob }[] = [];
  /** The networks the pods will join: the asked one for new jobs, the recorded one for the others. */
  const networks = new Set<string | undefined>();
  /** The runtime of each job: the asked one for new jobs, the recorded one for the others. */
  const runtimes: { name: string; kind: RuntimeKind }[] = [];
  for (const job of loaded.jobs) {
    refuseForeignController(job);
    const existing = await store.loadJob(job.metadata.name);
    if (!existing || flags.replace) {
      networks.add(network);
      runtimes.push({ name: job.metadata.name, kind: asked.kind });
    }
    if (existing && !flags.replace) {
      const outcome = finishedOutcome(existing.job.status);
      if (outcome) {
        throw new UsageError(
          `job "${job.metadata.name}" already exists and has finished (${outcome})`,
          `run it again with --replace, or remove it first with \`tjob delete job ${job.metadata.name}\``,
        );
      }
      if (!sameJobSpec(existing.job, job)) {
        throw new UsageError(
          `job "${job.metadata.name}" already exists with a different spec`,
          `run it with --replace to start it anew, or remove it first with \`tjob delete job ${job.metadata.name}\``,
        );
      }
      const recordedConfig = await store.loadJobConfig(job.metadata.name);
      const recorded = recordedConfig.network;
      // TJOB_NETWORK is the default of new jobs; only the flag asks to move an existing one.
      checkRecordedNetwork(job.metadata.name, recorded, flags.network !== undefined ? network : undefined);
      networks.add(recorded);
      // The same for TJOB_RUNTIME and --runtime.
      const recordedKind = recordedRuntime(recordedConfig);
      checkRecordedRuntime(job.metadata.name, recordedKind, asked);
      runtimes.push({ name: job.metadata.name, kind: recordedKind });
    }
    plans.push(existing && !flags.replace ? { job, existing } : { job });
  }
  const kind = oneRuntime(runtimes, asked.kind);
  // What Swarm cannot run is refused before anything is stored or started (also when the jobs'
  // records, not the flag, say Swarm).
  if (kind === 'swarm') refuseRefused(swarmRefusals(swarmReports(loaded)));

  // Claims in the files are stored (as `apply` does): they outlive the job, as on a cluster.
  for (const pvc of loaded.claims) {
    if ((await store.saveClaim(pvc, ctx.clock.now(), randomUUID())) === 'created')
      ctx.stderr.write(`persistentvolumeclaim/${pvc.metadata.name} created\n`);
  }

  const runtime = await openRuntime(ctx, stateDir, backoff, kind);
  try {
    await runtime.ping();
    await checkNetworks(runtime, networks);
    const warnings = await runtime.ensureImages(
      imagesOf(loaded.jobs.map((job) => ({ job, secrets: config.secrets }))),
      pullProgressWriter(ctx.stderr),
    );
    writeWarnings(ctx.stderr, warnings);

    const printer = newRunPrinter(ctx, global, {
      quiet: !!flags.quiet,
      showLogs: flags.logs !== false && !flags.detach,
      showSecrets: !!flags.showSecrets,
    });
    for (const { job, existing } of plans) {
      const name = job.metadata.name;
      if (existing === undefined) {
        const prior = await store.loadJob(name);
        // Another tjob created it since this one looked (two runs of one file at once): the same
        // spec is run as if it had been there (driven or followed below), never replaced.
        if (prior && !flags.replace && createdMeanwhile(prior, job)) continue;
        if (prior) {
          const holder = await store.jobLeaseHolder(name);
          if (holder) {
            throw new UsageError(
              `job "${name}" is being driven by another tjob (pid ${holder.pid}, ${holder.command}); --replace cannot remove it now`,
              `stop that process first, or \`tjob delete job ${name}\``,
            );
          }
          // The job it replaces may be on the other runtime: its pods go through that one.
          const priorKind = recordedRuntime(await store.loadJobConfig(name));
          if (priorKind === kind) await deleteJobEverywhere(prior, store, runtime, warnOn(ctx));
          else {
            const others = new RecordedRuntimes(ctx, stateDir, store);
            try {
              await deleteJobEverywhere(prior, store, await others.of(priorKind), warnOn(ctx));
            } finally {
              await others.close();
            }
          }
        }
        try {
          await store.createJob(
            jobAsCreated(job, job.metadata.uid ?? randomUUID(), ctx.clock.now()),
            withRuntime(network === undefined ? config : { ...config, network }, kind),
          );
        } catch (err) {
          const now = err instanceof ConflictError ? await store.loadJob(name) : undefined;
          if (now && !flags.replace && createdMeanwhile(now, job)) continue;
          throw err;
        }
        if (!flags.detach) printer.progress(`job.batch/${name} created`);
      } else if (!(await store.jobLeaseHolder(name))) {
        if (existing.job.spec.suspend && !job.spec.suspend) {
          // Interrupted earlier (or suspended): running the file again resumes it.
          await store.commitJob(name, { spec: { ...existing.job.spec, suspend: false } });
        }
        if (!flags.detach) printer.progress(`job.batch/${name} resumed`);
      }
    }
    const names = plans.map((p) => p.job.metadata.name);
    const settings: DriveSettings = { maxJobs, ...backoff, keepContainers: !!flags.keepContainers };
    if (flags.detach) {
      await startController(ctx, global, stateDir, store, names, settings);
      for (const { job, existing } of plans) {
        ctx.stdout.write(`job.batch/${job.metadata.name} ${existing ? 'resumed' : 'created'}\n`);
      }
      return 0;
    }
    const finals = new Map<string, StoredJob>();
    const finished = (state: StoredJob): void => void finals.set(state.job.metadata.name, state);
    const code = await driveJobs(
      names,
      { store, runtime, ctx, printer, stateWatch: () => stateWatchAt(stateDir) },
      { ...settings, command: 'tjob run', finished },
    );
    const states = names.map((n) => finals.get(n)).filter((s): s is StoredJob => s !== undefined);
    if (names.length > 1) printer.summary(states);
    if (flags.report) await writeReport(flags.report, store, states, ctx, !!flags.showSecrets);
    return code;
  } finally {
    await runtime.close();
  }
}

async function writeReport(
  file: string,
  store: PodLogs & JobConfigs,
  states: StoredJob[],
  ctx: CliContext,
  showSecrets: boolean,
): Promise<void> {
  const tails = new Map<string, string[]>();
  for (const state of states) {
    // The report is printed output too: the job's secret values are masked (--show-secrets keeps them).
    const secrets = await jobSecretMask(store, state, showSecrets);
    for (const pod of state.pods) {
      if (pod.observation.phase === 'Failed')
        tails.set(
          `${state.job.metadata.name}/${pod.name}`,
          (await podLogTail(store, state, pod)).map((l) => secrets.mask(l)),
        );
    }
  }
  const xml = junitReport(
    states.map((state) => ({
      state,
      logTail: (pod) => tails.get(`${state.job.metadata.name}/${pod.name}`) ?? [],
    })),
    hostname(),
    ctx.clock.now(),
  );
  try {
    await writeFile(file, xml);
  } catch (err) {
    throw new UsageError(`cannot write the report ${file}: ${(err as Error).message}`);
  }
  ctx.stderr.write(`JUnit report written to ${file}\n`);
}

/** True for a job another process has just created from the same spec; refuses a different one. */
function createdMeanwhile(prior: StoredJob, job: Job): boolean {
  if (!sameJobSpec(prior.job, job)) {
    throw new UsageError(
      `job "${job.metadata.name}" was created meanwhile by another tjob with a different spec`,
      `run it with --replace to start it anew, or remove it first with \`tjob delete job ${job.metadata.name}\``,
    );
  }
  return true;
}

function printPlan(jobs: Job[], ctx: CliContext): void {
  for (const job of jobs) {
    const s = job.spec;
    const mode =
      s.completions === null || s.completions === undefined
        ? 'work queue'
        : `${s.completionMode ?? 'NonIndexed'}`;
    const images = [
      ...new Set(
        [...(s.template.spec.initContainers ?? []), ...s.template.spec.containers].map((c) => c.image),
      ),
    ].join(', ');
    ctx.stdout.write(
      `job.batch/${job.metadata.name} (dry run): ${mode}, completions ${s.completions ?? '-'}, parallelism ${s.parallelism ?? 1}, ` +
        `backoffLimit ${s.backoffLimit ?? 6}, restartPolicy ${s.template.spec.restartPolicy}, images ${images}\n`,
    );
  }
}

/**
 * A Job whose `spec.managedBy` names another controller is left alone by the built-in one
 * (pkg/controller/job/job_controller.go skips its sync; KEP-4368), so
 * `tjob run` would wait for an outcome that never comes: refuse it before anything is created.
 * `tjob apply` still stores it, as the API server would.
 */
function refuseForeignController(job: Job): void {
  const managedBy = job.spec.managedBy;
  if (managedBy === undefined || managedBy === BuiltInControllerName) return;
  throw new UsageError(
    `job "${job.metadata.name}": spec.managedBy is "${managedBy}", so the Job controller (${BuiltInControllerName}) never runs its pods and \`tjob run\` would wait for ever`,
    `remove spec.managedBy (or set it to ${BuiltInControllerName}) to run it here; \`tjob apply\` stores it as it is for the controller it names`,
  );
}
