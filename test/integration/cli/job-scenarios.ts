// The Job-controller scenarios that need no multi-container pod, as one table run through `tjob run`
// on every runtime: the Docker engine (test/integration/cli/job-semantics.test.ts) and a real
// three-node Swarm (test/integration/swarm/job-scenarios.test.ts), with the same assertions.

import assert from 'node:assert/strict';
import type { StoredJob } from '../../../src/ports/job-records.js';
import { FileStore } from '../../../src/state/file-store.js';
import { newStateDir, tjob as tjobCli, writeManifest, type Outcome } from './tjob-cli.js';

export function job(name: string, spec: string, podSpec: string, restartPolicy = 'Never'): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec
  .split('\n')
  .filter(Boolean)
  .map((l) => '  ' + l)
  .join('\n')}
  template:
    spec:
      restartPolicy: ${restartPolicy}
      terminationGracePeriodSeconds: 2
${podSpec
  .split('\n')
  .filter(Boolean)
  .map((l) => '      ' + l)
  .join('\n')}
`;
}

export const sh = (script: string, extra = '') => `containers:
- name: main
  image: busybox
  imagePullPolicy: IfNotPresent
  command: ["sh", "-c", ${JSON.stringify(script)}]
${extra}`;

/** `tjob` on one runtime: the engine settings and --runtime it is run with. */
export interface ScenarioRuntime {
  /** `tjob run FILE --backoff 300ms ARGS` in a new state directory; the job as stored after it. */
  runJob(
    yaml: string,
    args?: string[],
  ): Promise<{ got: Outcome; stored: StoredJob; state: string; name: string }>;
  tjob(args: string[], state: string): Promise<Outcome>;
  /** What of the job still runs on the runtime (containers, services), one line each. */
  running(state: string, job: string): Promise<string[]>;
}

export function scenarioRuntime(
  env: Record<string, string>,
  runArgs: string[],
  running: ScenarioRuntime['running'],
): ScenarioRuntime {
  const tjob = (args: string[], state: string) => tjobCli(args, state, env);
  return {
    tjob,
    running,
    runJob: async (yaml, args = []) => {
      const state = newStateDir();
      const got = await tjob(['run', writeManifest(yaml), '--backoff', '300ms', ...runArgs, ...args], state);
      const name = /name: (\S+)/.exec(yaml)![1]!;
      const stored = await new FileStore(state).loadJob(name);
      return { got, stored: stored!, state, name };
    },
  };
}

export interface JobScenario {
  title: string;
  check: (r: ScenarioRuntime) => Promise<void>;
  /**
   * Why the scenario needs the Docker engine: it relies on something swarm-support reports as
   * approximated on Swarm (src/runtime/swarm/swarm-support.ts). Skipped there, with this reason.
   */
  dockerOnly?: string;
}

export const jobScenarios: JobScenario[] = [
  {
    title: 'maps exit codes to pod phases and counts them',
    check: async (r) => {
      const { got, stored } = await r.runJob(job('exits', 'backoffLimit: 0', sh('exit 7')));
      assert.equal(got.code, 1);
      const pod = stored.pods[0]!;
      assert.equal(pod.observation.phase, 'Failed');
      assert.equal(pod.observation.containerStatuses[0]?.state.terminated?.exitCode, 7);
      assert.equal(stored.job.status.failed, 1);
    },
  },

  {
    title: 'backoffLimit with restartPolicy Never: backoffLimit + 1 pods',
    check: async (r) => {
      const { got, stored } = await r.runJob(job('never', 'backoffLimit: 2', sh('echo try; exit 1')));
      assert.equal(got.code, 1);
      assert.equal(stored.pods.length, 3);
      assert.equal(stored.job.status.failed, 3);
      assert.match(got.stderr, /Failed \(BackoffLimitExceeded\)/);
      assert.match(got.stderr, /Job has reached the specified backoff limit/);
      assert.match(got.stderr, /\| try/);
    },
  },

  {
    title: 'backoffLimit with restartPolicy OnFailure: restarts in place, restartCount visible',
    check: async (r) => {
      const { got, stored } = await r.runJob(
        job('onfail', 'backoffLimit: 2', sh('echo run; exit 1'), 'OnFailure'),
      );
      assert.equal(got.code, 1);
      assert.equal(stored.pods.length, 1, 'one pod, restarted in place');
      const restarts = stored.pods[0]!.observation.containerStatuses[0]?.restartCount ?? 0;
      assert.ok(restarts >= 2, `restartCount ${restarts}`);
      assert.match(got.stderr, /BackoffLimitExceeded/);
    },
  },

  {
    title: 'logs shows the current run of a restarted container, -p the one before it',
    check: async (r) => {
      // The emptyDir outlives the in-place restarts: it counts the runs.
      const script = 'echo x >> /runs/count; n=`wc -l < /runs/count`; echo "run $n"; [ $n -ge 3 ]';
      const pod = `${sh(script, '  volumeMounts: [{name: runs, mountPath: /runs}]')}\nvolumes: [{name: runs, emptyDir: {}}]`;
      const { got, stored, state, name } = await r.runJob(job('reruns', 'backoffLimit: 5', pod, 'OnFailure'));
      assert.equal(got.code, 0, got.stderr);
      assert.equal(stored.pods[0]?.observation.containerStatuses[0]?.restartCount, 2);
      // `tjob run` streamed every run.
      assert.match(got.stdout, /run 1\n[\s\S]*run 2\n[\s\S]*run 3\n/);
      const current = await r.tjob(['logs', name], state);
      assert.equal(current.stdout, 'run 3\n', current.stderr);
      const previous = await r.tjob(['logs', name, '-p'], state);
      assert.equal(previous.stdout, 'run 2\n', previous.stderr);
    },
  },

  {
    title: 'activeDeadlineSeconds stops a running container',
    check: async (r) => {
      const started = Date.now();
      const { got, stored, state } = await r.runJob(
        job('deadline-it', 'activeDeadlineSeconds: 2', sh("trap 'exit 143' TERM; sleep 60 & wait")),
      );
      assert.equal(got.code, 1);
      assert.ok(Date.now() - started < 20_000);
      const failed = stored.job.status.conditions?.find((c) => c.type === 'Failed');
      assert.equal(failed?.reason, 'DeadlineExceeded');
      assert.equal(failed?.message, 'Job was active longer than specified deadline');
      assert.deepEqual(await r.running(state, 'deadline-it'), []);
    },
  },

  {
    title: 'Indexed pods get JOB_COMPLETION_INDEX and the <job>-<index> hostname',
    check: async (r) => {
      const { got, stored } = await r.runJob(
        job(
          'idx',
          'completions: 3\nparallelism: 3\ncompletionMode: Indexed',
          sh('echo "i=$JOB_COMPLETION_INDEX h=$(hostname)"'),
        ),
      );
      assert.equal(got.code, 0);
      for (const i of [0, 1, 2]) assert.match(got.stdout, new RegExp(`i=${i} h=idx-${i}$`, 'm'));
      assert.equal(stored.job.status.completedIndexes, '0-2');
    },
  },

  {
    title: 'podFailurePolicy FailJob on exit code 42',
    check: async (r) => {
      const spec = `backoffLimit: 5
podFailurePolicy:
  rules:
  - action: FailJob
    onExitCodes:
      containerName: main
      operator: In
      values: [42]`;
      const { got, stored } = await r.runJob(job('pfp', spec, sh('exit 42')));
      assert.equal(got.code, 1);
      assert.equal(stored.pods.length, 1);
      const failed = stored.job.status.conditions?.find((c) => c.type === 'Failed');
      assert.equal(failed?.reason, 'PodFailurePolicy');
      assert.match(
        failed?.message ?? '',
        /^Container main for pod default\/pfp-\w{5} failed with exit code 42 matching FailJob rule at index 0$/,
      );
    },
  },
];
