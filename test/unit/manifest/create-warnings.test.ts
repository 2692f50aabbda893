import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronJob, job, load } from './helpers.js';

const dnsLabelWarning = (source: string, why: string) =>
  `Warning: ${source}: metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [${why}]`;

const bigIndexed = { completionMode: 'Indexed', completions: 100_001, parallelism: 10_001 };
const bigIndexedWarning = (source: string, path: string) =>
  `Warning: ${source}: ${path}: In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes fail`;

// [case, manifest, expected warnings]
const cases: [string, Record<string, unknown>, string[]][] = [
  ['a Job named with a DNS label', job(), []],
  ['a Job named with dots', job({}, {}, 'my.job'), [dnsLabelWarning('job.yaml', 'must not contain dots')]],
  [
    'a CronJob named with dots',
    cronJob({}, 'my.cron'),
    [dnsLabelWarning('job.yaml', 'must not contain dots')],
  ],
  ['a CronJob named with a DNS label', cronJob(), []],
  ['an invalid Job: errors, no warning', job({ parallelism: -1 }, {}, 'my.job'), []],
  ['a big Indexed Job', job(bigIndexed), [bigIndexedWarning('job.yaml', 'spec')]],
  [
    'an Indexed Job at the limits',
    job({ completionMode: 'Indexed', completions: 100_000, parallelism: 10_001 }),
    [],
  ],
  [
    'a CronJob of big Indexed Jobs',
    cronJob({
      jobTemplate: {
        spec: {
          ...bigIndexed,
          template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } },
        },
      },
    }),
    [bigIndexedWarning('job.yaml', 'spec.jobTemplate.spec')],
  ],
];

for (const [name, manifest, want] of cases)
  test(`create warnings: ${name}`, () => {
    assert.deepEqual(load(manifest).warnings, want);
  });
