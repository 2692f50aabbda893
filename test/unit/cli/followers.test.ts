// The followers (`wait`, `logs -f`, `get -w`, a `run` following another process) react to the
// state directory's watch, not to their poll: on a clock whose long sleeps never end, only a
// reported change can wake them. (Their safety-net poll, and the polls they had before, sleep 200
// ms or more; the short sleeps, at most 100 ms, that pace a follower behind a busy writer run.)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../../src/ports/clock.js';
import { SystemClock } from '../../../src/runtime/system-clock.js';
import { followJob } from '../../../src/cli/follow-job.js';
import { stateWatchAt } from '../../../src/cli/open-state.js';
import { RunPrinter } from '../../../src/cli/run-printer.js';
import { StateFollower } from '../../../src/cli/state-follower.js';
import { waitFor } from '../../support/wait-for.js';
import { complete, harness, log, pod, storeJob, tjob } from './helpers.js';

/** Real time, but a sleep of 200 ms or more ends only when aborted: no poll ever fires. */
function noPollClock(): Clock & { sleeping: () => number } {
  const real = new SystemClock();
  let sleeping = 0;
  return {
    now: () => real.now(),
    sleeping: () => sleeping,
    sleep: (ms, signal) => {
      if (ms < 200) return real.sleep(ms, signal);
      sleeping++;
      // Keeps the process alive, as the real sleep's timer does (the watches do not).
      const alive = setInterval(() => undefined, 1000);
      return new Promise<void>((resolve) => {
        const done = () => {
          sleeping--;
          clearInterval(alive);
          resolve();
        };
        if (signal?.aborted) return done();
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}

/** A run's printer as a following `run` has it (logs shown, no live line), writing to `out()`. */
function printerTo(clock: Clock): { printer: RunPrinter; out: () => string } {
  let out = '';
  const printer = new RunPrinter({
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: () => true },
    colorStdout: false,
    colorStderr: false,
    live: false,
    quiet: false,
    showLogs: true,
    now: () => clock.now(),
  });
  return { printer, out: () => out };
}

describe('followers wake on a change of the state directory, not on a poll', () => {
  it('wait returns once the finishing journal line is written', async () => {
    const clock = noPollClock();
    const h = harness({ clock });
    await storeJob(h, { name: 'a', status: { active: 1 } });
    const waiting = tjob(h, 'wait', 'job/a', '--for=condition=Complete', '--timeout=1h');
    await waitFor(() => clock.sleeping() > 0, { what: 'wait to be waiting' });
    // A change that does not meet the condition wakes it too; it goes on waiting.
    await h.store.commitJob('a', { status: { active: 1, ready: 1 } });
    await h.store.commitJob('a', { status: { succeeded: 1, conditions: complete() } });
    assert.equal(await waiting, 0);
    assert.equal(h.out(), 'job.batch/a condition met\n');
  });

  it('wait --for=delete returns once the job directory goes', async () => {
    const clock = noPollClock();
    const h = harness({ clock });
    await storeJob(h, { name: 'gone', status: { active: 1 } });
    const waiting = tjob(h, 'wait', 'job/gone', '--for=delete', '--timeout=1h');
    await waitFor(() => clock.sleeping() > 0, { what: 'wait to be waiting' });
    await h.store.deleteJob('gone');
    assert.equal(await waiting, 0);
    assert.equal(h.out(), 'job.batch/gone condition met\n');
  });

  it('wait: SIGTERM still ends it at once, 143', async () => {
    const clock = noPollClock();
    const h = harness({ clock });
    await storeJob(h, { name: 'a', status: { active: 1 } });
    const waiting = tjob(h, 'wait', 'job/a', '--for=condition=Complete', '--timeout=1h');
    await waitFor(() => clock.sleeping() > 0, { what: 'wait to be waiting' });
    h.signal('SIGTERM');
    assert.equal(await waiting, 143);
  });

  it('logs -f prints a line once it is recorded, also for a container that had written nothing', async () => {
    const clock = noPollClock();
    const h = harness({ clock });
    await storeJob(h, {
      name: 'f',
      spec: { completions: 2 },
      status: { active: 1 },
      pods: [pod('f-aaaaa', 'Running')],
    });
    const following = tjob(h, 'logs', 'f', '-f');
    await waitFor(() => clock.sleeping() > 0, { what: 'logs -f to be waiting' });
    // Its log directory is made with the first line.
    await h.store.appendLogs('f', 'f-aaaaa', 'main', [log('2026-01-01T00:00:03Z', 'one')]);
    await waitFor(() => h.out() === '[f-aaaaa/main] one\n', { what: 'the first line' });
    await h.store.appendLogs('f', 'f-aaaaa', 'main', [log('2026-01-01T00:00:04Z', 'two')]);
    await waitFor(() => h.out().endsWith('two\n'), { what: 'the second line' });
    // A second pod: the journal says so, then it writes.
    await h.store.commitJob('f', {
      pods: [pod('f-bbbbb', 'Running', { createdAt: '2026-01-01T00:00:05.000Z' })],
    });
    await h.store.appendLogs('f', 'f-bbbbb', 'main', [log('2026-01-01T00:00:06Z', 'three')]);
    await waitFor(() => h.out().endsWith('[f-bbbbb/main] three\n'), { what: "the second pod's line" });
    h.signal('SIGINT');
    assert.equal(await following, 130);
    assert.equal(h.out(), '[f-aaaaa/main] one\n[f-aaaaa/main] two\n[f-bbbbb/main] three\n');
  });

  it('get -w prints a changed row once the journal changes', async () => {
    const clock = noPollClock();
    const h = harness({ clock });
    await storeJob(h, { name: 'w', status: { active: 1 } });
    const watching = tjob(h, 'get', 'jobs', '-w', '--no-headers');
    await waitFor(() => clock.sleeping() > 0, { what: 'get -w to be waiting' });
    const before = h.out();
    assert.match(before, /^w +Running/);
    await h.store.commitJob('w', { status: { succeeded: 1, conditions: complete() } });
    await waitFor(() => /\nw +Complete/.test(h.out()), { what: 'get -w to print the changed row' });
    // A new job is a change too.
    await storeJob(h, { name: 'x', status: { active: 1 } });
    await waitFor(() => /\nx +Running/.test(h.out()), { what: 'get -w to print the new job' });
    h.signal('SIGTERM');
    assert.equal(await watching, 143);
  });

  it('run following another process prints its logs and ends with the job', async () => {
    const clock = noPollClock();
    const h = harness({ clock });
    await storeJob(h, { name: 'd', status: { active: 1 }, pods: [pod('d-aaaaa', 'Running')] });
    const { printer, out } = printerTo(clock);
    const follower = new StateFollower(stateWatchAt(h.dir), clock);
    const followed = followJob(h.store, follower, 'd', printer, new AbortController().signal);
    await waitFor(() => clock.sleeping() > 0, { what: 'the follower to be waiting' });
    await h.store.appendLogs('d', 'd-aaaaa', 'main', [log('2026-01-01T00:00:03Z', 'hello')]);
    await waitFor(() => out().includes('hello'), { what: 'the line followed' });
    await h.store.commitJob('d', {
      pods: [pod('d-aaaaa', 'Succeeded')],
      status: { succeeded: 1, conditions: complete() },
    });
    const end = await followed.finally(() => follower.close());
    assert.equal(end.end, 'Complete');
  });

  it('run following another process reads each log line once, and an ended pod’s logs no more', async () => {
    const clock = noPollClock();
    const h = harness({ clock });
    await storeJob(h, {
      name: 'e',
      status: { active: 1, succeeded: 1 },
      pods: [pod('e-ended', 'Succeeded'), pod('e-going', 'Running')],
    });
    await h.store.appendLogs('e', 'e-ended', 'main', [log('2026-01-01T00:00:01Z', 'ended line')]);
    const reads: string[] = [];
    const readLogsFrom = h.store.readLogsFrom.bind(h.store);
    h.store.readLogsFrom = (job, podName, container, run, from) => {
      reads.push(podName);
      return readLogsFrom(job, podName, container, run, from);
    };
    const readLogs = h.store.readLogs.bind(h.store);
    h.store.readLogs = (job, podName, container, run) => {
      reads.push(podName);
      return readLogs(job, podName, container, run);
    };
    const { printer, out } = printerTo(clock);
    const follower = new StateFollower(stateWatchAt(h.dir), clock);
    const followed = followJob(h.store, follower, 'e', printer, new AbortController().signal);
    await waitFor(() => clock.sleeping() > 0, { what: 'the follower to be waiting' });
    const endedReads = reads.filter((p) => p === 'e-ended').length;
    for (const text of ['one', 'two']) {
      await h.store.appendLogs('e', 'e-going', 'main', [log('2026-01-01T00:00:03Z', text)]);
      await waitFor(() => out().includes(text), { what: `the line ${text}` });
    }
    await h.store.commitJob('e', {
      pods: [pod('e-going', 'Succeeded')],
      status: { succeeded: 2, conditions: complete() },
    });
    await followed.finally(() => follower.close());
    assert.equal(out().split('ended line').length - 1, 1, out());
    assert.equal(out().match(/\bone\b/g)?.length, 1, out());
    assert.equal(
      reads.filter((p) => p === 'e-ended').length,
      endedReads,
      'the ended pod was read on the first pass only',
    );
  });
});
