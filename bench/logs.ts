// Scenario 6, logs: a container writing 200 MB of lines. `tjob run` with its logs streamed to a
// pipe (`wc`) vs `--no-logs` (three alternated pairs, medians) vs `docker run` > /dev/null;
// `tjob logs` of the finished job vs `docker logs` of the same container (kept with
// --keep-containers). The state store caps each container's log (DEFAULT_LOG_CAP_BYTES): the
// 200 MB run shows what happens at the cap, and a run below the cap compares the two readers on
// the same content.

import { join } from 'node:path';
import { readdirSync, statSync } from 'node:fs';
import { DEFAULT_LOG_CAP_BYTES } from '../src/state/file-store.js';
import {
  BENCH_LABEL,
  QUICK,
  RUN_ID,
  TJOB,
  cleanupContainers,
  jobYaml,
  log,
  mustRun,
  round,
  tempDir,
  writeFile,
} from './util.js';

/** 99 characters and a newline per line. */
const LINE = '0123456789abcdef'.repeat(7).slice(0, 99);

export interface LogsResult {
  bytes: number;
  capBytes: number;
  runWithLogsMs: number;
  runNoLogsMs: number;
  dockerRunMs: number;
  /** Medians of alternated pairs; streamingOverhead is their ratio. */
  streamingOverhead: number;
  /** Each pair's ratio, in order. */
  pairOverheads: number[];
  storedBytes: number;
  tjobStdoutBytes: number;
  truncatedAtCap: boolean;
  belowCap: {
    bytes: number;
    tjobLogsMs: number;
    dockerLogsMs: number;
    ratio: number;
    tjobLines: number;
    dockerLines: number;
  };
}

function yamlFor(name: string, bytes: number): string {
  const command = ['sh', '-c', `yes ${LINE} | head -c ${bytes}`];
  return jobYaml({ name, completions: 1, parallelism: 1, command });
}

async function countLines(
  cmd: string,
  args: string[],
  env?: Record<string, string>,
): Promise<{ ms: number; lines: number; bytes: number }> {
  // Count on the fly (no buffering of hundreds of MB): pipe through `wc`.
  const shell = `${[cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')} 2>/dev/null | wc -lc`;
  const t0 = process.hrtime.bigint();
  const r = await mustRun('sh', ['-c', shell], env ? { env } : {});
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const [lines = 0, bytes = 0] = r.stdout.trim().split(/\s+/).map(Number);
  return { ms, lines, bytes };
}

const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function logs(): Promise<LogsResult> {
  const bytes = QUICK ? 20_000_000 : 200_000_000;
  // Stored lines carry a 33-byte prefix (time and stream): stay well below the cap once stored.
  const below = Math.min(bytes, Math.floor((DEFAULT_LOG_CAP_BYTES * 0.6) / 100) * 100);
  const dir = tempDir('logs');
  const env = (s: string) => ({ TJOB_STATE_DIR: join(dir, s), NO_COLOR: '1' });

  // Alternated pairs (with logs, then without), medians: one pair on a shared machine says little.
  const pairs = QUICK ? 1 : 3;
  const withLogsMs: number[] = [];
  const noLogsMs: number[] = [];
  let withName = '';
  let tjobStdoutBytes = 0;
  for (let i = 0; i < pairs; i++) {
    withName = `${RUN_ID}-logs-on-${i}`;
    const withLogs = await countLines(
      TJOB,
      ['run', writeFile(dir, `on-${i}.yaml`, yamlFor(withName, bytes))],
      env(`on-${i}`),
    );
    log(
      `logs: tjob run streaming ${bytes} bytes: ${round(withLogs.ms / 1000)} s, ${withLogs.bytes} bytes out`,
    );
    withLogsMs.push(withLogs.ms);
    tjobStdoutBytes = withLogs.bytes;
    const noLogs = await mustRun(
      process.execPath,
      [
        TJOB,
        'run',
        '-q',
        '--no-logs',
        writeFile(dir, `off-${i}.yaml`, yamlFor(`${RUN_ID}-logs-off-${i}`, bytes)),
      ],
      {
        env: env(`off-${i}`),
        dropStdout: true,
      },
    );
    log(`logs: tjob run --no-logs: ${round(noLogs.ms / 1000)} s`);
    noLogsMs.push(noLogs.ms);
  }
  const docker = await countLines('docker', [
    'run',
    '--rm',
    '--label',
    `${BENCH_LABEL}=${RUN_ID}`,
    'busybox',
    'sh',
    '-c',
    `yes ${LINE} | head -c ${bytes}`,
  ]);
  log(`logs: docker run: ${round(docker.ms / 1000)} s`);
  let storedBytes = 0;
  let truncated = false;
  const logsDir = join(dir, `on-${pairs - 1}`, 'jobs', withName, 'logs');
  // One file per run of a container: logs/<pod>/<container>/<restartCount>.log.
  for (const pod of readdirSync(logsDir)) {
    const runsDir = join(logsDir, pod, 'c');
    for (const run of readdirSync(runsDir)) {
      const path = join(runsDir, run);
      storedBytes += statSync(path).size;
      const tail = (await mustRun('tail', ['-c', '300', path])).stdout;
      if (tail.includes('log truncated here')) truncated = true;
    }
  }

  // Below the cap: the same container read by both.
  const keptName = `${RUN_ID}-logs-kept`;
  await mustRun(
    process.execPath,
    [
      TJOB,
      'run',
      '-q',
      '--no-logs',
      '--keep-containers',
      writeFile(dir, 'kept.yaml', yamlFor(keptName, below)),
    ],
    {
      env: env('kept'),
      dropStdout: true,
    },
  );
  const ids = (await mustRun('docker', ['ps', '-aq', '--filter', `label=io.tjob.job=${keptName}`])).stdout
    .trim()
    .split('\n');
  const id = ids[0] ?? '';
  const tjobLogs: number[] = [];
  const dockerLogs: number[] = [];
  let tjobLines = 0;
  let dockerLines = 0;
  for (let i = 0; i < (QUICK ? 1 : 3); i++) {
    const t = await countLines(TJOB, ['logs', `job/${keptName}`], env('kept'));
    const d = await countLines('docker', ['logs', id]);
    tjobLogs.push(t.ms);
    dockerLogs.push(d.ms);
    tjobLines = t.lines;
    dockerLines = d.lines;
  }
  cleanupContainers();
  return {
    bytes,
    capBytes: DEFAULT_LOG_CAP_BYTES,
    runWithLogsMs: round(med(withLogsMs)),
    runNoLogsMs: round(med(noLogsMs)),
    dockerRunMs: round(docker.ms),
    streamingOverhead: round(med(withLogsMs) / med(noLogsMs)),
    pairOverheads: withLogsMs.map((ms, i) => round(ms / noLogsMs[i]!)),
    storedBytes,
    tjobStdoutBytes,
    truncatedAtCap: truncated,
    belowCap: {
      bytes: below,
      tjobLogsMs: round(med(tjobLogs)),
      dockerLogsMs: round(med(dockerLogs)),
      ratio: round(med(tjobLogs) / med(dockerLogs)),
      tjobLines,
      dockerLines,
    },
  };
}
