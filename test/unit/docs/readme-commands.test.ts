// Every tjob command line the README shows is run by a test. The map below names, for each
// command line in a README code block (sh/console blocks, and `run:` steps of YAML blocks), the
// real-Docker test that runs it; the test fails when the README shows a command the map lacks,
// when the map keeps a command the README dropped, or when the named test (or the command text)
// is not in the named file.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../../..');

interface Covered {
  file: string;
  test: string;
  /** The command as the test runs it, when it differs from the README line. */
  runs?: string;
}

const FIRST = 'test/integration/docs/first-steps.test.ts';
const PATTERNS = 'test/integration/docs/patterns.test.ts';
const INSPECT = 'test/integration/docs/inspect-and-resume.test.ts';
const CRON_CI = 'test/integration/docs/cron-and-ci.test.ts';
const BROKERS = 'test/integration/brokers/work-queues.test.ts';
/** Needs no engine: what Swarm does with each field is printed before anything talks to one. */
const SWARM_REPORT = 'test/unit/cli/runtime-choice.test.ts';
/** On a real three-node Swarm (scripts/swarm-cluster.sh), with DOCKER_HOST naming its manager. */
const SWARM_CLI = 'test/integration/swarm/cli.test.ts';

const UI = 'test/integration/ui/browser.test.ts';
const METRICS = 'test/integration/ui/prometheus.test.ts';

