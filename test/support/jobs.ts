// Defaulted Job objects for engine and CLI tests.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, JobCondition, JobSpec } from '../../src/api/k8s.js';
import type { PodRecord } from '../../src/api/pod.js';

export function testJob(
  name: string,
  spec: Partial<JobSpec> = {},
  restartPolicy: 'Never' | 'OnFailure' = 'Never',
): Job {
  const uid = randomUUID();
  const labels = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid, labels, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      parallelism: 1,
      completions: 1,
      completionMode: 'NonIndexed',
      backoffLimit: 6,
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      ...spec,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy,
          terminationGracePeriodSeconds: 30,
          containers: [{ name: 'main', image: 'busybox:latest', command: ['sh', '-c', 'exit 0'] }],
        },
      },
    },
  };
}

const made: string[] = [];
// A test process leaves no directory of its own behind (thousands over the suite otherwise). One
// that cannot go (a mount a failed test left on it) stays for the machine's clean-up.
process.once('exit', () => {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // left as it is
    }
  }
});

/** A new directory under the system's temp directory, removed when the test process exits. */
export function tempDir(prefix = 'tjob-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A pod record as the store keeps it, with no container statuses. */
export function podRecord(name: string, phase: PodRecord['observation']['phase'] = 'Running'): PodRecord {
  return {
    name,
    uid: `${name}-uid`,
    createdAt: '2026-01-01T00:00:00.000Z',
    labels: {},
    annotations: {},
    hostname: name,
    tracked: true,
    observation: {
      name,
      phase,
      ready: false,
      terminating: false,
      initContainerStatuses: [],
      containerStatuses: [],
    },
  };
}

/** A job's conditions as upstream's tests compare them: type, status, reason and message. */
export function conditionsOf(job: Job): Array<Pick<JobCondition, 'type' | 'status' | 'reason' | 'message'>> {
  return (job.status?.conditions ?? []).map(({ type, status, reason, message }) => ({
    type,
    status,
    reason,
    message,
  }));
}
