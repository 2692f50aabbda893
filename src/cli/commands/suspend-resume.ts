// `tjob suspend|resume job|cronjob NAME...`: sets spec.suspend (docs/job.md §2.6 for a Job). A
// Job's controller applies it (a request when another process drives the job); a job without a
// controller gets a background one, which stops the pods of a suspended job and then leaves. A CronJob's spec is stored, and a
// running scheduler (`tjob cron start`) watches the CronJob files, so it syncs it at once: its
// running jobs go on, and on resume the most recent slot missed meanwhile starts unless its
// startingDeadlineSeconds passed (pkg/controller/cronjob/cronjob_controllerv2.go, syncCronJob).

import { NotFoundError, UsageError } from '../../api/errors.js';
import { finishedOutcome } from '../../engine/job-status.js';
import type { JobRecords } from '../../ports/job-records.js';
import type { CliContext, GlobalOptions, RegisterCommand } from '../context.js';
import { openState, stateWatchAt } from '../open-state.js';
import { StateFollower } from '../state-follower.js';
import { setCronJobSuspend } from '../cronjob-suspend.js';
import { startController } from '../controller-process.js';
import { parseResourceArgs } from '../args/resource-args.js';
import { backoffSettings } from '../args/backoff.js';
import { SUSPEND_KINDS } from '../resource-kinds.js';

const WAIT_MS = 60_000;

export const registerSuspendResume: RegisterCommand = (program, ctx, globals, exitWith) => {
  for (const verb of ['suspend', 'resume'] as const) {
    program
      .command(verb)
      .description(
        verb === 'suspend'
          ? 'suspend jobs (their running pods are stopped, no new ones start, the deadline clock stops) or cronjobs (no new runs)'
          : 'resume jobs (and start a background controller for a job that has none) or cronjobs',
      )
      .argument('<kind>', 'job or cronjob (also job/NAME, cronjob/NAME)')
      .argument('[name...]', 'names')
      .option(
        '--backoff <duration>',
        'backoff base for a controller started here (default 10s; env TJOB_BACKOFF)',
      )
      .addHelpText(
        'after',
        `\nExamples:\n  tjob ${verb} job my-job\n  tjob ${verb} job/my-job\n  tjob ${verb} cronjob nightly`,
      )
      .action(
        exitWith(async (kind: string, names: string[], flags: { backoff?: string }) => {
          return await setSuspend(kind, names, verb === 'suspend', flags, ctx, globals());
        }),
      );
  }
};

async function setSuspend(
  kind: string,
  names: string[],
  suspend: boolean,
  flags: { backoff?: string },
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  // kubectl style: `job NAME`, `job/NAME`, `jobs NAME`, `cronjob NAME`, `cj/NAME`.
  const groups = parseResourceArgs([kind, ...names], SUSPEND_KINDS);
  let code = 0;
  for (const group of groups) {
    if (group.names.length === 0) {
      throw new UsageError(
        `a ${group.kind === 'jobs' ? 'job' : 'cronjob'} name is required`,
        `e.g. \`tjob ${suspend ? 'suspend' : 'resume'} ${group.kind === 'jobs' ? 'job' : 'cronjob'} NAME\``,
      );
    }
  }
  for (const group of groups) {
    const failed =
      group.kind === 'cronjobs'
        ? await setCronJobSuspend(group.names, suspend, ctx, global)
        : await setJobSuspend(group.names, suspend, flags, ctx, global);
    if (failed) code = 1;
  }
  return code;
}

async function setJobSuspend(
  targets: string[],
  suspend: boolean,
  flags: { backoff?: string },
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const { stateDir, store } = await openState(ctx, global);
  let code = 0;
  for (const name of targets) {
    const state = await store.loadJob(name);
    if (!state) {
      ctx.stderr.write(`Error from server (NotFound): jobs.batch "${name}" not found\n`);
      code = 1;
      continue;
    }
    const outcome = finishedOutcome(state.job.status);
    if (outcome) {
      ctx.stderr.write(
        `job.batch/${name} has finished (${outcome}); nothing to ${suspend ? 'suspend' : 'resume'}\n`,
      );
      continue;
    }
    const holder = await store.jobLeaseHolder(name);
    if (holder) {
      await store.requestJobChange(name, {
        suspend,
        from: `tjob ${suspend ? 'suspend' : 'resume'} (pid ${process.pid})`,
      });
      await waitForSpec(store, ctx, stateDir, name, suspend);
    } else {
      if ((state.job.spec.suspend ?? false) !== suspend) {
        const lease = await store.acquireJobLease(name, `tjob ${suspend ? 'suspend' : 'resume'}`);
        if ('renew' in lease) {
          try {
            await store.commitJob(name, { spec: { ...state.job.spec, suspend } });
          } finally {
            await lease.release();
          }
        } else {
          await store.requestJobChange(name, { suspend, from: `tjob ${suspend ? 'suspend' : 'resume'}` });
        }
      }
      // A controller applies the change: stops the pods (suspend) or runs the job (resume).
      const backoff = backoffSettings(flags, ctx.env);
      await startController(ctx, global, stateDir, store, [name], {
        ...backoff,
        keepContainers: false,
        maxJobs: Infinity,
      });
    }
    ctx.stdout.write(`job.batch/${name} ${suspend ? 'suspended' : 'resumed'}\n`);
  }
  return code;
}

async function waitForSpec(
  store: JobRecords,
  ctx: CliContext,
  stateDir: string,
  name: string,
  suspend: boolean,
): Promise<void> {
  const deadline = ctx.clock.now().getTime() + WAIT_MS;
  // Read again whenever the job's record changes, not on a poll.
  const follower = new StateFollower(stateWatchAt(stateDir), ctx.clock);
  follower.job(name);
  try {
    for (;;) {
      const s = await store.loadJob(name);
      if (!s || (s.job.spec.suspend ?? false) === suspend) return;
      if (ctx.clock.now().getTime() > deadline) {
        throw new NotFoundError(
          `the controller of job "${name}" did not take the change within ${WAIT_MS / 1000} s`,
        );
      }
      await follower.next(undefined, deadline + 1 - ctx.clock.now().getTime());
    }
  } finally {
    follower.close();
  }
}
