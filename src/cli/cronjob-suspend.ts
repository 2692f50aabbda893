// `tjob suspend|resume cronjob NAME...` and `tjob cron suspend|resume NAME...`: store
// spec.suspend; a running scheduler watches the CronJob files and syncs at once.

import type { CliContext, GlobalOptions } from './context.js';
import { stateOf } from './open-state.js';

/** Stores spec.suspend of each CronJob (`tjob cron suspend|resume` too). Returns 1 if one was missing. */
export async function setCronJobSuspend(
  names: string[],
  suspend: boolean,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const { stateDir, cronStore } = stateOf(ctx, global);
  let code = 0;
  for (const name of names) {
    const outcome = await cronStore.updateCronJob(
      name,
      (cj) => ({ ...cj, spec: { ...cj.spec, suspend } }),
      ctx.clock.now(),
    );
    if (!outcome) {
      ctx.stderr.write(`Error from server (NotFound): cronjobs.batch "${name}" not found\n`);
      code = 1;
      continue;
    }
    const verb = suspend ? 'suspended' : 'resumed';
    ctx.stdout.write(`cronjob.batch/${name} ${outcome === 'unchanged' ? `already ${verb}` : verb}\n`);
  }
  if (!suspend && code === 0 && !(await cronStore.daemonLeaseHolder())) {
    ctx.stderr.write(
      `No scheduler is running for ${stateDir}: \`tjob cron start\` runs the CronJobs' schedules\n`,
    );
  }
  return code;
}
