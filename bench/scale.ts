// Scenario 4, scale: a Job of 1,000 completions at parallelism 8 of `busybox true`: tjob's peak
// memory (VmHWM, polled), the state directory's size, and the time per pod over the first and
// the last 100 pods (from the pod records' createdAt in the journal) — it must stay flat.

import { join } from 'node:path';
import { FileStore } from '../src/state/file-store.js';
import {
  QUICK,
  ROOT,
  RUN_ID,
  cleanupContainers,
  dirBytes,
  jobYaml,
  log,
  mustRun,
  peakRss,
  round,
  tempDir,
  writeFile,
} from './util.js';

export interface ScaleResult {
  completions: number;
  parallelism: number;
  wallMs: number;
  peakRssMiB: number;
  stateDirKiB: number;
  journalKiB: number;
  first100MsPerPod: number;
  last100MsPerPod: number;
  lastVsFirst: number;
}

export async function scale(): Promise<ScaleResult> {
  const completions = QUICK ? 200 : 1000;
  const parallelism = 8;
  const dir = tempDir('scale');
  const stateDir = join(dir, 'state');
  const name = `${RUN_ID}-scale`;
  const file = writeFile(dir, `${name}.yaml`, jobYaml({ name, completions, parallelism, command: ['true'] }));
  let peak = 0;
  let poll: NodeJS.Timeout | undefined;
  let r;
  try {
    r = await mustRun(process.execPath, [join(ROOT, 'bin/tjob.js'), 'run', '--no-logs', '-q', file], {
      env: { TJOB_STATE_DIR: stateDir, NO_COLOR: '1' },
      onSpawn: (child) => {
        poll = setInterval(() => {
          const p = child.pid !== undefined ? peakRss(child.pid) : undefined;
          if (p !== undefined && p > peak) peak = p;
        }, 200);
      },
    });
  } catch (err) {
    // Say why the job failed (the state directory has every pod's end) before giving up.
    const failed = await new FileStore(stateDir).loadJob(name).catch(() => undefined);
    for (const p of failed?.pods.filter((x) => x.observation.phase === 'Failed') ?? []) {
      const t = p.observation.containerStatuses[0]?.state.terminated;
      log(
        `scale: pod ${p.name} failed: ${p.observation.reason ?? t?.reason ?? '?'} ${p.observation.message ?? t?.message ?? ''} (exit ${t?.exitCode ?? '-'})`,
      );
    }
    throw err;
  } finally {
    if (poll) clearInterval(poll);
    cleanupContainers();
  }
  const stored = await new FileStore(stateDir).loadJob(name);
  if (!stored) throw new Error('the scale job is not in its state directory');
  const created = stored.pods.map((p) => Date.parse(p.createdAt)).sort((a, b) => a - b);
  const span = (from: number, to: number) => (created[to]! - created[from]!) / (to - from);
  const n = created.length;
  const first = span(0, Math.min(99, n - 1));
  const last = span(Math.max(0, n - 100), n - 1);
  log(
    `scale: ${n} pods in ${round(r.ms / 1000)} s, ${round(first)} ms/pod first 100, ${round(last)} ms/pod last 100`,
  );
  return {
    completions,
    parallelism,
    wallMs: round(r.ms),
    peakRssMiB: round(peak / 1048576, 1),
    stateDirKiB: round(dirBytes(stateDir) / 1024, 1),
    journalKiB: round(dirBytes(join(stateDir, 'jobs', name)) / 1024, 1),
    first100MsPerPod: round(first, 1),
    last100MsPerPod: round(last, 1),
    lastVsFirst: round(last / first),
  };
}
