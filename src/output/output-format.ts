// `get -o FORMAT` as kubectl's print flags read it (cli-runtime genericclioptions: json_yaml,
// name, jsonpath_flags.go; kubectl pkg/cmd/get/customcolumn_flags.go): the formats, their
// `FORMAT=ARGUMENT` form, the errors for a missing or bad argument, and the printers of the
// template formats (jsonpath, custom-columns), which print what kubectl's printGeneric hands
// them: the object for one name, a `v1` List for anything else, each object on its own in `-w`.

import { TjobError, UsageError } from '../api/errors.js';
import {
  columnsFromSpec,
  columnsFromTemplate,
  CustomColumnsError,
  CustomColumnsPrinter,
} from './custom-columns.js';
import { goQuote } from './go-values.js';
import { JsonPath, JsonPathError, JsonPathParseError } from './jsonpath.js';
import { listOf } from './serialize.js';

/** Every `-o` value `get` takes, sorted as kubectl lists them (completion reads this list). */
export const OUTPUT_FORMATS = [
  'custom-columns',
  'custom-columns-file',
  'json',
  'jsonpath',
  'jsonpath-as-json',
  'jsonpath-file',
  'name',
  'wide',
  'yaml',
] as const;

export type OutputFormat = 'table' | (typeof OUTPUT_FORMATS)[number];

/** The formats that take an argument (`-o jsonpath=TEMPLATE`). */
const TEMPLATE_FORMATS = [
  'custom-columns',
  'custom-columns-file',
  'jsonpath',
  'jsonpath-as-json',
  'jsonpath-file',
] as const;
type TemplateFormat = (typeof TEMPLATE_FORMATS)[number];

/** kubectl's Go-template formats, which tjob does not implement. */
const GO_TEMPLATE_FORMATS = ['go-template', 'go-template-file', 'template', 'templatefile'];

export interface OutputSpec {
  format: OutputFormat;
  /** What follows `=` in a template format. */
  argument?: string;
}

function isTemplateFormat(f: string): f is TemplateFormat {
  return (TEMPLATE_FORMATS as readonly string[]).includes(f);
}

/** Reads `-o`: a plain format, or `FORMAT=ARGUMENT` for a template format. */
export function parseOutput(o: string | undefined): OutputSpec {
  if (o === undefined || o === '') return { format: 'table' };
  const eq = o.indexOf('=');
  const name = eq < 0 ? o : o.slice(0, eq);
  if (isTemplateFormat(name)) return { format: name, argument: eq < 0 ? '' : o.slice(eq + 1) };
  if (eq < 0 && (OUTPUT_FORMATS as readonly string[]).includes(o)) return { format: o as OutputFormat };
  if (GO_TEMPLATE_FORMATS.includes(name))
    throw new UsageError(
      `output format "${name}" (Go templates) is not supported by tjob`,
      "use -o jsonpath='{.items[*].metadata.name}' or -o custom-columns=NAME:.metadata.name (kubectl's JSONPath), or -o json with jq",
    );
  throw new UsageError(
    `unable to match a printer suitable for the output format "${o}", allowed formats are: ${OUTPUT_FORMATS.join(',')}`,
  );
}

export interface TemplateOptions {
  /** --no-headers (custom-columns=...; the file form always has its header, as in kubectl). */
  noHeaders: boolean;
  /** --allow-missing-template-keys (jsonpath). */
  allowMissingKeys: boolean;
  /** Reads a -file format's file; throws Node's error. */
  readFile(path: string): string;
}

/** A template format's printer. Each call writes what it can, then throws a TjobError on failure. */
export interface TemplatePrinter {
  /** One object: a single name asked for, or one `-w` change. */
  printObject(object: unknown, write: (text: string) => void): void;
  /** Several objects (or none), as kubectl's List. */
  printList(objects: unknown[], write: (text: string) => void): void;
}

/** The printer of a template format; undefined for the other formats. Throws UsageError. */
export function templatePrinter(spec: OutputSpec, options: TemplateOptions): TemplatePrinter | undefined {
  const { format, argument = '' } = spec;
  if (!isTemplateFormat(format)) return undefined;
  if (format.startsWith('custom-columns')) {
    let columns;
    try {
      columns =
        format === 'custom-columns-file'
          ? columnsFromTemplate(readTemplate(argument, options, 'error reading template'))
          : columnsFromSpec(argument);
    } catch (e) {
      if (e instanceof CustomColumnsError)
        throw new UsageError(e.message, 'e.g. -o custom-columns=NAME:.metadata.name,STATUS:.status.phase');
      throw e;
    }
    const printer = new CustomColumnsPrinter(columns, format === 'custom-columns' && options.noHeaders);
    const print = (objects: unknown[], write: (text: string) => void) =>
      failing(() => printer.print(objects.map(decoded), write));
    return { printObject: (o, write) => print([o], write), printList: print };
  }

  if (argument === '') throw new UsageError('template format specified but no template given');
  const template =
    format === 'jsonpath-file' ? readTemplate(argument, options, 'error reading --template') : argument;
  let path: JsonPath;
  try {
    path = new JsonPath(template, {
      allowMissingKeys: options.allowMissingKeys,
      outputJson: format === 'jsonpath-as-json',
    });
  } catch (e) {
    if (e instanceof JsonPathParseError)
      throw new UsageError(
        `error parsing jsonpath ${template}, ${e.message}`,
        "JSONPath as kubectl reads it, e.g. -o jsonpath='{.items[*].metadata.name}'",
      );
    throw e;
  }
  const print = (object: unknown, write: (text: string) => void) => {
    try {
      write(path.execute(decoded(object)));
    } catch (e) {
      if (e instanceof JsonPathError)
        throw new TjobError(
          `error executing jsonpath ${goQuote(template)}: Error executing template: ${e.message}`,
          'see the object the template was given with -o json',
        );
      throw e;
    }
  };
  return { printObject: print, printList: (objects, write) => print(listOf(objects), write) };
}

/** The object as kubectl's printers see it: decoded JSON (json.Marshal, then Unmarshal). */
function decoded(object: unknown): unknown {
  return JSON.parse(JSON.stringify(object)) as unknown;
}

/** Runs a custom-columns print, turning a column's JSONPath failure into kubectl's error. */
function failing(print: () => void): void {
  try {
    print();
  } catch (e) {
    if (e instanceof JsonPathParseError || e instanceof JsonPathError)
      throw new TjobError(e.message, "in a column's path of -o custom-columns (e.g. NAME:.metadata.name)");
    throw e;
  }
}

function readTemplate(path: string, options: TemplateOptions, what: string): string {
  try {
    return options.readFile(path);
  } catch (e) {
    throw new UsageError(`${what} ${path}, ${goFileError(path, e)}`);
  }
}

/** A file's read error as Go's os package words it (`open FILE: no such file or directory`). */
function goFileError(path: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return `open ${path}: no such file or directory`;
    case 'EACCES':
      return `open ${path}: permission denied`;
    case 'EISDIR':
      return `read ${path}: is a directory`;
    default:
      return `open ${path}: ${e instanceof Error ? e.message : String(e)}`;
  }
}
