// Scenario chain (issue: warm sandboxes, docs/warm-sandboxes.md): a job of parallelism 1, one
// `true` pod after the other, against as many serial `docker run --rm`; and the exit → next app
// start gap (docker events, app containers only) against the engine's own create + start of a
// container joined to a running sandbox (dockerode, measured in the same run). The same gap for
// a job of two-container pods and for an Indexed job. Runs alternate so a drifting machine does
// not favour one side; medians over the repetitions.

import { join } from 'node:path';
import Docker from 'dockerode';
import {
  BENCH_LABEL,
  QUICK,
  ROOT,
  RUN_ID,
  TJOB,
  cleanupContainers,
  log,
  median,
  mustRun,
  percentile,
  round,
  sleep,
  tempDir,
  writeFile,
  watchDockerEvents,
} from './util.js';

/** `long`: pods of `sleep 2`, where a sandbox prepared while the previous pod runs is ready in time. */
type Kind = 'single' | 'multi' | 'indexed' | 'long';
type EngineMode = 'bridge' | 'sandbox';

export interface ChainResult {
  completions: number;
  reps: number;
  loadAverage: number[];
  serialMs: number[];
  tjobMs: Record<Kind, number[]>;
  gapsMs: Record<Kind, number[]>;
  joinedStartMs: number[];
  /** The engine-limit client's chains (engine-chain.ts). */
  engineMs: Record<EngineMode, number[]>;
  engineGapsMs: Record<EngineMode, number[]>;
  medians: {
    serial: number;
    tjob: Record<Kind, number>;
    gapP50: Record<Kind, number>;
    joinedStartP50: number;
    engine: Record<EngineMode, number>;
    engineGapP50: Record<EngineMode, number>;
  };
  ratios: {
    /** The fastest engine-limit chain against serial docker run: the best any client reaches here. */
    engineVsSerial: number;
    tjobVsEngine: number;
    tjobVsSerial: number;
    gapVsJoined: number;
    multiGapVsJoined: number;
    indexedGapVsJoined: number;
    longGapVsJoined: number;
  };
}

