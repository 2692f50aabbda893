// Runs the compiled test files with node's test runner. Usage: run-tests.mjs [unit|integration|all] [filter]
// Unit tests run in parallel; real-Docker tests (test/integration) one file at a time, after them.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const which = process.argv[2] ?? 'all';
const filter = process.argv[3];

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

const groups = [];
if (which === 'unit' || which === 'all') groups.push({ files: find('dist/test/unit'), concurrency: 4 });
if (which === 'integration' || which === 'all')
  groups.push({ files: find('dist/test/integration'), concurrency: 1 });

const files = groups.flatMap((g) => g.files);
if (files.length === 0) {
  console.error('run-tests: no test files found (did the build run?)');
  process.exit(1);
}
// One runner invocation, so the closing summary counts the whole suite.
const args = ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
