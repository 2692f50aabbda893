// Startup cost: the modules every command loads are the static imports of the composition root.
// The Docker runtime (and dockerode with it) must stay out of them: it is loaded on demand through
// ctx.createRuntime, so `tjob get jobs` and the other read commands never pay for it. Nor may any
// command's module: program.ts loads only the command being run.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { commandWord } from '../../../src/cli/program.js';

const DIST_SRC = resolve(import.meta.dirname, '../../../src');

/** Static `import ... from '...'` / `export ... from '...'` / `import '...'` of a compiled module. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?:[^'"()]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (/^\s*import\s+type\b/.test(m[0])) continue;
    out.push(m[1]!);
  }
  return out;
}

/** Every module loaded before the first line of `main` runs: relative files and package names. */
function loadedAtStartup(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (existsSync(target)) queue.push(target);
      } else if (!spec.startsWith('node:')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
  }
  return { files, packages };
}

describe('startup imports', () => {
  it('the CLI loads neither dockerode nor the Docker runtime until a command asks for the engine', () => {
    const { files, packages } = loadedAtStartup(join(DIST_SRC, 'cli', 'main.js'));
    assert.ok(files.has(join(DIST_SRC, 'cli', 'program.js')));
    assert.ok(!packages.has('dockerode'), `dockerode at startup: ${[...packages].join(', ')}`);
    const docker = [...files].filter((f) => f.includes(join('runtime', 'docker')));
    assert.deepEqual(docker, [], 'src/runtime/docker is loaded only through ctx.createRuntime');
  });

  it('nor any command: each command module is loaded when its command runs', () => {
    const { files } = loadedAtStartup(join(DIST_SRC, 'cli', 'main.js'));
    const commands = [...files].filter((f) => f.includes(join('cli', 'commands')));
    assert.deepEqual(commands, []);
    const getGraph = loadedAtStartup(join(DIST_SRC, 'cli', 'commands', 'get.js')).files;
    const runtime = [...getGraph].filter((f) => f.includes(join('src', 'engine', 'job-runner')));
    assert.deepEqual(runtime, [], '`tjob get` does not load the job loop');
  });

  it('nor prom-client, nor the web view, until `tjob ui` or `cron start --metrics` runs', () => {
    const { files, packages } = loadedAtStartup(join(DIST_SRC, 'cli', 'main.js'));
    assert.ok(!packages.has('prom-client'), `prom-client at startup: ${[...packages].join(', ')}`);
    const ui = [...files].filter(
      (f) => f.includes(join('src', 'ui', 'server')) || f.includes(join('src', 'ui', 'metrics')),
    );
    assert.deepEqual(ui, [], 'the web view and its metrics are loaded on demand');
  });

  it('the walk does see a static import (the check would catch one)', () => {
    const { packages } = loadedAtStartup(join(DIST_SRC, 'runtime', 'docker', 'docker-runtime.js'));
    assert.ok(packages.has('dockerode'));
  });
});

describe('commandWord (which command module to load)', () => {
  const cases: [string[], string | undefined][] = [
    [['get', 'jobs'], 'get'],
    [['--state-dir', '/x', 'get', 'jobs'], 'get'],
    [['--state-dir=/x', 'logs', 'job/a'], 'logs'],
    [['-v', '--no-color', 'run', 'job.yaml'], 'run'],
    [['--help'], undefined],
    [[], undefined],
    [['--', 'get'], 'get'],
    [['gte', 'jobs'], 'gte'],
  ];
  for (const [args, want] of cases) {
    it(`${JSON.stringify(args)} -> ${want}`, () => assert.equal(commandWord(args), want));
  }
});
