// `tjob completion bash|zsh|fish`: a completion script for the shell, generated from the command
// tree itself (commands, subcommands, their options), with kubectl's resource words for the read
// commands and, at completion time, the names of the stored jobs, pods and cronjobs (from
// `tjob get KIND -o name`, passing on a --state-dir given on the command line).

import { Help, type Command, type Option } from 'commander';
import { UsageError } from '../../api/errors.js';
import type { CliContext, GlobalOptions } from '../context.js';
import type { CommandResult } from '../program.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

const OUTPUT_FORMATS = ['json', 'name', 'wide', 'yaml'];
const WAIT_FOR = ['condition=Complete', 'condition=Failed', 'condition=Suspended', 'finished', 'delete'];

/**
 * What each command takes as its first argument: resource words (`get jobs`), `TYPE/` prefixes
 * (`wait job/NAME`), job names directly (`logs JOB`), files, or fixed words.
 */
interface ArgSpec {
  types?: string[];
  /** Only the TYPE/NAME form (wait). */
  slashOnly?: boolean;
  /** Job names are accepted without a type (logs JOB). */
  bareJobs?: boolean;
  files?: boolean;
  cronJobNames?: boolean;
  words?: string[];
}

const ARGS: Record<string, ArgSpec> = {
  run: { files: true },
  validate: { files: true },
  render: { files: true },
  apply: { files: true },
  get: { types: ['jobs', 'pods', 'cronjobs'] },
  describe: { types: ['job', 'pod', 'cronjob'] },
  delete: { types: ['job', 'cronjob'] },
  wait: { types: ['job'], slashOnly: true },
  logs: { types: ['job', 'pod'], slashOnly: true, bareJobs: true },
  suspend: { types: ['job'] },
  resume: { types: ['job'] },
  'cron start': { files: true },
  'cron next': { files: true, cronJobNames: true },
  'cron trigger': { cronJobNames: true },
  'cron suspend': { cronJobNames: true },
  'cron resume': { cronJobNames: true },
  completion: { words: [...SHELLS] },
};

interface OptInfo {
  names: string[];
  takesValue: boolean;
  /** What the value is: file, dir, format, condition, job, or nothing known. */
  value?: 'file' | 'dir' | 'format' | 'for' | 'job';
  description: string;
}

interface CmdInfo {
  /** `get`, `cron start`. */
  key: string;
  name: string;
  description: string;
  options: OptInfo[];
  subcommands: CmdInfo[];
}

function optInfo(o: Option): OptInfo {
  const names = [o.short, o.long].filter((n): n is string => !!n);
  const takesValue = o.required || o.optional;
  const placeholder = /<([^>.]+)(\.\.\.)?>|\[([^\].]+)/.exec(o.flags);
  const what = placeholder?.[1] ?? placeholder?.[3] ?? '';
  const value = !takesValue
    ? undefined
    : what === 'file'
      ? 'file'
      : what === 'dir'
        ? 'dir'
        : what === 'format'
          ? 'format'
          : o.long === '--for'
            ? 'for'
            : o.long === '--job'
              ? 'job'
              : undefined;
  return { names, takesValue, ...(value ? { value } : {}), description: o.description };
}

/** The visible command tree (hidden commands such as `controller` left out). */
export function commandTree(program: Command): CmdInfo {
  const help = new Help();
  const walk = (cmd: Command, key: string): CmdInfo => ({
    key,
    name: cmd.name(),
    description: cmd.description(),
    options: help.visibleOptions(cmd).map(optInfo),
    subcommands: help
      .visibleCommands(cmd)
      .filter((c) => c.name() !== 'help' || key === '')
      .map((c) => walk(c, key ? `${key} ${c.name()}` : c.name())),
  });
  return walk(program, '');
}

function allCommands(root: CmdInfo): CmdInfo[] {
  const out: CmdInfo[] = [];
  const visit = (c: CmdInfo) => {
    for (const s of c.subcommands) {
      out.push(s);
      visit(s);
    }
  };
  visit(root);
  return out;
}

