// The Job-controller scenarios every runtime shares (test/integration/cli/job-scenarios.ts, the
// table job-semantics.test.ts runs on the Docker engine), through `tjob run --runtime swarm` on a
// real three-node Swarm: the same manifests, the same assertions.

import { describe, it } from 'node:test';

import { jobScenarios, scenarioRuntime } from '../cli/job-scenarios.js';
import { FileStore } from '../../../src/state/file-store.js';
import { TjobLabel } from '../../../src/api/labels.js';
import { useSwarmCluster } from '../../support/swarm.js';

const { cluster, skip } = useSwarmCluster({ prefix: 'tjssc', subnet: '10.203.5' });

describe('the shared Job scenarios on a three-node Swarm', { skip, timeout: 600_000 }, () => {
  const onSwarm = scenarioRuntime(
    { DOCKER_HOST: cluster.managerHost, TJOB_RUNTIME: '' },
    ['--runtime', 'swarm'],
    async (state, job) => {
      const uid = (await new FileStore(state).loadJob(job))?.job.metadata.uid;
      if (!uid) return [];
      const services = await cluster.manager().listServices({
        filters: { label: [`${TjobLabel.jobUid}=${uid}`] },
      });
      return services.map((s) => s.Spec?.Name ?? s.ID ?? '');
    },
  );
  for (const scenario of jobScenarios) {
    const onlyDocker =
      scenario.dockerOnly === undefined ? {} : { skip: `Docker only: ${scenario.dockerOnly}` };
    it(scenario.title, onlyDocker, () => scenario.check(onSwarm));
  }
});
