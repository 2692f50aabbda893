// `tjob __complete WORDS... TO_COMPLETE` (Cobra's protocol): candidates one a line, then
// `:DIRECTIVE`. Run in process through the program, against a state directory with jobs, pods
// and a CronJob; and on a small commander tree of its own, to show that the tree (commands,
// aliases, short options, choices) is read, not listed.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { defaultCronJob } from '../../../src/manifest/index.js';
import { FileCronStore } from '../../../src/state/cron-store.js';
import { complete, Directive, type StoredNames } from '../../../src/cli/completion/engine.js';
import { kindOf } from '../../../src/cli/args/resource-args.js';
import { RESOURCE_KINDS } from '../../../src/cli/resource-kinds.js';
import { tempDir } from '../../support/jobs.js';
import { harness, pod, storeJob, type Harness } from './helpers.js';

/** `tjob __complete ...WORDS` in process: the candidates (descriptions cut) and the directive. */
async function completeIn(
  h: Harness,
  words: string[],
): Promise<{ names: string[]; lines: string[]; directive: number; err: string }> {
  const { buildProgram } = await import('../../../src/cli/program.js');
  const before = h.out().length;
  const beforeErr = h.err().length;
  const code = await buildProgram(h.ctx).run(['node', 'tjob', '__complete', ...words]);
  assert.equal(code, 0);
  const lines = h.out().slice(before).split('\n').slice(0, -1);
  const last = lines.pop()!;
  assert.match(last, /^:\d+$/, `the last line is the directive: ${last}`);
  return {
    names: lines.map((l) => l.split('\t')[0]!),
    lines,
    directive: Number(last.slice(1)),
    err: h.err().slice(beforeErr),
  };
}

let h: Harness;
const sd = () => ['--state-dir', h.dir];

before(async () => {
  h = harness();
  await storeJob(h, { name: 'alpha', pods: [pod('alpha-x7k2p', 'Succeeded')] });
  await storeJob(h, { name: 'beta', pods: [pod('beta-aaaaa', 'Running')] });
  const cj = defaultCronJob({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly' },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } } },
    },
  });
  await new FileCronStore(h.dir).saveCronJob(cj, new Date(), randomUUID);
});

describe('tjob __complete: commands and options', () => {
  it('offers the commands with their descriptions, not the hidden ones', async () => {
    const r = await completeIn(h, ['']);
    assert.deepEqual(r.names, [
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
      'ui',
      'completion',
      'version',
      'help',
    ]);
    assert.ok(
      r.lines.includes(
        'get\tlist jobs, pods, cronjobs or pvcs from the state directory, as kubectl get does',
      ),
    );
    assert.equal(r.directive, Directive.NoFileComp);
    assert.deepEqual((await completeIn(h, ['ge'])).names, ['get']);
    assert.deepEqual((await completeIn(h, ['cron', ''])).names, [
      'start',
      'list',
      'next',
      'trigger',
      'suspend',
      'resume',
      'help',
    ]);
    assert.deepEqual((await completeIn(h, ['help', 'c'])).names, ['cron', 'completion']);
  });

  it("offers a command's options, long and short, and the global ones", async () => {
    const r = await completeIn(h, ['get', '-']);
    for (const o of [
      '--output',
      '-o',
      '--selector',
      '-l',
      '--job',
      '--watch',
      '--no-headers',
      '--state-dir',
      '-v',
    ])
      assert.ok(r.names.includes(o), o);
    assert.ok(r.lines.includes('--job\tpods: only those of this job'));
    assert.equal(r.directive, Directive.NoFileComp);
    assert.deepEqual((await completeIn(h, ['run', '--max'])).names, ['--max-jobs', '--max-backoff']);
  });

  it('leaves out an option already given, unless it is repeatable', async () => {
    const r = await completeIn(h, ['get', '-o', 'json', '-']);
    assert.ok(!r.names.includes('--output') && !r.names.includes('-o'));
    assert.ok((await completeIn(h, ['run', '--set', 'A=1', '--s'])).names.includes('--set'));
  });

  it("does not let the program's own options act on the line (`--version`, `-h`)", async () => {
    const r = await completeIn(h, ['-h', 'ver']);
    assert.deepEqual(r.names, ['version']);
    assert.doesNotMatch(h.out(), /Usage:/);
  });
});

