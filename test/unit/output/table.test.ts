// Human tables: widths in code points (a character outside the BMP is one column, as kubectl's
// tabwriter counts runes), control characters escaped, and cells without any left as they are.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { escapeCell, renderRows } from '../../../src/output/table.js';

describe('renderRows', () => {
  it('pads to the widest cell counted in code points, at least the minimum width plus padding', () => {
    const text = renderRows([
      ['NAME', 'STATUS'],
      ['a😀b', 'Complete'],
      ['abcdefghij', 'x'],
      ['\ud800z', 'lone surrogate'],
    ]);
    assert.equal(
      text,
      'NAME         STATUS\n' +
        'a😀b          Complete\n' +
        'abcdefghij   x\n' +
        '\ud800z           lone surrogate\n',
    );
  });

  it('measures an escaped cell as printed, in any column, the last one too', () => {
    const text = renderRows([
      ['NAME', 'X'],
      ['a\tb\u001b', 'y\r'],
    ]);
    assert.equal(text, 'NAME    X\n' + 'a b^[   y\\r\n');
  });

  it('writes a table of many rows (in chunks) as one text, widths over all rows', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [
      `job-${i}`,
      i === 777 ? 'a-long-status' : 'ok',
      `${i}s`,
    ]);
    const text = renderRows(rows);
    const lines = text.split('\n');
    assert.equal(lines.length, 1001);
    assert.equal(lines[1000], '');
    for (let i = 0; i < 1000; i++) {
      assert.equal(
        lines[i],
        `job-${i}`.padEnd(10) + (i === 777 ? 'a-long-status' : 'ok').padEnd(16) + `${i}s`,
      );
    }
  });

  it('escapes terminal control characters and leaves other cells untouched', () => {
    assert.equal(escapeCell('a\u001b[2Jb\r\n\tc'), 'a^[[2Jb\\r  c');
    const plain = 'job-0001';
    assert.equal(escapeCell(plain), plain);
  });
});
