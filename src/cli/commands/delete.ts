// `tjob delete job|cronjob|pvc NAME... | --all | -l SELECTOR`: stops running pods (grace period),
// removes containers, records and logs. A job driven by a live tjob process is left alone. A claim
// is Terminating while pods use it (pvc-protection), then goes with its volume.

import { PodsNotRemovedError, StateError, UsageError } from '../../api/errors.js';
import { claimNamesOf, podHoldsClaims } from '../../api/claims.js';
import type { CronJob } from '../../api/k8s.js';
import type { PodRuntime } from '../../ports/pod-runtime.js';
import type { ClaimStore } from '../../ports/claims.js';
import type { JobRecords, StoredJob } from '../../ports/job-records.js';
import { parentCronJobName } from '../../controller/cron/index.js';
import type { FileCronStore } from '../../state/cron-store.js';
import type { FileStore } from '../../state/file-store.js';
import { DefaultTerminationGracePeriodSeconds } from '../../manifest/pod-defaults.js';
import { jobObject } from '../../output/objects.js';
import { notFoundMessage, type Kind } from '../../output/printers.js';
import type { CliContext, GlobalOptions, RegisterCommand } from '../context.js';
import { openStateForReading, stateWatchAt } from '../open-state.js';
import { StateFollower } from '../state-follower.js';
import { RecordedRuntimes } from '../job-runtimes.js';
import { rfc3339 } from '../../api/time.js';
import { printable, reportError } from '../report-error.js';
import { warnOn } from '../load-manifests.js';
import { deleteJobEverywhere } from '../../engine/job-deletion.js';
import { NO_RESOURCES } from '../listed-objects.js';
import { parseResourceArgs, selectorOf } from '../args/resource-args.js';
import { DELETE_KINDS } from '../resource-kinds.js';

/** How often a claim's deletion looks again whether a pod still uses it. */
const CLAIM_USERS_POLL_MS = 500;
/**
 * How long the driving process gets beyond the pods' grace period: to see the request (its runner
 * wakes for it), record the stopped pods and remove containers and records.
 */
const DELEGATED_DELETE_SLACK_S = 20;

interface DeleteFlags {
  all?: boolean;
  selector?: string;
}

export const registerDelete: RegisterCommand = (program, ctx, globals, exitWith) => {
  program
    .command('delete')
    .description(
      'delete jobs (or cronjobs and their jobs): stop their pods, remove containers, records and logs',
    )
    .argument('<type>', 'job, cronjob or pvc, or TYPE/NAME')
    .argument('[name...]', 'the objects to delete')
    .option('--all', 'every object of the type')
    .option('-l, --selector <selector>', 'the objects whose labels match')
    .addHelpText(
      'after',
      `
Examples:
  tjob delete job parallel
  tjob delete jobs -l jobgroup=fruit
  tjob delete job --all
  tjob delete pvc data          waits while a pod uses the claim, then removes it and its volume`,
    )
    .action(
      exitWith(async (type: string, names: string[], flags: DeleteFlags) => {
        return await runDelete([type, ...names], flags, ctx, globals());
      }),
    );
};

/** What a store may offer for CronJobs beyond the port (added with `apply`). */
interface CronJobDeletion {
  deleteCronJob(name: string): Promise<void>;
}

