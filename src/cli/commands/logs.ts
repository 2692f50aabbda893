// `tjob logs JOB | job/JOB | pod/POD | POD`: the pods' logs from the state directory (they outlive
// the containers). All pods of a job in creation order; `[POD/CONTAINER]` prefixes when more than one
// stream is shown; `--tail` per stream; `-f` follows until the job (or pod) has finished. As kubectl,
// one run of each container: the current one (`-f` moves on to the next run when it is restarted),
// or with `-p` the one before it. `-f` wakes when the job's journal or a followed log changes.

import { NotFoundError, UsageError } from '../../api/errors.js';
import type { Container } from '../../api/k8s.js';
import type { PodRecord } from '../../api/pod.js';
import { finishedOutcome } from '../../engine/job-status.js';
import type { LogRecord, PodLogs } from '../../ports/pod-logs.js';
import type { StoredJob } from '../../ports/job-records.js';
import { notFoundMessage } from '../../output/printers.js';
import { rfc3339Nano } from '../../output/time-format.js';
import type { CliContext, GlobalOptions, RegisterCommand } from '../context.js';
import { openStateForReading, stateWatchAt } from '../open-state.js';
import { StateFollower } from '../state-follower.js';
import { findPod, podsInCreationOrder } from '../stored-pods.js';
import { kindOf } from '../args/resource-args.js';
import { LOGS_KINDS } from '../resource-kinds.js';
import { jobSecretMask } from '../secret-masking.js';

/** After the job has finished, one more read this much later catches lines still being written. */
const FOLLOW_DRAIN_MS = 1000;

interface LogsFlags {
  container?: string;
  allContainers?: boolean;
  index?: string;
  previous?: boolean;
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  showSecrets?: boolean;
}

export const registerLogs: RegisterCommand = (program, ctx, globals, exitWith) => {
  program
    .command('logs')
    .description("print the logs of a job's pods (or of one pod) from the state directory")
    .argument('<target>', 'JOB, job/JOB, pod/POD or POD')
    .option('-c, --container <name>', 'only this container')
    .option('--all-containers', 'every container of the pods (init containers first)')
    .option('--index <n>', 'Indexed jobs: only the pods of this completion index')
    .option('-p, --previous', 'the previous run of a restarted container')
    .option('-f, --follow', 'keep printing new lines until the job has finished')
    .option('--tail <n>', 'only the last N lines of each stream (-1: all)', '-1')
    .option('--timestamps', 'prefix each line with its RFC3339Nano time')
    .option('--show-secrets', "print the values of the job's Secrets (masked as *** by default)")
    .addHelpText(
      'after',
      `
Examples:
  tjob logs parallel
  tjob logs job/indexed --index 2
  tjob logs pod/parallel-6k4v8 --timestamps
  tjob logs parallel -f --tail 10`,
    )
    .action(
      exitWith(async (target: string, flags: LogsFlags) => {
        return await runLogs(target, flags, ctx, globals());
      }),
    );
};

type Run = number | 'whole' | 'none';

interface Stream {
  pod: PodRecord;
  container: string;
  /** The run shown ('whole': a log recorded before runs were kept apart); unset before the first read. */
  run?: Run;
  /** Where the next read of that run's log starts (readLogsFrom): each line is read once. */
  at: number;
}

