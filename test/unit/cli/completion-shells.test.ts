// The stubs of `tjob completion bash|zsh|fish` in the real shells: each loads its stub and
// completes a line, the stub asking the built `tjob __complete` (a `tjob` on PATH) against a
// state directory with two jobs, in a directory with manifests and other files.
//   bash: COMP_LINE/COMP_POINT/COMP_WORDS/COMP_CWORD set, the completion function called,
//         COMPREPLY read;
//   zsh:  an interactive zsh in a pseudo-terminal (zsh/zpty) with compinit, TAB pressed, the
//         matches caught by a compadd wrapper;
//   fish: `complete -C LINE`.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OUTPUT_FORMATS } from '../../../src/output/output-format.js';
import { tempDir } from '../../support/jobs.js';
import { harness, pod, storeJob, type Harness } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'bin', 'tjob.js');
const SHELL_TIMEOUT_MS = 60_000;

const work = tempDir('tjob-completion-');
const bin = join(work, 'bin');
const manifests = join(work, 'manifests');
let h: Harness;
let env: NodeJS.ProcessEnv;

/** `tjob completion SHELL > DIR/NAME` (the README's install). */
function stub(shell: string, name = `tjob.${shell}`, dir = work): string {
  const r = spawnSync(process.execPath, [BIN, 'completion', shell], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, r.stdout);
  return file;
}

function run(cmd: string, args: string[], cwd = manifests): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: SHELL_TIMEOUT_MS });
  assert.equal(r.error, undefined, `${cmd}: ${r.error?.message}`);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  mkdirSync(bin);
  // The stubs call the program as the user typed it: a `tjob` on PATH.
  writeFileSync(
    join(bin, 'tjob'),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`,
  );
  chmodSync(join(bin, 'tjob'), 0o755);
  mkdirSync(join(manifests, 'more'), { recursive: true });
  for (const f of ['job-a.yaml', 'job-b.yml', 'notes.txt']) writeFileSync(join(manifests, f), '');
  h = harness();
  await storeJob(h, { name: 'alpha', pods: [pod('alpha-x7k2p', 'Succeeded')] });
  await storeJob(h, { name: 'beta' });
  env = { PATH: `${bin}:${process.env.PATH}`, HOME: work, TJOB_STATE_DIR: h.dir, TERM: 'dumb' };
});

describe('bash', () => {
  let file: string;
  before(() => (file = stub('bash')));

  /** COMPREPLY for `line` (cursor at its end), then the compopt calls as `compopt: ...`. */
  const complete = (line: string): string[] => {
    const program = `
source "$1"
log=$2.compopt
compopt() { printf 'compopt: %s\\n' "$*" >> "$log"; }
: > "$log"
COMP_LINE=$3
COMP_POINT=\${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
__tjob_complete
printf '%s\\n' "\${COMPREPLY[@]}"
cat "$log"
`;
    const out = run('bash', ['--norc', '--noprofile', '-c', program, 'bash', file, join(work, 'bash'), line]);
    return out.split('\n').filter((l) => l !== '');
  };

  it('a tjob that cannot be run: no candidates, no message', () => {
    const r = spawnSync(
      'bash',
      [
        '--norc',
        '-c',
        `source "$1"; COMP_LINE='nowhere/tjob ge'; COMP_POINT=\${#COMP_LINE}; __tjob_complete; echo "\${#COMPREPLY[@]}"`,
        'bash',
        file,
      ],
      { env, encoding: 'utf8' },
    );
    assert.deepEqual([r.stdout, r.stderr], ['0\n', '']);
  });

  it('registers its function for tjob', () => {
    assert.equal(
      run('bash', ['--norc', '-c', `source "$1"; complete -p tjob`, 'bash', file]).trim(),
      'complete -F __tjob_complete tjob',
    );
  });

  it('commands, options, resource types', () => {
    assert.deepEqual(complete('tjob ge'), ['get']);
    assert.deepEqual(complete('tjob cron tr'), ['trigger']);
    assert.deepEqual(complete('tjob get --ou'), ['--output']);
    assert.ok(complete('tjob get -').includes('-o'));
    assert.deepEqual(complete('tjob get j'), ['job', 'jobs']);
  });

  it('job names from the state directory, and the --state-dir of the line', () => {
    assert.deepEqual(complete('tjob get jobs '), ['alpha', 'beta']);
    assert.deepEqual(complete('tjob describe job/a'), ['job/alpha']);
    assert.deepEqual(complete(`tjob --state-dir ${work} get jobs `), [], 'no state there');
    assert.deepEqual(complete(`tjob --state-dir ${h.dir} logs al`), ['alpha', 'alpha-x7k2p']);
  });

  it('option values, also after = (bash splits the word there)', () => {
    assert.deepEqual(complete('tjob get -o '), [...OUTPUT_FORMATS]);
    assert.deepEqual(complete('tjob get --output=y'), ['yaml']);
    assert.deepEqual(complete('tjob wait job/alpha --for condition=Co'), ['Complete']);
  });

  it("run's manifests: yaml files and directories, not other files", () => {
    assert.deepEqual(complete('tjob run ').sort(), [
      'compopt: -o filenames',
      'job-a.yaml',
      'job-b.yml',
      'more',
    ]);
    assert.deepEqual(complete('tjob run job-a'), ['job-a.yaml', 'compopt: -o filenames']);
  });
});

