// `tjob apply -f FILE...`: stores CronJobs (a running `tjob cron start` picks the change up within
// a second) and ConfigMaps/Secrets, as kubectl apply does; a Job in the files is created and handed
// to a background controller, as `run -d` does.

import { collect } from '../args/template-flags.js';
import type { RegisterCommand } from '../context.js';
import { loadFromCommandLine, storedConfig } from '../load-manifests.js';
import { openState } from '../open-state.js';
import { DEFAULT_MAX_BACKOFF_FLAG } from '../args/backoff.js';
import { NETWORK_FLAG_HELP } from '../args/network.js';
import { RUNTIME_FLAG_HELP } from '../args/runtime.js';
import { applyLoaded, type ApplyFlags } from '../apply-manifests.js';

export const registerApply: RegisterCommand = (program, ctx, globals, exitWith) => {
  program
    .command('apply')
    .description(
      'store CronJobs, ConfigMaps, Secrets and PersistentVolumeClaims (create or update); create and start the Jobs',
    )
    .requiredOption('-f, --filename <file...>', 'manifest files or directories; - reads standard input')
    .option('--set <name=value>', 'replace $NAME / ${NAME} in the manifests (repeatable)', collect, [])
    .option('--items <list>', 'one object per item of a comma-separated list, with $ITEM set')
    .option('--items-file <file>', 'like --items, one item per line')
    .option('--backoff <duration>', 'for Jobs in the files: backoff base (default 10s; env TJOB_BACKOFF)')
    .option('--max-backoff <duration>', 'for Jobs in the files: backoff cap', DEFAULT_MAX_BACKOFF_FLAG)
    .option('--keep-containers', 'for Jobs in the files: keep finished containers')
    .option('--network <name>', `for Jobs in the files: ${NETWORK_FLAG_HELP}`)
    .option('--runtime <docker|swarm>', `for Jobs in the files: ${RUNTIME_FLAG_HELP}`)
    .addHelpText(
      'after',
      `
Examples:
  tjob apply -f samples/cronjob-hello.yaml     store (or update) a CronJob; \`tjob cron start\` runs it
  tjob apply -f config.yaml -f cronjobs/       ConfigMaps and Secrets are available to later jobs

Prints kubectl's lines: cronjob.batch/NAME created|configured|unchanged, configmap/NAME ...,
secret/NAME ..., job.batch/NAME created.`,
    )
    .action(
      exitWith(async (flags: ApplyFlags) => {
        const files = flags.filename ?? [];
        const { store } = await openState(ctx, globals());
        const loaded = await loadFromCommandLine(files, flags, ctx, await storedConfig(store));
        return await applyLoaded(loaded, flags, ctx, globals());
      }),
    );
};
