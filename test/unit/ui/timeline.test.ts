// The job timeline's layout and SVG, and the CronJob slots: rows per pod attempt or per index,
// pending/running/outcome segments, backoff gaps, the deadline, aggregation past the pixel budget.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, JobStatus } from '../../../src/api/k8s.js';
import type { PodRecord } from '../../../src/api/pod.js';
import { jobObject } from '../../../src/output/objects.js';
import { COLORS, layoutTimeline, timelineSvg } from '../../../src/ui/timeline.js';
import { layoutSlots, slotsSvg } from '../../../src/ui/cron-slots.js';
import { podRecord, testJob } from '../../support/jobs.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** A pod created at `created` s, its container started at `started` s, finished at `finished` s. */
function pod(
  name: string,
  phase: PodRecord['observation']['phase'],
  created: number,
  started?: number,
  finished?: number,
  index?: number,
): PodRecord {
  const p = podRecord(name, phase);
  p.createdAt = at(created);
  if (index !== undefined) p.index = index;
  p.observation.startTime = at(created);
  if (finished !== undefined) p.observation.finishTime = at(finished);
  if (started !== undefined)
    p.observation.containerStatuses = [
      {
        name: 'main',
        ready: false,
        restartCount: 0,
        state:
          finished !== undefined
            ? {
                terminated: {
                  exitCode: phase === 'Failed' ? 1 : 0,
                  startedAt: at(started),
                  finishedAt: at(finished),
                },
              }
            : { running: { startedAt: at(started) } },
      } as never,
    ];
  return p;
}

function job(status: JobStatus, spec = {}) {
  const j = testJob('demo', spec);
  j.metadata.creationTimestamp = at(0);
  return jobObject({ ...j, status: { startTime: at(0), ...status } });
}

describe('timeline layout', () => {
  it('one row per attempt: pending until a container started, then coloured by the outcome', () => {
    const t = layoutTimeline(
      job({}),
      [pod('a', 'Failed', 0, 1, 3), pod('b', 'Running', 5, 6)],
      new Date(T0 + 10_000),
    );
    assert.deepEqual(
      t.rows.map((r) =>
        r.bars.map((b) => b.segments.map((s) => [s.kind, (s.from - T0) / 1000, (s.to - T0) / 1000])),
      ),
      [
        [
          [
            ['pending', 0, 1],
            ['failed', 1, 3],
          ],
        ],
        [
          [
            ['pending', 5, 6],
            ['running', 6, 10],
          ],
        ],
      ],
    );
    // The replacement of the failed pod waited out the backoff: the gap from 3 s to 5 s.
    assert.deepEqual(
      t.rows[1]!.gaps.map((g) => [g.kind, (g.from - T0) / 1000, (g.to - T0) / 1000]),
      [['backoff', 3, 5]],
    );
    assert.equal(t.to, T0 + 10_000, 'an unfinished job runs to now');
  });

  it('Indexed: one row per index, its attempts one after another', () => {
    const t = layoutTimeline(
      job({}, { completionMode: 'Indexed', completions: 2 }),
      [
        pod('x-0', 'Succeeded', 0, 1, 2, 0),
        pod('x-1a', 'Failed', 0, 1, 2, 1),
        pod('x-1b', 'Succeeded', 4, 4, 5, 1),
      ],
      new Date(T0 + 6000),
    );
    assert.deepEqual(
      t.rows.map((r) => [r.label, r.bars.map((b) => b.pod)]),
      [
        ['index 0', ['x-0']],
        ['index 1', ['x-1a', 'x-1b']],
      ],
    );
    assert.equal(t.rows[1]!.gaps.length, 1);
    assert.equal(t.rows[0]!.gaps.length, 0);
  });

  it('the deadline is a line inside the axis when the job reached it, and the conditions are markers', () => {
    const failed = job(
      {
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'DeadlineExceeded',
            lastProbeTime: at(5),
            lastTransitionTime: at(5),
          },
        ],
      },
      { activeDeadlineSeconds: 5 },
    );
    const t = layoutTimeline(failed, [pod('a', 'Failed', 0, 1, 5)], new Date(T0 + 60_000));
    assert.equal(t.deadline, T0 + 5000);
    assert.ok(t.to < T0 + 7000, 'a finished job ends the axis, not now');
    assert.deepEqual(t.markers, [{ at: T0 + 5000, label: 'Failed (DeadlineExceeded)' }]);
    const svg = timelineSvg(t);
    assert.match(svg, /<g class="deadline"><line/);
    assert.match(svg, /<title>Failed \(DeadlineExceeded\)<\/title>/);
    assert.match(
      svg,
      new RegExp(`<g class="pod" data-pod="a" data-phase="Failed">.*fill="${COLORS.failed}"`),
    );
  });
});