describe('zsh', () => {
  let capture: string;
  let driver: string;
  before(() => {
    // Installed as the README says: `_tjob` in a directory of $fpath, found by compinit.
    const functions = join(work, 'zsh-functions');
    stub('zsh', '_tjob', functions);
    capture = join(work, 'capture.zsh');
    // In the pty's zsh: compsys, a compadd that prints what it adds, exit after one TAB.
    writeFileSync(
      capture,
      `fpath=(${JSON.stringify(functions)} $fpath)
autoload -Uz compinit && compinit -u -D
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return; fi
  local -a hits
  builtin compadd -A hits "$@"
  local m; for m in "\${hits[@]}"; do print -r -- "<hit>$m</hit>"; done
  builtin compadd "$@"
}
comppostfuncs=(exit)
`,
    );
    driver = join(work, 'drive.zsh');
    writeFileSync(
      driver,
      `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "cd \${(q)3}; source \${(q)1}"
zpty -n -w z "$2"$'\\t'
while zpty -r z chunk; do print -rn -- "$chunk"; done
`,
    );
  });

  const complete = (line: string): string[] => {
    const out = run('zsh', ['-f', driver, capture, line, manifests]);
    return [...out.matchAll(/<hit>(.*?)<\/hit>/g)].map((m) => m[1]!);
  };

  it('commands, options, resource types', () => {
    assert.deepEqual(complete('tjob ge'), ['get']);
    assert.deepEqual(complete('tjob cron tr'), ['trigger']);
    assert.deepEqual(complete('tjob get --ou'), ['--output']);
    assert.deepEqual(complete('tjob get j'), ['job', 'jobs']);
  });

  it('job names and option values', () => {
    assert.deepEqual(complete('tjob get jobs '), ['alpha', 'beta']);
    assert.deepEqual(complete('tjob describe job/a'), ['job/alpha']);
    assert.deepEqual(complete('tjob get -o '), [...OUTPUT_FORMATS]);
    assert.deepEqual(complete('tjob get --output=y'), ['yaml']);
  });

  it("run's manifests: yaml files and directories, not other files", () => {
    assert.deepEqual(complete('tjob run ').sort(), ['job-a.yaml', 'job-b.yml', 'more']);
  });
});

describe('fish', () => {
  // Installed as the README says, in a completions directory fish loads `tjob.fish` from.
  const completions = join(work, 'fish-completions');
  before(() => stub('fish', 'tjob.fish', completions));

  const complete = (line: string): string[] =>
    run('fish', [
      '--no-config',
      '-c',
      'set -p fish_complete_path $argv[1]; complete -C"$argv[2]"',
      completions,
      line,
    ])
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0]!);

  it('commands, options, resource types', () => {
    assert.deepEqual(complete('tjob ge'), ['get']);
    assert.deepEqual(complete('tjob cron tr'), ['trigger']);
    assert.deepEqual(complete('tjob get --ou'), ['--output']);
    assert.deepEqual(complete('tjob get j'), ['job', 'jobs']);
  });

  it('job names and option values', () => {
    assert.deepEqual(complete('tjob get jobs '), ['alpha', 'beta']);
    assert.deepEqual(complete('tjob describe job/a'), ['job/alpha']);
    assert.deepEqual(complete('tjob get -o '), [...OUTPUT_FORMATS]);
    assert.deepEqual(complete('tjob get --output=y'), ['--output=yaml']);
  });

  it("run's manifests: yaml files and directories, not other files", () => {
    assert.deepEqual(complete('tjob run ').sort(), ['job-a.yaml', 'job-b.yml', 'more/']);
  });
});
