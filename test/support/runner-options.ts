// The job runner's settings in engine tests: pod-recreation back-off 10 s doubling to 10 min (the
// Job controller's defaults), finished containers removed.

import { randomUUID } from 'node:crypto';
import type { JobRunnerOptions } from '../../src/engine/job-runner.js';

/** What a runner pool (and the cron daemon) passes on to each runner. */
export const testBackoff = { backoffBaseMs: 10_000, backoffCapMs: 600_000, keepContainers: false };

export const testRunnerOptions: JobRunnerOptions = {
  ...testBackoff,
  config: { configMaps: {}, secrets: {} },
  random: Math.random,
  newUid: randomUUID,
};