const words = (list: string[]) => list.join(' ');
/** Single-quoted for sh, bash, zsh and fish alike. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** Single-quoted for fish (backslash and quote escaped inside). */
const fishq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `case` arms (sh syntax, shared by bash and zsh) that succeed for "KEY:OPTION" taking a value. */
function takesValueCase(root: CmdInfo): string {
  const arms: string[] = [];
  for (const o of root.options.filter((x) => x.takesValue))
    for (const n of o.names) arms.push(`*${sq(`:${n}`)}`);
  for (const c of allCommands(root))
    for (const o of c.options.filter((x) => x.takesValue))
      for (const n of o.names) arms.push(sq(`${c.key}:${n}`));
  return arms.join('|');
}

/** `case` arms for "KEY:OPTION" → the value kind, sh syntax. */
function valueKindCase(root: CmdInfo, indent: string): string {
  const byKind = new Map<string, string[]>();
  const add = (key: string, o: OptInfo) => {
    if (!o.value) return;
    const list = byKind.get(o.value) ?? [];
    for (const n of o.names) list.push(key === '*' ? `*${sq(`:${n}`)}` : sq(`${key}:${n}`));
    byKind.set(o.value, list);
  };
  for (const o of root.options) add('*', o);
  for (const c of allCommands(root)) for (const o of c.options) add(c.key, o);
  return [...byKind].map(([kind, arms]) => `${indent}${arms.join('|')}) echo ${kind} ;;`).join('\n');
}

function optionWordsCase(root: CmdInfo, indent: string): string {
  return allCommands(root)
    .map((c) => `${indent}${sq(c.key)}) echo ${sq(words(c.options.flatMap((o) => o.names)))} ;;`)
    .join('\n');
}

function argSpecCase(indent: string, arm: (key: string, spec: ArgSpec) => string): string {
  return Object.entries(ARGS)
    .map(([key, spec]) => `${indent}${sq(key)}) ${arm(key, spec)} ;;`)
    .join('\n');
}

const header = (shell: Shell, install: string[]) =>
  [
    `# ${shell} completion for tjob, generated by \`tjob completion ${shell}\`.`,
    ...install.map((l) => `#   ${l}`),
  ].join('\n');