export async function runDelete(
  args: string[],
  flags: DeleteFlags,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const groups = parseResourceArgs(args, DELETE_KINDS);
  const selector = selectorOf(flags.selector);
  const named = groups.some((g) => g.names.length > 0);
  if (named && (flags.all || selector)) throw new UsageError('names cannot be given with --all or -l');
  if (!named && !flags.all && !selector)
    throw new UsageError(
      'resource(s) were provided, but no name was specified',
      'give names, --all, or -l SELECTOR',
    );
  const { stateDir, store, cronStore } = await openStateForReading(ctx, global);
  // Each job's pods go through the runtime it recorded; a claim's volume is the engine's.
  const runtimes = new RecordedRuntimes(ctx, stateDir, store);
  const runtimeFor = (job?: string): Promise<PodRuntime> =>
    job === undefined ? runtimes.of('docker') : runtimes.forJob(job);

  let code = 0;
  try {
    for (const g of groups) {
      const targets: string[] = [];
      if (g.kind === 'jobs') {
        if (named) targets.push(...g.names);
        else
          targets.push(
            ...(await store.listJobs())
              .filter((s) => !selector || selector.matches(jobObject(s.job).metadata.labels))
              .map((s) => s.job.metadata.name),
          );
        for (const name of targets) {
          const outcome = await deleteJob(name, store, cronStore, runtimeFor, ctx);
          if (outcome !== 'deleted') code = 1;
        }
      } else if (g.kind === 'persistentvolumeclaims') {
        if (named) targets.push(...g.names);
        else
          targets.push(
            ...(await store.listClaims())
              .filter((c) => !selector || selector.matches(c.metadata.labels))
              .map((c) => c.metadata.name),
          );
        for (const name of targets) {
          const outcome = await deleteClaim(name, store, runtimeFor, ctx);
          if (outcome !== 'deleted') code = outcome === 'interrupted' ? 130 : 1;
          if (outcome === 'interrupted') break;
        }
      } else {
        const cronJobs = await store.listCronJobs();
        if (named) targets.push(...g.names);
        else
          targets.push(
            ...cronJobs
              .filter((c) => !selector || selector.matches(c.metadata.labels))
              .map((c) => c.metadata.name),
          );
        for (const name of targets) {
          const cj = cronJobs.find((c) => c.metadata.name === name);
          if (!cj) {
            ctx.stderr.write(`${notFoundMessage('cronjobs', name)}\n`);
            code = 1;
            continue;
          }
          const deletion = store as unknown as Partial<CronJobDeletion>;
          if (typeof deletion.deleteCronJob !== 'function') {
            ctx.stderr.write(
              `error: this version of tjob cannot delete cronjobs yet (cronjob "${name}" is left as it is)\n`,
            );
            code = 1;
            continue;
          }
          // Its jobs go with it, as Kubernetes' garbage collector removes them. One that is gone
          // meanwhile (the scheduler's history cleanup deleted it) is what the collector wants.
          let ok = true;
          for (const s of await store.listJobs()) {
            if (!ownedBy(s, cj)) continue;
            const outcome = await deleteJob(s.job.metadata.name, store, cronStore, runtimeFor, ctx, {
              dependent: true,
            });
            if (outcome === 'busy') ok = false;
          }
          if (!ok) {
            code = 1;
            continue;
          }
          await deletion.deleteCronJob(name);
          ctx.stdout.write(`cronjob.batch "${name}" deleted\n`);
        }
      }
      if (!named && targets.length === 0) ctx.stderr.write(NO_RESOURCES);
    }
  } finally {
    await runtimes.close();
  }
  return code;
}

/**
 * Marks the claim Terminating, waits until no pod uses it (the pvc-protection controller removes
 * its finalizer then), and removes it with its volume, as `kubectl delete` waits for the object to
 * go. Interrupted, the claim stays Terminating; deleting it again finishes the job.
 */
async function deleteClaim(
  name: string,
  store: ClaimStore & JobRecords,
  runtimeFor: () => Promise<PodRuntime>,
  ctx: CliContext,
): Promise<'deleted' | 'missing' | 'interrupted'> {
  const pvc = await store.markClaimTerminating(name, ctx.clock.now());
  if (!pvc) {
    ctx.stderr.write(`${notFoundMessage('persistentvolumeclaims', name)}\n`);
    return 'missing';
  }
  const stop = new AbortController();
  const off = ctx.onSignal(() => stop.abort());
  try {
    let told = false;
    for (;;) {
      const users = (await store.listJobs())
        .filter((s) => claimNamesOf(s.job.spec.template.spec.volumes).includes(name))
        .flatMap((s) => s.pods.filter(podHoldsClaims).map((p) => p.name));
      if (users.length === 0) break;
      if (!told) {
        ctx.stderr.write(
          `persistentvolumeclaim "${name}" is Terminating: waiting for pod(s) ${users.join(', ')} that use it\n`,
        );
        told = true;
      }
      await ctx.clock.sleep(CLAIM_USERS_POLL_MS, stop.signal);
      if (stop.signal.aborted) {
        ctx.stderr.write(
          `persistentvolumeclaim "${name}" stays Terminating until no pod uses it; \`tjob delete pvc ${name}\` again removes it then\n`,
        );
        return 'interrupted';
      }
    }
  } finally {
    off();
  }
  const runtime = await runtimeFor();
  if (pvc.spec.volumeName) await runtime.removeClaimVolume?.(pvc.spec.volumeName);
  await store.removeClaim(name);
  ctx.stdout.write(`persistentvolumeclaim "${name}" deleted\n`);
  return 'deleted';
}

function ownedBy(s: StoredJob, cj: CronJob): boolean {
  const refs = s.job.metadata.ownerReferences;
  if (!Array.isArray(refs)) return false;
  return (refs as { kind?: string; name?: string; controller?: boolean }[]).some(
    (r) => r.controller === true && r.kind === 'CronJob' && r.name === cj.metadata.name,
  );
}

/**
 * Deletes one job. A `dependent` job (one a CronJob's deletion takes with it) that is already gone
 * is no error: the garbage collector ignores NotFound
 * (`pkg/controller/garbagecollector/garbagecollector.go`, `attemptToDeleteItem`).
 */