export const readmeCommands: Record<string, Covered> = {
  'tjob ui': {
    file: UI,
    test: 'prints the URL with its token alone on a line; refuses other Hosts and requests without it',
    runs: "start(['ui']",
  },
  'tjob cron start samples/cronjob-hello.yaml --metrics 127.0.0.1:9464': {
    file: METRICS,
    test: 'the job and cronjob series and tjob’s own reach Prometheus with the state’s values',
    runs: "'cron', 'start', manifest, '--metrics'",
  },
  'npm install && npm run setup && ./bin/tjob.js run --replace samples/job-hello.yaml': {
    file: FIRST,
    test: 'quick start: ./bin/tjob.js run --replace samples/job-hello.yaml',
    runs: './bin/tjob.js run --replace samples/job-hello.yaml',
  },
  'tjob run samples/job-parallel.yaml': {
    file: FIRST,
    test: 'a first job: tjob run samples/job-parallel.yaml',
  },
  'tjob run samples/job-fails.yaml --backoff 1s': {
    file: FIRST,
    test: 'a failing job, with --backoff and with TJOB_BACKOFF',
  },
  'tjob validate samples/job-parallel.yaml': {
    file: FIRST,
    test: 'checking manifests: validate, --dry-run, render',
  },
  'tjob validate samples/': {
    file: FIRST,
    test: 'checking manifests: validate, --dry-run, render',
  },
  'tjob run samples/job-parallel.yaml --dry-run': {
    file: FIRST,
    test: 'checking manifests: validate, --dry-run, render',
  },
  'tjob render samples/job-parallel.yaml': {
    file: FIRST,
    test: 'checking manifests: validate, --dry-run, render',
  },
  'TJOB_BACKOFF=1s tjob run samples/job-fails.yaml': {
    file: FIRST,
    test: 'a failing job, with --backoff and with TJOB_BACKOFF',
  },
  'tjob --state-dir /tmp/tjob-demo run samples/job-hello.yaml --keep-containers': {
    file: FIRST,
    test: 'configuration: --state-dir and --keep-containers',
  },
  'tjob --state-dir /tmp/tjob-demo get pods': {
    file: FIRST,
    test: 'configuration: --state-dir and --keep-containers',
  },

  'tjob run samples/templates/process-item.yaml --items apple,banana,cherry': {
    file: PATTERNS,
    test: 'pattern 1: one job per item, listed and deleted by label',
  },
  'tjob get jobs -l jobgroup=jobexample': {
    file: PATTERNS,
    test: 'pattern 1: one job per item, listed and deleted by label',
  },
  'tjob delete job -l jobgroup=jobexample': {
    file: PATTERNS,
    test: 'pattern 1: one job per item, listed and deleted by label',
  },
  'tjob run samples/templates/process-item.yaml --items-file items.txt --max-jobs 1': {
    file: PATTERNS,
    test: 'pattern 1: items from a file, at most one job at a time, and --set',
  },
  'tjob run samples/templates/process-item.yaml --set ITEM=kiwi': {
    file: PATTERNS,
    test: 'pattern 1: items from a file, at most one job at a time, and --set',
  },
  'tjob render samples/templates/process-item.yaml --items apple,banana,cherry | kubectl apply -f -': {
    file: PATTERNS,
    test: 'pattern 1: render | kubectl apply -f -',
  },
  'tjob run samples/job-wq-1.yaml': {
    file: PATTERNS,
    test: 'pattern 2: fixed completions, each pod takes one item from the queue',
  },
  'tjob logs job-wq-1': {
    file: PATTERNS,
    test: 'pattern 2: fixed completions, each pod takes one item from the queue',
  },
  'tjob validate samples/brokers/': { file: PATTERNS, test: 'pattern 2: the broker samples are valid Jobs' },
  // On a network of the test's own (names are the engine's, shared by every run on it).
  'tjob run samples/brokers/job-wq-1.yaml --network tjob-demo': {
    file: BROKERS,
    test: 'pattern 2: job-wq-1 takes one message per pod; every message consumed once, none left',
    runs: 'tjob run samples/brokers/job-wq-1.yaml --network ',
  },
  'tjob run samples/brokers/job-wq-2.yaml --network tjob-demo': {
    file: BROKERS,
    test: 'pattern 3: job-wq-2 workers drain the queue and exit; the job completes',
    runs: 'tjob run samples/brokers/job-wq-2.yaml --network ',
  },
  'tjob run samples/brokers/job-wq-2-redis.yaml --network tjob-demo': {
    file: BROKERS,
    test: 'pattern 3 on Redis: every item processed once, the list and its processing list empty',
    runs: 'tjob run samples/brokers/job-wq-2-redis.yaml --network ',
  },
  'tjob run samples/job-wq-2.yaml': {
    file: PATTERNS,
    test: 'pattern 3: parallelism without completions drains the queue',
  },
  'tjob get job job-wq-2': {
    file: PATTERNS,
    test: 'pattern 3: parallelism without completions drains the queue',
  },

  'tjob apply -f samples/cronjob-hello.yaml': {
    file: CRON_CI,
    test: 'cronjobs: apply, cron start, list, next, trigger, delete',
  },
  'tjob cron start': { file: CRON_CI, test: 'cronjobs: apply, cron start, list, next, trigger, delete' },
  'tjob cron list': { file: CRON_CI, test: 'cronjobs: apply, cron start, list, next, trigger, delete' },
  'tjob cron next hello': { file: CRON_CI, test: 'cronjobs: apply, cron start, list, next, trigger, delete' },
  'tjob cron trigger hello': {
    file: CRON_CI,
    test: 'cronjobs: apply, cron start, list, next, trigger, delete',
  },
  'tjob delete cronjob hello': {
    file: CRON_CI,
    test: 'cronjobs: apply, cron start, list, next, trigger, delete',
  },
  'tjob run samples/job-hello.yaml --report junit.xml': {
    file: CRON_CI,
    test: 'ci: tjob run --report junit.xml',
  },
  'tjob run samples/job-fails.yaml --backoff 1s --report junit.xml': {
    file: CRON_CI,
    test: 'ci: tjob run --report junit.xml',
  },

  'tjob run -d samples/job-parallel.yaml': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob suspend job parallel': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob resume job parallel': {
    file: INSPECT,
    test: 'resumption: Ctrl-C, run again, kill -9, resume, --replace',
  },
  'tjob wait job/parallel --for=condition=Complete --timeout=2m': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob get jobs': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob get pods --job parallel': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob get job parallel -o yaml': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob describe job parallel': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob logs parallel': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob logs parallel --tail 1 --timestamps': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob delete job parallel': {
    file: INSPECT,
    test: 'inspecting: run -d, suspend, resume, wait, get, describe, logs, delete',
  },
  'tjob run --replace samples/job-parallel.yaml': {
    file: INSPECT,
    test: 'resumption: Ctrl-C, run again, kill -9, resume, --replace',
  },
  'tjob validate --runtime swarm samples/job-parallel.yaml': {
    file: SWARM_REPORT,
    test: 'the report on Swarm of samples/job-parallel.yaml, from validate and run --dry-run',
    runs: "'validate', '--runtime', 'swarm', 'samples/job-parallel.yaml'",
  },
  'tjob run --dry-run --runtime swarm samples/job-parallel.yaml': {
    file: SWARM_REPORT,
    test: 'the report on Swarm of samples/job-parallel.yaml, from validate and run --dry-run',
    runs: "'run', '--dry-run', '--runtime', 'swarm', 'samples/job-parallel.yaml'",
  },
  'tjob run --runtime swarm samples/job-parallel.yaml': {
    file: SWARM_CLI,
    test: 'tjob run --runtime swarm samples/job-parallel.yaml: completes on the cluster’s nodes',
    runs: "'run', '--runtime', 'swarm', 'samples/job-parallel.yaml'",
  },
  'tjob get pods -o wide': {
    file: SWARM_CLI,
    test: 'tjob run --runtime swarm samples/job-parallel.yaml: completes on the cluster’s nodes',
    runs: "'get', 'pods', '-o', 'wide'",
  },
  'tjob cron start --runtime swarm': {
    file: SWARM_CLI,
    test: 'tjob cron start --runtime swarm: a triggered job runs on the cluster, driven by the scheduler',
    runs: "'cron', 'start', '--runtime', 'swarm'",
  },
  'tjob render samples/job-parallel.yaml | kubectl apply -f -': {
    file: PATTERNS,
    test: 'pattern 1: render | kubectl apply -f -',
  },
};

