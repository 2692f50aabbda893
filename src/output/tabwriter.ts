// Go's text/tabwriter (the algorithm kubectl's tables and describe pages go through), so columns
// line up exactly as kubectl's do: a cell is text ended by a tab; a column block is a run of
// consecutive lines that have a cell in that column; each block is as wide as its widest cell
// plus the padding (at least minWidth); the last cell of a line is never padded.

export interface TabWriterOptions {
  minWidth: number;
  padding: number;
}

/** kubectl get: minwidth 6, padding 3 (cli-runtime printers.GetNewTabWriter). */
export const TABLE_TABS: TabWriterOptions = { minWidth: 6, padding: 3 };
/** kubectl describe: minwidth 0, padding 2 (describe.tabbedString). */
export const DESCRIBE_TABS: TabWriterOptions = { minWidth: 0, padding: 2 };

/** Formats tab-separated text. Lines end with `\n`; a text without a final newline keeps it so. */
export function tabulate(text: string, options: TabWriterOptions): string {
  const endsWithNewline = text.endsWith('\n');
  const rawLines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const lines = rawLines.map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      let s = '';
      cells.forEach((cell, j) => {
        s += cell;
        if (j < cells.length - 1 && j < widths.length) s += ' '.repeat(Math.max(0, widths[j]! - width(cell)));
      });
      out[i] = s;
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current]!.length - 1) continue;
      // A cell exists in this column: lines before it are done.
      writeLines(line0, current);
      line0 = current;
      let w = options.minWidth;
      for (; current < line1; current++) {
        const cells = lines[current]!;
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column]!) + options.padding);
      }
      widths.push(w);
      format(line0, current);
      widths.pop();
      line0 = current;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}

/** Display width as Go's tabwriter counts it: one per code point. */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
