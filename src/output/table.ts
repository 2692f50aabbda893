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

/** ESC, carriage return, tab, newline: what escapeCell rewrites. */
function isEscaped(c: number): boolean {
  return c === 27 || c === 13 || c === 9 || c === 10;
}

/**
 * A cell's width in code points, as `[...cell].length` counts them, without the array; -1 when it
 * holds a character escapeCell rewrites (one scan for both: 10,000 rows have 50,000 cells).
 */
function cellWidth(cell: string): number {
  let n = cell.length;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c < 32 && isEscaped(c)) return -1;
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
  // Most cells hold no control character: no copies for them.
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

/** Rows per chunk of a table's text (see renderRows). */
const CHUNK_ROWS = 256;

/**
 * Renders rows (the header first, if any) into aligned lines; the widths grow to fit and are kept
 * in `state` for later rows. One pass to measure and one to write, with the escaped cells and their
 * widths in one array each for the whole table (not two arrays and a joined string per row).
 */
export function renderRows(
  rows: readonly (readonly string[])[],
  state: TableState = newTableState(),
): string {
  const { widths } = state;
  const cells: string[] = [];
  const cellWidths: number[] = [];
  for (const row of rows) {
    const last = row.length - 1;
    for (let i = 0; i <= last; i++) {
      let cell = row[i]!;
      let w = cellWidth(cell);
      if (w < 0) {
        cell = escapeCell(cell);
        w = cellWidth(cell);
      }
      cells.push(cell);
      cellWidths.push(w);
      if (i === last) continue;
      const column = Math.max(TABLE_TABS.minWidth, w + TABLE_TABS.padding);
      if (!(widths[i]! >= column)) widths[i] = column;
    }
  }
  // A string built by appending is a tree of all its pieces until it is read: the text is made in
  // chunks of a few hundred rows, each read once (which makes it one flat string), so that 10,000
  // rows' pieces die young rather than being copied by every collection until the text is written.
  const chunks: string[] = [];
  let chunk = '';
  let k = 0;
  for (let r = 0; r < rows.length; r++) {
    const last = rows[r]!.length - 1;
    for (let i = 0; i < last; i++, k++) chunk += cells[k]! + pad(widths[i]! - cellWidths[k]!);
    if (last >= 0) chunk += cells[k++]!;
    chunk += '\n';
    if (r % CHUNK_ROWS === CHUNK_ROWS - 1) {
      chunk.charCodeAt(0);
      chunks.push(chunk);
      chunk = '';
    }
  }
  chunks.push(chunk);
  return chunks.join('');
}