function chainYaml(name: string, completions: number, kind: Kind): string {
  const container = (n: string) => `
      - name: ${n}
        image: busybox:latest
        imagePullPolicy: IfNotPresent
        command: ${kind === 'long' ? '["sleep", "2"]' : '["true"]'}`;
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completions: ${completions}
  parallelism: 1
  backoffLimit: 0
${kind === 'indexed' ? '  completionMode: Indexed\n' : ''}  template:
    spec:
      restartPolicy: Never
      containers:${container('main')}${kind === 'multi' ? container('side') : ''}
`;
}

/**
 * Runs a chain (tjob, or the engine-limit client) with a docker events watcher on its app
 * containers; returns the whole run and the die → start gaps between consecutive pods.
 */
async function timedChain(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  filters: string[],
  podLabel: string,
): Promise<{ ms: number; gaps: number[] }> {
  const events: { action: string; pod: string; nano: bigint }[] = [];
  const watcher = watchDockerEvents(
    `{{.TimeNano}} {{.Action}} {{index .Actor.Attributes "${podLabel}"}}`,
    ['type=container', 'event=start', 'event=die', ...filters],
    (line) => {
      const [nano, action, pod] = line.split(' ');
      if (nano && action && pod) events.push({ action, pod, nano: BigInt(nano) });
    },
  );
  await sleep(500);
  let ms: number;
  try {
    ms = (await mustRun(cmd, args, { env })).ms;
    await sleep(500);
  } finally {
    watcher.kill();
  }
  events.sort((a, b) => (a.nano < b.nano ? -1 : a.nano > b.nano ? 1 : 0));
  // Per pod: its last die, and the first start of the next pod.
  const pods: { pod: string; firstStart?: bigint; lastDie?: bigint }[] = [];
  for (const e of events) {
    let p = pods.find((x) => x.pod === e.pod);
    if (!p) pods.push((p = { pod: e.pod }));
    if (e.action === 'start' && p.firstStart === undefined) p.firstStart = e.nano;
    if (e.action === 'die') p.lastDie = e.nano;
  }
  pods.sort((a, b) => ((a.firstStart ?? 0n) < (b.firstStart ?? 0n) ? -1 : 1));
  const gaps: number[] = [];
  for (let i = 1; i < pods.length; i++) {
    const die = pods[i - 1]!.lastDie;
    const start = pods[i]!.firstStart;
    if (die !== undefined && start !== undefined) gaps.push(round(Number(start - die) / 1e6, 1));
  }
  return { ms, gaps };
}

function tjobChain(
  dir: string,
  name: string,
  completions: number,
  kind: Kind,
): Promise<{ ms: number; gaps: number[] }> {
  const file = writeFile(dir, `${name}.yaml`, chainYaml(name, completions, kind));
  return timedChain(
    process.execPath,
    [TJOB, 'run', '--no-logs', '-q', file],
    { TJOB_STATE_DIR: join(dir, `state-${name}`), NO_COLOR: '1' },
    [`label=io.tjob.job=${name}`, 'label=io.tjob.role=app'],
    'io.tjob.pod',
  );
}

/** The engine-limit client (engine-chain.ts): the fastest chain a client makes on this engine. */
function engineChain(
  completions: number,
  mode: EngineMode,
  rep: number,
): Promise<{ ms: number; gaps: number[] }> {
  const label = `${RUN_ID}-${mode}-${rep}`;
  return timedChain(
    process.execPath,
    [join(ROOT, 'dist/bench/engine-chain.js'), String(completions), mode, label],
    {},
    [`label=${BENCH_LABEL}=${label}`, 'label=bench.role=app'],
    'bench.pod',
  );
}

/** The engine's own create + start of a `true` container joined to a running pause container. */
async function joinedStarts(count: number): Promise<number[]> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const labels = { [BENCH_LABEL]: RUN_ID };
  const pause = await docker.createContainer({
    name: `${RUN_ID}-sandbox`,
    Image: 'registry.k8s.io/pause:3.10',
    Labels: labels,
    HostConfig: { IpcMode: 'shareable' },
  });
  await pause.start();
  const out: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const c = await docker.createContainer({
        Image: 'busybox:latest',
        Cmd: ['true'],
        Labels: labels,
        HostConfig: { NetworkMode: `container:${pause.id}`, IpcMode: `container:${pause.id}` },
      });
      await c.start();
      out.push(round(performance.now() - t0, 1));
      await c.wait();
      await c.remove({ force: true });
    }
  } finally {
    await pause.remove({ force: true });
  }
  return out;
}

async function serialRuns(count: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await mustRun('docker', ['run', '--rm', '--label', `${BENCH_LABEL}=${RUN_ID}`, 'busybox:latest', 'true']);
  }
  return performance.now() - t0;
}

export async function chain(): Promise<ChainResult> {
  const completions = QUICK ? 10 : 20;
  const reps = QUICK ? 1 : Number(process.env.BENCH_REPS ?? 3);
  const dir = tempDir('chain');
  const kinds: Kind[] = ['single', 'multi', 'indexed', 'long'];
  const serialMs: number[] = [];
  const tjobMs: Record<Kind, number[]> = { single: [], multi: [], indexed: [], long: [] };
  const gapsMs: Record<Kind, number[]> = { single: [], multi: [], indexed: [], long: [] };
  const joinedStartMs: number[] = [];
  const engineMs: Record<EngineMode, number[]> = { bridge: [], sandbox: [] };
  const engineGapsMs: Record<EngineMode, number[]> = { bridge: [], sandbox: [] };
  const loadAverage: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const steps = ['serial', 'joined', 'engine-bridge', 'engine-sandbox', ...kinds];
    for (const step of rep % 2 === 0 ? steps : steps.reverse()) {
      loadAverage.push(Number((await import('node:os')).loadavg()[0]!.toFixed(2)));
      if (step === 'serial') serialMs.push(await serialRuns(completions));
      else if (step === 'joined') joinedStartMs.push(...(await joinedStarts(Math.ceil(completions / 2))));
      else if (step.startsWith('engine-')) {
        const mode = step.slice('engine-'.length) as EngineMode;
        const r = await engineChain(completions, mode, rep);
        engineMs[mode].push(r.ms);
        engineGapsMs[mode].push(...r.gaps);
      } else {
        const kind = step as Kind;
        // Pods of two seconds: fewer of them, as many gaps are enough.
        const n = kind === 'long' ? Math.ceil(completions / 2) : completions;
        const r = await tjobChain(dir, `${RUN_ID}-chain-${kind}-${rep}`, n, kind);
        tjobMs[kind].push(r.ms);
        gapsMs[kind].push(...r.gaps);
      }
      log(`chain rep ${rep + 1}/${reps} ${step} done`);
    }
    cleanupContainers();
  }
  const gapP50 = {
    single: percentile(gapsMs.single, 50),
    multi: percentile(gapsMs.multi, 50),
    indexed: percentile(gapsMs.indexed, 50),
    long: percentile(gapsMs.long, 50),
  };
  const joinedStartP50 = percentile(joinedStartMs, 50);
  const engine = { bridge: median(engineMs.bridge), sandbox: median(engineMs.sandbox) };
  const medians = {
    serial: median(serialMs),
    tjob: {
      single: median(tjobMs.single),
      multi: median(tjobMs.multi),
      indexed: median(tjobMs.indexed),
      long: median(tjobMs.long),
    },
    gapP50,
    joinedStartP50,
    engine,
    engineGapP50: {
      bridge: percentile(engineGapsMs.bridge, 50),
      sandbox: percentile(engineGapsMs.sandbox, 50),
    },
  };
  const bestEngine = Math.min(engine.bridge, engine.sandbox);
  return {
    completions,
    reps,
    loadAverage,
    serialMs,
    tjobMs,
    gapsMs,
    joinedStartMs,
    engineMs,
    engineGapsMs,
    medians,
    ratios: {
      engineVsSerial: round(bestEngine / medians.serial),
      tjobVsEngine: round(medians.tjob.single / bestEngine),
      tjobVsSerial: round(medians.tjob.single / medians.serial),
      gapVsJoined: round(gapP50.single / joinedStartP50),
      multiGapVsJoined: round(gapP50.multi / joinedStartP50),
      indexedGapVsJoined: round(gapP50.indexed / joinedStartP50),
      longGapVsJoined: round(gapP50.long / joinedStartP50),
    },
  };
}
