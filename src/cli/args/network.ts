// The `--network NAME` flag (default: TJOB_NETWORK) of the commands that create jobs: the
// user-defined Docker network every pod of those jobs joins. A job records its network when it is
// created (config.json in its directory), so whoever drives it later (`run` again, `resume`, a
// background controller, the scheduler) keeps it on that network.

import { UsageError } from '../../api/errors.js';
import type { PodRuntime } from '../../ports/pod-runtime.js';

export const NETWORK_FLAG_HELP =
  'attach every pod to this existing user-defined Docker network, where it resolves the containers on it by name (env TJOB_NETWORK)';

/** The network asked for: the flag, else TJOB_NETWORK; none when neither is set (or empty). */
export function networkOf(
  flags: { network?: string },
  env: Record<string, string | undefined>,
): string | undefined {
  const value = flags.network ?? env.TJOB_NETWORK;
  if (value === undefined || value === '') return undefined;
  if (/\s/.test(value) || value.startsWith('container:')) {
    throw new UsageError(
      `invalid ${flags.network !== undefined ? '--network' : 'TJOB_NETWORK'} "${value}": expected the name of a Docker network`,
      'list them with `docker network ls`',
    );
  }
  return value;
}

/**
 * Refuses to go on with a job recorded on one network when another is asked for: its running
 * pods are on the recorded one, and the next ones would not see them.
 */
export function checkRecordedNetwork(
  job: string,
  recorded: string | undefined,
  asked: string | undefined,
): void {
  if (asked === undefined || asked === recorded) return;
  throw new UsageError(
    recorded === undefined
      ? `job "${job}" exists and was created without a network; its pods cannot be moved to "${asked}"`
      : `job "${job}" exists and was created on the network "${recorded}", not "${asked}"`,
    `run it as it was created${recorded === undefined ? ' (without --network)' : ` (--network ${recorded})`}, or start it anew with --replace`,
  );
}

/** Checks each network before anything starts (NetworkUnavailableError, exit 3, names a missing one). */
export async function checkNetworks(
  runtime: PodRuntime,
  networks: Iterable<string | undefined>,
): Promise<void> {
  for (const name of new Set(networks)) if (name !== undefined) await runtime.checkNetwork(name);
}
