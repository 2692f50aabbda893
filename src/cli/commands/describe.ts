// `tjob describe job|pod|cronjob NAME...`: kubectl's describe pages, ending with the object's events.

import { UsageError } from '../../api/errors.js';
import type { StoredEvent } from '../../ports/state-store.js';
import { describeCronJob, describeJob, describePod, type DescribeOptions } from '../../output/describe.js';
import { cronJobObject, jobObject, podObject } from '../../output/objects.js';
import { notFoundMessage } from '../../output/printers.js';
import type { CliContext, GlobalOptions, RegisterCommand } from '../context.js';
import { jobSecretMask } from '../secret-masking.js';
import { listKind, NO_RESOURCES } from '../listed-objects.js';
import { openStateForReading } from '../open-state.js';
import { parseResourceArgs, selectorOf } from '../args/resource-args.js';

export const registerDescribe: RegisterCommand = (program, ctx, globals, exitWith) => {
  program
    .command('describe')
    .description("show a job, pod or cronjob in kubectl's describe layout, with its events")
    .argument('<type>', 'job, pod or cronjob, or TYPE/NAME')
    .argument('[name...]', 'the objects (all of the type when none)')
    .option('-l, --selector <selector>', 'describe the objects whose labels match')
    .addHelpText(
      'after',
      `
Examples:
  tjob describe job parallel
  tjob describe pod/parallel-6k4v8`,
    )
    .action(
      exitWith(async (type: string, names: string[], flags: { selector?: string }) => {
        return await runDescribe([type, ...names], flags, ctx, globals());
      }),
    );
};

export async function runDescribe(
  args: string[],
  flags: { selector?: string },
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const groups = parseResourceArgs(args);
  const selector = selectorOf(flags.selector);
  if (selector && groups.some((g) => g.names.length > 0))
    throw new UsageError('names and a label selector (-l) cannot be used together');
  const { store, cronStore } = await openStateForReading(ctx, global);
  const now = ctx.clock.now();
  const options: DescribeOptions = { now, zoneOffset: (at) => -at.getTimezoneOffset() };
  const pages: string[] = [];
  let code = 0;

  const jobs = await store.listJobs();
  const cronJobs = await store.listCronJobs();
  const eventsOf = (events: StoredEvent[], involved: string) =>
    events.filter((e) => e.involvedObject === involved);

  for (const g of groups) {
    let names = g.names;
    if (names.length === 0) {
      names = (await listKind(store, g.kind))
        .filter((x) => !selector || selector.matches(x.labels))
        .map((x) => x.name);
    }
    for (const name of names) {
      if (g.kind === 'jobs') {
        const stored = jobs.find((s) => s.job.metadata.name === name);
        if (stored)
          pages.push(
            (await jobSecretMask(store, stored)).mask(
              describeJob(jobObject(stored.job), eventsOf(stored.events, `Job/${name}`), options),
            ),
          );
        else {
          ctx.stderr.write(`${notFoundMessage('jobs', name)}\n`);
          code = 1;
        }
      } else if (g.kind === 'pods') {
        const stored = jobs.find((s) => s.pods.some((p) => p.name === name));
        const record = stored?.pods.find((p) => p.name === name);
        if (stored && record)
          pages.push(
            (await jobSecretMask(store, stored)).mask(
              describePod(podObject(stored.job, record), eventsOf(stored.events, `Pod/${name}`), options),
            ),
          );
        else {
          ctx.stderr.write(`${notFoundMessage('pods', name)}\n`);
          code = 1;
        }
      } else {
        const cj = cronJobs.find((c) => c.metadata.name === name);
        if (cj) {
          // The scheduler records a CronJob's events beside it; older ones may sit with its jobs.
          const events = [
            ...(await cronStore.listCronJobEvents(name)),
            ...jobs.flatMap((s) => eventsOf(s.events, `CronJob/${name}`)),
          ];
          pages.push(describeCronJob(cronJobObject(cj), events, options));
        } else {
          ctx.stderr.write(`${notFoundMessage('cronjobs', name)}\n`);
          code = 1;
        }
      }
    }
  }
  if (pages.length === 0 && code === 0) ctx.stderr.write(NO_RESOURCES);
  ctx.stdout.write(pages.join('\n\n'));
  return code;
}
