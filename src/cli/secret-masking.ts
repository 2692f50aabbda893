// Where the CLI learns which values to mask: a job's Secrets as stored with it (config.json, the
// snapshot taken when the job was created) and the pod spec that says which of them it uses.

import type { StateStore, StoredJob } from '../ports/state-store.js';
import { maskFor, secretValuesUsed, type SecretMask } from '../output/secret-mask.js';
import type { RunPrinter } from './run-printer.js';

/** The mask for a stored job's pods (masking nothing with `show`, i.e. --show-secrets). */
export async function jobSecretMask(store: StateStore, state: StoredJob, show = false): Promise<SecretMask> {
  if (show) return maskFor(undefined, undefined, true);
  const config = await store.loadJobConfig(state.job.metadata.name).catch(() => undefined);
  return maskFor(state.job.spec.template.spec, config?.secrets);
}

/** Tells the printer which values to mask in what it prints about job `name`. */
export async function maskSecretsOf(store: StateStore, name: string, printer: RunPrinter): Promise<void> {
  const state = await store.loadJob(name).catch(() => undefined);
  if (!state) return;
  const config = await store.loadJobConfig(name).catch(() => undefined);
  printer.setSecrets(name, secretValuesUsed(state.job.spec.template.spec, config?.secrets));
}
