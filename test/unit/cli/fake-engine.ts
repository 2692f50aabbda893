// The CLI in process on the fake runtime and a fake clock: the real commands, the real state
// directory, pods that follow a script instead of Docker containers. What the commands print and
// return can then be tested without an engine; test/integration/cli does the same on real Docker.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodPlan } from '../../../src/api/pod.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeRuntime, type PodScript } from '../../support/fake-runtime.js';
import { tempDir } from '../../support/jobs.js';
import { harness, tjob, type Harness } from './helpers.js';

export interface FakeEngineHarness extends Harness {
  clock: FakeClock;
  runtime: FakeRuntime;
  /** Writes a manifest into a temporary directory; returns its path. */
  manifest(text: string, name?: string): string;
  /** Runs `tjob ARGS` while moving the fake clock on, until the command returns. */
  run(...args: string[]): Promise<number>;
  /** Starts `tjob ARGS` and moves the fake clock on until `stop()`; the command's exit code. */
  start(...args: string[]): { done: Promise<number>; stopClock: () => void };
}

/** A step of fake time per turn of the loop: small against the scripts' run times. */
const STEP_MS = 100;

export function fakeEngine(
  script: (plan: PodPlan, attempt: number) => PodScript,
  start = '2024-01-01T09:58:00Z',
): FakeEngineHarness {
  const clock = new FakeClock(start);
  const h = harness({ clock });
  const runtime = new FakeRuntime(clock, script);
  h.ctx.createRuntime = () => Promise.resolve(runtime);
  const files = tempDir('tjob-manifests-');
  let n = 0;
  const startCommand = (...args: string[]) => {
    let running = true;
    const done = tjob(h, ...args).finally(() => (running = false));
    const stopClock = () => (running = false);
    void (async () => {
      // Fake time moves STEP_MS per real millisecond at most: the real pause is not a wait for
      // anything, it keeps this loop from spinning while the command's file I/O is under way.
      // A command that never returns fails the test by its timeout.
      while (running) {
        await clock.advance(STEP_MS);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    return { done, stopClock };
  };
  return {
    ...h,
    clock,
    runtime,
    manifest: (text, name = `m${n++}.yaml`) => {
      const path = join(files, name);
      writeFileSync(path, text);
      return path;
    },
    run: (...args) => startCommand(...args).done,
    start: startCommand,
  };
}

/** A Job manifest with one busybox container (the fake runtime does not read the command). */
export function jobManifest(name: string, spec = 'backoffLimit: 1'): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  ${spec}
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "true"]
`;
}

/** CronJob `cj`, every 5 minutes in UTC, of one busybox container that does not retry. */
export const cronJobManifest = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: cj
spec:
  schedule: "*/5 * * * *"
  timeZone: Etc/UTC
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "true"]
`;