export function bashScript(root: CmdInfo): string {
  const top = root.subcommands.map((c) => c.name);
  const withSubs = root.subcommands.filter((c) => c.subcommands.length > 0);
  return `${header('bash', ['source <(tjob completion bash)        # now, or from ~/.bashrc'])}

# The names of stored objects of one kind: jobs, pods or cronjobs.
__tjob_names() {
  local -a sd=()
  [[ -n \${__tjob_state_dir-} ]] && sd=(--state-dir "$__tjob_state_dir")
  tjob "\${sd[@]}" get "$1" -o name 2>/dev/null | sed 's|^[^/]*/||'
}

__tjob_kind() {
  case $1 in
    job|jobs|job.batch|jobs.batch) echo jobs ;;
    pod|pods|po) echo pods ;;
    cronjob|cronjobs|cj|cronjob.batch|cronjobs.batch) echo cronjobs ;;
  esac
}

# Does option $2 of command $1 take a value?
__tjob_takes_value() {
  case "$1:$2" in
    ${takesValueCase(root)}) return 0 ;;
  esac
  return 1
}

__tjob_value_kind() {
  case "$1:$2" in
${valueKindCase(root, '    ')}
  esac
}

__tjob_options() {
  case $1 in
${optionWordsCase(root, '    ')}
  esac
}

# COMPREPLY: the words of list $1 that start with $2.
__tjob_reply() {
  mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_tjob() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmd='' sub='' key='' w i __tjob_state_dir=''
  local -a args=()
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    case $w in
      =) ((i++)) ;; # --opt=value: bash splits the words at "="
      --state-dir) ((i++)); [[ \${COMP_WORDS[i]-} == = ]] && ((i++)); __tjob_state_dir=\${COMP_WORDS[i]-} ;;
      -*)
        if __tjob_takes_value "$key" "$w"; then
          ((i++))
          [[ \${COMP_WORDS[i]-} == = ]] && ((i++))
        fi
        ;;
      *)
        if [[ -z $cmd ]]; then
          cmd=$w key=$w
        elif [[ -z $sub ]] && case $cmd in ${withSubs.map((c) => sq(c.name)).join('|') || "''"}) true ;; *) false ;; esac; then
          sub=$w key="$cmd $w"
        else
          args+=("$w")
        fi
        ;;
    esac
  done

  # The value of an option (also after --option=).
  local opt=$prev
  if [[ $cur == = ]]; then opt=$prev cur=''; elif [[ $prev == = ]]; then opt=\${COMP_WORDS[COMP_CWORD-2]}; fi
  if [[ $opt == -* ]] && __tjob_takes_value "$key" "$opt"; then
    case $(__tjob_value_kind "$key" "$opt") in
      file) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null ;;
      dir) COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null ;;
      format) __tjob_reply ${sq(words(OUTPUT_FORMATS))} "$cur" ;;
      for) __tjob_reply ${sq(words(WAIT_FOR))} "$cur" ;;
      job) __tjob_reply "$(__tjob_names jobs)" "$cur" ;;
    esac
    return 0
  fi

  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      __tjob_reply ${sq(words(root.options.flatMap((o) => o.names)))} "$cur"
    else
      __tjob_reply ${sq(words(top))} "$cur"
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    __tjob_reply "$(__tjob_options "$key")" "$cur"
    return 0
  fi
  if [[ -z $sub ]]; then
    case $cmd in
${withSubs.map((c) => `      ${sq(c.name)}) __tjob_reply ${sq(words(c.subcommands.map((s) => s.name)))} "$cur"; return 0 ;;`).join('\n')}
      help) __tjob_reply ${sq(words(top))} "$cur"; return 0 ;;
    esac
  fi

  local types='' slash='' bare='' files='' cron='' fixed=''
  case $key in
${argSpecCase('    ', (_k, s) => `types=${sq(words(s.types ?? []))} slash=${s.slashOnly ? 1 : "''"} bare=${s.bareJobs ? 1 : "''"} files=${s.files ? 1 : "''"} cron=${s.cronJobNames ? 1 : "''"} fixed=${sq(words(s.words ?? []))}`)}
    *) return 0 ;;
  esac
  if [[ -n $fixed ]]; then
    ((\${#args[@]} == 0)) && __tjob_reply "$fixed" "$cur"
    return 0
  fi
  if [[ -n $cron ]]; then
    __tjob_reply "$(__tjob_names cronjobs)" "$cur"
  fi
  if [[ -n $files ]]; then
    local f
    while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen -f -- "$cur")
    compopt -o filenames 2>/dev/null
    return 0
  fi
  [[ -z $types ]] && return 0
  if [[ $cur == */* ]]; then
    # TYPE/NAME
    local type=\${cur%%/*} kind
    kind=$(__tjob_kind "$type")
    [[ -n $kind ]] && __tjob_reply "$(__tjob_names "$kind" | sed "s|^|$type/|")" "$cur"
    return 0
  fi
  if ((\${#args[@]} == 0)); then
    if [[ -n $slash ]]; then
      local t words=''
      for t in $types; do words+="$t/ "; done
      [[ -n $bare ]] && words+=" $(__tjob_names jobs)"
      __tjob_reply "$words" "$cur"
      [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == */ ]] && compopt -o nospace 2>/dev/null
    else
      __tjob_reply "$types" "$cur"
    fi
    return 0
  fi
  [[ -n $slash || \${args[0]} == */* ]] && return 0
  local kind
  kind=$(__tjob_kind "\${args[0]}")
  [[ -n $kind ]] && __tjob_reply "$(__tjob_names "$kind")" "$cur"
  return 0
}

complete -F _tjob tjob
`;
}

/** "name:description" for zsh's _describe (colons in the name escaped). */
const zdesc = (name: string, description: string) =>
  sq(`${name.replace(/:/g, '\\:')}:${description.replace(/\n.*/s, '')}`);

