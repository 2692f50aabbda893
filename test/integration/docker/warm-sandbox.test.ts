// Warm sandboxes on the real engine (docs/warm-sandboxes.md): a pod that takes a sandbox prepared
// ahead of it has exactly the identity it would have had (name, hostname, env, labels), nothing of
// a prepared sandbox shows in the job, and no prepared sandbox is left however a run ends.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { FileStore } from '../../../src/state/file-store.js';
import { newStateDir, removeContainersOf, start, tjob, until, writeManifest } from '../cli/tjob-cli.js';

interface JobOpts {
  completions?: number;
  indexed?: boolean;
  script?: string;
  backoffLimit?: number;
  deadline?: number;
}

function jobYaml(name: string, o: JobOpts = {}): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completions: ${o.completions ?? 4}
  parallelism: 1
  backoffLimit: ${o.backoffLimit ?? 6}
${o.indexed ? '  completionMode: Indexed\n' : ''}${o.deadline ? `  activeDeadlineSeconds: ${o.deadline}\n` : ''}  template:
    metadata:
      labels: {team: warm}
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox:latest
        imagePullPolicy: IfNotPresent
        env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: POD_TEAM
          valueFrom: {fieldRef: {fieldPath: "metadata.labels['team']"}}
        command: ["sh", "-c", ${JSON.stringify(o.script ?? 'sleep 3')}]
