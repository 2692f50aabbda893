// `-o custom-columns=NAME:.metadata.name,...` and `-o custom-columns-file=FILE`, as kubectl's
// pkg/cmd/get/customcolumn.go builds and prints them: each column a header and a JSONPath (the
// relaxed forms `a.b`, `.a.b`, `{a.b}` accepted), each object one row, several values of a
// column joined by commas, `<none>` where the path finds nothing, the header once.

import { goSprint } from './go-values.js';
import { JsonPath } from './jsonpath.js';
import { newTableState, renderRows, type TableState } from './table.js';

export interface CustomColumn {
  header: string;
  /** A complete JSONPath expression: `{.metadata.name}`. */
  fieldSpec: string;
}

/** A spec or template that kubectl refuses; the message is kubectl's. */
export class CustomColumnsError extends Error {}

const jsonRegexp = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/** RelaxedJSONPathExpression: `metadata.name`, `.metadata.name`, `{metadata.name}` → `{.metadata.name}`. */
export function relaxedJsonPathExpression(path: string): string {
  if (path === '') return path;
  const m = jsonRegexp.exec(path);
  if (!m)
    throw new CustomColumnsError(
      "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'",
    );
  return `{.${m[1] || m[2]}}`;
}

/** NewCustomColumnsPrinterFromSpec: `HEADER:PATH,HEADER:PATH`. */
export function columnsFromSpec(spec: string): CustomColumn[] {
  if (spec === '')
    throw new CustomColumnsError('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0)
      throw new CustomColumnsError(
        `unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`,
      );
    return { header: part.slice(0, colon), fieldSpec: relaxedJsonPathExpression(part.slice(colon + 1)) };
  });
}

const TEMPLATE_FORMAT =
  'Expected format is one line of space separated headers, one line of space separated column specs.';

/** NewCustomColumnsPrinterFromTemplate: a line of headers, then a line of paths, split on white space. */
export function columnsFromTemplate(text: string): CustomColumn[] {
  // bufio.Scanner's lines (a \r before the \n dropped), then its words (unicode.IsSpace).
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const words = (line: string) =>
    line
      .replace(/\r$/, '')
      .split(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/)
      .filter(Boolean);
  if (lines.length < 1)
    throw new CustomColumnsError(`invalid template, missing header line. ${TEMPLATE_FORMAT}`);
  if (lines.length < 2)
    throw new CustomColumnsError(`invalid template, missing spec line. ${TEMPLATE_FORMAT}`);
  const headers = words(lines[0]!);
  const specs = words(lines[1]!);
  if (headers.length !== specs.length)
    throw new CustomColumnsError(
      `number of headers (${headers.length}) and field specifications (${specs.length}) don't match`,
    );
  return headers.map((header, i) => ({ header, fieldSpec: relaxedJsonPathExpression(specs[i]!) }));
}

/**
 * Prints objects in columns. The header comes before the first row only (kubectl prints it once
 * per object type); widths are remembered across calls, so `-w` rows line up with the first ones.
 * Cells are escaped as kubectl's tables escape them (table.ts), a tab or newline shown as a space.
 */
export class CustomColumnsPrinter {
  private headerPrinted = false;
  private readonly table: TableState = newTableState();

  constructor(
    private readonly columns: CustomColumn[],
    private readonly noHeaders: boolean,
  ) {}

  /**
   * Writes the header (once) and a row per object. A column path that does not parse, or fails on
   * an object, throws (JsonPathParseError, JsonPathError) after the rows before it are written.
   */
  print(objects: unknown[], write: (text: string) => void): void {
    const rows: string[][] = [];
    if (!this.noHeaders && !this.headerPrinted) {
      rows.push(this.columns.map((c) => c.header));
      this.headerPrinted = true;
    }
    try {
      const paths = this.columns.map((c) => new JsonPath(c.fieldSpec, { allowMissingKeys: true }));
      for (const object of objects) rows.push(paths.map((p) => cell(p, object)));
    } finally {
      if (rows.length > 0) write(renderRows(rows, this.table));
    }
  }
}

function cell(path: JsonPath, object: unknown): string {
  const values = path.findResults(object);
  const texts = values.length === 0 || values[0]!.length === 0 ? ['<none>'] : [];
  for (const list of values) for (const v of list) texts.push(goSprint(v));
  return texts.join(',');
}