export function zshScript(root: CmdInfo): string {
  const withSubs = root.subcommands.filter((c) => c.subcommands.length > 0);
  const describeList = (list: { name: string; description: string }[]) =>
    list.map((c) => zdesc(c.name, c.description)).join(' ');
  const optionList = (opts: OptInfo[]) =>
    opts.flatMap((o) => o.names.map((n) => zdesc(n, o.description))).join(' ');
  return `#compdef tjob
${header('zsh', [
  'tjob completion zsh > "${fpath[1]}/_tjob"    # then start a new shell',
  'source <(tjob completion zsh)               # or now, after compinit',
])}

__tjob_names() {
  local -a sd
  local at=\${words[(I)--state-dir]}
  (( at )) && sd=(--state-dir "\${words[at+1]}")
  tjob "\${sd[@]}" get "$1" -o name 2>/dev/null | sed 's|^[^/]*/||'
}

__tjob_kind() {
  case $1 in
    job|jobs|job.batch|jobs.batch) echo jobs ;;
    pod|pods|po) echo pods ;;
    cronjob|cronjobs|cj|cronjob.batch|cronjobs.batch) echo cronjobs ;;
  esac
}

__tjob_takes_value() {
  case "$1:$2" in
    ${takesValueCase(root)}) return 0 ;;
  esac
  return 1
}

__tjob_value_kind() {
  case "$1:$2" in
${valueKindCase(root, '    ')}
  esac
}

__tjob_options() {
  local -a opts
  case $1 in
${allCommands(root)
  .map((c) => `    ${sq(c.key)}) opts=(${optionList(c.options)}) ;;`)
  .join('\n')}
  esac
  _describe -t options 'option' opts
}

_tjob() {
  local cur=\${words[CURRENT]} cmd= sub= key= w i
  local -a args
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    case $w in
      -*=*) ;;
      -*) __tjob_takes_value "$key" "$w" && ((i++)) ;;
      *)
        if [[ -z $cmd ]]; then
          cmd=$w key=$w
        elif [[ -z $sub && " ${withSubs.map((c) => c.name).join(' ')} " == *" $cmd "* ]]; then
          sub=$w key="$cmd $w"
        else
          args+=("$w")
        fi
        ;;
    esac
  done

  local opt=\${words[CURRENT-1]}
  if [[ $cur == -*=* ]]; then
    opt=\${cur%%=*}
    compset -P '*='
    cur=\${cur#*=}
  fi
  if [[ $opt == -* ]] && __tjob_takes_value "$key" "$opt"; then
    case $(__tjob_value_kind "$key" "$opt") in
      file) _files ;;
      dir) _directories ;;
      format) compadd -- ${words(OUTPUT_FORMATS)} ;;
      for) compadd -- ${words(WAIT_FOR)} ;;
      job) compadd -- \${(f)"$(__tjob_names jobs)"} ;;
    esac
    return 0
  fi

  local -a list
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      list=(${optionList(root.options)})
      _describe -t options 'option' list
    else
      list=(${describeList(root.subcommands)})
      _describe -t commands 'tjob command' list
    fi
    return 0
  fi
  if [[ $cur == -* ]]; then
    __tjob_options "$key"
    return 0
  fi
  if [[ -z $sub ]]; then
    case $cmd in
${withSubs.map((c) => `      ${sq(c.name)}) list=(${describeList(c.subcommands)}); _describe -t commands ${sq(`tjob ${c.name} command`)} list; return 0 ;;`).join('\n')}
      help) list=(${describeList(root.subcommands)}); _describe -t commands 'tjob command' list; return 0 ;;
    esac
  fi

  local types= slash= bare= files= cron= fixed=
  case $key in
${argSpecCase('    ', (_k, s) => `types=${sq(words(s.types ?? []))} slash=${s.slashOnly ? 1 : "''"} bare=${s.bareJobs ? 1 : "''"} files=${s.files ? 1 : "''"} cron=${s.cronJobNames ? 1 : "''"} fixed=${sq(words(s.words ?? []))}`)}
    *) return 0 ;;
  esac
  if [[ -n $fixed ]]; then
    (( \${#args} == 0 )) && compadd -- \${=fixed}
    return 0
  fi
  [[ -n $cron ]] && compadd -- \${(f)"$(__tjob_names cronjobs)"}
  if [[ -n $files ]]; then
    _files
    return 0
  fi
  [[ -z $types ]] && return 0
  if [[ $cur == */* ]]; then
    local kind=$(__tjob_kind "\${cur%%/*}")
    compset -P '*/'
    [[ -n $kind ]] && compadd -- \${(f)"$(__tjob_names $kind)"}
    return 0
  fi
  if (( \${#args} == 0 )); then
    if [[ -n $slash ]]; then
      local t
      for t in \${=types}; do compadd -S '' -- "$t/"; done
      [[ -n $bare ]] && compadd -- \${(f)"$(__tjob_names jobs)"}
    else
      compadd -- \${=types}
    fi
    return 0
  fi
  [[ -n $slash || \${args[1]} == */* ]] && return 0
  local kind=$(__tjob_kind "\${args[1]}")
  [[ -n $kind ]] && compadd -- \${(f)"$(__tjob_names $kind)"}
  return 0
}

if [[ "\${funcstack[1]}" == _tjob ]]; then
  _tjob "$@"
else
  compdef _tjob tjob
fi
`;
}