export async function runLogs(
  target: string,
  flags: LogsFlags,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const tail = Number(flags.tail ?? '-1');
  if (!Number.isInteger(tail))
    throw new UsageError(`invalid --tail "${flags.tail}": expected a whole number`);
  let index: number | undefined;
  if (flags.index !== undefined) {
    index = Number(flags.index);
    if (!Number.isInteger(index) || index < 0)
      throw new UsageError(`invalid --index "${flags.index}": expected a completion index (0, 1, ...)`);
  }
  if (flags.container !== undefined && flags.allContainers)
    throw new UsageError('--container and --all-containers cannot be used together');
  const { store, stateDir } = await openStateForReading(ctx, global);

  // Resolve the target to a job and, for a pod target, one pod.
  let jobName: string;
  let podName: string | undefined;
  const slash = target.indexOf('/');
  if (slash >= 0) {
    const kind = kindOf(target.slice(0, slash), LOGS_KINDS);
    const name = target.slice(slash + 1);
    if (kind === 'jobs') jobName = name;
    else {
      const found = await findPod(store, name);
      if (!found) return notFound(ctx, 'pods', name);
      jobName = found.stored.job.metadata.name;
      podName = name;
    }
  } else if (await store.loadJob(target)) {
    jobName = target;
  } else {
    const found = await findPod(store, target);
    if (!found) return notFound(ctx, 'jobs', target);
    jobName = found.stored.job.metadata.name;
    podName = target;
  }
  let stored = await store.loadJob(jobName);
  if (!stored) return notFound(ctx, 'jobs', jobName);

  const spec = stored.job.spec.template.spec;
  const initNames = (spec.initContainers ?? []).map((c) => c.name);
  const appNames = spec.containers.map((c) => c.name);
  let containers: string[];
  if (flags.allContainers) containers = [...initNames, ...appNames];
  else if (flags.container !== undefined) {
    if (![...initNames, ...appNames].includes(flags.container))
      throw new NotFoundError(
        `container ${flags.container} is not valid for ${podName ? `pod ${podName}` : `job ${jobName}`}`,
        `its containers: ${describeContainers(spec.containers, spec.initContainers)}`,
      );
    containers = [flags.container];
  } else {
    const annotated =
      stored.job.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
    const chosen = annotated && appNames.includes(annotated) ? annotated : appNames[0]!;
    containers = [chosen];
    if (appNames.length + initNames.length > 1 && !annotated)
      ctx.stderr.write(
        `Defaulted container "${chosen}" out of: ${describeContainers(spec.containers, spec.initContainers)}\n`,
      );
  }
  if (index !== undefined && stored.job.spec.completionMode !== 'Indexed')
    throw new UsageError(
      `--index applies to Indexed jobs; job "${jobName}" is ${stored.job.spec.completionMode ?? 'NonIndexed'}`,
    );

  const selectPods = (s: StoredJob) =>
    podsInCreationOrder(s).filter(
      (p) => (podName === undefined || p.name === podName) && (index === undefined || p.index === index),
    );
  const streamsOf = (pods: PodRecord[]) =>
    pods.flatMap((pod) =>
      containers
        .filter((c) => !flags.previous || restartCount(pod, c) > 0)
        .map((container) => ({ pod, container, at: 0 })),
    );

  let pods = selectPods(stored);
  if (index !== undefined && pods.length === 0 && !flags.follow)
    throw new NotFoundError(`job "${jobName}" has no pod with completion index ${index}`);
  const streams: Stream[] = streamsOf(pods);
  if (flags.previous && streams.length === 0) {
    // kubectl names the pod (`logs job/NAME` picks one); so does tjob when the job has one.
    const onePod = podName ?? (pods.length === 1 ? pods[0]!.name : undefined);
    throw new NotFoundError(
      `previous terminated container "${containers[0]}" in ${onePod ? `pod "${onePod}"` : `job "${jobName}"`} not found`,
    );
  }
  // Decided once, so following a job whose second pod appears later keeps one format. One
  // completion index is one pod unless it was retried: its log alone is unprefixed, as one pod's.
  const jobSpec = stored.job.spec;
  const manyPods =
    index !== undefined
      ? pods.length > 1
      : (jobSpec.completions ?? 1) > 1 || (jobSpec.parallelism ?? 1) > 1 || pods.length > 1;
  const prefixed = streams.length > 1 || (!podName && (containers.length > 1 || manyPods));
  const multi = () => prefixed;
  const secrets = await jobSecretMask(store, stored, !!flags.showSecrets);

  const emit = (s: Stream, lines: LogRecord[]) => {
    const prefix = multi() ? `[${s.pod.name}/${s.container}] ` : '';
    let text = '';
    for (const l of lines)
      text += `${prefix}${flags.timestamps ? `${rfc3339Nano(l.time)} ` : ''}${secrets.mask(l.text)}\n`;
    if (text) ctx.stdout.write(text);
  };

  const drain = async (s: Stream, initial: boolean) => {
    // --previous stays with the run it showed first; the current run is looked up each time.
    const run =
      flags.previous && s.run !== undefined ? s.run : await runToShow(store, jobName, s, !!flags.previous);
    if (run !== s.run) {
      s.run = run; // a new run of the container: shown from its start
      s.at = 0;
    }
    if (run === 'none') return;
    const read = await store.readLogsFrom(
      jobName,
      s.pod.name,
      s.container,
      run === 'whole' ? 'before-runs' : run,
      s.at,
    );
    s.at = read.next;
    let fresh = read.lines;
    if (initial && tail >= 0) fresh = tail === 0 ? [] : fresh.slice(-tail);
    emit(s, fresh);
  };

  if (!flags.follow) {
    for (const s of streams) await drain(s, true);
    return 0;
  }
  // Followed: the job's journal (new pods, their end) and each stream's log directory wake it,
  // watched before the first read so that nothing written meanwhile waits for the safety poll.
  const follower = new StateFollower(stateWatchAt(stateDir), ctx.clock);
  const watchStreams = () => {
    for (const s of streams) follower.logs(jobName, s.pod.name, s.container);
  };
  follower.job(jobName);
  watchStreams();
  const stop = new AbortController();
  let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
  const off = ctx.onSignal((sig) => {
    interrupted = sig;
    stop.abort();
  });
  try {
    for (const s of streams) await drain(s, true);
    let finishing = false;
    // The record read above may be older than the watch: the first pass reads at once.
    let first = true;
    for (;;) {
      if (finishing) await ctx.clock.sleep(FOLLOW_DRAIN_MS, stop.signal);
      else if (!first) await follower.next(stop.signal);
      first = false;
      if (interrupted) return interrupted === 'SIGINT' ? 130 : 143;
      stored = await store.loadJob(jobName);
      if (!stored) return 0; // deleted while following
      pods = selectPods(stored);
      for (const pod of pods) {
        if (!streams.some((s) => s.pod.name === pod.name)) streams.push(...streamsOf([pod]));
      }
      watchStreams();
      for (const s of streams) {
        s.pod = pods.find((p) => p.name === s.pod.name) ?? s.pod;
        await drain(s, false);
      }
      if (finishing) return 0;
      const done = podName
        ? pods.every((p) => p.observation.phase === 'Succeeded' || p.observation.phase === 'Failed')
        : finishedOutcome(stored.job.status) !== undefined;
      if (done) finishing = true;
    }
  } finally {
    off();
    follower.close();
  }
}

