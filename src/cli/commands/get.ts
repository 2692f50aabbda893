// `tjob get jobs|pods|cronjobs [NAME...]`: the flags of kubectl get; the listing and printing is
// src/cli/get-objects.ts (shared with `tjob cron list`).

import { InvalidArgumentError, Option } from 'commander';
import { OUTPUT_FORMATS } from '../../output/output-format.js';
import type { RegisterCommand } from '../context.js';
import { runGet, type GetFlags } from '../get-objects.js';

/** A Go bool flag's value (strconv.ParseBool); the flag alone means true. */
function goBool(value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`strconv.ParseBool: parsing "${value}": invalid syntax`);
}

export const registerGet: RegisterCommand = (program, ctx, globals, exitWith) => {
  program
    .command('get')
    .description('list jobs, pods, cronjobs or pvcs from the state directory, as kubectl get does')
    .argument(
      '<type>',
      'jobs, pods, cronjobs or pvc (also job, job.batch, pod, po, cronjob, cj, persistentvolumeclaim), or TYPE/NAME',
    )
    .argument('[name...]', 'only these objects')
    .addOption(
      new Option(
        '-o, --output <format>',
        `output format, one of: ${OUTPUT_FORMATS.join(', ')}; as -o jsonpath=TEMPLATE, -o custom-columns=SPEC, -o jsonpath-file=FILE`,
      ),
    )
    .option('-l, --selector <selector>', "label selector, e.g. 'app=web,tier!=db,env in (a,b),!legacy'")
    .option('--job <name>', 'pods: only those of this job')
    .option('-w, --watch', 'after the list, print a row whenever an object changes (Ctrl-C ends)')
    .option('--no-headers', 'omit the table header (also of -o custom-columns)')
    .addOption(
      new Option(
        '--allow-missing-template-keys [bool]',
        '-o jsonpath: a missing field or key prints nothing (default true; =false makes it an error)',
      ).argParser(goBool),
    )
    .addHelpText(
      'after',
      `
Examples:
  tjob get jobs
  tjob get pods --job parallel -o wide
  tjob get job parallel -o json | jq '.status.succeeded'
  tjob get jobs -l 'jobgroup=fruit' -o name
  tjob get pods -w
  tjob get pods --selector=batch.kubernetes.io/job-name=pi --output=jsonpath='{.items[*].metadata.name}'
  tjob get jobs -o jsonpath='{range .items[*]}{.metadata.name}{"\\t"}{.status.succeeded}{"\\n"}{end}'
  tjob get pods -o custom-columns=NAME:.metadata.name,STATUS:.status.phase`,
    )
    .action(
      exitWith(async (type: string, names: string[], flags: GetFlags & { headers?: boolean }) => {
        return await runGet(
          [type, ...names],
          { ...flags, noHeaders: flags.headers === false },
          ctx,
          globals(),
        );
      }),
    );
};
