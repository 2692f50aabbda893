// `npm run bench`: every scenario, tjob alternated with its baseline, medians and ratios against
// the targets, printed as a table and written to bench-results/latest.json.
// BENCH_QUICK=1 (or --bench-quick) shrinks the counts for a smoke run; BENCH_ONLY=a,b picks scenarios.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { chain } from './chain.js';
import { cron } from './cron.js';
import { followers } from './followers.js';
import { history } from './history.js';
import { logs } from './logs.js';
import { reaction } from './reaction.js';
import { scale } from './scale.js';
import { startup } from './startup.js';
import { swarm } from './swarm.js';
import { throughput } from './throughput.js';
import { ui } from './ui.js';
import { QUICK, ROOT, cleanupContainers, log, removeTempDirs, round } from './util.js';

interface Row {
  scenario: string;
  metric: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}

function machine() {
  const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
  const nproc = spawnSync('nproc', [], { encoding: 'utf8' });
  return {
    nproc: Number(nproc.stdout.trim()) || cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    docker: docker.stdout.trim() || 'unknown',
    node: process.version,
    quick: QUICK,
    date: new Date().toISOString(),
  };
}

const scenarios = {
  throughput,
  chain,
  reaction,
  startup,
  scale,
  history,
  cron,
  logs,
  ui,
  swarm,
  followers,
} as const;
type Name = keyof typeof scenarios;

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').filter(Boolean) as Name[] | undefined;
  const names = (Object.keys(scenarios) as Name[]).filter((n) => !only || only.includes(n));
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  const t0 = Date.now();
  const onSignal = () => {
    cleanupContainers();
    removeTempDirs();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const name of names) {
      log(`scenario ${name}`);
      try {
        const r = await scenarios[name]();
        results[name] = r;
        rows.push(...rowsOf(name, r as never));
      } catch (err) {
        results[name] = { error: String(err) };
        rows.push({
          scenario: name,
          metric: 'error',
          target: '',
          measured: String(err).slice(0, 200),
          met: false,
        });
      } finally {
        cleanupContainers();
      }
    }
  } finally {
    cleanupContainers();
    removeTempDirs();
  }
  const out = { machine: machine(), elapsedSeconds: round((Date.now() - t0) / 1000, 1), rows, results };
  printTable(rows);
  const dir = join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(`\nmachine: ${JSON.stringify(out.machine)}\nresults written to ${file}\n`);
}

const s = (ms: number) => `${round(ms / 1000, 2)} s`;