const TJOB = /(^|[\s|&;(])(tjob|\.\/bin\/tjob\.js)\s/;

/** The tjob command lines of the README's code blocks, comments stripped, whitespace collapsed. */
export function readmeCommandLines(markdown: string): string[] {
  const out: string[] = [];
  const fence = /^```(\w*)[^\n]*\n([\s\S]*?)^```/gm;
  for (const block of markdown.matchAll(fence)) {
    const lang = block[1] ?? '';
    for (const raw of (block[2] ?? '').split('\n')) {
      let cmd: string | undefined;
      if (lang === 'sh' || lang === 'bash') cmd = raw;
      else if (lang === 'console') cmd = raw.startsWith('$ ') ? raw.slice(2) : undefined;
      else if (lang === 'yaml' || lang === 'yml') cmd = /^\s*-?\s*run:\s*(.*)$/.exec(raw)?.[1];
      if (cmd === undefined) continue;
      cmd = cmd
        .replace(/(^|\s)#.*$/, '')
        .replace(/\s+/g, ' ')
        .trim();
      if (cmd && TJOB.test(cmd) && !out.includes(cmd)) out.push(cmd);
    }
  }
  return out;
}

describe('README commands', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const commands = readmeCommandLines(readme);

  it('finds the README commands (the extractor works)', () => {
    assert.ok(commands.length >= 30, `only ${commands.length} commands found`);
    assert.ok(commands.includes('tjob run samples/job-parallel.yaml'), 'console blocks');
    assert.ok(commands.includes('tjob run samples/job-hello.yaml --report junit.xml'), 'workflow run: steps');
    assert.ok(
      commands.some((c) => c.startsWith('npm install && npm run setup && ./bin/tjob.js')),
      'quick start',
    );
  });

  it('keeps the two quick-start commands at the top', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(
      firstBlock,
      /^npm install && npm run setup && \.\/bin\/tjob\.js run --replace samples\/job-hello\.yaml\s/m,
    );
    assert.match(firstBlock, /^npm test\s/m);
  });

  it('maps every README command to a test', () => {
    const missing = commands.filter((c) => !(c in readmeCommands));
    assert.deepEqual(missing, [], 'README commands with no test: add them to readmeCommands');
  });

  it('has no stale entries', () => {
    const stale = Object.keys(readmeCommands).filter((c) => !commands.includes(c));
    assert.deepEqual(stale, [], 'commands no longer in the README');
  });

  it('names tests that exist and run the command', () => {
    const problems: string[] = [];
    for (const [cmd, where] of Object.entries(readmeCommands)) {
      let source: string;
      try {
        source = readFileSync(join(ROOT, where.file), 'utf8');
      } catch {
        problems.push(`${cmd}: ${where.file} not found`);
        continue;
      }
      if (!source.includes(`'${where.test}'`))
        problems.push(`${cmd}: no test '${where.test}' in ${where.file}`);
      const runs = where.runs ?? cmd;
      if (!source.includes(runs)) problems.push(`${cmd}: ${where.file} does not run "${runs}"`);
    }
    assert.deepEqual(problems, []);
  });
});
