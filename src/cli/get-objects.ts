// What `tjob get` (and `tjob cron list`) prints: kubectl's tables, `-o wide|json|yaml|name`, the
// template formats (`-o jsonpath=...`, `-o custom-columns=...`), label selectors and `-w`.

import { readFileSync } from 'node:fs';
import { UsageError } from '../api/errors.js';
import type { StoredJob } from '../ports/state-store.js';
import { headerCells, notFoundMessage, resourceName, type Kind } from '../output/printers.js';
import { parseOutput, templatePrinter } from '../output/output-format.js';
import { listOf, toJson, toYaml } from '../output/serialize.js';
import { newTableState, renderRows, type TableState } from '../output/table.js';
import type { CliContext, GlobalOptions } from './context.js';
import { openStateForReading, stateWatchAt } from './open-state.js';
import { StateFollower } from './state-follower.js';
import { parseResourceArgs, selectorOf } from './args/resource-args.js';
import { listKind, NO_RESOURCES, type Listed } from './listed-objects.js';

export interface GetFlags {
  output?: string;
  selector?: string;
  job?: string;
  watch?: boolean;
  noHeaders?: boolean;
  allowMissingTemplateKeys?: boolean;
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
  const { store, stateDir, jobs } = await openStateForReading(ctx, global);
  // The jobs as the state was opened, for the first listing; a watch lists them again.
  let openedJobs: typeof jobs | undefined = jobs;

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
    const summaries = openedJobs;
    openedJobs = undefined;
    for (const g of groups) {
      const all = await listKind(store, g.kind, jobFilter, summaries);
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
  return watch(items, collect, print, ctx, new StateFollower(stateWatchAt(stateDir), ctx.clock));
}

/** `-w`: what changed, whenever the state directory's watch (or its safety poll) wakes it. */
async function watch(
  initial: Listed[],
  collect: () => Promise<Listed[]>,
  print: (list: Listed[], initial: boolean) => void,
  ctx: CliContext,
  follower: StateFollower,
): Promise<number> {
  const key = (x: Listed) => `${x.kind}/${x.name}`;
  let last = new Map(initial.map((x) => [key(x), { item: x, json: JSON.stringify(x.object) }] as const));
  const stop = new AbortController();
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const off = ctx.onSignal((s) => {
    signal = s;
    stop.abort();
  });
  follower.everything();
  // The listing above was read before the watch was armed: the first pass reads at once.
  let first = true;
  try {
    while (!stop.signal.aborted) {
      if (!first) await follower.next(stop.signal);
      first = false;
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
    follower.close();
  }
  return signal === 'SIGTERM' ? 143 : 130;
}
