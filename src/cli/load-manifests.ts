// Reading manifests as the commands' flags ask: files, directories, stdin, template parameters.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ManifestError, UsageError, type FieldError } from '../api/errors.js';
import type { ConfigMap, Secret } from '../api/k8s.js';
import {
  formatFieldReport,
  parseItemsFile,
  parseItemsFlag,
  parseManifestTexts,
  parseSetFlags,
  readManifestSources,
  type LoadResult,
} from '../manifest/index.js';
import type { ConfigObjectStore } from '../ports/config-objects.js';
import type { RuntimeKind } from '../ports/pod-runtime.js';
import {
  formatSwarmReport,
  swarmRefusals,
  swarmReports,
  swarmRunWarnings,
  swarmWarnings,
} from './swarm-report.js';
import type { CliContext, GlobalOptions } from './context.js';
import { stateOf } from './open-state.js';
import { printable } from './report-error.js';

export interface TemplateFlags {
  set?: string[];
  items?: string;
  itemsFile?: string;
}

export interface LoadedManifests extends LoadResult {
  /** The field report on the runtime asked for, as `validate` and `run --dry-run` print it. */
  reportText: string;
  /** The fields that runtime refuses (Swarm: src/runtime/swarm/swarm-support.ts); none on Docker. */
  refused: FieldError[];
}

export async function templateParams(
  flags: TemplateFlags,
): Promise<{ set: Record<string, string>; items?: string[] }> {
  const set = parseSetFlags(flags.set ?? []);
  let items: string[] | undefined;
  if (flags.items !== undefined && flags.itemsFile !== undefined) {
    throw new UsageError('--items and --items-file cannot be used together');
  }
  if (flags.items !== undefined) {
    items = parseItemsFlag(flags.items);
  }
  if (flags.itemsFile !== undefined) {
    let text: string;
    try {
      text = await readFile(flags.itemsFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --items-file ${flags.itemsFile}: ${(err as Error).message}`);
    }
    items = parseItemsFile(text);
    if (items.length === 0)
      throw new UsageError(`--items-file ${flags.itemsFile} holds no item (one per line)`);
  }
  return items ? { set, items } : { set };
}

/** The ConfigMaps and Secrets a state directory holds, stored with `apply`. */
export interface KnownConfig {
  configMaps: ConfigMap[];
  secrets: Secret[];
}

/**
 * The ConfigMaps and Secrets stored with `apply`: every later job may refer to them, as to objects
 * of its namespace, so `loadFromCommandLine` must be told of them (a reference to neither these nor
 * the run's own objects is an error).
 */
export async function storedConfig(store: ConfigObjectStore): Promise<KnownConfig> {
  const all = await store.listConfigObjects();
  return {
    configMaps: all.filter((o): o is ConfigMap => o.kind === 'ConfigMap'),
    secrets: all.filter((o): o is Secret => o.kind === 'Secret'),
  };
}

/**
 * The stored ConfigMaps and Secrets for a command that writes nothing (`validate`, `render`,
 * `run --dry-run`): read when the state directory exists, none when it does not.
 */
export async function storedConfigOf(ctx: CliContext, global: GlobalOptions): Promise<KnownConfig> {
  const { stateDir, store } = stateOf(ctx, global);
  if (!existsSync(stateDir)) return { configMaps: [], secrets: [] };
  return storedConfig(store);
}

export async function loadFromCommandLine(
  files: string[],
  flags: TemplateFlags,
  ctx: CliContext,
  known: KnownConfig = { configMaps: [], secrets: [] },
  runtime: RuntimeKind = 'docker',
): Promise<LoadedManifests> {
  const params = await templateParams(flags);
  const sources = await readManifestSources(files, (maxBytes) => ctx.readStdin(maxBytes));
  const result = parseManifestTexts(sources, params, {
    knownConfigMaps: known.configMaps.map((c) => c.metadata.name),
    knownSecrets: known.secrets.map((s) => s.metadata.name),
  });
  if (result.errors.length > 0) throw new ManifestError(result.errors);
  if (runtime === 'swarm') {
    const reports = swarmReports(result);
    return {
      ...result,
      warnings: [...swarmWarnings(result.warnings, reports), ...swarmRunWarnings(result)],
      reportText: formatSwarmReport(reports),
      refused: swarmRefusals(reports),
    };
  }
  return { ...result, reportText: formatFieldReport(result.report), refused: [] };
}

/** Warnings on stderr, each one line starting `Warning: `. */
export function writeWarnings(stderr: CliContext['stderr'], warnings: readonly string[]): void {
  for (const w of warnings) stderr.write(w.startsWith('Warning:') ? `${w}\n` : `Warning: ${w}\n`);
}

/** Where a runtime's warnings about a job go in a command that talks to the engine (one line each). */
export function warnOn(ctx: Pick<CliContext, 'stderr'>): (message: string) => void {
  return (message) => writeWarnings(ctx.stderr, [printable(message)]);
}

/**
 * The manifests as `validate` and `render` read them: stored ConfigMaps and Secrets known, the
 * warnings written, and text with no document refused, as kubectl's "no objects passed to apply".
 */
export async function loadForChecking(
  files: string[],
  flags: TemplateFlags,
  ctx: CliContext,
  global: GlobalOptions,
  runtime: RuntimeKind = 'docker',
): Promise<LoadedManifests> {
  const loaded = await loadFromCommandLine(files, flags, ctx, await storedConfigOf(ctx, global), runtime);
  if (loaded.documents.length === 0) {
    throw new UsageError(
      `no objects in ${files.join(', ')}`,
      'the files hold no YAML document (or only comments)',
    );
  }
  writeWarnings(ctx.stderr, loaded.warnings);
  return loaded;
}
