// The network a job's pods join (`tjob run --network NAME`): it must exist before anything starts,
// and be a user-defined one, the only kind on which Docker's embedded DNS resolves containers by
// name (as a cluster's DNS resolves Services).

import type Docker from 'dockerode';

import { NetworkUnavailableError, UsageError } from '../../api/errors.js';
import { isNotFound } from './docker-errors.js';

/** Docker's predefined networks, and why a pod cannot be sent to them with --network. */
const Predefined: Readonly<Record<string, string>> = {
  bridge: 'the default bridge resolves no container names',
  host: 'a pod joins the host network with `hostNetwork: true` in its spec',
  none: 'a pod on it could reach nothing',
};

export async function checkNetwork(docker: Docker, name: string): Promise<void> {
  let info: { Name?: string };
  try {
    info = (await docker.getNetwork(name).inspect()) as { Name?: string };
  } catch (err) {
    if (isNotFound(err)) {
      throw new NetworkUnavailableError(
        `the Docker network "${name}" does not exist`,
        `create it with \`docker network create ${name}\` (and start the containers the pods talk to on it), or leave out --network / TJOB_NETWORK`,
      );
    }
    throw err;
  }
  const why = Predefined[info.Name ?? name];
  if (why !== undefined) {
    throw new UsageError(
      `--network ${name}: ${why}`,
      `create a user-defined network (\`docker network create NAME\`) and pass its name`,
    );
  }
}
