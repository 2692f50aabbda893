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

  it('escapes terminal control characters and leaves other cells untouched', () => {
    assert.equal(escapeCell('a\u001b[2Jb\r\n\tc'), 'a^[[2Jb\\r  c');
    const plain = 'job-0001';
    assert.equal(escapeCell(plain), plain);
  });
});