/**
 * Which run of the container to show: the current one, the latest that the pod record or the
 * recorded logs know of (the record can trail the logs by a moment; a restarted container that
 * has written nothing yet shows nothing), or the one before it. Kubernetes takes the container
 * of status.state for the current run and lastState.terminated for the previous one
 * (validateContainerLogStatus, pkg/kubelet/kubelet_pods.go). A log recorded whole by an earlier
 * version of tjob is one run: the current one, with nothing before it.
 */
async function runToShow(store: PodLogs, job: string, s: Stream, previous: boolean): Promise<Run> {
  const runs = await store.logRuns(job, s.pod.name, s.container);
  const latest = runs[runs.length - 1];
  if (latest === undefined) return previous ? 'none' : 'whole';
  const current = Math.max(restartCount(s.pod, s.container), latest);
  return previous ? current - 1 : current;
}

function restartCount(pod: PodRecord, container: string): number {
  const all = [...pod.observation.initContainerStatuses, ...pod.observation.containerStatuses];
  return all.find((c) => c.name === container)?.restartCount ?? 0;
}

function describeContainers(containers: Container[], init: Container[] | undefined): string {
  return [...containers.map((c) => c.name), ...(init ?? []).map((c) => `${c.name} (init)`)].join(', ');
}

function notFound(ctx: CliContext, kind: 'jobs' | 'pods', name: string): number {
  ctx.stderr.write(`${notFoundMessage(kind, name)}\n`);
  return 1;
}
