// `tjob completion bash|zsh|fish`: the scripts are valid for their shell, and the bash one, sourced
// in a real bash, completes commands, resource types, options, option values and — through
// `tjob get KIND -o name`, stubbed here by a shell function — object names.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../../..');
const BIN = join(ROOT, 'bin', 'tjob.js');
const COMMANDS = [
  'run',
  'validate',
  'render',
  'get',
  'describe',
  'logs',
  'wait',
  'delete',
  'suspend',
  'resume',
  'apply',
  'cron',
  'completion',
  'version',
];
const CRON_COMMANDS = ['start', 'list', 'next', 'trigger', 'suspend', 'resume'];

function script(shell: string): string {
  const r = spawnSync(process.execPath, [BIN, 'completion', shell], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const dir = mkdtempSync(join(tmpdir(), 'tjob-completion-'));
const bashFile = join(dir, 'tjob.bash');
const calls = join(dir, 'calls');

/**
 * Completes `line` (the cursor at its end) in a bash that sourced the script, with `tjob` stubbed:
 * `get jobs|cronjobs -o name` answer as the CLI would, and every call is logged.
 */
function complete(line: string, words?: string[]): string[] {
  const setWords = words
    ? `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`
    : `read -ra COMP_WORDS <<< "$COMP_LINE"; [[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')`;
  const program = `
source ${JSON.stringify(bashFile)}
tjob() {
  printf '%s\\n' "$*" >> ${JSON.stringify(calls)}
  case "$*" in
    *'get jobs -o name') printf 'job.batch/alpha\\njob.batch/beta\\n' ;;
    *'get cronjobs -o name') printf 'cronjob.batch/nightly\\n' ;;
    *'get pods -o name') printf 'pod/alpha-x7k2p\\n' ;;
  esac
}
COMP_LINE=${JSON.stringify(line)}
COMP_POINT=\${#COMP_LINE}
${setWords}
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_tjob
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'no errors from the completion function');
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('tjob completion', () => {
  before(() => {
    writeFileSync(bashFile, script('bash'));
  });

  it('bash: the script is valid bash and registers the completion', () => {
    const check = spawnSync('bash', ['-n', bashFile], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    const r = spawnSync('bash', ['--norc', '-c', `source ${JSON.stringify(bashFile)}; complete -p tjob`], {
      encoding: 'utf8',
    });
    assert.equal(r.stdout.trim(), 'complete -F _tjob tjob');
  });

  it('bash: commands and resource types', () => {
    assert.deepEqual(complete('tjob ge'), ['get']);
    assert.deepEqual(complete('tjob get j'), ['jobs']);
    assert.deepEqual(complete('tjob '), [...COMMANDS, 'help'], 'every command');
    assert.deepEqual(complete('tjob describe '), ['job', 'pod', 'cronjob']);
    assert.deepEqual(complete('tjob delete '), ['job', 'cronjob']);
    assert.deepEqual(complete('tjob wait '), ['job/']);
    assert.deepEqual(complete('tjob cron '), CRON_COMMANDS);
    assert.deepEqual(complete('tjob completion '), ['bash', 'zsh', 'fish']);
    assert.deepEqual(complete('tjob --no-color g'), ['get']);
  });

  it('bash: job names from `tjob get jobs -o name`, without the job.batch/ prefix', () => {
    assert.deepEqual(complete('tjob get jobs '), ['alpha', 'beta']);
    assert.deepEqual(complete('tjob describe job b'), ['beta']);
    assert.deepEqual(complete('tjob get job/a'), ['job/alpha']);
    assert.deepEqual(complete('tjob wait job/'), ['job/alpha', 'job/beta']);
    assert.deepEqual(complete('tjob logs '), ['job/', 'pod/', 'alpha', 'beta']);
    assert.deepEqual(complete('tjob logs pod/'), ['pod/alpha-x7k2p']);
    assert.deepEqual(complete('tjob get cronjobs '), ['nightly']);
    assert.deepEqual(complete('tjob cron trigger '), ['nightly']);
    assert.deepEqual(complete('tjob get pods --job '), ['alpha', 'beta']);
  });

  it('bash: the --state-dir of the command line is passed on', () => {
    writeFileSync(calls, '');
    assert.deepEqual(complete('tjob --state-dir /tmp/elsewhere get jobs a'), ['alpha']);
    assert.match(readFileSync(calls, 'utf8'), /^--state-dir \/tmp\/elsewhere get jobs -o name$/m);
  });

  it('bash: options and their values', () => {
    assert.ok(complete('tjob get -').includes('--output'));
    assert.ok(complete('tjob run --').includes('--backoff'));
    assert.deepEqual(complete('tjob get -o '), ['json', 'name', 'wide', 'yaml']);
    assert.deepEqual(complete('tjob get jobs -o y'), ['yaml']);
    assert.deepEqual(complete('tjob get --output=', ['tjob', 'get', '--output', '=', '']), [
      'json',
      'name',
      'wide',
      'yaml',
    ]);
    assert.deepEqual(complete('tjob wait job/a --for con'), [
      'condition=Complete',
      'condition=Failed',
      'condition=Suspended',
    ]);
    // An option's value is not taken for the resource type.
    assert.deepEqual(complete('tjob get -o json j'), ['jobs']);
  });

  it('bash: manifest files for run, validate, render, apply', () => {
    assert.deepEqual(complete('tjob run samples/job-hel'), ['samples/job-hello.yaml']);
    assert.deepEqual(complete('tjob apply -f samples/cronjob-'), complete('tjob validate samples/cronjob-'));
  });

  it('zsh and fish: every command and cron subcommand is in the script', () => {
    const zsh = script('zsh');
    const fish = script('fish');
    assert.match(zsh, /^#compdef tjob$/m);
    for (const c of COMMANDS) {
      assert.ok(zsh.includes(`'${c}:`), `zsh: ${c}`);
      assert.ok(fish.includes(`-a '${c}'`), `fish: ${c}`);
    }
    for (const c of CRON_COMMANDS) {
      assert.ok(zsh.includes(`'${c}:`), `zsh: cron ${c}`);
      assert.ok(fish.includes(`__tjob_at_subcommand cron' -a '${c}'`), `fish: cron ${c}`);
    }
    assert.ok(zsh.includes('tjob "${sd[@]}" get "$1" -o name'), 'zsh completes names dynamically');
  });

  it('zsh: the script is valid zsh (when zsh is installed)', (t) => {
    if (!have('zsh')) return t.skip('zsh is not installed');
    const file = join(dir, '_tjob');
    writeFileSync(file, script('zsh'));
    const r = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('fish: the script is valid fish (when fish is installed)', (t) => {
    if (!have('fish')) return t.skip('fish is not installed');
    const file = join(dir, 'tjob.fish');
    writeFileSync(file, script('fish'));
    const r = spawnSync('fish', ['--no-execute', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('names the shells it knows, with install examples in its help', () => {
    const bad = spawnSync(process.execPath, [BIN, 'completion', 'tcsh'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unsupported shell "tcsh"/);
    const help = spawnSync(process.execPath, [BIN, 'completion', '--help'], { encoding: 'utf8' });
    assert.match(help.stdout, /source <\(tjob completion bash\)/);
    assert.match(help.stdout, /tjob completion zsh > "\$\{fpath\[1\]\}\/_tjob"/);
    assert.match(help.stdout, /tjob completion fish > ~\/\.config\/fish\/completions\/tjob\.fish/);
  });
});
