// The Swarm scenario: N pods of `busybox true` at parallelism P through `tjob run --runtime swarm`
// against a loop of plain service create / poll / remove with the same parallelism (the cluster's
// own pace), on a three-node Swarm this scenario brings up on this machine with
// scripts/swarm-cluster.sh under its own prefix and subnet, and tears down whatever happens.

import { join } from 'node:path';
import { QUICK, ROOT, RUN_ID, log, median, mustRun, round, tempDir, timedTrueJob } from './util.js';

export interface SwarmResult {
  completions: number;
  parallelism: number;
  reps: number;
  tjobMs: number[];
  loopMs: number[];
  medians: { tjob: number; loop: number };
  /** Pods per second through each. */
  podsPerSecond: { tjob: number; loop: number };
  ratio: number;
}

const CLUSTER = { SWARM_PREFIX: 'tjsbn', SWARM_SUBNET: '10.203.9', SWARM_DIR: '/tmp/tjsbn' };
const SCRIPT = join(ROOT, 'scripts/swarm-cluster.sh');

export async function swarm(): Promise<SwarmResult> {
  if (process.getuid?.() !== 0)
    throw new Error('the swarm scenario needs root (network namespaces, dockerd)');
  const completions = QUICK ? 12 : 60;
  const parallelism = 4;
  const reps = QUICK ? 1 : Number(process.env.BENCH_REPS ?? 3);
  const dir = tempDir('swarm');
  const manager = `unix://${CLUSTER.SWARM_DIR}/n1/docker.sock`;
  const tjobMs: number[] = [];
  const loopMs: number[] = [];
  log('swarm: bringing up a three-node cluster');
  await mustRun('bash', [SCRIPT, 'up'], { env: CLUSTER });
  try {
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? ['tjob', 'loop'] : ['loop', 'tjob'];
      for (const which of order) {
        if (which === 'tjob') {
          tjobMs.push(
            await timedTrueJob(dir, `${RUN_ID}-swarm-${rep}`, {
              completions,
              parallelism,
              args: ['--runtime', 'swarm'],
              env: { DOCKER_HOST: manager },
            }),
          );
        } else {
          const r = await mustRun(process.execPath, [
            join(ROOT, 'dist/bench/swarm-baseline.js'),
            `${CLUSTER.SWARM_DIR}/n1/docker.sock`,
            String(completions),
            String(parallelism),
            RUN_ID,
          ]);
          loopMs.push(r.ms);
        }
        log(
          `swarm rep ${rep + 1}/${reps} ${which}: ${round(((which === 'tjob' ? tjobMs : loopMs).at(-1) ?? 0) / 1000)} s`,
        );
      }
    }
  } finally {
    await mustRun('bash', [SCRIPT, 'down'], { env: CLUSTER });
  }
  const medians = { tjob: median(tjobMs), loop: median(loopMs) };
  return {
    completions,
    parallelism,
    reps,
    tjobMs,
    loopMs,
    medians,
    podsPerSecond: {
      tjob: round(completions / (medians.tjob / 1000)),
      loop: round(completions / (medians.loop / 1000)),
    },
    ratio: round(medians.tjob / medians.loop),
  };
}
