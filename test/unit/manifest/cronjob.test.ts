import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkScheduleSyntax } from '../../../src/manifest/index.js';
import { cronJob, errors, load } from './helpers.js';

const cases: [string, Record<string, unknown>, string[]][] = [
  ['valid', cronJob(), []],
  ['descriptor', cronJob({ schedule: '@hourly' }), []],
  ['@every', cronJob({ schedule: '@every 1h30m' }), []],
  ['empty schedule', cronJob({ schedule: '' }), ['spec.schedule: Required value']],
  [
    'seconds field',
    cronJob({ schedule: '0 * * * * *' }),
    ['spec.schedule: Invalid value: "0 * * * * *": expected exactly 5 fields, found 6: [0 * * * * *]'],
  ],
  [
    'unknown descriptor',
    cronJob({ schedule: '@minutely' }),
    ['spec.schedule: Invalid value: "@minutely": unrecognized descriptor: @minutely'],
  ],
  [
    'day-of-week 7',
    cronJob({ schedule: '0 0 * * 7' }),
    ['spec.schedule: Invalid value: "0 0 * * 7": end of range (7) above maximum (6): 7'],
  ],
  [
    'L is rejected',
    cronJob({ schedule: '0 0 L * *' }),
    [
      'spec.schedule: Invalid value: "0 0 L * *": failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax',
    ],
  ],
  [
    'TZ in schedule',
    cronJob({ schedule: 'TZ=UTC 0 * * * *' }),
    [
      'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ],
  ],
  [
    'CRON_TZ in schedule',
    cronJob({ schedule: 'CRON_TZ=UTC 0 * * * *' }),
    [
      'spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ],
  ],
  ['valid time zone', cronJob({ timeZone: 'Europe/Berlin' }), []],
  [
    'unknown time zone',
    cronJob({ timeZone: 'Mars/Olympus' }),
    ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
  ],
  [
    'wrong-case time zone',
    cronJob({ timeZone: 'america/new_york' }),
    ['spec.timeZone: Invalid value: "america/new_york": unknown time zone america/new_york'],
  ],
  [
    'Local time zone',
    cronJob({ timeZone: 'Local' }),
    [
      'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    ],
  ],
  [
    'negative startingDeadlineSeconds',
    cronJob({ startingDeadlineSeconds: -1 }),
    ['spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0'],
  ],
  [
    'unknown concurrencyPolicy',
    cronJob({ concurrencyPolicy: 'Sometimes' }),
    [
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ],
  ],
  [
    'negative history limits',
    cronJob({ successfulJobsHistoryLimit: -1, failedJobsHistoryLimit: -2 }),
    [
      'spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
      'spec.failedJobsHistoryLimit: Invalid value: -2: must be greater than or equal to 0',
    ],
  ],
  [
    'name longer than 52',
    cronJob({}, 'a'.repeat(53)),
    [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`],
  ],
  [
    'job template restartPolicy',
    cronJob({
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
    }),
    ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  ],
  [
    'job template manualSelector',
    cronJob({
      jobTemplate: {
        spec: {
          manualSelector: true,
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: { a: 'b' } },
            spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' },
          },
        },
      },
    }),
    [
      'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
      'spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"',
    ],
  ],
];

for (const [name, manifest, expected] of cases) {
  test(`cronjob validation: ${name}`, () => {
    assert.deepEqual(errors(manifest), expected);
  });
}

test('schedule syntax: accepted and rejected forms', () => {
  for (const ok of [
    '* * * * *',
    '*/5 0-23/2 1,15 JAN-mar MON-FRI',
    '? ? ? ? ?',
    '@yearly',
    '@annually',
    '@midnight',
    '0 0 30 2 *',
    ' 0  0 * * * ',
  ])
    assert.equal(checkScheduleSyntax(ok), undefined, ok);
  const bad: [string, string][] = [
    ['@daily ', 'unrecognized descriptor: @daily '],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    [
      '1,,2 * * * *',
      'empty item in the minute list: 1,,2 (Kubernetes would read it as "1,2"; tjob rejects it)',
    ],
    ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
  ];
  for (const [s, msg] of bad) assert.equal(checkScheduleSyntax(s), msg, s);
});

test("batch/v1beta1 CronJob is accepted with kubectl's deprecation warning", () => {
  const r = load({ ...cronJob(), apiVersion: 'batch/v1beta1' });
  assert.deepEqual(r.errors, []);
  assert.equal(r.cronJobs[0]?.apiVersion, 'batch/v1');
  assert.deepEqual(r.warnings, [
    'Warning: batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob',
  ]);
});

test('startingDeadlineSeconds 0 warns that the CronJob never runs', () => {
  const r = load(cronJob({ startingDeadlineSeconds: 0 }));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, [
    'Warning: job.yaml: spec.startingDeadlineSeconds: 0 means no job is ever started (a run may start only while less than 0 seconds late)',
  ]);
});

test('CronJob defaults', () => {
  const cj = load(cronJob()).cronJobs[0];
  assert.ok(cj);
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.suspend, false);
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.equal(cj.metadata.namespace, 'default');
  assert.equal(cj.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds, 30);
});
