// Runs the compiled test files with node's test runner.
// Usage: run-tests.mjs [unit|integration|all] [filter]
//   unit         test/unit: pure code, fakes for the engine and the clock
//   integration  test/integration: real Docker (the engine must answer: scripts/setup.sh)
//   filter       a substring of the compiled file's path, e.g. `manifest` or `docker/logs`
// Every selected file runs in one invocation of the runner, two files at a time (unit files first,
// then the real-Docker ones), so its closing summary counts the whole selection.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const which = process.argv[2] ?? 'all';
const filter = process.argv[3];
if (!['unit', 'integration', 'all'].includes(which)) {
  console.error(`run-tests: unknown selection "${which}": use unit, integration or all`);
  process.exit(2);
}

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

const files = [];
if (which === 'unit' || which === 'all') files.push(...find('dist/test/unit'));
if (which === 'integration' || which === 'all') files.push(...find('dist/test/integration'));

if (files.length === 0) {
  console.error(
    filter
      ? `run-tests: no ${which} test file matches "${filter}"`
      : 'run-tests: no test files found (did the build run?)',
  );
  process.exit(1);
}
const args = ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