export function fishScript(root: CmdInfo): string {
  const withSubs = root.subcommands.filter((c) => c.subcommands.length > 0);
  const lines: string[] = [];
  const optLine = (cond: string, o: OptInfo) => {
    const parts = ['complete -c tjob'];
    if (cond) parts.push(`-n ${fishq(cond)}`);
    for (const n of o.names) parts.push(n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`);
    if (o.takesValue) {
      if (o.value === 'file') parts.push('-r -F');
      else if (o.value === 'dir') parts.push(`-x -a ${fishq('(__fish_complete_directories)')}`);
      else if (o.value === 'format') parts.push(`-x -a ${fishq(words(OUTPUT_FORMATS))}`);
      else if (o.value === 'for') parts.push(`-x -a ${fishq(words(WAIT_FOR))}`);
      else if (o.value === 'job') parts.push(`-x -a ${fishq('(__tjob_names jobs)')}`);
      else parts.push('-x');
    }
    parts.push(`-d ${fishq(o.description.replace(/\n.*/s, ''))}`);
    lines.push(parts.join(' '));
  };
  for (const o of root.options) optLine('', o);
  for (const c of root.subcommands)
    lines.push(
      `complete -c tjob -n '__tjob_at_command' -a ${fishq(c.name)} -d ${fishq(c.description.replace(/\n.*/s, ''))}`,
    );
  for (const c of withSubs)
    for (const s of c.subcommands)
      lines.push(
        `complete -c tjob -n ${fishq(`__tjob_at_subcommand ${c.name}`)} -a ${fishq(s.name)} -d ${fishq(s.description.replace(/\n.*/s, ''))}`,
      );
  for (const c of allCommands(root)) for (const o of c.options) optLine(`__tjob_key_is ${sq(c.key)}`, o);
  for (const [key, spec] of Object.entries(ARGS))
    if (spec.files) lines.push(`complete -c tjob -n ${fishq(`__tjob_key_is ${sq(key)}`)} -F`);
  const valueArms = [
    ...root.options.map((o) => ({ key: '*', o })),
    ...allCommands(root).flatMap((c) => c.options.map((o) => ({ key: c.key, o }))),
  ]
    .filter((x) => x.o.takesValue)
    .flatMap((x) => x.o.names.map((n) => sq(`${x.key}:${n}`)));

  return `${header('fish', ['tjob completion fish > ~/.config/fish/completions/tjob.fish'])}

function __tjob_names --description 'names of stored jobs, pods or cronjobs'
    set -l toks (commandline -opc)
    set -l sd
    if set -l at (contains -i -- --state-dir $toks)
        set sd --state-dir $toks[(math $at + 1)]
    end
    tjob $sd get $argv[1] -o name 2>/dev/null | string replace -r '^[^/]*/' ''
end

function __tjob_kind
    switch $argv[1]
        case job jobs job.batch jobs.batch
            echo jobs
        case pod pods po
            echo pods
        case cronjob cronjobs cj cronjob.batch cronjobs.batch
            echo cronjobs
    end
end

# The words before the cursor: the command key (\`get\`, \`cron start\`), then its arguments.
function __tjob_parse
    set -l toks (commandline -opc)
    set -e toks[1]
    set -l cmd
    set -l sub
    set -l key
    set -l args
    set -l skip 0
    for t in $toks
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case '-*=*'
            case '-*'
                switch "$key:$t"
                    case ${valueArms.join(' ')}
                        set skip 1
                end
            case '*'
                if test -z "$cmd"
                    set cmd $t
                    set key $t
                else if test -z "$sub"; and contains -- $cmd ${withSubs.map((c) => c.name).join(' ')}
                    set sub $t
                    set key "$cmd $t"
                else
                    set -a args $t
                end
        end
    end
    printf '%s\\n' "$key" $args
end

function __tjob_at_command
    set -l p (__tjob_parse)
    test -z "$p[1]"
end

function __tjob_at_subcommand
    set -l p (__tjob_parse)
    test "$p[1]" = "$argv[1]"
end

function __tjob_key_is
    set -l p (__tjob_parse)
    test "$p[1]" = "$argv[1]"
end

# Resource words and object names for the read commands.
function __tjob_resources
    set -l p (__tjob_parse)
    set -l key $p[1]
    set -l args $p[2..-1]
    set -l cur (commandline -ct)
    set -l types
    set -l slash 0
    set -l bare 0
    switch $key
${Object.entries(ARGS)
  .filter(([, s]) => s.types || s.cronJobNames || s.words)
  .map(
    ([key, s]) =>
      `        case ${fishq(key)}\n` +
      (s.words
        ? `            test (count $args) = 0; and printf '%s\\n' ${s.words.join(' ')}\n            return\n`
        : s.cronJobNames
          ? `            __tjob_names cronjobs\n            return\n`
          : `            set types ${(s.types ?? []).join(' ')}\n            set slash ${s.slashOnly ? 1 : 0}\n            set bare ${s.bareJobs ? 1 : 0}\n`),
  )
  .join('')}        case '*'
            return
    end
    if string match -q -- '*/*' $cur
        set -l type (string split -m1 / -- $cur)[1]
        set -l kind (__tjob_kind $type)
        test -n "$kind"; and __tjob_names $kind | string replace -r '^' "$type/"
        return
    end
    if test (count $args) = 0
        if test $slash = 1
            printf '%s/\\n' $types
            test $bare = 1; and __tjob_names jobs
        else
            printf '%s\\n' $types
        end
        return
    end
    test $slash = 1; and return
    string match -q -- '*/*' $args[1]; and return
    set -l kind (__tjob_kind $args[1])
    test -n "$kind"; and __tjob_names $kind
end

complete -c tjob -f
complete -c tjob -n 'not __tjob_at_command' -a '(__tjob_resources)'
${lines.join('\n')}
`;
}

export function completionScript(shell: Shell, program: Command): string {
  const root = commandTree(program);
  if (shell === 'bash') return bashScript(root);
  if (shell === 'zsh') return zshScript(root);
  return fishScript(root);
}

export function registerCompletion(
  program: Command,
  ctx: CliContext,
  _globals: () => GlobalOptions,
  result: CommandResult,
): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText(
      'after',
      `
Commands, options, resource types and — at completion time — the names of your jobs, pods and
cronjobs (from \`tjob get ... -o name\`, with the --state-dir given on the line).

Install:
  bash   source <(tjob completion bash)                                # add to ~/.bashrc
  zsh    tjob completion zsh > "\${fpath[1]}/_tjob"                     # then a new shell
  fish   tjob completion fish > ~/.config/fish/completions/tjob.fish`,
    )
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new UsageError(`unsupported shell "${shell}"`, `use one of: ${SHELLS.join(', ')}`);
      ctx.stdout.write(completionScript(shell as Shell, program));
      result.code = 0;
    });
}