describe('tjob __complete: option values', () => {
  it('-o: the output formats `get` defines', async () => {
    assert.deepEqual((await completeIn(h, ['get', 'jobs', '-o', ''])).names, [
      'custom-columns',
      'custom-columns-file',
      'json',
      'jsonpath',
      'jsonpath-as-json',
      'jsonpath-file',
      'name',
      'wide',
      'yaml',
    ]);
    assert.deepEqual((await completeIn(h, ['get', '--output=y'])).names, ['yaml']);
    assert.deepEqual((await completeIn(h, ['get', '-o', 'json', 'j'])).names, ['job', 'jobs']);
  });

  it('--for: the conditions and words `wait` takes', async () => {
    const r = await completeIn(h, ['wait', 'job/alpha', '--for', 'condition=S']);
    assert.deepEqual(r.names, ['condition=Suspended', 'condition=SuccessCriteriaMet']);
    assert.deepEqual((await completeIn(h, ['wait', '--for=f'])).names, ['finished']);
  });

  it('--job: job names; --state-dir: directories; a file placeholder: files; others: nothing', async () => {
    assert.deepEqual((await completeIn(h, [...sd(), 'get', 'pods', '--job', ''])).names, ['alpha', 'beta']);
    assert.equal((await completeIn(h, ['--state-dir', ''])).directive, Directive.FilterDirs);
    assert.equal((await completeIn(h, ['run', '--items-file', ''])).directive, Directive.Default);
    const backoff = await completeIn(h, ['run', '--backoff', '']);
    assert.deepEqual([backoff.names, backoff.directive], [[], Directive.NoFileComp]);
  });
});

describe('tjob __complete: arguments', () => {
  it('resource types after get, describe, delete, wait', async () => {
    assert.deepEqual((await completeIn(h, ['get', ''])).names, [
      'jobs',
      'pods',
      'cronjobs',
      'persistentvolumeclaims',
    ]);
    assert.deepEqual((await completeIn(h, ['get', 'po'])).names, ['pod', 'pods', 'po']);
    assert.deepEqual((await completeIn(h, ['get', 'job.'])).names, ['job.batch']);
    assert.deepEqual((await completeIn(h, ['delete', ''])).names, [
      'jobs',
      'cronjobs',
      'persistentvolumeclaims',
    ]);
    assert.deepEqual((await completeIn(h, ['suspend', ''])).names, ['jobs', 'cronjobs']);
    assert.deepEqual((await completeIn(h, ['wait', ''])).names, ['jobs']);
  });

  it('every type word offered is one the command accepts', async () => {
    for (const word of (await completeIn(h, ['get', ''])).names) assert.ok(kindOf(word));
    assert.deepEqual(RESOURCE_KINDS, ['jobs', 'pods', 'cronjobs', 'persistentvolumeclaims']);
  });

  it('names from the state directory: TYPE NAME, TYPE/NAME, cronjobs, pods', async () => {
    assert.deepEqual((await completeIn(h, [...sd(), 'get', 'jobs', ''])).names, ['alpha', 'beta']);
    assert.deepEqual((await completeIn(h, [...sd(), 'describe', 'job', 'alpha', ''])).names, ['beta']);
    assert.deepEqual((await completeIn(h, [...sd(), 'get', 'job/a'])).names, ['job/alpha']);
    assert.deepEqual((await completeIn(h, [...sd(), 'get', 'pods', ''])).names, [
      'alpha-x7k2p',
      'beta-aaaaa',
    ]);
    assert.deepEqual((await completeIn(h, [...sd(), 'get', 'cj', ''])).names, ['nightly']);
    assert.deepEqual((await completeIn(h, [...sd(), 'cron', 'trigger', ''])).names, ['nightly']);
    assert.deepEqual((await completeIn(h, [...sd(), 'delete', 'pod/'])).names, [], 'delete takes no pods');
    const logs = await completeIn(h, [...sd(), 'logs', '']);
    assert.deepEqual(logs.lines, ['alpha\tjob', 'beta\tjob', 'alpha-x7k2p\tpod', 'beta-aaaaa\tpod']);
    assert.deepEqual((await completeIn(h, [...sd(), 'logs', 'pod/b'])).names, ['pod/beta-aaaaa']);
    assert.deepEqual((await completeIn(h, [...sd(), 'suspend', 'job', ''])).names, ['alpha', 'beta']);
    assert.equal((await completeIn(h, [...sd(), 'get', 'jobs', ''])).directive, Directive.NoFileComp);
  });

  it('the state directory: --state-dir on the line, else TJOB_STATE_DIR', async () => {
    const other = harness({ env: { TJOB_STATE_DIR: h.dir } });
    assert.deepEqual((await completeIn(other, ['get', 'jobs', ''])).names, ['alpha', 'beta']);
    const empty = tempDir('tjob-empty-');
    assert.deepEqual((await completeIn(other, ['--state-dir', empty, 'get', 'jobs', ''])).names, []);
  });

  it('a broken or missing state directory: no names, no files, no message, nothing created', async () => {
    const broken = tempDir('tjob-broken-');
    writeFileSync(join(broken, 'state.json'), '{ torn');
    const r = await completeIn(h, ['--state-dir', broken, 'get', 'jobs', '']);
    assert.deepEqual([r.names, r.directive, r.err], [[], Directive.NoFileComp, '']);
    const unreadable = tempDir('tjob-unreadable-');
    writeFileSync(join(unreadable, 'state.json'), '{"schemaVersion": 1}\n');
    writeFileSync(join(unreadable, 'jobs'), 'a file where the jobs directory belongs');
    const u = await completeIn(h, ['--state-dir', unreadable, 'logs', '']);
    assert.deepEqual([u.names, u.directive, u.err], [[], Directive.NoFileComp, '']);
    const missing = join(tempDir('tjob-missing-'), 'typo');
    const m = await completeIn(h, ['--state-dir', missing, 'get', 'jobs', '']);
    assert.deepEqual([m.names, m.directive], [[], Directive.NoFileComp]);
    assert.ok(!existsSync(missing), 'completion created no state directory');
  });

  it('manifest arguments: yaml/yml files and directories (FilterFileExt)', async () => {
    for (const words of [
      ['run', ''],
      ['validate', 'a.yaml', ''],
      ['apply', '-f', ''],
      ['apply', '-f', 'a.yaml', ''],
      ['cron', 'start', ''],
    ]) {
      const r = await completeIn(h, words);
      assert.deepEqual([r.names, r.directive], [['yaml', 'yml'], Directive.FilterFileExt], words.join(' '));
    }
    assert.deepEqual((await completeIn(h, ['apply', '-f', 'a.yaml', '--'])).names.includes('--items'), true);
    // cron next: a stored CronJob, or else a manifest.
    assert.deepEqual((await completeIn(h, [...sd(), 'cron', 'next', 'n'])).names, ['nightly']);
    assert.equal(
      (await completeIn(h, [...sd(), 'cron', 'next', 'samples/'])).directive,
      Directive.FilterFileExt,
    );
  });

  it('fixed words and commands without arguments', async () => {
    assert.deepEqual((await completeIn(h, ['completion', ''])).names, ['bash', 'zsh', 'fish']);
    assert.deepEqual((await completeIn(h, ['completion', 'zsh', ''])).names, []);
    const v = await completeIn(h, ['version', '']);
    assert.deepEqual([v.names, v.directive], [[], Directive.NoFileComp]);
  });

  it('is not listed by tjob --help', async () => {
    const { tjob } = await import('./helpers.js');
    const at = h.out().length;
    await tjob(h, '--help');
    const text = h.out().slice(at);
    assert.match(text, /completion/);
    assert.doesNotMatch(text, /__complete/);
  });
});

