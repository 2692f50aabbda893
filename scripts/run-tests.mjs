// Runs the compiled test files with node's test runner.
// Usage: run-tests.mjs [unit|integration|podman|swarm|all] [filter]
//   unit         test/unit: pure code, fakes for the engine and the clock
//   integration  test/integration: real Docker (the engine must answer: scripts/setup.sh)
//   podman       a named subset of the real-engine tests (PodmanSubset below) against a private
//                Podman service this script starts and stops (test/support/podman-service.ts);
//                skipped, with the reason, where podman is not installed
//   swarm        test/integration/swarm: a real three-node Docker Swarm per file
//                (scripts/swarm-cluster.sh, test/support/swarm.ts), two files at a time (each
//                file's cluster has its own prefix, subnet and directory), the slowest first;
//                skipped, with the reason, without root
//   all          unit, integration, podman, then swarm
//   filter       a substring of the compiled file's path, e.g. `manifest` or `docker/logs`
// Every selected unit and integration file runs in one invocation of the runner, two files at a
// time (unit files first, then the real-Docker ones), so its closing summary counts the whole
// selection; the Podman and Swarm runs are further invocations with their own summaries.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const which = process.argv[2] ?? 'all';
const filter = process.argv[3];
if (!['unit', 'integration', 'podman', 'swarm', 'all'].includes(which)) {
  console.error(`run-tests: unknown selection "${which}": use unit, integration, podman, swarm or all`);
  process.exit(2);
}

// The real-engine tests run against Podman: pods and multi-container pods (the pause container and
// `container:` network mode), logs, events, OOM, restarts, adoption and recovery, and the engine
// found through a docker context.
const PodmanSubset = [
  'dist/test/integration/docker/pod-lifecycle.test.js',
  'dist/test/integration/docker/logs-and-images.test.js',
  'dist/test/integration/docker/adoption.test.js',
  'dist/test/integration/docker/recovery.test.js',
  'dist/test/integration/cli/engine-context.test.js',
];

const SwarmDir = join('dist', 'test', 'integration', 'swarm');
// The Swarm files that take longest, started first so that two at a time end close together
// (measured: images ≈ 2 min, failures and resume ≈ 1 min each; the rest under 50 s).
const SwarmSlowFirst = ['images', 'failures', 'resume', 'jobs'];

function find(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.js') && (!filter || p.includes(filter))) out.push(p);
  }
  return out;
}

function runner(files, env = process.env, concurrency = 2) {
  const args = ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function runPodman() {
  const files = PodmanSubset.filter((f) => !filter || f.includes(filter));
  if (files.length === 0) return 0;
  const { podmanMissing, startPodmanService } = await import('../dist/test/support/podman-service.js');
  const missing = podmanMissing();
  if (missing) {
    console.log(`run-tests: the Podman run is skipped: ${missing}`);
    return 0;
  }
  const service = await startPodmanService((line) => console.log(`run-tests: ${line}`));
  // Stopped by its pid whatever happens to the run, an interruption included.
  const stopOnSignal = (signal) => {
    service.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    return await runner(files, { ...process.env, DOCKER_HOST: service.host, TJOB_TEST_ENGINE: 'podman' });
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await service.stop();
  }
}

async function runSwarm() {
  const rank = (f) => {
    const i = SwarmSlowFirst.findIndex((name) => f.endsWith(`/${name}.test.js`));
    return i < 0 ? SwarmSlowFirst.length : i;
  };
  const files = find(SwarmDir).sort((a, b) => rank(a) - rank(b));
  if (files.length === 0) return 0;
  const { swarmMissing } = await import('../dist/test/support/swarm.js');
  const missing = swarmMissing();
  if (missing) {
    console.log(`run-tests: the Swarm run is skipped: ${missing}`);
    return 0;
  }
  return runner(files, process.env, 2);
}

const files = [];
if (which === 'unit' || which === 'all') files.push(...find('dist/test/unit'));
if (which === 'integration' || which === 'all')
  files.push(...find('dist/test/integration').filter((f) => !f.startsWith(SwarmDir)));

if (!['podman', 'swarm'].includes(which) && files.length === 0) {
  console.error(
    filter
      ? `run-tests: no ${which} test file matches "${filter}"`
      : 'run-tests: no test files found (did the build run?)',
  );
  process.exit(1);
}
let status = files.length > 0 ? await runner(files) : 0;
if (which === 'podman' || which === 'all') {
  const podman = await runPodman();
  if (status === 0) status = podman;
}
if (which === 'swarm' || which === 'all') {
  const swarm = await runSwarm();
  if (status === 0) status = swarm;
}
process.exit(status);