describe('timeline SVG at scale', () => {
  const pods = Array.from({ length: 1000 }, (_, i) =>
    pod(
      `p-${String(i).padStart(4, '0')}`,
      i % 10 === 0 ? 'Failed' : 'Succeeded',
      i * 0.1,
      i * 0.1 + 0.5,
      i * 0.1 + 2,
    ),
  );
  const t = layoutTimeline(job({}), pods, new Date(T0 + 200_000));

  it('draws one group per pod while rows fit', () => {
    const svg = timelineSvg(layoutTimeline(job({}), pods.slice(0, 50), new Date(T0 + 200_000)));
    assert.equal(svg.match(/<g class="pod"/g)?.length, 50);
  });

  it('groups 1,000 pods into bands: bounded size, still showing the failures', () => {
    const svg = timelineSvg(t, { width: 960, maxRows: 300 });
    assert.match(svg, /class="timeline aggregated"/);
    assert.equal(svg.match(/<g class="pod"/g), null);
    assert.ok(svg.length < 400_000, `${svg.length} characters`);
    assert.ok(svg.includes(`fill="${COLORS.failed}"`));
    assert.ok(svg.includes(`fill="${COLORS.succeeded}"`));
    assert.match(svg, /1000 rows,/);
  });
});

describe('CronJob slots', () => {
  const cj = (policy: 'Allow' | 'Forbid' | 'Replace'): CronJob => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c', creationTimestamp: at(0) },
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: policy,
      jobTemplate: { spec: { template: { spec: { containers: [] } } } },
    } as never,
  });
  const child = (name: string, slot: number, created: number, done = true) => {
    const j = testJob(name);
    j.metadata.annotations = { 'batch.kubernetes.io/cronjob-scheduled-timestamp': at(slot) };
    j.metadata.creationTimestamp = at(created);
    j.status = done
      ? {
          conditions: [
            { type: 'Complete', status: 'True', lastProbeTime: at(slot), lastTransitionTime: at(slot) },
          ],
        }
      : {};
    return j;
  };
  const event = (reason: string, message: string, s: number, count = 1) => ({
    type: 'Normal' as const,
    reason,
    message,
    firstTimestamp: at(s),
    lastTimestamp: at(s),
    count,
    source: 'cronjob-controller',
    involvedObject: 'CronJob/c',
  });

  it('on time or late (with the lateness), from each job against its scheduled time', () => {
    const l = layoutSlots(
      cj('Allow'),
      [child('c-1', 60, 60.1), child('c-2', 120, 125, false)],
      [],
      new Date(T0 + 130_000),
    );
    assert.deepEqual(
      l.slots.map((s) => [s.kind, s.job, s.outcome, s.latenessSeconds]),
      [
        ['on-time', 'c-1', 'Complete', 0.1],
        ['late', 'c-2', 'Running', 5],
      ],
    );
    assert.match(slotsSvg(l), /\+5\.0s/);
  });

  it('skipped by Forbid, missed, and replaced, from the events', () => {
    const l = layoutSlots(
      cj('Replace'),
      [],
      [
        event(
          'JobAlreadyActive',
          'Not starting job because prior execution is running and concurrency policy is Forbid',
          180,
        ),
        event('MissSchedule', 'Missed scheduled time to start a job: Thu, 01 Jan 2026 00:04:00 +0000', 300),
        event('SuccessfulDelete', 'Deleted job c-5', 360),
        event('SuccessfulCreate', 'Created job c-6', 360),
      ],
      new Date(T0 + 400_000),
      [{ time: new Date(T0 + 420_000) }],
    );
    assert.deepEqual(
      l.slots.map((s) => [s.kind, (s.at - T0) / 1000]),
      [
        ['skipped', 180],
        ['missed', 240],
        ['replaced', 360],
      ],
    );
    assert.equal(l.upcoming.length, 1, 'the next run, near enough to show');
    // A skip whose slot then ran (late, once the active job ended) is that late run.
    const late = layoutSlots(
      cj('Forbid'),
      [child('c-3', 180, 182)],
      [event('JobAlreadyActive', 'Not starting job', 180)],
      new Date(T0 + 200_000),
    );
    assert.deepEqual(
      late.slots.map((s) => s.kind),
      ['late'],
    );
    assert.match(slotsSvg(l), /data-kind="next"/);
  });
});