function rowsOf(name: Name, r: Record<string, never>): Row[] {
  const rows: Row[] = [];
  const add = (metric: string, target: string, measured: string, met?: boolean) =>
    rows.push({ scenario: name, metric, target, measured, met });
  if (name === 'throughput') {
    const t = r as unknown as Awaited<ReturnType<typeof throughput>>;
    add(`tjob run (${t.completions}×true, P${t.parallelism})`, '', s(t.medians.tjob));
    add('xargs -P4 docker run --rm', '', s(t.medians.xargs));
    add('dockerode create/start/wait/remove P4', '', s(t.medians.api));
    add('tjob / xargs', '≤ 0.80', `${t.ratios.tjobVsXargs}`, t.ratios.tjobVsXargs <= 0.8);
    add('API limit / xargs (the best a client reaches)', '', `${round(t.medians.api / t.medians.xargs)}`);
    add('tjob / API limit', '≤ 1.15', `${t.ratios.tjobVsApi}`, t.ratios.tjobVsApi <= 1.15);
  } else if (name === 'reaction') {
    const t = r as unknown as Awaited<ReturnType<typeof reaction>>;
    add(`exit → next start p50 (${t.samples} gaps)`, '< 50 ms', `${t.p50Ms} ms`, t.p50Ms < 50);
    add('exit → next start p99', '< 200 ms', `${t.p99Ms} ms`, t.p99Ms < 200);
    add(
      'exit → next create p50 / p99 (tjob + create call)',
      '',
      `${t.dieToCreateP50Ms} / ${t.dieToCreateP99Ms} ms`,
    );
    add('create → start p50 / p99 (engine)', '', `${t.createToStartP50Ms} / ${t.createToStartP99Ms} ms`);
  } else if (name === 'chain') {
    const t = r as unknown as Awaited<ReturnType<typeof chain>>;
    const n = t.completions;
    add(`tjob run (${n}×true, P1)`, '', s(t.medians.tjob.single));
    add(`${n} serial docker run --rm`, '', s(t.medians.serial));
    add('tjob / serial docker run --rm', '≤ 0.70', `${t.ratios.tjobVsSerial}`, t.ratios.tjobVsSerial <= 0.7);
    add(
      'engine limit: dockerode chain, bridge; prepared sandboxes (run; exit → start p50)',
      '',
      `${s(t.medians.engine.bridge)}; ${s(t.medians.engine.sandbox)} (${t.medians.engineGapP50.bridge}; ${t.medians.engineGapP50.sandbox} ms)`,
    );
    add(
      'engine limit / serial docker run --rm (the best a client reaches)',
      '',
      `${t.ratios.engineVsSerial}`,
    );
    add('tjob / engine limit', '', `${t.ratios.tjobVsEngine}`);
    add('engine: create + start joined to a running sandbox, p50', '', `${t.medians.joinedStartP50} ms`);
    add(
      'exit → next app start p50 / joined start',
      '≤ 1.3×',
      `${t.medians.gapP50.single} ms (${t.ratios.gapVsJoined}×)`,
      t.ratios.gapVsJoined <= 1.3,
    );
    add(
      'two-container pods: run; exit → next start p50',
      '≤ 1.3×',
      `${s(t.medians.tjob.multi)}; ${t.medians.gapP50.multi} ms (${t.ratios.multiGapVsJoined}×)`,
      t.ratios.multiGapVsJoined <= 1.3,
    );
    add(
      'Indexed: run; exit → next start p50',
      '≤ 1.3×',
      `${s(t.medians.tjob.indexed)}; ${t.medians.gapP50.indexed} ms (${t.ratios.indexedGapVsJoined}×)`,
      t.ratios.indexedGapVsJoined <= 1.3,
    );
    add(
      'pods of `sleep 2` (a sandbox prepared while each runs): exit → next start p50',
      '≤ 1.3×',
      `${t.medians.gapP50.long} ms (${t.ratios.longGapVsJoined}×)`,
      t.ratios.longGapVsJoined <= 1.3,
    );
    add(
      'load average (1 min) during the runs',
      '',
      `${Math.min(...t.loadAverage)}–${Math.max(...t.loadAverage)}`,
    );
  } else if (name === 'startup') {
    const t = r as unknown as Awaited<ReturnType<typeof startup>>;
    add(
      'tjob --version vs node -e 0',
      '≤ 1.5×',
      `${t.versionMs} / ${t.nodeMs} ms = ${t.versionRatio}×`,
      t.versionRatio <= 1.5,
    );
    add(`tjob get jobs (${t.getJobs.jobs} jobs)`, '< 300 ms', `${t.getJobs.ms} ms`, t.getJobs.ms < 300);
    add(`tjob get pods (${t.getPods.pods} pods)`, '< 1000 ms', `${t.getPods.ms} ms`, t.getPods.ms < 1000);
    const loaded = Object.entries(t.dockerodeLoaded)
      .filter(([k, v]) => v && !k.startsWith('run'))
      .map(([k]) => k);
    add(
      'dockerode loaded by engine-free commands',
      'none',
      loaded.length ? loaded.join(', ') : 'none',
      loaded.length === 0,
    );
  } else if (name === 'history') {
    const t = r as unknown as Awaited<ReturnType<typeof history>>;
    for (const c of [t.getJobs, t.getPods]) {
      add(
        `tjob ${c.what}: ${c.large.label} / ${c.small.label}`,
        '≤ 1.5×',
        `${c.medianLargeMs} / ${c.medianSmallMs} ms = ${c.ratio}×`,
        c.ratio <= 1.5,
      );
      add(`tjob ${c.what}: peak RSS`, '< 150 MB', `${c.peakRssMiB} MiB`, c.peakRssMiB * 1.048576 < 150);
    }
    add(
      'load average before / after (1, 5, 15 min)',
      '',
      `${t.loadBefore.join(' ')} / ${t.loadAfter.join(' ')}`,
    );
  } else if (name === 'scale') {
    const t = r as unknown as Awaited<ReturnType<typeof scale>>;
    add(`wall (${t.completions}×true, P${t.parallelism})`, '', s(t.wallMs));
    add('peak RSS (VmHWM)', '', `${t.peakRssMiB} MiB`);
    add('state directory', '', `${t.stateDirKiB} KiB`);
    add(
      'ms/pod first 100 → last 100',
      'flat (≤ 1.2×)',
      `${t.first100MsPerPod} → ${t.last100MsPerPod} (${t.lastVsFirst}×)`,
      t.lastVsFirst <= 1.2,
    );
  } else if (name === 'cron') {
    const t = r as unknown as Awaited<ReturnType<typeof cron>>;
    add(
      `lateness p50 / p99 (${t.cronJobs} CronJobs, ${t.seconds} s, ${t.created} jobs)`,
      '< 1000 ms',
      `${t.latenessP50Ms} / ${t.latenessP99Ms} ms`,
      t.latenessP99Ms < 1000,
    );
    add('daemon CPU (whole run)', '', `${t.daemonCpuMs} ms (${t.cpuMsPerSecond} ms/s)`);
    add('daemon CPU, quietest second', '', `${t.idleCpuMsPerSecond} ms/s`);
    add('daemon peak RSS', '', `${t.peakRssMiB} MiB`);
  } else if (name === 'logs') {
    const t = r as unknown as Awaited<ReturnType<typeof logs>>;
    const mb = round(t.bytes / 1e6, 0);
    add(`tjob run, ${mb} MB of logs → wc (median)`, '', s(t.runWithLogsMs));
    add('tjob run --no-logs (median)', '', s(t.runNoLogsMs));
    add('docker run > /dev/null', '', s(t.dockerRunMs));
    add(
      'streaming overhead (logs / --no-logs)',
      '≤ 1.15',
      `${t.streamingOverhead}× (pairs: ${t.pairOverheads.join(', ')})`,
      t.streamingOverhead <= 1.15,
    );
    add(
      'stored / truncated at cap',
      `cap ${round(t.capBytes / 1048576, 0)} MiB`,
      `${round(t.storedBytes / 1048576, 1)} MiB / ${t.truncatedAtCap}`,
    );
    add(
      `tjob logs vs docker logs (${round(t.belowCap.bytes / 1e6, 0)} MB)`,
      '',
      `${s(t.belowCap.tjobLogsMs)} vs ${s(t.belowCap.dockerLogsMs)} (${t.belowCap.ratio}×)`,
    );
  } else if (name === 'swarm') {
    const t = r as unknown as Awaited<ReturnType<typeof swarm>>;
    add(
      `tjob run --runtime swarm (${t.completions}×true, P${t.parallelism}, 3 nodes)`,
      '',
      `${s(t.medians.tjob)} (${t.podsPerSecond.tjob} pods/s)`,
    );
    add(
      `service create/poll/remove P${t.parallelism}`,
      '',
      `${s(t.medians.loop)} (${t.podsPerSecond.loop} pods/s)`,
    );
    add('tjob / plain services', '', `${t.ratio}`);
  } else if (name === 'followers') {
    const t = r as unknown as Awaited<ReturnType<typeof followers>>;
    add(
      `tjob wait: finishing line → exit, p50 / p99 (${t.samples})`,
      'p99 ≤ 50 ms',
      `${t.wait.p50Ms} / ${t.wait.p99Ms} ms`,
      t.wait.p99Ms <= 50,
    );
    add(
      'tjob wait: finishing line → `condition met` printed, p50 / p99',
      '',
      `${t.waitPrinted.p50Ms} / ${t.waitPrinted.p99Ms} ms`,
    );
    add(
      `tjob logs -f: line recorded → printed, p50 / p99 (${t.samples})`,
      'p99 ≤ 50 ms',
      `${t.logs.p50Ms} / ${t.logs.p99Ms} ms`,
      t.logs.p99Ms <= 50,
    );
    add(
      `the same after a ${t.longLogs.recordedMB} MB log (--tail=0), p50 / p99`,
      'p99 ≤ 50 ms',
      `${t.longLogs.p50Ms} / ${t.longLogs.p99Ms} ms`,
      t.longLogs.p99Ms <= 50,
    );
    add(
      'floor: bare node fs.watch, change → printed / → exit, p50 / p99',
      '',
      `${t.floor.printed.p50Ms} / ${t.floor.printed.p99Ms}; ${t.floor.exit.p50Ms} / ${t.floor.exit.p99Ms} ms`,
    );
  } else if (name === 'ui') {
    const t = r as unknown as Awaited<ReturnType<typeof ui>>;
    add(`tjob ui: list drawn in Chromium (${t.jobs} jobs)`, '< 1000 ms', `${t.listMs} ms`, t.listMs < 1000);
    add(`tjob ui: ${t.bigJobPods}-pod job page with its timeline`, '', `${t.bigJobMs} ms`);
    add('tjob ui server RSS before / after', '', `${t.serverRssMiB.before} / ${t.serverRssMiB.after} MiB`);
    add(
      `tjob ui RSS, ${t.soak.seconds} s open, ${t.soak.jobsCreated} jobs run: end / first minute`,
      'flat (≤ 1.2×)',
      `${t.soak.rssMiB.at(-1)} MiB (${t.soak.growth}×)`,
      t.soak.growth <= 1.2,
    );
  }
  return rows;
}

function printTable(rows: Row[]): void {
  const head = ['scenario', 'metric', 'target', 'measured', 'met'];
  const cells = rows.map((r) => [
    r.scenario,
    r.metric,
    r.target,
    r.measured,
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(head)}\n${cells.map(line).join('\n')}\n`);
}

await main();
