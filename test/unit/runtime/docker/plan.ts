// A PodPlan for the Docker mapping tests.
import type { Container, PodSpec } from '../../../../src/api/k8s.js';
import type { PodPlan } from '../../../../src/api/pod.js';

export function testPlan(overrides: Partial<PodPlan> = {}, spec: Partial<PodSpec> = {}): PodPlan {
  return {
    name: 'pi-0-abcde',
    uid: 'pod-uid-1',
    namespace: 'default',
    jobName: 'pi',
    jobUid: 'job-uid-1',
    labels: { 'batch.kubernetes.io/job-name': 'pi', app: 'calc' },
    annotations: { note: 'hello' },
    hostname: 'pi-0',
    spec: { containers: [{ name: 'main', image: 'busybox:latest' }], restartPolicy: 'Never', ...spec },
    configMaps: {},
    secrets: {},
    ...overrides,
  };
}

export function testContainer(overrides: Partial<Container> = {}): Container {
  return { name: 'main', image: 'busybox:latest', ...overrides };
}

export const node = { nodeName: 'node-1', hostIP: '10.0.0.1', nodeCpu: 4, nodeMemoryBytes: 8 * 1024 ** 3 };
