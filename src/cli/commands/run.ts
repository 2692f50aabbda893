// `tjob run FILE...`: create every Job in the files and drive them to the end in the foreground.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConflictError, UsageError } from '../../api/errors.js';
import type { Job, JobStatus } from '../../api/k8s.js';
import { rfc3339 } from '../../api/time.js';
import { JobRunner, type RunEnd } from '../../engine/job-runner.js';
import { finishedOutcome } from '../../engine/job-status.js';
import { configData } from '../../engine/pod-plan.js';
import { sameJobSpec } from '../../engine/job-identity.js';
import type { PodRuntime } from '../../ports/pod-runtime.js';
import type { Lease, StateStore, StoredJob } from '../../ports/state-store.js';
import { FileStore } from '../../state/file-store.js';
import { allowsColor } from '../../output/color.js';
import { parseDuration } from '../../output/duration.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { stateDirOf } from '../context.js';
import type { CommandResult } from '../program.js';
import { RunPrinter } from '../run-printer.js';
import { loadFromCommandLine, type TemplateFlags } from '../load-manifests.js';
import { imagesOf } from '../../engine/images.js';

interface RunFlags extends TemplateFlags {
  maxJobs?: string;
  backoff?: string;
  maxBackoff?: string;
  replace?: boolean;
  dryRun?: boolean;
  logs: boolean;
  quiet?: boolean;
  keepContainers?: boolean;
}

export function registerRun(
  program: Command,
  ctx: CliContext,
  globals: () => GlobalOptions,
  result: CommandResult,
): void {
  program
    .command('run')
    .description('create the Jobs in the files and drive them to the end; exit with the outcome')
    .argument('<file...>', 'manifest files or directories; - reads standard input')
    .option('--set <name=value>', 'replace $NAME / ${NAME} in the manifests (repeatable)', collect, [])
    .option('--items <list>', 'one Job per item of a comma-separated list, with $ITEM set')
    .option('--items-file <file>', 'like --items, one item per line')
    .option('--max-jobs <n>', 'how many of the expanded Jobs run at once (default: all)')
    .option(
      '--backoff <duration>',
      'base of the pod-recreation and container-restart backoff (env TJOB_BACKOFF)',
      undefined,
    )
    .option('--max-backoff <duration>', 'cap of both backoffs', '6m')
    .option('--replace', 'delete an existing job of the same name (containers, records, logs) first')
    .option('--dry-run', 'validate, print the plan and the field report; create nothing')
    .option('--no-logs', 'do not stream pod logs')
    .option('--keep-containers', 'keep finished containers (by default they are removed once recorded)')
    .option('-q, --quiet', 'print only the final result line(s)')
    .addHelpText(
      'after',
      `
Examples:
  tjob run samples/job-hello.yaml
  tjob run process-item.yaml --items apple,banana,cherry --max-jobs 2
  TJOB_BACKOFF=1s tjob run samples/job-fails.yaml     retry quickly while testing
  tjob run job.yaml > out.log                          stdout carries only the pods' logs

Ctrl-C stops the job's pods, marks the job suspended and exits 130; run the same file again to resume.`,
    )
    .action(async (files: string[], flags: RunFlags) => {
      result.code = await runCommand(files, flags, ctx, globals());
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function durationFlag(name: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new UsageError(`invalid ${name} "${text}": expected a duration like 10s, 500ms, 2m`);
  return ms;
}

export async function runCommand(
  files: string[],
  flags: RunFlags,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const backoffMs = durationFlag('--backoff', flags.backoff ?? ctx.env.TJOB_BACKOFF, 10_000);
  const maxBackoffMs = durationFlag('--max-backoff', flags.maxBackoff, 6 * 60_000);
  let maxJobs = Infinity;
  if (flags.maxJobs !== undefined) {
    maxJobs = Number(flags.maxJobs);
    if (!Number.isInteger(maxJobs) || maxJobs < 1)
      throw new UsageError(`invalid --max-jobs "${flags.maxJobs}": expected a whole number ≥ 1`);
  }

  const loaded = await loadFromCommandLine(files, flags, ctx);
  for (const w of loaded.warnings) ctx.stderr.write(w.startsWith('Warning:') ? `${w}\n` : `Warning: ${w}\n`);
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

  const stateDir = stateDirOf(global, ctx.env);
  const store = new FileStore(stateDir);
  await store.init();
  const stored = await store.listConfigObjects();
  const config = configData({
    configMaps: [...stored.filter((o) => o.kind === 'ConfigMap'), ...loaded.configMaps] as never,
    secrets: [...stored.filter((o) => o.kind === 'Secret'), ...loaded.secrets] as never,
  });

  // Decide for every job before touching anything: a refusal must leave everything as it was.
  const plans: { job: Job; existing?: StoredJob }[] = [];
  for (const job of loaded.jobs) {
    const existing = await store.loadJob(job.metadata.name);
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
          `run with --replace to start it anew, or \`tjob delete job ${job.metadata.name}\` first`,
        );
      }
    }
    plans.push(existing && !flags.replace ? { job, existing } : { job });
  }

  const runtime = await ctx.createRuntime({
    workDir: join(stateDir, 'volumes'),
    restartBackoffBaseMs: backoffMs,
    restartBackoffCapMs: Math.min(maxBackoffMs, 5 * 60_000),
  });
  try {
    await runtime.ping();
    const warnings = await runtime.ensureImages(imagesOf(loaded.jobs), (m) => ctx.stderr.write(`${m}\n`));
    for (const w of warnings) ctx.stderr.write(`Warning: ${w}\n`);
    return await driveJobs(plans, {
      store,
      runtime,
      ctx,
      global,
      flags,
      backoffMs,
      maxBackoffMs,
      maxJobs,
      config,
    });
  } finally {
    await runtime.close();
  }
}

