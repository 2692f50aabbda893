// Shell completion computed here, not in shell scripts, with Cobra's protocol (spf13/cobra
// completions.go): `tjob __complete WORD... TO_COMPLETE` prints the candidates one a line
// (`candidate<TAB>description`), then `:DIRECTIVE`. The per-shell stubs (scripts.ts) only relay.
// Commands, aliases, options (long and short) and option choices come from commander's tree, so a
// new command or flag completes without a change here; values come from the lists the commands
// define, and object names from the state directory.

import { Help, type Command, type Option } from 'commander';
import { MANIFEST_EXTENSIONS } from '../../manifest/index.js';
import type { Kind } from '../../output/printers.js';
import { stateDirOf } from '../context.js';
import { OUTPUT_FORMATS } from '../../output/output-format.js';
import {
  DELETE_KINDS,
  KIND_WORDS,
  LOGS_KINDS,
  RESOURCE_KINDS,
  SUSPEND_KINDS,
  WAIT_KINDS,
} from '../resource-kinds.js';
import { WAIT_FOR_VALUES } from '../args/wait-for.js';
import { SHELLS } from './scripts.js';

/** Cobra's ShellCompDirective bits. */
export const Directive = {
  Default: 0,
  /** Something went wrong: no completion at all. */
  Error: 1,
  /** No space after the (single) candidate. */
  NoSpace: 2,
  /** No file names when no candidate matches. */
  NoFileComp: 4,
  /** The candidates are file name extensions: complete directories and files with them. */
  FilterFileExt: 8,
  /** Complete directories only. */
  FilterDirs: 16,
  /** Keep the candidates' order. */
  KeepOrder: 32,
} as const;

export interface Completion {
  candidates: string[];
  directive: number;
}

/** The names of the stored objects of a kind in a state directory ([] when they cannot be read). */
export type StoredNames = (kind: Kind, stateDir: string) => Promise<string[]>;

/** What the words before the one being completed say. */
interface Line {
  /** The deepest command named (`cron next`). */
  cmd: Command;
  /** For commander's implicit `help [command]` (which has no parent): the command it helps with. */
  helpFor?: Command;
  /** Its operands so far. */
  args: string[];
  /** Options given (repeatable ones are offered again). */
  given: Set<Option>;
  /**
   * The option whose value the word being completed is; `orOption` when an option may come
   * instead (an optional value, or one more of a variadic option's values).
   */
  value?: { option: Option; orOption: boolean };
  /** After `--`: operands only. */
  operandsOnly: boolean;
  stateDir: string;
}

interface Query {
  line: Line;
  /** The word being completed (for `--opt=val`, `val`). */
  word: string;
  names: (kind: Kind) => Promise<string[]>;
}

const none = (directive: number = Directive.NoFileComp): Completion => ({ candidates: [], directive });
const fixed = (values: readonly string[]) => (q: Query) => matching(values, q.word);
const manifests = (): Completion => ({
  candidates: [...MANIFEST_EXTENSIONS],
  directive: Directive.FilterFileExt,
});

function matching(
  values: readonly string[],
  word: string,
  directive: number = Directive.NoFileComp,
): Completion {
  return { candidates: values.filter((v) => v.startsWith(word)), directive };
}

/** Option values beyond choices and placeholders, by long flag. */
const OPTION_VALUES: Record<string, (q: Query) => Completion | Promise<Completion>> = {
  '--output': fixed(OUTPUT_FORMATS),
  '--for': fixed(WAIT_FOR_VALUES),
  '--job': async (q) => matching(await q.names('jobs'), q.word),
  '--filename': manifests,
};

/**
 * Resource arguments as kubectl takes them: `TYPE [NAME...]` or `TYPE/NAME...`, for the kinds a
 * command accepts.
 */
function resourceArgs(kinds: readonly Kind[]) {
  return async (q: Query): Promise<Completion> => {
    const { args } = q.line;
    const slash = q.word.indexOf('/');
    if (slash >= 0) {
      const type = q.word.slice(0, slash);
      const kind = KIND_WORDS[type.toLowerCase()];
      if (!kind || !kinds.includes(kind)) return none();
      return matching(
        (await q.names(kind)).map((n) => `${type}/${n}`),
        q.word,
      );
    }
    if (args.length === 0) return { candidates: kindWords(kinds, q.word), directive: Directive.NoFileComp };
    const kind = KIND_WORDS[args[0]!.toLowerCase()];
    if (!kind || !kinds.includes(kind)) return none();
    const named = new Set(args.slice(1));
    return matching(
      (await q.names(kind)).filter((n) => !named.has(n)),
      q.word,
    );
  };
}

