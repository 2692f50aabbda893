// Human tables as kubectl's table printer writes them (tabwriter minwidth 6, padding 3, widths
// remembered across rows so `-w` rows line up with the first table), with cells terminal-escaped.

import { TABLE_TABS } from './tabwriter.js';

export interface TableState {
  widths: number[];
}

export function newTableState(): TableState {
  return { widths: [] };
}

const NEEDS_ESCAPE = new RegExp(`[${String.fromCharCode(27)}\r\t\n]`);

/** A cell's width in code points, as `[...cell].length` counts them, without the array. */
function cellWidth(cell: string): number {
  let n = cell.length;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    // A surrogate pair is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < cell.length) {
      const d = cell.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** kubectl's EscapeTerminal: object data cannot inject escape sequences or move the cursor. */
export function escapeCell(text: string): string {
  // Most cells hold no control character: no copies for them (10,000 rows have 50,000 cells).
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replaceAll(String.fromCharCode(27), '^[')
    .replace(/\r/g, '\\r')
    .replace(/[\t\n]/g, ' ');
}

/**
 * Renders rows (the header first, if any) into aligned lines; the widths grow to fit and are kept
 * in `state` for later rows.
 */
export function renderRows(rows: string[][], state: TableState = newTableState()): string {
  const escaped = rows.map((r) => r.map(escapeCell));
  for (const row of escaped) {
    row.forEach((cell, i) => {
      if (i === row.length - 1) return;
      const w = Math.max(TABLE_TABS.minWidth, cellWidth(cell) + TABLE_TABS.padding);
      state.widths[i] = Math.max(state.widths[i] ?? 0, w);
    });
  }
  return escaped
    .map(
      (row) =>
        row
          .map((cell, i) =>
            i === row.length - 1 ? cell : cell + ' '.repeat(state.widths[i]! - cellWidth(cell)),
          )
          .join('') + '\n',
    )
    .join('');
}
