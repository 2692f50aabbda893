// Turns any error into a few plain lines on stderr and an exit code (docs/cli.md#exit-codes).
// A stack trace only with -v.

import { CommanderError } from 'commander';
import { formatFieldError, ManifestError, TjobError } from '../api/errors.js';
import type { OutStream } from './context.js';

// Control characters (C0, C1, line and paragraph separators), bidi and other format characters
// and lone surrogates from user input (names, keys, items, paths) would break the one-line
// format or reorder the terminal's text: they are shown escaped.
const unprintable = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

/** `s` with unprintable characters as `\uXXXX` (keeping line breaks when `keepNewlines`). */
export function printable(s: string, keepNewlines = false): string {
  return s.replace(unprintable, (ch) =>
    keepNewlines && ch === '\n' ? ch : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function reportError(err: unknown, stderr: OutStream, verbose: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return 0;
    // commander has printed its message already (see configureOutput in program.ts).
    return 2;
  }
  if (err instanceof ManifestError) {
    stderr.write(`error: invalid manifest${err.errors.length > 1 ? 's' : ''}:\n`);
    // One line per error, whatever the file, item or field names hold.
    for (const e of err.errors) stderr.write(`  ${printable(formatFieldError(e))}\n`);
    if (err.hint) stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  if (err instanceof TjobError) {
    stderr.write(`error: ${printable(err.message, true)}\n`);
    if (err.hint) stderr.write(`hint: ${err.hint}\n`);
    if (verbose && err.stack) stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  stderr.write(`error: ${e.message}\n`);
  if (verbose && e.stack) stderr.write(`${e.stack}\n`);
  else stderr.write('hint: run again with -v for details\n');
  return 1;
}
