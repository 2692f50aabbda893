// `tjob wait job/NAME... --for=condition=COND[=value] | --for=finished | --for=delete [--timeout=30s]`:
// kubectl wait's semantics and messages. It reads the job again whenever its journal changes
// (src/cli/state-follower.ts), so it returns within milliseconds of the change.

import { UsageError } from '../../api/errors.js';
import type { JobStatus } from '../../api/k8s.js';
import { notFoundMessage, resourceName } from '../../output/printers.js';
import { jobObject } from '../../output/objects.js';
import type { CliContext, GlobalOptions, RegisterCommand } from '../context.js';
import { openStateForReading, stateWatchAt } from '../open-state.js';
import { StateFollower } from '../state-follower.js';
import { parseResourceArgs, selectorOf } from '../args/resource-args.js';
import { parseFor, parseTimeout, WAIT_CONDITIONS } from '../args/wait-for.js';
import { WAIT_KINDS } from '../resource-kinds.js';

interface WaitFlags {
  for: string[];
  timeout: string;
  selector?: string;
  all?: boolean;
}

export const registerWait: RegisterCommand = (program, ctx, globals, exitWith) => {
  program
    .command('wait')
    .description('wait until jobs meet a condition, finish, or are deleted (kubectl wait)')
    .argument('[resource...]', 'job/NAME..., or: job NAME...')
    .option(
      '--for <what>',
      `condition=COND[=true|false] (${WAIT_CONDITIONS.join(', ')}, ...), finished (Complete → 0, Failed → 1), or delete; repeatable (all must hold)`,
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      '--timeout <duration>',
      'how long to wait per job; 0 checks once, a negative value means a week',
      '30s',
    )
    .option('-l, --selector <selector>', 'wait for the jobs whose labels match')
    .option('--all', 'wait for every job')
    .addHelpText(
      'after',
      `
Examples:
  tjob wait job/pi --for=condition=Complete --timeout=2m
  tjob wait job/pi --for=finished && echo succeeded
  tjob wait job/pi --for=delete`,
    )
    .action(
      exitWith(async (resources: string[], flags: WaitFlags) => {
        return await runWait(resources, flags, ctx, globals());
      }),
    );
};

function conditionMet(status: JobStatus | undefined, type: string, value: string): boolean {
  const c = (status?.conditions ?? []).find((x) => x.type.toLowerCase() === type.toLowerCase());
  return c !== undefined && c.status.toLowerCase() === value.toLowerCase();
}

export async function runWait(
  resources: string[],
  flags: WaitFlags,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  if (flags.for.length === 0) throw new UsageError('--for must be given', 'e.g. --for=condition=Complete');
  const fors = flags.for.map(parseFor);
  const timeoutMs = parseTimeout(flags.timeout);
  const selector = selectorOf(flags.selector);
  const deleting = fors.some((f) => f.kind === 'delete');
  const { store, stateDir } = await openStateForReading(ctx, global);

  let names: string[];
  if (resources.length > 0) {
    if (selector || flags.all) throw new UsageError('names cannot be given with -l or --all');
    names = parseResourceArgs(resources, WAIT_KINDS).flatMap((g) => {
      if (g.names.length === 0)
        throw new UsageError('a job name is required, e.g. `tjob wait job/NAME --for=...`');
      return g.names;
    });
  } else if (selector || flags.all) {
    names = (await store.listJobs())
      .filter((s) => !selector || selector.matches(jobObject(s.job).metadata.labels))
      .map((s) => s.job.metadata.name);
    if (names.length === 0) {
      ctx.stderr.write('error: no matching resources found\n');
      return 1;
    }
  } else {
    throw new UsageError(
      'resource(s) were provided, but no name was specified',
      'e.g. `tjob wait job/NAME --for=...`',
    );
  }

  // As kubectl: objects that do not exist are an error up front (unless waiting for deletion).
  if (!deleting) {
    let missing = false;
    for (const name of names) {
      if (!(await store.loadJob(name))) {
        ctx.stderr.write(`${notFoundMessage('jobs', name)}\n`);
        missing = true;
      }
    }
    if (missing) return 1;
  }

  const stop = new AbortController();
  let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
  const off = ctx.onSignal((s) => {
    interrupted = s;
    stop.abort();
  });
  let code = 0;
  const follower = new StateFollower(stateWatchAt(stateDir), ctx.clock);
  try {
    for (const name of names) {
      const deadline = ctx.clock.now().getTime() + timeoutMs;
      // Watched before the first read: a change between a read and the sleep still wakes it.
      follower.job(name);
      for (;;) {
        const stored = await store.loadJob(name);
        if (!stored) {
          if (deleting) {
            ctx.stdout.write(`${resourceName('jobs', name)} condition met\n`);
            break;
          }
          ctx.stderr.write(`${notFoundMessage('jobs', name)}\n`);
          return 1;
        }
        const status = stored.job.status;
        let met = true;
        let failedReason: string | undefined;
        for (const f of fors) {
          if (f.kind === 'delete') met = false;
          else if (f.kind === 'condition') met &&= conditionMet(status, f.type, f.value);
          else {
            const failed = (status?.conditions ?? []).find((c) => c.type === 'Failed' && c.status === 'True');
            if (failed) failedReason = [failed.reason, failed.message].filter(Boolean).join(': ');
            met &&= failed !== undefined || conditionMet(status, 'Complete', 'true');
          }
        }
        if (met && failedReason !== undefined) {
          ctx.stderr.write(
            `error: ${resourceName('jobs', name)} failed${failedReason ? `: ${failedReason}` : ''}\n`,
          );
          code = 1;
          break;
        }
        if (met) {
          ctx.stdout.write(`${resourceName('jobs', name)} condition met\n`);
          break;
        }
        const left = deadline - ctx.clock.now().getTime();
        if (left <= 0) {
          ctx.stderr.write(`error: timed out waiting for the condition on jobs/${name}\n`);
          return 1;
        }
        await follower.next(stop.signal, left);
        if (interrupted) return interrupted === 'SIGINT' ? 130 : 143;
      }
      follower.forgetJob(name);
    }
  } finally {
    follower.close();
    off();
  }
  return code;
}
