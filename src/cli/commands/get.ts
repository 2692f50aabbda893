// `tjob get jobs|pods|cronjobs [NAME...]`: kubectl's tables, `-o wide|json|yaml|name`, the template
// formats (`-o jsonpath=...`, `-o custom-columns=...`), label selectors and `-w`. Also the
// resource-argument helpers the other read commands share.

import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../../api/errors.js';
import { mapLimit } from '../../api/map-limit.js';
import { finishedOutcome } from '../../engine/job-status.js';
import type { Labels } from '../../api/k8s.js';
import type { PodRecord } from '../../api/pod.js';
import type { StoredJob } from '../../ports/state-store.js';
import type { FileStore } from '../../state/file-store.js';
import { cronJobObject, jobObject, podObject } from '../../output/objects.js';
import {
  claimCells,
  cronJobCells,
  headerCells,
  jobCells,
  notFoundMessage,
  podCells,
  resourceName,
  type Kind,
} from '../../output/printers.js';
import { OUTPUT_FORMATS, parseOutput, templatePrinter } from '../../output/output-format.js';
import { listOf, toJson, toYaml } from '../../output/serialize.js';
import { newTableState, renderRows, type TableState } from '../../output/table.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { openStateForReading } from '../open-state.js';
import type { CommandResult } from '../program.js';
import { parseResourceArgs, selectorOf } from '../args/resource-args.js';

export { OUTPUT_FORMATS } from '../../output/output-format.js';
export const NO_RESOURCES = 'No resources found in default namespace.\n';

/** Pod records of one job in creation order. */
export function podsInCreationOrder(stored: StoredJob): PodRecord[] {
  return [...stored.pods].sort((a, b) =>
    a.createdAt < b.createdAt
      ? -1
      : a.createdAt > b.createdAt
        ? 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
  );
}

/** The pod of that name in any job. */
export async function findPod(
  store: FileStore,
  name: string,
): Promise<{ stored: StoredJob; record: PodRecord } | undefined> {
  for (const stored of await store.listJobs()) {
    const record = stored.pods.find((p) => p.name === name);
    if (record) return { stored, record };
  }
  return undefined;
}

/**
 * Whether the job's deletion was asked of the process that drives it. Such a job is gone, as
 * after Kubernetes' background deletion (the CronJob controller's Replace, `kubectl delete`): the
 * object goes at once, its pods terminate in the background (and stay under `get pods` until then).
 * Only an unfinished job's deletion waits for its controller (a finished one has no pods to stop).
 */
async function deletionAsked(store: FileStore, job: StoredJob['job']): Promise<boolean> {
  if (finishedOutcome(job.status)) return false;
  return (await store.pendingJobRequests(job.metadata.name)).some((r) => r.delete === true);
}

/** One object as `get` lists it. */
export interface Listed {
  kind: Kind;
  name: string;
  labels: Labels | undefined;
  object: unknown;
  cells(now: Date, wide: boolean): string[];
}