describe('the engine reads the commander tree', () => {
  const noNames: StoredNames = async () => [];
  const tree = () => {
    const p = new Command('prog').option('-q, --quiet', 'say less');
    const deploy = p.command('deploy').alias('dp').description('deploy things');
    deploy
      .addOption(new Option('-m, --mode <mode>', 'how').choices(['fast', 'safe']))
      .option('-n, --dry-run', 'only print')
      .argument('<file...>', 'what');
    p.command('secret', { hidden: true });
    return p;
  };
  const run = async (words: string[]) => complete(tree(), words, {}, noNames);

  it('commands and their aliases, options with their short forms and choices', async () => {
    assert.deepEqual((await run([''])).candidates, [
      'deploy\tdeploy things',
      'help\tdisplay help for command',
    ]);
    assert.deepEqual((await run(['dp', '--m'])).candidates, ['--mode\thow']);
    assert.deepEqual((await run(['dp', '-m', ''])).candidates, ['fast', 'safe']);
    assert.deepEqual((await run(['dp', '-nm', 's'])).candidates, ['safe'], 'a value after clustered flags');
    assert.deepEqual((await run(['dp', '--mode=f'])).candidates, ['fast']);
    assert.deepEqual(await run(['dp', '-mfast', '']), {
      candidates: ['yaml', 'yml'],
      directive: Directive.FilterFileExt,
    });
    assert.deepEqual((await run(['deploy', '-'])).candidates.slice(-2), [
      '--quiet\tsay less',
      '-q\tsay less',
    ]);
    assert.ok(!(await run(['-q', 'deploy', '-'])).candidates.includes('--quiet\tsay less'), 'given already');
  });

  it('after --, everything is an operand', async () => {
    assert.deepEqual(await run(['deploy', '--', '-']), {
      candidates: ['yaml', 'yml'],
      directive: Directive.FilterFileExt,
    });
  });

  it('a names source that throws gives no names', async () => {
    const failing: StoredNames = async () => {
      throw new Error('EIO');
    };
    const r = await complete(
      new Command('tjob').addCommand(new Command('get')),
      ['get', 'jobs', ''],
      {},
      failing,
    );
    assert.deepEqual(r, { candidates: [], directive: Directive.NoFileComp });
  });
});
