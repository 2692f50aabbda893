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

/** Spaces to pad with, by count (a table pads with a few widths only). */
const pads: string[] = [];

function pad(n: number): string {
  return (pads[n] ??= ' '.repeat(n));
}

/**
 * Renders rows (the header first, if any) into aligned lines; the widths grow to fit and are kept
 * in `state` for later rows. One pass to measure and one to write, without an array or a joined
 * string per row (10,000 rows).
 */
export function renderRows(
  rows: readonly (readonly string[])[],
  state: TableState = newTableState(),
): string {
  const { widths } = state;
  const escaped: string[][] = [];
  const cellWidths: number[][] = [];
  for (const row of rows) {
    const cells = row.map(escapeCell);
    const w = new Array<number>(Math.max(0, cells.length - 1));
    for (let i = 0; i < cells.length - 1; i++) {
      w[i] = cellWidth(cells[i]!);
      const column = Math.max(TABLE_TABS.minWidth, w[i]! + TABLE_TABS.padding);
      if (!(widths[i]! >= column)) widths[i] = column;
    }
    escaped.push(cells);
    cellWidths.push(w);
  }
  let out = '';
  for (let r = 0; r < escaped.length; r++) {
    const cells = escaped[r]!;
    const w = cellWidths[r]!;
    const last = cells.length - 1;
    for (let i = 0; i < last; i++) out += cells[i]! + pad(widths[i]! - w[i]!);
    if (last >= 0) out += cells[last]!;
    out += '\n';
  }
  return out;
}
