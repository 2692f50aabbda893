// Where the CLI learns which values to mask: a job's Secrets as stored with it (config.json, the
// snapshot taken when the job was created) and the pod spec that says which of them it uses.
// Masking fails closed: Secrets that cannot be read cannot be masked, so nothing that might hold
// them is printed in clear (an error for one-shot output, withheld log lines for a live run).

import { StateError } from '../api/errors.js';
import type { JobConfigs } from '../ports/job-config.js';
import type { JobRecords, StoredJob } from '../ports/job-records.js';
import { maskFor, secretValuesUsed, type SecretMask } from '../output/secret-mask.js';
import type { RunPrinter } from './run-printer.js';

/**
 * The mask for a stored job's pods (masking nothing with `show`, i.e. --show-secrets). Throws a
 * StateError when the job's Secrets cannot be read.
 */
export async function jobSecretMask(store: JobConfigs, state: StoredJob, show = false): Promise<SecretMask> {
  if (show) return maskFor(undefined, undefined, true);
  const name = state.job.metadata.name;
  const config = await store.loadJobConfig(name).catch((err: unknown) => {
    throw unmaskable(name, err);
  });
  return maskFor(state.job.spec.template.spec, config.secrets);
}

/**
 * Tells the printer which values to mask in what it prints about job `name`; when its Secrets
 * cannot be read, the printer withholds the job's log lines and messages, and says why.
 */
export async function maskSecretsOf(
  store: JobRecords & JobConfigs,
  name: string,
  printer: RunPrinter,
): Promise<void> {
  try {
    const state = await store.loadJob(name);
    const config = await store.loadJobConfig(name);
    printer.setSecrets(name, secretValuesUsed(state?.job.spec.template.spec, config.secrets));
  } catch (err) {
    const e = unmaskable(name, err);
    printer.withholdSecrets(name);
    printer.warning(`${e.message}: its log lines and messages are shown as *** (${e.hint})`);
  }
}

function unmaskable(name: string, err: unknown): StateError {
  return new StateError(
    `cannot mask the Secrets of job "${name}": ${(err as Error).message}`,
    'repair that file or make it readable; `--show-secrets` (logs, run) prints without masking',
  );
}