/**
 * The words for resource types: the kinds' own names (`jobs`) when nothing is typed, else every
 * word of those kinds that fits (`po`, `pod`, `pods`; `job.batch` once a `.` is typed).
 */
function kindWords(kinds: readonly Kind[], word: string): string[] {
  if (word === '') return [...kinds];
  const w = word.toLowerCase();
  return Object.keys(KIND_WORDS).filter(
    (k) => kinds.includes(KIND_WORDS[k]!) && k.startsWith(w) && (!k.includes('.') || w.includes('.')),
  );
}

/** Names of one kind, those already on the line left out. */
function storedNamesOf(kind: Kind, what: 'one' | 'many') {
  return async (q: Query): Promise<Completion> => {
    if (what === 'one' && q.line.args.length > 0) return none();
    const named = new Set(q.line.args);
    return matching(
      (await q.names(kind)).filter((n) => !named.has(n)),
      q.word,
    );
  };
}

/** Operands by command path; a command without an entry completes files for a `file` argument. */
const OPERANDS: Record<string, (q: Query) => Completion | Promise<Completion>> = {
  get: resourceArgs(RESOURCE_KINDS),
  describe: resourceArgs(RESOURCE_KINDS),
  delete: resourceArgs(DELETE_KINDS),
  wait: resourceArgs(WAIT_KINDS),
  suspend: resourceArgs(SUSPEND_KINDS),
  resume: resourceArgs(SUSPEND_KINDS),
  logs: async (q) => {
    if (q.line.args.length > 0) return none();
    if (q.word.includes('/')) return resourceArgs(LOGS_KINDS)(q);
    // JOB or POD: both, told apart by their description.
    const jobs = (await q.names('jobs')).map((n) => `${n}\tjob`);
    const pods = (await q.names('pods')).map((n) => `${n}\tpod`);
    return matching([...jobs, ...pods], q.word);
  },
  'cron next': async (q) => {
    if (q.line.args.length > 0) return none();
    // A stored CronJob's name, or else a manifest file.
    const names = matching(await q.names('cronjobs'), q.word);
    return names.candidates.length > 0 ? names : manifests();
  },
  'cron trigger': storedNamesOf('cronjobs', 'one'),
  'cron suspend': storedNamesOf('cronjobs', 'many'),
  'cron resume': storedNamesOf('cronjobs', 'many'),
  completion: (q) => (q.line.args.length > 0 ? none() : matching(SHELLS, q.word)),
};

const help = new Help();

/** The command's subcommands (commander's implicit `help` included), hidden ones too. */
function subcommands(cmd: Command): Command[] {
  const implicit = help.visibleCommands(cmd).filter((c) => !cmd.commands.includes(c));
  return [...cmd.commands, ...implicit];
}

function findSubcommand(cmd: Command, word: string): Command | undefined {
  return subcommands(cmd).find((c) => c.name() === word || c.aliases().includes(word));
}

/** The options a command accepts: its own, then those of its parents (commander's global options). */
function optionsOf(cmd: Command): Option[] {
  const out: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) {
    out.push(...help.visibleOptions(c).filter((o) => c === cmd || o.long !== '--help'));
    out.push(...c.options.filter((o) => o.hidden));
  }
  return out;
}

function findOption(cmd: Command, flag: string): Option | undefined {
  return optionsOf(cmd).find((o) => o.long === flag || o.short === flag);
}

const takesValue = (o: Option) => o.required || o.optional;

/** Follows commander's parsing of the words before the one being completed. */
function parseLine(root: Command, words: string[], env: Record<string, string | undefined>): Line {
  const line: Line = { cmd: root, args: [], given: new Set(), operandsOnly: false, stateDir: '' };
  let stateDir: string | undefined;
  let expecting: Option | undefined;
  /** A variadic option (`-f a.yaml b.yaml`) takes the words that follow until an option. */
  let variadic: Option | undefined;
  const valueFor = (o: Option, value: string) => {
    if (o.long === '--state-dir') stateDir = value;
    if (o.variadic) variadic = o;
  };
  for (const w of words) {
    if (variadic && expecting === undefined && !w.startsWith('-') && !line.operandsOnly) continue;
    if (expecting && !(expecting.optional && w.startsWith('-'))) {
      valueFor(expecting, w);
      expecting = undefined;
      continue;
    }
    expecting = undefined;
    if (line.operandsOnly) {
      line.args.push(w);
      continue;
    }
    if (w === '--') {
      line.operandsOnly = true;
      variadic = undefined;
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      variadic = undefined;
      if (w.startsWith('--')) {
        const eq = w.indexOf('=');
        const o = findOption(line.cmd, eq < 0 ? w : w.slice(0, eq));
        if (!o) continue;
        line.given.add(o);
        if (!takesValue(o)) continue;
        if (eq < 0) expecting = o;
        else valueFor(o, w.slice(eq + 1));
        continue;
      }
      // -dq (flags), -ojson / -o json (a value).
      for (let i = 1; i < w.length; i++) {
        const o = findOption(line.cmd, `-${w[i]}`);
        if (!o) break;
        line.given.add(o);
        if (!takesValue(o)) continue;
        if (i + 1 < w.length) valueFor(o, w.slice(i + 1));
        else expecting = o;
        break;
      }
      continue;
    }
    const sub = line.args.length === 0 ? findSubcommand(line.cmd, w) : undefined;
    if (sub) {
      if (!sub.parent) line.helpFor = line.cmd;
      line.cmd = sub;
    } else line.args.push(w);
  }
  if (expecting) line.value = { option: expecting, orOption: !!expecting.optional };
  else if (variadic) line.value = { option: variadic, orOption: true };
  line.stateDir = stateDirOf(stateDir === undefined ? {} : { stateDir }, env);
  return line;
}

