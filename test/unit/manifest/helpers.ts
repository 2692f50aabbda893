// Helpers for the manifest tests: build manifests as objects, load them, read errors as strings.

import { dump } from 'js-yaml';
import { formatFieldError } from '../../../src/api/errors.js';
import { loadManifests, type LoadResult, type TemplateParams } from '../../../src/manifest/index.js';

export const repoRoot = new URL('../../../../', import.meta.url);

type R = Record<string, unknown>;

/** A valid Job; `spec` and `pod` are merged into its spec and pod spec. */
export function job(spec: R = {}, pod: R = {}, name = 'pi'): R {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: {
        spec: {
          containers: [{ name: 'main', image: 'busybox' }],
          restartPolicy: 'Never',
          ...pod,
        },
      },
    },
  };
}

export function cronJob(spec: R = {}, name = 'hello'): R {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: {
        spec: {
          template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } },
        },
      },
      ...spec,
    },
  };
}

export function load(docs: R | R[] | string, params: TemplateParams = {}, name = 'job.yaml'): LoadResult {
  const text =
    typeof docs === 'string' ? docs : (Array.isArray(docs) ? docs : [docs]).map((d) => dump(d)).join('---\n');
  return loadManifests([{ name, text }], params, { uid: () => 'uid-1', random: () => 0 });
}

/** `path: message` of every error (without the source). */
export function errors(docs: R | R[] | string, params: TemplateParams = {}): string[] {
  return load(docs, params).errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
}

/** Full `source: path: message` lines. */
export function fullErrors(r: LoadResult): string[] {
  return r.errors.map(formatFieldError);
}
