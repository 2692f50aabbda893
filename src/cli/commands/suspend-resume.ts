// `tjob suspend|resume job NAME...`: sets spec.suspend with the semantics of docs/job.md §2.6.
// The job's controller applies it (a request when another process drives the job); a job without
// a controller gets a background one, which stops the pods of a suspended job and then leaves.

import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../api/errors.js';
import { finishedOutcome } from '../../engine/job-status.js';
import { FileStore } from '../../state/file-store.js';
import type { StateStore } from '../../ports/state-store.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { stateDirOf } from '../context.js';
import type { CommandResult } from '../program.js';
import { startController } from '../controller-process.js';
import { backoffSettings } from './run.js';

const WAIT_MS = 60_000;

export function registerSuspendResume(
  program: Command,
  ctx: CliContext,
  globals: () => GlobalOptions,
  result: CommandResult,
): void {
  for (const verb of ['suspend', 'resume'] as const) {
    program
      .command(verb)
      .description(
        verb === 'suspend'
          ? 'suspend jobs: their running pods are stopped, no new ones start, the deadline clock stops'
          : 'resume jobs (and start a background controller for a job that has none)',
      )
      .argument('<kind>', 'job')
      .argument('<name...>', 'job names')
      .option(
        '--backoff <duration>',
        'backoff base for a controller started here (default 10s; env TJOB_BACKOFF)',
      )
      .addHelpText('after', `\nExamples:\n  tjob ${verb} job my-job\n  tjob ${verb} job/my-job`)
      .action(async (kind: string, names: string[], flags: { backoff?: string }) => {
        result.code = await setSuspend(kind, names, verb === 'suspend', flags, ctx, globals());
      });
  }
}

async function setSuspend(
  kind: string,
  names: string[],
  suspend: boolean,
  flags: { backoff?: string },
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  // kubectl style: `job NAME`, `job/NAME`, `jobs NAME`.
  const targets: string[] = [];
  if (kind.includes('/')) {
    const [k, n] = kind.split('/', 2);
    if (!isJobKind(k!)) throw new UsageError(`cannot ${suspend ? 'suspend' : 'resume'} "${k}": only jobs`);
    targets.push(n!, ...names);
  } else {
    if (!isJobKind(kind)) {
      throw new UsageError(
        `cannot ${suspend ? 'suspend' : 'resume'} "${kind}": use \`job NAME\``,
        kind.startsWith('cronjob')
          ? 'CronJobs are suspended in their manifest: edit spec.suspend and `tjob apply` it'
          : undefined,
      );
    }
    targets.push(...names);
  }
  const stateDir = stateDirOf(global, ctx.env);
  const store = new FileStore(stateDir);
  await store.init();
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
      await waitForSpec(store, ctx, name, suspend);
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

function isJobKind(k: string): boolean {
  return ['job', 'jobs', 'job.batch', 'jobs.batch'].includes(k);
}

async function waitForSpec(
  store: StateStore,
  ctx: CliContext,
  name: string,
  suspend: boolean,
): Promise<void> {
  const deadline = ctx.clock.now().getTime() + WAIT_MS;
  for (;;) {
    const s = await store.loadJob(name);
    if (!s || (s.job.spec.suspend ?? false) === suspend) return;
    if (ctx.clock.now().getTime() > deadline) {
      throw new NotFoundError(
        `the controller of job "${name}" did not take the change within ${WAIT_MS / 1000} s`,
      );
    }
    await ctx.clock.sleep(100);
  }
}
