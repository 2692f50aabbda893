// Scenario 2, reaction: from a pod's container exit (the engine's die event) to the start of its
// replacement's container (the next start event), measured from a separate `docker events`
// subscription while tjob runs a sequential job of `true` containers (no backoff: they succeed).

import { join } from 'node:path';
import {
  QUICK,
  RUN_ID,
  cleanupContainers,
  jobYaml,
  log,
  mustRun,
  percentile,
  round,
  sleep,
  tempDir,
  writeFile,
  watchDockerEvents,
} from './util.js';

export interface ReactionResult {
  completions: number;
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  gapsMs: number[];
  /** die → the replacement's create event: tjob's reaction plus the engine's create call. */
  dieToCreateP50Ms: number;
  dieToCreateP99Ms: number;
  /** create event → start event: the engine starting the container (network, cgroups, exec). */
  createToStartP50Ms: number;
  createToStartP99Ms: number;
}

interface DockerEvent {
  Action?: string;
  status?: string;
  timeNano?: number;
  Actor?: { Attributes?: Record<string, string> };
}

export async function reaction(): Promise<ReactionResult> {
  const completions = QUICK ? 10 : 30;
  const dir = tempDir('reaction');
  const name = `${RUN_ID}-react`;
  const file = writeFile(
    dir,
    `${name}.yaml`,
    jobYaml({ name, completions, parallelism: 1, command: ['true'] }),
  );
  const events: { action: string; nano: bigint }[] = [];
  const watcher = watchDockerEvents(
    '{{json .}}',
    ['type=container', `label=io.tjob.job=${name}`, 'event=create', 'event=start', 'event=die'],
    (line) => {
      try {
        // timeNano exceeds 2^53: take it from the text, not the parsed number.
        const nano = /"timeNano":(\d+)/.exec(line)?.[1];
        const e = JSON.parse(line) as DockerEvent;
        const action = e.Action ?? e.status ?? '';
        if (nano) events.push({ action, nano: BigInt(nano) });
      } catch {
        // not an event line
      }
    },
  );
  await sleep(500); // let the subscription be in place
  try {
    await mustRun(process.execPath, [join(dirOfTjob(), 'bin/tjob.js'), 'run', '--no-logs', '-q', file], {
      env: { TJOB_STATE_DIR: join(dir, 'state'), NO_COLOR: '1' },
    });
    await sleep(500);
  } finally {
    watcher.kill();
    cleanupContainers();
  }
  events.sort((a, b) => (a.nano < b.nano ? -1 : a.nano > b.nano ? 1 : 0));
  const gapsMs: number[] = [];
  const dieToCreate: number[] = [];
  const createToStart: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.action !== 'die') continue;
    const later = events.slice(i + 1);
    const start = later.find((x) => x.action === 'start');
    const create = later.find((x) => x.action === 'create');
    if (start) gapsMs.push(round(Number(start.nano - e.nano) / 1e6, 1));
    if (create) dieToCreate.push(round(Number(create.nano - e.nano) / 1e6, 1));
    if (start && create && create.nano < start.nano)
      createToStart.push(round(Number(start.nano - create.nano) / 1e6, 1));
  }
  log(`reaction: ${gapsMs.length} exit-to-start gaps, p50 ${percentile(gapsMs, 50)} ms`);
  return {
    completions,
    samples: gapsMs.length,
    p50Ms: percentile(gapsMs, 50),
    p90Ms: percentile(gapsMs, 90),
    p99Ms: percentile(gapsMs, 99),
    maxMs: Math.max(...gapsMs),
    gapsMs,
    dieToCreateP50Ms: percentile(dieToCreate, 50),
    dieToCreateP99Ms: percentile(dieToCreate, 99),
    createToStartP50Ms: percentile(createToStart, 50),
    createToStartP99Ms: percentile(createToStart, 99),
  };
}

function dirOfTjob(): string {
  return join(import.meta.dirname ?? '', '../..');
}