async function deleteJob(
  name: string,
  store: FileStore,
  cronStore: FileCronStore,
  runtimeFor: (job: string) => Promise<PodRuntime>,
  ctx: CliContext,
  options: { dependent?: boolean } = {},
): Promise<'deleted' | 'missing' | 'busy' | 'failed'> {
  const kind: Kind = 'jobs';
  // A job whose journal is damaged is deleted from what can still be read of it (the way out
  // its error names).
  let unreadableGone = false;
  const load = () =>
    store.loadJob(name).catch(async (err: unknown) => {
      if (!(err instanceof StateError)) throw err;
      ctx.stderr.write(`Warning: ${err.message}; deleting what can be read of it\n`);
      const salvaged = await store.salvageJob(name);
      if (!salvaged) {
        await store.deleteJob(name);
        unreadableGone = true;
      }
      return salvaged;
    });
  const stored = await load();
  if (!stored && unreadableGone) {
    ctx.stdout.write(`job.batch "${name}" deleted\n`);
    return 'deleted';
  }
  if (!stored) {
    if (options.dependent !== true) ctx.stderr.write(`${notFoundMessage(kind, name)}\n`);
    return 'missing';
  }
  // Take the job's lease so no controller starts on it while it goes. A job that another tjob
  // drives is deleted by that process (its pods stopped within their grace period).
  const lease = await store.acquireJobLease(name, 'tjob delete').catch(async (err: unknown) => {
    // Its directory went between the read and the lease (its scheduler's history limit, a TTL):
    // deleted meanwhile by another, it is not found, as a cluster would answer.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !(await store.loadJob(name))) return undefined;
    throw err;
  });
  if (lease === undefined) {
    if (options.dependent !== true) ctx.stderr.write(`${notFoundMessage(kind, name)}\n`);
    return 'missing';
  }
  if (!('renew' in lease)) {
    const requestedAt = rfc3339(ctx.clock.now());
    await store.requestJobChange(name, { delete: true, from: `tjob delete (pid ${process.pid})` });
    const grace =
      stored.job.spec.template.spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;
    const deadline = ctx.clock.now().getTime() + (grace + DELEGATED_DELETE_SLACK_S) * 1000;
    // Read again whenever the job's record changes (its controller's FailedDelete, or the record
    // gone), not on a poll: the deletion is printed within milliseconds of the record going.
    const follower = new StateFollower(stateWatchAt(store.root), ctx.clock);
    follower.job(name);
    try {
      let current: StoredJob | undefined;
      while ((current = await store.loadJob(name).catch(() => store.salvageJob(name)))) {
        // Its controller could not remove some containers: it keeps the job and tries again.
        const failed = current.events.filter(
          (e) => e.reason === 'FailedDelete' && e.lastTimestamp >= requestedAt,
        );
        if (failed.length > 0) {
          ctx.stderr.write(
            `error: job "${name}" is not deleted: ${printable(failed.map((e) => e.message).join('; '))}\n` +
              `hint: its record is kept and its controller (pid ${lease.pid}, ${lease.command}) tries again; ` +
              `so does \`tjob delete job ${name}\` once the container engine answers\n`,
          );
          return 'failed';
        }
        if (ctx.clock.now().getTime() > deadline) {
          ctx.stderr.write(
            `error: job "${name}" is driven by another tjob process (pid ${lease.pid}, ${lease.command}) ` +
              `that did not delete it in time; stop that process (\`kill ${lease.pid}\`) and try again\n`,
          );
          return 'busy';
        }
        await follower.next(undefined, deadline + 1 - ctx.clock.now().getTime());
      }
    } finally {
      follower.close();
    }
    ctx.stdout.write(`job.batch "${name}" deleted\n`);
    return 'deleted';
  }
  try {
    const fresh = (await store.loadJob(name).catch(() => store.salvageJob(name))) ?? stored;
    if (fresh.pods.some((p) => p.removed !== true))
      await deleteJobEverywhere(fresh, store, await runtimeFor(name), warnOn(ctx));
    else await store.deleteJob(name);
  } catch (err) {
    await lease.release();
    if (!(err instanceof PodsNotRemovedError)) throw err;
    // The other jobs named are still deleted; this one keeps its record for the next try.
    reportError(err, ctx.stderr, false);
    return 'failed';
  }
  // A running scheduler keeps its CronJobs' children in memory: tell it this one is gone.
  const parent = parentCronJobName(stored.job);
  if (parent !== undefined && (await cronStore.daemonLeaseHolder()) !== undefined)
    await cronStore.pokeDaemon(parent).catch(() => undefined);
  ctx.stdout.write(`job.batch "${name}" deleted\n`);
  return 'deleted';
}
