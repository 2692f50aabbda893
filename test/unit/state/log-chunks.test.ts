import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/state/file-store.js';
import type { JobStatus } from '../../../src/api/k8s.js';
import type { LogChunk, LogRecord } from '../../../src/ports/pod-logs.js';
import { tempDir, testJob } from '../../support/jobs.js';

/** Chunks of 1 to 5 lines of varied lengths, both streams, a "$" here and there. */
function chunks(n: number): LogChunk[] {
  const out: LogChunk[] = [];
  for (let i = 0; i < n; i++) {
    const lines = Array.from(
      { length: 1 + (i % 5) },
      (_, j) => `line ${i}.${j} ${'x$&'.repeat((i * 7 + j * 3) % 11)}`,
    );
    out.push({
      time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000000000Z`,
      stream: i % 3 === 0 ? 'stderr' : 'stdout',
      text: lines.map((l) => `${l}\n`).join(''),
    });
  }
  return out;
}

function records(cs: LogChunk[]): LogRecord[] {
  return cs.flatMap((c) =>
    c.text
      .slice(0, -1)
      .split('\n')
      .map((text) => ({ time: c.time, stream: c.stream, text })),
  );
}

async function store(cap: number): Promise<{ store: FileStore; file: () => string }> {
  const root = tempDir();
  const s = new FileStore(root, { logCapBytes: cap });
  await s.createJob({ ...testJob('l'), status: {} as JobStatus });
  return { store: s, file: () => readFileSync(join(root, 'jobs', 'l', 'logs', 'p', 'c', '0.log'), 'utf8') };
}

describe('pod logs appended in chunks', () => {
  for (const cap of [64 * 1024 * 1024, 3000, 1234, 97]) {
    it(`are stored byte for byte as the same lines appended one by one (cap ${cap} bytes)`, async () => {
      const cs = chunks(60);
      const byLine = await store(cap);
      const byChunk = await store(cap);
      // The same batches: the lines of 7 chunks per append.
      for (let i = 0; i < cs.length; i += 7) {
        await byLine.store.appendLogs('l', 'p', 'c', records(cs.slice(i, i + 7)));
        await byChunk.store.appendLogChunks('l', 'p', 'c', cs.slice(i, i + 7));
      }
      assert.equal(byChunk.file(), byLine.file());
      assert.deepEqual(
        await byChunk.store.readLogs('l', 'p', 'c'),
        await byLine.store.readLogs('l', 'p', 'c'),
      );
      if (cap < 64 * 1024 * 1024) assert.match(byChunk.file(), /log truncated here/);
    });
  }
});

describe('FilePodLogs.readLogsFrom: a follower reads each byte once', () => {
  it('a line still being appended waits for its end; the position never splits a line', async () => {
    const root = tempDir();
    const s = new FileStore(root);
    await s.createJob({ ...testJob('l'), status: {} as JobStatus });
    await s.appendLogs('l', 'p', 'c', [
      { time: '2026-01-01T00:00:00.000000000Z', stream: 'stdout', text: 'a' },
    ]);
    const path = join(root, 'jobs', 'l', 'logs', 'p', 'c', '0.log');
    const whole = readFileSync(path, 'utf8');
    // The same line again, written in two pieces as a large append may land.
    appendFileSync(path, whole.slice(0, 9));
    const first = await s.readLogsFrom('l', 'p', 'c', 0, 0);
    assert.deepEqual(
      first.lines.map((l) => l.text),
      ['a'],
    );
    assert.equal(first.next, Buffer.byteLength(whole));
    appendFileSync(path, whole.slice(9));
    const second = await s.readLogsFrom('l', 'p', 'c', 0, first.next);
    assert.deepEqual(
      second.lines.map((l) => l.text),
      ['a'],
    );
    assert.equal(second.next, 2 * Buffer.byteLength(whole));
  });

  it('reads the one log of a container recorded before runs were kept apart', async () => {
    const root = tempDir();
    const s = new FileStore(root);
    await s.createJob({ ...testJob('l'), status: {} as JobStatus });
    await s.appendLogs('l', 'p', 'c', [
      { time: '2026-01-01T00:00:00.000000000Z', stream: 'stderr', text: 'old' },
    ]);
    const runs = join(root, 'jobs', 'l', 'logs', 'p', 'c');
    renameSync(join(runs, '0.log'), `${runs}.log`);
    rmSync(runs, { recursive: true });
    const r = await s.readLogsFrom('l', 'p', 'c', 'before-runs', 0);
    assert.deepEqual(r.lines, [{ time: '2026-01-01T00:00:00.000000000Z', stream: 'stderr', text: 'old' }]);
  });
});
