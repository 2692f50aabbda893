// kubectl's label-selector language (apimachinery labels.Parse): `a=b`, `a==b`, `a!=b`,
// `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by commas. `!=` and `notin` also
// match objects without the label, as in Kubernetes. A bad selector is a UsageError (exit 2).

import { UsageError } from '../api/errors.js';
import type { Labels } from '../api/k8s.js';

export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

export interface Selector {
  requirements: Requirement[];
  matches(labels: Labels | undefined): boolean;
}

type TokenKind = 'id' | '!' | '=' | '==' | '!=' | ',' | '(' | ')' | 'in' | 'notin' | '>' | '<' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (SPECIAL.has(ch)) {
      const two = input.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        tokens.push({ kind: two, text: two });
        i += 2;
      } else {
        tokens.push({ kind: ch as TokenKind, text: ch });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < input.length && !SPECIAL.has(input[j]!) && !/\s/.test(input[j]!)) j++;
    const text = input.slice(i, j);
    tokens.push({ kind: text === 'in' ? 'in' : text === 'notin' ? 'notin' : 'id', text });
    i = j;
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyError(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `key "${key}": a qualified name has at most one "/"`;
  const name = parts[parts.length - 1]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
      return `key "${key}": the prefix must be a DNS subdomain (lower case alphanumerics, '-' and '.')`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name))
    return `key "${key}": a name must be 63 characters or less, start and end with an alphanumeric character, with '-', '_', '.' or alphanumerics between`;
  return undefined;
}

function valueError(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value))
    return `value "${value}": a label value must be empty or 63 characters or less, start and end with an alphanumeric character, with '-', '_', '.' or alphanumerics between`;
  return undefined;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly input: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    return this.tokens[this.pos++]!;
  }
  private fail(detail: string): never {
    throw new UsageError(
      `invalid label selector "${this.input}": ${detail}`,
      "a selector is a comma-separated list of key=value, key!=value, 'key in (a,b)', 'key notin (a,b)', key or !key",
    );
  }
  private found(t: Token): string {
    return t.kind === 'end' ? 'end of string' : `'${t.text}'`;
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    if (this.peek().kind === 'end') return out;
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'id' && t.kind !== '!')
        this.fail(`found ${this.found(t)}, expected: !, identifier, or end of string`);
      out.push(this.requirement());
      const after = this.next();
      if (after.kind === 'end') return out;
      if (after.kind !== ',') this.fail(`found ${this.found(after)}, expected: ',' or end of string`);
      const again = this.peek();
      if (again.kind !== 'id' && again.kind !== '!')
        this.fail(`found ${this.found(again)}, expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    if (t.kind === '!') {
      t = this.next();
      if (t.kind !== 'id') this.fail(`found ${this.found(t)}, expected: identifier after '!'`);
      this.checkKey(t.text);
      return { key: t.text, operator: '!', values: [] };
    }
    const key = t.text;
    this.checkKey(key);
    const op = this.peek();
    if (op.kind === ',' || op.kind === 'end') return { key, operator: 'exists', values: [] };
    this.next();
    switch (op.kind) {
      case 'in':
      case 'notin': {
        const values = this.valueSet();
        if (values.length === 0) this.fail(`for 'in', 'notin' operators, values set can't be empty`);
        return { key, operator: op.kind, values };
      }
      case '=':
      case '==':
      case '!=':
      case '>':
      case '<': {
        const v = this.peek();
        let value = '';
        if (v.kind === 'id') value = this.next().text;
        else if (v.kind !== ',' && v.kind !== 'end')
          this.fail(`found ${this.found(v)}, expected: identifier`);
        if (op.kind === '>' || op.kind === '<') {
          if (!/^-?\d+$/.test(value))
            this.fail(`for 'gt', 'lt' operators, the value must be an integer, not "${value}"`);
        } else {
          this.checkValue(value);
        }
        return { key, operator: op.kind, values: [value] };
      }
      default:
        return this.fail(`found ${this.found(op)}, expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(`found ${this.found(open)}, expected: '('`);
    const values: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === ')') {
        this.next();
        if (values.length > 0) values.push(''); // `(a,)` — a trailing empty value
        return values;
      }
      if (t.kind === 'id' || t.kind === 'in' || t.kind === 'notin') {
        this.next();
        this.checkValue(t.text);
        values.push(t.text);
        const sep = this.next();
        if (sep.kind === ')') return values;
        if (sep.kind !== ',') this.fail(`found ${this.found(sep)}, expected: ',' or ')'`);
        continue;
      }
      if (t.kind === ',') {
        this.next();
        values.push('');
        continue;
      }
      this.fail(`found ${this.found(t)}, expected: ',', ')' or identifier`);
    }
  }

  private checkKey(key: string): void {
    const e = keyError(key);
    if (e) this.fail(e);
  }
  private checkValue(value: string): void {
    const e = valueError(value);
    if (e) this.fail(e);
  }
}

function matches(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case '>':
    case '<': {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const n = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === '>' ? n > bound : n < bound;
    }
  }
}

/** Parses a selector; the empty selector matches everything. */
export function parseSelector(text: string): Selector {
  const requirements = new Parser(lex(text), text).parse();
  return {
    requirements,
    matches: (labels) => requirements.every((r) => matches(r, labels ?? {})),
  };
}
