import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, lineCount, type RawLines } from '../../../../src/runtime/docker/logs.js';

type Line = { stream: string; time: string; text: string };

function split(messages: [stream: 'stdout' | 'stderr', payload: string, time: string][]): {
  chunks: RawLines[];
  lines: Line[];
} {
  const chunks: RawLines[] = [];
  const s = new LineSplitter((c) => chunks.push(c));
  for (const [stream, payload, time] of messages) s.message(stream, Buffer.from(payload, 'utf8'), time);
  s.end();
  const lines = chunks.flatMap((c) => {
    assert.ok(c.text.endsWith('\n'), `a chunk ends with a line end: ${JSON.stringify(c.text)}`);
    return c.text
      .slice(0, -1)
      .split('\n')
      .map((text) => ({ stream: c.stream, time: c.time, text }));
  });
  return { chunks, lines };
}

describe('LineSplitter', () => {
  it('passes the complete lines of one message on together, with its time', () => {
    const { chunks } = split([['stdout', 'a\nb\n\nc\n', 't1']]);
    assert.deepEqual(chunks, [{ stream: 'stdout', time: 't1', text: 'a\nb\n\nc\n' }]);
    assert.equal(lineCount(chunks[0]!.text), 4);
  });

  it('a line spanning messages comes alone, with the time of its first message; streams apart', () => {
    const { chunks, lines } = split([
      ['stdout', 'one\ntw', 't1'],
      ['stderr', 'err', 't2'],
      ['stdout', 'o\nthree\nfour\nfi', 't3'],
      ['stderr', 'or\n', 't4'],
      ['stdout', 've', 't5'],
    ]);
    assert.deepEqual(lines, [
      { stream: 'stdout', time: 't1', text: 'one' },
      { stream: 'stdout', time: 't1', text: 'two' },
      { stream: 'stdout', time: 't3', text: 'three' },
      { stream: 'stdout', time: 't3', text: 'four' },
      { stream: 'stderr', time: 't2', text: 'error' },
      { stream: 'stdout', time: 't3', text: 'five' },
    ]);
    assert.equal(chunks.length, 5);
  });

  it('drops one carriage return at the end of each line, keeps others', () => {
    const { lines } = split([
      ['stdout', 'a\r\nb\r\r\nc\rd\n\r\n', 't1'],
      ['stdout', 'e\r', 't2'],
      ['stdout', '\nf\r', 't3'],
    ]);
    assert.deepEqual(
      lines.map((l) => l.text),
      ['a', 'b\r', 'c\rd', '', 'e', 'f'],
    );
  });

  it('keeps a character whose bytes span messages whole', () => {
    const bytes = Buffer.from('grüße\nok\n', 'utf8');
    const chunks: RawLines[] = [];
    const s = new LineSplitter((c) => chunks.push(c));
    s.message('stdout', bytes.subarray(0, 3), 't1');
    s.message('stdout', bytes.subarray(3), 't2');
    s.end();
    assert.deepEqual(
      chunks.map((c) => [c.time, c.text]),
      [
        ['t1', 'grüße\n'],
        ['t2', 'ok\n'],
      ],
    );
  });

  it('reads the engine timestamp of each message', () => {
    const chunks: RawLines[] = [];
    const s = new LineSplitter((c) => chunks.push(c));
    s.message('stdout', Buffer.from('2026-01-01T00:00:00.123456789Z a\nb\n'));
    s.end();
    assert.deepEqual(chunks, [{ stream: 'stdout', time: '2026-01-01T00:00:00.123456789Z', text: 'a\nb\n' }]);
  });
});