export async function listKind(store: FileStore, kind: Kind, jobFilter?: StoredJob[]): Promise<Listed[]> {
  if (kind === 'jobs') {
    // Summaries: a listing of jobs reads no pod records (1,000 jobs answer in well under a second).
    const all = await store.listJobSummaries();
    const deleted = await mapLimit(all, 16, (s) => deletionAsked(store, s.job));
    const listed = all.filter((_, i) => !deleted[i]);
    return listed.map((s) => {
      const object = jobObject(s.job);
      return {
        kind,
        name: object.metadata.name,
        labels: object.metadata.labels,
        object,
        cells: (now, wide) => jobCells(object, now, wide),
      };
    });
  }
  if (kind === 'pods') {
    const out: Listed[] = [];
    for (const s of jobFilter ?? (await store.listJobs())) {
      for (const record of s.pods) {
        const object = podObject(s.job, record);
        out.push({
          kind,
          name: record.name,
          labels: object.metadata.labels,
          object,
          cells: (now, wide) => podCells(object, now, wide),
        });
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  if (kind === 'persistentvolumeclaims') {
    return (await store.listClaims()).map((pvc) => ({
      kind,
      name: pvc.metadata.name,
      labels: pvc.metadata.labels,
      object: pvc,
      cells: (now: Date, wide: boolean) => claimCells(pvc, now, wide),
    }));
  }
  return (await store.listCronJobs())
    .map((cj) => {
      const object = cronJobObject(cj);
      return {
        kind,
        name: object.metadata.name,
        labels: object.metadata.labels,
        object,
        cells: (now: Date, wide: boolean) => cronJobCells(object, now, wide),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface GetFlags {
  output?: string;
  selector?: string;
  job?: string;
  watch?: boolean;
  noHeaders?: boolean;
  allowMissingTemplateKeys?: boolean;
}

/** A Go bool flag's value (strconv.ParseBool); the flag alone means true. */
function goBool(value: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new InvalidArgumentError(`strconv.ParseBool: parsing "${value}": invalid syntax`);
}

export function registerGet(
  program: Command,
  ctx: CliContext,
  globals: () => GlobalOptions,
  result: CommandResult,
): void {
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
    .action(async (type: string, names: string[], flags: GetFlags & { headers?: boolean }) => {
      result.code = await runGet(
        [type, ...names],
        { ...flags, noHeaders: flags.headers === false },
        ctx,
        globals(),
      );
    });
}

export async function runGet(
  args: string[],
  flags: GetFlags,
  ctx: CliContext,
  global: GlobalOptions,
): Promise<number> {
  const output = parseOutput(flags.output);
  const format = output.format;
  const templated = templatePrinter(output, {
    noHeaders: flags.noHeaders === true,
    allowMissingKeys: flags.allowMissingTemplateKeys ?? true,
    readFile: (path) => readFileSync(path, 'utf8'),
  });
  const selector = selectorOf(flags.selector);
  const groups = parseResourceArgs(args);
  const named = groups.some((g) => g.names.length > 0);
  if (named && selector) throw new UsageError('names and a label selector (-l) cannot be used together');
  if (flags.job !== undefined && groups.some((g) => g.kind !== 'pods'))
    throw new UsageError('--job applies to pods only');
  const { store } = await openStateForReading(ctx, global);

  let code = 0;
  const errors: string[] = [];

  const collect = async (): Promise<Listed[]> => {
    const found: Listed[] = [];
    errors.length = 0;
    let jobFilter: StoredJob[] | undefined;
    if (flags.job !== undefined) {
      const stored = await store.loadJob(flags.job);
      if (!stored) {
        errors.push(notFoundMessage('jobs', flags.job));
        return found;
      }
      jobFilter = [stored];
    }
    for (const g of groups) {
      const all = await listKind(store, g.kind, jobFilter);
      if (g.names.length > 0) {
        for (const name of g.names) {
          const item = all.find((x) => x.name === name);
          if (item) found.push(item);
          else errors.push(notFoundMessage(g.kind, name));
        }
      } else {
        found.push(...all.filter((x) => !selector || selector.matches(x.labels)));
      }
    }
    return found;
  };

  const items = await collect();
  for (const e of errors) ctx.stderr.write(`${e}\n`);
  if (errors.length > 0) code = 1;
  const multiKind = groups.length > 1;
  const singleItemImplied = groups.length === 1 && groups[0]!.names.length === 1 && !flags.watch;
  const tables = new Map<Kind, TableState>();
  const headerPrinted = new Set<Kind>();

  const rowsFor = (list: Listed[], withHeader: boolean): string => {
    const now = ctx.clock.now();
    const wide = format === 'wide';
    let text = '';
    for (const g of groups) {
      const mine = list.filter((x) => x.kind === g.kind);
      if (mine.length === 0) continue;
      let state = tables.get(g.kind);
      if (!state) tables.set(g.kind, (state = newTableState()));
      const rows: string[][] = [];
      if (withHeader && !flags.noHeaders && !headerPrinted.has(g.kind)) {
        rows.push(headerCells(g.kind, wide));
        headerPrinted.add(g.kind);
      }
      for (const x of mine) {
        const cells = x.cells(now, wide);
        if (multiKind) cells[0] = resourceName(x.kind, x.name);
        rows.push(cells);
      }
      if (text && withHeader) text += '\n';
      text += renderRows(rows, state);
    }
    return text;
  };

  const print = (list: Listed[], initial: boolean) => {
    switch (format) {
      case 'table':
      case 'wide':
        ctx.stdout.write(rowsFor(list, true));
        break;
      case 'name':
        for (const x of list) ctx.stdout.write(`${resourceName(x.kind, x.name)}\n`);
        break;
      case 'json':
      case 'yaml': {
        const render = format === 'json' ? toJson : toYaml;
        if (!initial || flags.watch) {
          list.forEach((x, i) =>
            ctx.stdout.write((format === 'yaml' && (i > 0 || !initial) ? '---\n' : '') + render(x.object)),
          );
        } else if (singleItemImplied) {
          if (list[0]) ctx.stdout.write(render(list[0].object));
        } else {
          ctx.stdout.write(render(listOf(list.map((x) => x.object))));
        }
        break;
      }
      default: {
        // -o jsonpath / custom-columns: what kubectl's printGeneric prints, as for json above.
        const write = (text: string) => ctx.stdout.write(text);
        if (!initial || flags.watch) for (const x of list) templated!.printObject(x.object, write);
        else if (singleItemImplied) {
          if (list[0]) templated!.printObject(list[0].object, write);
        } else
          templated!.printList(
            list.map((x) => x.object),
            write,
          );
      }
    }
  };

  if (
    items.length === 0 &&
    errors.length === 0 &&
    (format === 'table' || format === 'wide' || format === 'name')
  )
    ctx.stderr.write(NO_RESOURCES);
  const generic = format === 'json' || format === 'yaml' || templated !== undefined;
  if (items.length > 0 || (generic && !singleItemImplied && !flags.watch)) print(items, true);
  if (!flags.watch) return code;
  return watch(items, collect, print, ctx);
}

async function watch(
  initial: Listed[],
  collect: () => Promise<Listed[]>,
  print: (list: Listed[], initial: boolean) => void,
  ctx: CliContext,
): Promise<number> {
  const key = (x: Listed) => `${x.kind}/${x.name}`;
  let last = new Map(initial.map((x) => [key(x), { item: x, json: JSON.stringify(x.object) }] as const));
  const stop = new AbortController();
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const off = ctx.onSignal((s) => {
    signal = s;
    stop.abort();
  });
  try {
    while (!stop.signal.aborted) {
      await ctx.clock.sleep(500, stop.signal);
      if (stop.signal.aborted) break;
      const now = await collect();
      const next = new Map(now.map((x) => [key(x), { item: x, json: JSON.stringify(x.object) }] as const));
      const changed: Listed[] = [];
      for (const [k, v] of next) if (last.get(k)?.json !== v.json) changed.push(v.item);
      // A deleted object's last state is shown once more, as a watch's DELETED event does.
      for (const [k, v] of last) if (!next.has(k)) changed.push(v.item);
      if (changed.length > 0) print(changed, false);
      last = next;
    }
  } finally {
    off();
  }
  return signal === 'SIGTERM' ? 143 : 130;
}
