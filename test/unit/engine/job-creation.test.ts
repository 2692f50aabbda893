// The API server's create sequence for a Job (pkg/registry/batch/job/strategy.go PrepareForCreate,
// staging/src/k8s.io/apiserver/pkg/registry/rest/create.go BeforeCreate).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../../src/api/k8s.js';
import { jobAsCreated } from '../../../src/engine/job-creation.js';
import { defaultJob, withGeneratedSelector } from '../../../src/manifest/index.js';

const NOW = new Date('2026-03-04T05:06:07.890Z');

function userJob(extra: Partial<Job['spec']> = {}, templateLabels?: Record<string, string>): Job {
  return defaultJob({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi' },
    spec: {
      ...extra,
      template: {
        ...(templateLabels ? { metadata: { labels: templateLabels } } : {}),
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
    },
  } as Job);
}

describe('jobAsCreated: the API server create sequence', () => {
  it('gives the uid, the generated selector and pod labels, the creation time and an empty status', () => {
    const created = jobAsCreated(userJob(), 'u-1', NOW);
    assert.equal(created.metadata.uid, 'u-1');
    assert.equal(created.metadata.creationTimestamp, '2026-03-04T05:06:07Z');
    assert.deepEqual(created.status, {});
    assert.deepEqual(created.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    assert.deepEqual(created.spec.template.metadata?.labels, {
      'batch.kubernetes.io/controller-uid': 'u-1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'u-1',
      'job-name': 'pi',
    });
  });

  it('copies the template labels to a Job without labels, and keeps the user’s own', () => {
    const created = jobAsCreated(userJob({}, { app: 'x' }), 'u-2', NOW);
    assert.equal(created.metadata.labels?.['app'], 'x');
    assert.equal(created.spec.template.metadata?.labels?.['app'], 'x');
    assert.equal(created.spec.template.metadata?.labels?.['job-name'], 'pi');
  });

  it('manualSelector: no selector or labels are generated', () => {
    const job = userJob({ manualSelector: true, selector: { matchLabels: { app: 'x' } } }, { app: 'x' });
    const created = jobAsCreated(job, 'u-3', NOW);
    assert.deepEqual(created.spec.selector, { matchLabels: { app: 'x' } });
    assert.deepEqual(created.spec.template.metadata?.labels, { app: 'x' });
  });

  it('a job the loader gave its selector is unchanged but for the creation time and status', () => {
    const loaded = withGeneratedSelector(userJob({}, { app: 'x' }), 'u-4');
    const created = jobAsCreated(loaded, 'u-4', NOW);
    const { status, ...rest } = created;
    assert.deepEqual(status, {});
    assert.deepEqual(rest, {
      ...loaded,
      metadata: { ...loaded.metadata, creationTimestamp: '2026-03-04T05:06:07Z' },
    });
  });

  it('drops a status the object came with, and leaves its input alone', () => {
    const job = { ...userJob(), status: { succeeded: 3 } };
    const before = structuredClone(job);
    assert.deepEqual(jobAsCreated(job, 'u-5', NOW).status, {});
    assert.deepEqual(job, before);
  });
});
