// Public API of the manifest module: load (read + parse + expand + check + default + validate),
// template parameters, the field report, render, generateName.

import { ManifestError } from '../api/errors.js';
import { parseManifestTexts } from './load.js';
import { readManifestSources } from './read-sources.js';
import type { LoadOptions, LoadResult, ManifestSource, TemplateParams } from './types.js';

export { parseManifestTexts, V1beta1CronJobWarning } from './load.js';
export { MANIFEST_EXTENSIONS, readManifestSources, StdinName } from './read-sources.js';
export { parseSetFlags, parseItemsFlag, parseItemsFile, expandTemplate } from './template-params.js';
export { formatFieldReport, FieldRules } from './field-report.js';
export { renderManifests } from './render.js';
export { generateName, NameSuffixAlphabet } from './names.js';
export { defaultJob, defaultJobSpec, defaultCronJob, withGeneratedSelector } from './defaults.js';
export { defaultPodSpec, defaultPodOnlyFields, defaultPullPolicy } from './pod-defaults.js';
export { validateJob } from './job-validation.js';
export { validateCronJob, checkScheduleSyntax, checkTimeZone } from './cronjob-validation.js';
export type * from './types.js';

/** Throws a ManifestError (exit 2) carrying every error, if there are any. */
export function assertValid(result: LoadResult): LoadResult {
  if (result.errors.length > 0) throw new ManifestError(result.errors);
  return result;
}

/**
 * The pure loader: parses, expands, checks, defaults and validates the given texts. Does not
 * throw for bad manifests: every problem is in `errors` (see {@link assertValid}).
 */
export function loadManifests(
  sources: readonly ManifestSource[],
  params: TemplateParams = {},
  options: LoadOptions = {},
): LoadResult {
  return parseManifestTexts(sources, params, options);
}

export interface LoadManifestFilesInput extends LoadOptions {
  paths: readonly string[];
  /** Reads standard input (called at most once, only if a path is `-`). */
  stdin: () => Promise<string>;
  params?: TemplateParams;
}

/**
 * Reads and loads manifest files. Throws UsageError (missing file, `-` twice) or ManifestError
 * (every error of every document); on success returns the objects, warnings and field report.
 */
export async function loadManifestFiles(input: LoadManifestFilesInput): Promise<LoadResult> {
  const sources = await readManifestSources(input.paths, input.stdin);
  return assertValid(parseManifestTexts(sources, input.params ?? {}, input));
}
