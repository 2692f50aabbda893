// What `tjob run` and `tjob get` put on a terminal and in a pipe (docs/cli.md#global-options: colour only
// on a terminal, never with NO_COLOR or TERM=dumb, never in -o json/yaml/name; FORCE_COLOR forces
// it; a live status line on a terminal, timestamped progress lines otherwise). The built CLI runs
// in a pseudo-terminal made by util-linux `script` (its stdout and stderr both on the terminal) and
// with pipes. Real Docker; each run has its own state directory and job name.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, newStateDir, writeManifest } from './tjob-cli.js';

/* eslint-disable no-control-regex -- terminal escapes are what this file checks */

const BIN = join(ROOT, 'bin', 'tjob.js');
const HAVE_SCRIPT = spawnSync('sh', ['-c', 'command -v script']).status === 0;

/** Select Graphic Rendition (colour, dim) escapes; `\r\x1b[2K` is the live line's erase. */
const SGR = /\x1b\[[0-9;]*m/;
const ERASE_LINE = '\r\x1b[2K';
const TIMESTAMPED = /^\d\d:\d\d:\d\d /;

interface Run {
  code: number | null;
  /** On a terminal: stdout and stderr as the terminal received them (CRLF line ends). */
  stdout: string;
  stderr: string;
}

function manifest(): { name: string; file: string } {
  const name = `tty-${randomBytes(3).toString('hex')}`;
  const file = writeManifest(`apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completions: 2
  parallelism: 2
  template:
    spec:
      containers:
        - name: work
          image: busybox
          imagePullPolicy: IfNotPresent
          command: ["sh", "-c", "echo hello from $HOSTNAME; sleep 1; echo bye"]
      restartPolicy: Never
`);
  return { name, file };
}

/** The environment of a run: nothing inherited that decides colour, plus `env`. */
function envWith(stateDir: string, env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, TJOB_STATE_DIR: stateDir, TERM: 'xterm-256color' };
  delete base.NO_COLOR;
  delete base.FORCE_COLOR;
  return { ...base, ...env };
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI in a pseudo-terminal (stdin /dev/null). Its size is what `script` gives it (no
 * columns at all, with no terminal to copy them from) unless `TJOB_TEST_COLUMNS` is set.
 */
function onTerminal(args: string[], stateDir: string, env: Record<string, string> = {}): Promise<Run> {
  const columns = env.TJOB_TEST_COLUMNS;
  const command =
    (columns ? `stty cols ${Number(columns)} rows 24 && exec ` : '') +
    [process.execPath, BIN, ...args].map(shQuote).join(' ');
  return collect(
    spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      env: envWith(stateDir, env),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

function inPipe(args: string[], stateDir: string, env: Record<string, string> = {}): Promise<Run> {
  return collect(
    spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: envWith(stateDir, env),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

function collect(child: ReturnType<typeof spawn>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const visible = (s: string) => JSON.stringify(s.length > 3000 ? `${s.slice(0, 3000)}…` : s);

describe(
  'on a terminal and in a pipe',
  { skip: !HAVE_SCRIPT && 'util-linux script is not installed' },
  () => {
    // The job runs are independent: start them all at once.
    const runs: Record<string, Promise<Run & { name: string; stateDir: string }>> = {};
    const start = (
      key: string,
      how: typeof onTerminal,
      env: Record<string, string> = {},
      extra: string[] = [],
    ) => {
      const { name, file } = manifest();
      const stateDir = newStateDir();
      runs[key] = how(['run', file, ...extra], stateDir, env).then((r) => ({ ...r, name, stateDir }));
    };

    before(() => {
      start('terminal', onTerminal);
      start('pipe', inPipe);
      start('terminal NO_COLOR', onTerminal, { NO_COLOR: '1' });
      start('terminal TERM=dumb', onTerminal, { TERM: 'dumb' });
      start('terminal --no-color', onTerminal, {}, ['--no-color']);
      start('pipe FORCE_COLOR', inPipe, { FORCE_COLOR: '1' });
      start('terminal 30 columns', onTerminal, { TJOB_TEST_COLUMNS: '30' });
    });

    it(
      'a terminal gets colour, a colour per pod, and the live status line',
      { timeout: 180_000 },
      async () => {
        const r = await runs['terminal']!;
        assert.equal(r.code, 0, visible(r.stdout));
        assert.match(r.stdout, SGR, visible(r.stdout));
        assert.ok(r.stdout.includes(ERASE_LINE), `no live line: ${visible(r.stdout)}`);
        // The pods' prefixes [POD/work], each in its own colour.
        const prefixColours = new Map<string, string>();
        for (const m of r.stdout.matchAll(/\x1b\[(\d+)m\[([^/\]]+)\/work\]/g))
          prefixColours.set(m[2]!, m[1]!);
        assert.equal(prefixColours.size, 2, visible(r.stdout));
        assert.equal(new Set(prefixColours.values()).size, 2, 'a colour per pod');
        // The live line: counts of the job, never cut short on a terminal that reports no width.
        assert.match(r.stdout, new RegExp(`${r.name}: \\d+ active, \\d+ succeeded, \\d+ failed`));
        assert.match(r.stdout, new RegExp(`job\\.batch/${r.name} \\x1b\\[32mComplete\\x1b\\[39m`));
      },
    );

    it(
      'a pipe gets neither colour nor the live line, and progress lines carry the time',
      { timeout: 180_000 },
      async () => {
        const r = await runs['pipe']!;
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stdout + r.stderr, /\x1b/, visible(r.stdout + r.stderr));
        assert.ok(!(r.stdout + r.stderr).includes('\r'));
        assert.match(r.stdout, new RegExp(`^\\[${r.name}-\\w{5}/work\\] hello from ${r.name}-\\w{5}$`, 'm'));
        const lines = r.stderr.trimEnd().split('\n');
        const result = lines.findIndex((l) => l.startsWith(`job.batch/${r.name} Complete`));
        assert.ok(result > 0, r.stderr);
        const progress = lines.slice(0, result);
        assert.ok(
          progress.some((l) => l.includes('created pod')),
          r.stderr,
        );
        for (const l of progress) assert.match(l, TIMESTAMPED);
      },
    );

    it(
      'the live line fits a narrow terminal (cut with …), so that erasing it erases all of it',
      { timeout: 180_000 },
      async () => {
        const r = await runs['terminal 30 columns']!;
        assert.equal(r.code, 0, visible(r.stdout));
        const drawn = [...r.stdout.matchAll(/\x1b\[2m([^\x1b]*)\x1b\[22m\r\x1b\[2K/g)].map((m) => m[1]!);
        assert.ok(drawn.length > 0, visible(r.stdout));
        for (const line of drawn) {
          assert.ok(line.length < 30, `${JSON.stringify(line)} is ${line.length} wide`);
          assert.ok(line.endsWith('…'), line);
        }
      },
    );

    for (const key of ['terminal NO_COLOR', 'terminal TERM=dumb', 'terminal --no-color']) {
      it(`${key}: no colour on the terminal`, { timeout: 180_000 }, async () => {
        const r = await runs[key]!;
        assert.equal(r.code, 0, visible(r.stdout));
        assert.doesNotMatch(r.stdout, SGR, visible(r.stdout));
        assert.match(r.stdout, new RegExp(`job\\.batch/${r.name} Complete \\(CompletionsReached\\)`));
        if (key === 'terminal TERM=dumb') {
          // A dumb terminal cannot erase a line: plain timestamped progress lines instead.
          assert.doesNotMatch(r.stdout, /\x1b/, visible(r.stdout));
          assert.match(r.stdout, new RegExp(`^\\d\\d:\\d\\d:\\d\\d job/${r.name}: created pod`, 'm'));
        } else {
          assert.ok(r.stdout.includes(ERASE_LINE), `the live line stays: ${visible(r.stdout)}`);
        }
      });
    }

    it('FORCE_COLOR=1 colours a pipe (but draws no live line there)', { timeout: 180_000 }, async () => {
      const r = await runs['pipe FORCE_COLOR']!;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^\\x1b\\[\\d+m\\[${r.name}-\\w{5}/work\\]\\x1b\\[39m hello`, 'm'));
      assert.match(r.stderr, SGR);
      assert.ok(!r.stderr.includes('\r'));
      assert.match(r.stderr, /^\d\d:\d\d:\d\d job\//m);
    });

    it(
      '-o json, -o yaml and -o name never carry colour, even with FORCE_COLOR',
      { timeout: 180_000 },
      async () => {
        const { name, stateDir } = await runs['pipe']!;
        for (const how of [onTerminal, inPipe]) {
          for (const format of ['json', 'yaml', 'name']) {
            for (const what of [['jobs'], ['pods'], ['job', name]]) {
              const r = await how(['get', ...what, '-o', format], stateDir, { FORCE_COLOR: '1' });
              assert.equal(r.code, 0, visible(r.stdout + r.stderr));
              assert.doesNotMatch(
                r.stdout + r.stderr,
                /\x1b/,
                `${how.name} get ${what.join(' ')} -o ${format}`,
              );
              assert.ok(r.stdout.includes(name));
            }
          }
          const json = await how(['get', 'job', name, '-o', 'json'], stateDir, { FORCE_COLOR: '1' });
          const parsed = JSON.parse(json.stdout) as { status: { succeeded: number } };
          assert.equal(parsed.status.succeeded, 2);
        }
      },
    );
  },
);