interface DriveContext {
  store: StateStore;
  runtime: PodRuntime;
  ctx: CliContext;
  global: GlobalOptions;
  flags: RunFlags;
  backoffMs: number;
  maxBackoffMs: number;
  maxJobs: number;
  config: ReturnType<typeof configData>;
}

async function driveJobs(plans: { job: Job; existing?: StoredJob }[], d: DriveContext): Promise<number> {
  const { store, runtime, ctx } = d;
  const leases: Lease[] = [];
  const colorStdout = allowsColor({
    isTTY: !!ctx.stdout.isTTY,
    env: ctx.env,
    noColorFlag: d.global.color === false,
  });
  const colorStderr = allowsColor({
    isTTY: !!ctx.stderr.isTTY,
    env: ctx.env,
    noColorFlag: d.global.color === false,
  });
  const printer = new RunPrinter({
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    colorStdout,
    colorStderr,
    live: !!ctx.stderr.isTTY && ctx.env.TERM !== 'dumb',
    quiet: !!d.flags.quiet,
    showLogs: d.flags.logs !== false,
    now: () => ctx.clock.now(),
  });

  const interrupt = new AbortController();
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const offSignal = ctx.onSignal((s) => {
    if (signal) {
      printer.warning(
        'interrupted again: leaving now; the containers go on and the next `tjob run` adopts them',
      );
      ctx.exit(s === 'SIGINT' ? 130 : 143);
      return;
    }
    signal = s;
    printer.progress(
      `${s} received: stopping the pods and suspending the job${plans.length > 1 ? 's' : ''} (again to leave at once)`,
    );
    interrupt.abort();
  });

  try {
    for (const { job, existing } of plans) {
      if (existing === undefined) {
        const prior = await store.loadJob(job.metadata.name);
        if (prior) await deleteJobEverywhere(prior, store, runtime);
        const now = ctx.clock.now();
        job.metadata.creationTimestamp = rfc3339(now);
        await store.createJob({ ...job, status: {} as JobStatus });
        printer.progress(`job.batch/${job.metadata.name} created`);
      } else {
        printer.progress(`job.batch/${job.metadata.name} resumed`);
      }
      const lease = await store.acquireJobLease(job.metadata.name, 'tjob run');
      if (!('renew' in lease)) {
        throw new ConflictError(
          `job "${job.metadata.name}" is being driven by another tjob process (pid ${lease.pid}, ${lease.command})`,
          `wait for it with \`tjob wait job/${job.metadata.name} --for=finished\``,
        );
      }
      leases.push(lease);
      if (existing && existing.job.spec.suspend && !job.spec.suspend) {
        // Interrupted earlier (or suspended): running the file again resumes it.
        await store.commitJob(job.metadata.name, { spec: { ...existing.job.spec, suspend: false } });
      }
    }

    const heartbeat = setInterval(() => leases.forEach((l) => void l.renew()), 10_000);
    heartbeat.unref();
    const outcomes = new Map<string, RunEnd>();
    const queue = plans.map((p) => p.job.metadata.name);
    const multi = queue.length > 1;
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const runner = new JobRunner(
          { store, runtime, clock: ctx.clock },
          name,
          {
            backoffBaseMs: d.backoffMs,
            backoffCapMs: d.maxBackoffMs,
            keepContainers: !!d.flags.keepContainers,
            config: d.config,
            random: Math.random,
            newUid: randomUUID,
          },
          {
            event: (job, e) => printer.event(job, e),
            log: (job, line) => printer.log(job, line, multi),
            changed: (state) => printer.changed(state),
            engine: (down, message) =>
              printer.warning(
                down
                  ? `the Docker engine stopped answering (${message}); waiting for it`
                  : `the Docker engine is back; reconciling`,
              ),
            warning: (m) => printer.warning(m),
          },
        );
        const { end, state } = await runner.run(interrupt.signal);
        outcomes.set(name, end);
        const lastLog = end === 'Failed' ? await lastFailedPodLog(store, state) : undefined;
        printer.result(state, end === 'Interrupted' ? 'Suspended' : end, lastLog);
        if (end !== 'Interrupted' && state.job.spec.ttlSecondsAfterFinished === 0) {
          await deleteJobEverywhere(state, store, runtime);
        }
      }
    };
    const workers = Math.min(d.maxJobs, plans.length);
    await Promise.all(Array.from({ length: workers }, worker));
    clearInterval(heartbeat);
    printer.finish();
    if (signal) return signal === 'SIGINT' ? 130 : 143;
    return [...outcomes.values()].every((o) => o === 'Complete') ? 0 : 1;
  } finally {
    offSignal();
    for (const l of leases) await l.release();
  }
}