/** A command's path below the root: `get`, `cron next`. */
function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

const firstLine = (s: string) => s.replace(/\n.*/s, '');

function optionNames(line: Line, word: string): Completion {
  const candidates: string[] = [];
  for (const o of optionsOf(line.cmd)) {
    const repeatable = o.variadic || Array.isArray(o.defaultValue);
    if (line.given.has(o) && !repeatable) continue;
    for (const flag of [o.long, o.short]) {
      if (flag?.startsWith(word)) candidates.push(`${flag}\t${firstLine(o.description)}`);
    }
  }
  return { candidates, directive: Directive.NoFileComp };
}

async function optionValue(o: Option, q: Query): Promise<Completion> {
  if (o.argChoices) return matching(o.argChoices, q.word);
  const special = o.long ? OPTION_VALUES[o.long] : undefined;
  if (special) return special(q);
  // The placeholder says what the value is: `<file>`, `<dir>`, or something no file can be.
  const placeholder = /[<[]([^>\]]*)[>\]]/.exec(o.flags)?.[1] ?? '';
  if (/\bfile/.test(placeholder)) return none(Directive.Default);
  if (/\bdir/.test(placeholder)) return none(Directive.FilterDirs);
  return none();
}

function operands(q: Query): Completion | Promise<Completion> {
  const { cmd, args, helpFor } = q.line;
  if (helpFor) {
    if (args.length > 0) return none();
    return matching(
      help
        .visibleCommands(helpFor)
        .filter((c) => c !== cmd)
        .map((c) => c.name()),
      q.word,
    );
  }
  const rule = OPERANDS[pathOf(cmd)];
  if (rule) return rule(q);
  const declared = cmd.registeredArguments;
  const last = declared[declared.length - 1];
  const arg = declared[args.length] ?? (last?.variadic ? last : undefined);
  return arg && /\bfile/.test(arg.name()) ? manifests() : none();
}

/**
 * The candidates for the last of `words` (the command line after the program's name, the word
 * under the cursor last, '' after a space). Never throws for a reason of the line or of the state
 * directory: names that cannot be read are simply not offered.
 */
export async function complete(
  root: Command,
  words: string[],
  env: Record<string, string | undefined>,
  storedNames: StoredNames,
): Promise<Completion> {
  const toComplete = words.length > 0 ? words[words.length - 1]! : '';
  const line = parseLine(root, words.slice(0, -1), env);
  const names = async (kind: Kind) => {
    try {
      return await storedNames(kind, line.stateDir);
    } catch {
      return [];
    }
  };
  const q = (word: string): Query => ({ line, word, names });

  if (line.value && !(line.value.orOption && toComplete.startsWith('-')))
    return optionValue(line.value.option, q(toComplete));
  if (!line.operandsOnly && toComplete.startsWith('-')) {
    const eq = toComplete.indexOf('=');
    if (toComplete.startsWith('--') && eq > 0) {
      // --option=value: the value's candidates, without the option (the shells keep it).
      const o = findOption(line.cmd, toComplete.slice(0, eq));
      return o && takesValue(o) ? optionValue(o, q(toComplete.slice(eq + 1))) : none();
    }
    return optionNames(line, toComplete);
  }
  const subs = help.visibleCommands(line.cmd);
  if (subs.length > 0 && line.args.length === 0 && !line.operandsOnly) {
    return matching(
      subs.map((c) => `${c.name()}\t${firstLine(c.description())}`),
      toComplete,
    );
  }
  return operands(q(toComplete));
}

/** The protocol's text: one candidate a line, then `:DIRECTIVE`. */
export function formatCompletion(c: Completion): string {
  return c.candidates.map((x) => `${firstLine(x)}\n`).join('') + `:${c.directive}\n`;
}
