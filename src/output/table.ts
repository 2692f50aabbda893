// Human tables as kubectl's table printer writes them (tabwriter minwidth 6, padding 3, widths
// remembered across rows so `-w` rows line up with the first table), with cells terminal-escaped.

import { TABLE_TABS } from './tabwriter.js';

export interface TableState {
  widths: number[];
}

export function newTableState(): TableState {
  return { widths: [] };
}

/** kubectl's EscapeTerminal: object data cannot inject escape sequences or move the cursor. */
export function escapeCell(text: string): string {
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
      const w = Math.max(TABLE_TABS.minWidth, [...cell].length + TABLE_TABS.padding);
      state.widths[i] = Math.max(state.widths[i] ?? 0, w);
    });
  }
  return escaped
    .map(
      (row) =>
        row
          .map((cell, i) =>
            i === row.length - 1 ? cell : cell + ' '.repeat(state.widths[i]! - [...cell].length),
          )
          .join('') + '\n',
    )
    .join('');
}