`;
}

interface Found {
  name: string;
  pod: string;
  podUid: string;
  role: string;
  prepared: boolean;
  state: string;
}

function containersOfJob(uid: string): Found[] {
  const out = execFileSync('docker', [
    'ps',
    '-a',
    '--filter',
    `label=io.tjob.job-uid=${uid}`,
    '--format',
    '{{.Names}}|{{.Label "io.tjob.pod"}}|{{.Label "io.tjob.pod-uid"}}|{{.Label "io.tjob.role"}}|{{.Label "io.tjob.prepared"}}|{{.State}}',
  ]).toString();
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, pod, podUid, role, prepared, state] = l.split('|');
      return {
        name: name!,
        pod: pod!,
        podUid: podUid!,
        role: role!,
        prepared: prepared === 'true',
        state: state!,
      };
    });
}

async function uidOf(stateDir: string, job: string): Promise<string> {
  let uid = '';
  await until(async () => {
    uid = (await new FileStore(stateDir).loadJob(job).catch(() => undefined))?.job.metadata.uid ?? '';
    return uid !== '';
  });
  return uid;
}

/** Prepared sandboxes of the job whose pod has no record: the ones nobody took. */
async function unusedSandboxes(stateDir: string, job: string, uid: string): Promise<Found[]> {
  const stored = await new FileStore(stateDir).loadJob(job).catch(() => undefined);
  const pods = new Set(stored?.pods.map((p) => p.name) ?? []);
  return containersOfJob(uid).filter((c) => c.prepared && !pods.has(c.pod));
}

/** Waits until a sandbox is prepared for a pod not created yet (the feature is at work). */
async function awaitUnusedSandbox(stateDir: string, job: string, uid: string): Promise<void> {
  await until(async () => (await unusedSandboxes(stateDir, job, uid)).length > 0, 60_000);
}

async function assertNoSandboxLeft(stateDir: string, job: string, uid: string): Promise<void> {
  // A run's end removes them before it returns; a moment for the engine to finish a removal.
  await until(async () => (await unusedSandboxes(stateDir, job, uid)).length === 0, 15_000).catch(
    () => undefined,
  );
  assert.deepEqual(await unusedSandboxes(stateDir, job, uid), [], `${job}: no prepared sandbox left`);
  const running = containersOfJob(uid).filter((c) => c.state === 'running' && c.role === 'pause');
  const stored = await new FileStore(stateDir).loadJob(job).catch(() => undefined);
  const live = new Set(
    stored?.pods
      .filter((p) => p.observation.phase === 'Running' || p.observation.phase === 'Pending')
      .map((p) => p.name) ?? [],
  );
  assert.deepEqual(
    running.filter((c) => !live.has(c.pod)),
    [],
    `${job}: no pause container running for a pod that is not`,
  );
}

describe('warm sandboxes (real Docker)', { timeout: 600_000 }, () => {
  it('a pod in a prepared sandbox keeps its identity: name, hostname, env, labels; nothing else shows', async () => {
    const dir = newStateDir();
    for (const indexed of [true, false]) {
      const name = `warm-id-${indexed ? 'ix' : 'nx'}-${process.pid}`;
      const file = writeManifest(
        jobYaml(name, {
          completions: 3,
          indexed,
          script:
            // Long enough for a successor's sandbox to be worth preparing (sandbox-timing.ts).
            'echo "host=$(hostname) env=$HOSTNAME pod=$POD_NAME team=$POD_TEAM idx=$JOB_COMPLETION_INDEX"; sleep 3',
        }),
      );
      try {
        const out = await tjob(['run', '--keep-containers', '--no-logs', '-q', file], dir);
        assert.equal(out.code, 0, out.stderr);
        const state = (await new FileStore(dir).loadJob(name))!;
        const uid = state.job.metadata.uid ?? '';
        const containers = containersOfJob(uid);
        assert.equal(state.pods.length, 3, 'exactly the pods the controller created');
        const creates = state.events.filter((e) => e.reason === 'SuccessfulCreate');
        assert.equal(creates.length, 3);
        let inPrepared = 0;
        for (const pod of state.pods) {
          const logs = await tjob(['logs', pod.name], dir);
          const host = indexed ? `${name}-${pod.index}` : pod.name;
          const idx = indexed ? String(pod.index) : '';
          assert.equal(
            logs.stdout.trim(),
            `host=${host} env=${host} pod=${pod.name} team=warm idx=${idx}`,
            `${pod.name}: identity`,
          );
          assert.equal(pod.labels['team'], 'warm');
          const mine = containers.filter((c) => c.pod === pod.name);
          for (const c of mine) assert.equal(c.podUid, pod.uid, `${c.name}: the pod's uid label`);
          if (mine.some((c) => c.role === 'pause' && c.prepared)) inPrepared++;
        }
        // The first pod has nothing before it; the later ones took the sandbox prepared for them.
        assert.ok(inPrepared >= 1, `some pods started in a prepared sandbox (${inPrepared})`);
        assert.deepEqual(
          containersOfJob(uid).filter((c) => !state.pods.some((p) => p.name === c.pod)),
          [],
          'no container of a pod that is not recorded',
        );
        const pods = await tjob(['get', 'pods', '--job', name, '-o', 'name'], dir);
        assert.equal(pods.stdout.trim().split('\n').length, 3, pods.stdout);
      } finally {
        removeContainersOf(name);
      }
    }
  });

  const endings: {
    how: string;
    opts: JobOpts;
    /** Ends the run once a sandbox is prepared; undefined when the job ends on its own. */
    end?: (child: ReturnType<typeof start>['child'], dir: string, name: string) => Promise<void>;
    code?: number;
  }[] = [
    { how: 'success', opts: { completions: 4 }, code: 0 },
    { how: 'failure', opts: { completions: 4, script: 'sleep 3; exit 1', backoffLimit: 1 }, code: 1 },
    { how: 'deadline', opts: { completions: 50, deadline: 20, script: 'sleep 8' }, code: 1 },
    {
      how: 'suspend',
      opts: { completions: 50, script: 'sleep 3' },
      end: async (child, dir, name) => {
        assert.equal((await tjob(['suspend', `job/${name}`], dir)).code, 0);
        const uid = await uidOf(dir, name);
        // Suspended, the run goes on (waiting for a resume): its sandboxes are gone already.
        await until(async () => (await unusedSandboxes(dir, name, uid)).length === 0, 30_000);
        child.kill('SIGINT');
      },
    },
    {
      how: 'delete',
      opts: { completions: 50, script: 'sleep 3' },
      end: async (_child, dir, name) => {
        assert.equal((await tjob(['delete', 'job', name], dir)).code, 0);
      },
    },
    {
      how: 'SIGINT',
      opts: { completions: 50, script: 'sleep 3' },
      end: (child) => Promise.resolve(void child.kill('SIGINT')),
    },
    {
      how: 'SIGTERM',
      opts: { completions: 50, script: 'sleep 3' },
      end: (child) => Promise.resolve(void child.kill('SIGTERM')),
    },
  ];
  for (const e of endings) {
    it(`no prepared sandbox is left after ${e.how}`, async () => {
      const dir = newStateDir();
      const name = `warm-end-${e.how.toLowerCase()}-${process.pid}`;
      const run = start(['run', '--no-logs', '-q', writeManifest(jobYaml(name, e.opts))], dir);
      try {
        const uid = await uidOf(dir, name);
        await awaitUnusedSandbox(dir, name, uid);
        await e.end?.(run.child, dir, name);
        const out = await run.done;
        if (e.code !== undefined) assert.equal(out.code, e.code, out.stderr);
        await assertNoSandboxLeft(dir, name, uid);
      } finally {
        run.child.kill('SIGKILL');
        removeContainersOf(name);
      }
    });
  }

  it('after kill -9, the next run removes the sandbox nobody took and finishes clean', async () => {
    const dir = newStateDir();
    const name = `warm-kill-${process.pid}`;
    // Pods long enough that the sandbox seen unused is still unused when the kill comes.
    const file = writeManifest(jobYaml(name, { completions: 4, script: 'sleep 6' }));
    const first = start(['run', '--no-logs', '-q', file], dir);
    try {
      const uid = await uidOf(dir, name);
      await awaitUnusedSandbox(dir, name, uid);
      first.child.kill('SIGKILL');
      await first.done;
      const left = await unusedSandboxes(dir, name, uid);
      assert.ok(left.length > 0, 'the killed run left its prepared sandbox');
      const again = await tjob(['run', '--no-logs', '-q', file], dir);
      assert.equal(again.code, 0, again.stderr);
      for (const c of left)
        assert.ok(!containersOfJob(uid).some((x) => x.name === c.name), `${c.name} was removed`);
      await assertNoSandboxLeft(dir, name, uid);
      const state = (await new FileStore(dir).loadJob(name))!;
      assert.equal(state.job.status.succeeded, 4);
    } finally {
      first.child.kill('SIGKILL');
      removeContainersOf(name);
    }
  });
});
