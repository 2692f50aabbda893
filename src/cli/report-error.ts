// Turns any error into a few plain lines on stderr and an exit code (spec/cli.md "Exit codes").
// A stack trace only with -v.

import { CommanderError } from 'commander';
import { ManifestError, TjobError } from '../api/errors.js';
import type { OutStream } from './context.js';

export function reportError(err: unknown, stderr: OutStream, verbose: boolean): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
      return 0;
    // commander has printed its message already (see configureOutput in program.ts).
    return 2;
  }
  if (err instanceof ManifestError) {
    stderr.write(`error: invalid manifest${err.errors.length > 1 ? 's' : ''}:\n`);
    for (const line of err.message.split('\n')) stderr.write(`  ${line}\n`);
    if (err.hint) stderr.write(`hint: ${err.hint}\n`);
    return err.exitCode;
  }
  if (err instanceof TjobError) {
    stderr.write(`error: ${err.message}\n`);
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