export async function deleteJobEverywhere(
  state: StoredJob,
  store: StateStore,
  runtime: PodRuntime,
): Promise<void> {
  const uid = state.job.metadata.uid ?? '';
  const grace = state.job.spec.template.spec.terminationGracePeriodSeconds ?? 30;
  await Promise.all(
    state.pods
      .filter((p) => !p.removed)
      .map(async (p) => {
        const terminal = p.observation.phase === 'Succeeded' || p.observation.phase === 'Failed';
        if (!terminal) await runtime.deletePod(uid, p.name, grace).catch(() => undefined);
        await runtime.removePod(uid, p.name).catch(() => undefined);
      }),
  );
  await store.deleteJob(state.job.metadata.name);
}

async function lastFailedPodLog(store: StateStore, state: StoredJob): Promise<string[]> {
  const failed = state.pods.filter(
    (p) =>
      p.observation.phase === 'Failed' &&
      p.observation.reason !== 'NotStarted' &&
      p.observation.reason !== 'FailedCreate',
  );
  const last = failed[failed.length - 1];
  if (!last) return [];
  const containers = [
    ...(state.job.spec.template.spec.initContainers ?? []).map((c) => c.name),
    ...state.job.spec.template.spec.containers.map((c) => c.name),
  ];
  const lines: { time: string; text: string; c: string }[] = [];
  for (const c of containers) {
    for (const l of await store.readLogs(state.job.metadata.name, last.name, c))
      lines.push({ time: l.time, text: l.text, c });
  }
  lines.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const multi = new Set(lines.map((l) => l.c)).size > 1;
  return lines.slice(-20).map((l) => (multi ? `[${last.name}/${l.c}] ${l.text}` : l.text));
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
