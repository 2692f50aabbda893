import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { formatBytes, PullProgress } from '../../../../src/runtime/docker/pull-progress.js';
import { pullProgressWriter } from '../../../../src/cli/pull-progress.js';

describe('pull progress: one line per image', () => {
  it('counts layers done and bytes come, from the engine’s messages', () => {
    const p = new PullProgress('r/x:1');
    p.add({ status: 'Pulling from r/x', id: '1' });
    assert.equal(p.line(), 'Pulling image "r/x:1"', 'no layer known yet: no count');
    p.add({ status: 'Pulling fs layer', id: 'l1' });
    p.add({ status: 'Pulling fs layer', id: 'l2' });
    p.add({ status: 'Already exists', id: 'l3' });
    p.add({ status: 'Downloading', id: 'l1', progressDetail: { current: 500_000, total: 1_000_000 } });
    p.add({ status: 'Downloading', id: 'l2', progressDetail: { current: 0, total: 2_000_000 } });
    assert.equal(p.line(), 'Pulling image "r/x:1": 1/3 layers, 500 kB/3.00 MB');
    p.add({ status: 'Download complete', id: 'l1' });
    p.add({ status: 'Pull complete', id: 'l1' });
    p.add({ status: 'Downloading', id: 'l2', progressDetail: { current: 2_000_000, total: 2_000_000 } });
    p.add({ status: 'Pull complete', id: 'l2' });
    assert.equal(p.line(), 'Pulling image "r/x:1": 3/3 layers, 3.00 MB/3.00 MB');
    assert.equal(
      p.finished(1.23),
      'Pulled image "r/x:1" in 1.2s: 2 layers (3.00 MB) downloaded, 1 already present',
    );
  });

  it('an image found up to date says so', () => {
    const p = new PullProgress('r/x:1');
    p.add({ status: 'Status: Image is up to date for r/x:1' });
    assert.equal(p.finished(0.1), 'Image "r/x:1" is up to date');
  });

  it('sizes in decimal units', () => {
    assert.deepEqual([0, 999, 1000, 12_345, 1_234_567, 123_456_789].map(formatBytes), [
      '0 B',
      '999 B',
      '1.00 kB',
      '12.3 kB',
      '1.23 MB',
      '123 MB',
    ]);
  });

  it('a terminal gets one live line per image; a pipe the start and the end', () => {
    const sink = (isTTY: boolean) => {
      const out: string[] = [];
      return { out, stream: { isTTY, write: (s: string) => (out.push(s), true) } };
    };
    const events = [
      { image: 'a', message: 'Pulling image "a"', done: false },
      { image: 'a', message: 'Pulling image "a": 0/1 layers', done: false },
      { image: 'a', message: 'Pulled image "a"', done: true },
      { image: 'b', message: 'Pulling image "b"', done: false },
      { image: 'b', message: 'Pulled image "b"', done: true },
    ];
    const tty = sink(true);
    const w = pullProgressWriter(tty.stream);
    for (const e of events) w(e);
    assert.equal(
      tty.out.join(''),
      '\r\x1b[KPulling image "a"\r\x1b[KPulling image "a": 0/1 layers\r\x1b[KPulled image "a"\n' +
        '\r\x1b[KPulling image "b"\r\x1b[KPulled image "b"\n',
    );
    const pipe = sink(false);
    const wp = pullProgressWriter(pipe.stream);
    for (const e of events) wp(e);
    assert.equal(
      pipe.out.join(''),
      'Pulling image "a"\nPulled image "a"\nPulling image "b"\nPulled image "b"\n',
    );
  });
});
