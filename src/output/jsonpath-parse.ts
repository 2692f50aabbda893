// The parser of kubectl's JSONPath templates, as k8s.io/client-go/util/jsonpath/parser.go scans
// them (same node tree, same quirks, same error messages): text outside `{...}` is copied, each
// `{...}` is an action of fields, indexes/slices, filters, unions, `..`, `*`, quoted strings,
// numbers, `true`/`false` and the `range`/`end` identifiers. The scanning is iterative where
// parser.go recurses, so long templates cannot overflow the stack.

import { goRuneText } from './go-values.js';

export interface ParamsEntry {
  value: number;
  /** Whether the template gave it. */
  known: boolean;
  /** The end of a plain index `[n]` (n+1), which parser.go marks so that `[-1]` reaches the end. */
  derived: boolean;
}

export type JsonPathNode =
  | { type: 'text'; text: string }
  | ListNode
  | { type: 'field'; name: string }
  | { type: 'identifier'; name: string }
  | { type: 'array'; params: [ParamsEntry, ParamsEntry, ParamsEntry] }
  | { type: 'filter'; left: ListNode; right: ListNode; operator: string }
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'wildcard' }
  | { type: 'recursive' }
  | { type: 'union'; nodes: ListNode[] };

export interface ListNode {
  type: 'list';
  nodes: JsonPathNode[];
}

/** A template that does not parse; the message is client-go's. */
export class JsonPathParseError extends Error {}

const EOF = -1;
const dictKeyRex = /^'([^']*)'$/;
const sliceOperatorRex = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const filterRex = /^([^!<>=]+)([!<>=]+)(.+?)$/s;

function list(): ListNode {
  return { type: 'list', nodes: [] };
}

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09;
}

function isEndOfLine(r: number): boolean {
  return r === 0x0d || r === 0x0a;
}

function isDigit(r: number): boolean {
  return r >= 0 && /\p{Nd}/u.test(String.fromCodePoint(r));
}

function isAlphaNumeric(r: number): boolean {
  return r === 0x5f || (r >= 0 && /[\p{L}\p{Nd}]/u.test(String.fromCodePoint(r)));
}

/** A character that ends a field or identifier. */
function isTerminator(r: number): boolean {
  if (isSpace(r) || isEndOfLine(r) || r === EOF) return true;
  return '.,[]$@{}'.includes(String.fromCodePoint(r));
}

/** Parses a template into its root list: text nodes and one list node per action. */
export function parseJsonPath(text: string): ListNode {
  return new Parser(text).parse();
}

/** parser.go's parseAction: the nodes of `{text}`. */
function parseAction(text: string): ListNode {
  return parseJsonPath(`{${text}}`).nodes[0] as ListNode;
}

class Parser {
  private pos = 0;
  private start = 0;
  private width = 0;
  private readonly root = list();

  constructor(private readonly input: string) {}

  parse(): ListNode {
    let action: ListNode | undefined;
    for (;;) {
      if (!action) {
        // Text up to the next `{`.
        const brace = this.input.indexOf('{', this.pos);
        if (brace < 0) {
          this.pos = this.input.length;
          if (this.pos > this.start) this.root.nodes.push({ type: 'text', text: this.consumeText() });
          return this.root;
        }
        this.pos = brace;
        if (this.pos > this.start) this.root.nodes.push({ type: 'text', text: this.consumeText() });
        this.pos += 1;
        this.consumeText();
        action = list();
        this.root.nodes.push(action);
        continue;
      }
      if (this.input.startsWith('}', this.pos)) {
        this.pos += 1;
        this.consumeText();
        action = undefined;
        continue;
      }
      if (this.input.startsWith('[?(', this.pos)) {
        this.parseFilter(action);
        continue;
      }
      if (this.input.startsWith('..', this.pos)) {
        this.parseRecursive(action);
        continue;
      }
      const r = this.next();
      if (r === EOF || isEndOfLine(r)) throw new JsonPathParseError('unclosed action');
      if (r === 0x20 || r === 0x40 /* @ */ || r === 0x24 /* $ */) {
        // A space, or the current object: nothing to add.
        this.consumeText();
      } else if (r === 0x5b /* [ */) {
        this.parseArray(action);
      } else if (r === 0x22 || r === 0x27) {
        this.parseQuote(action, r);
      } else if (r === 0x2e /* . */) {
        this.parseField(action);
      } else if (r === 0x2b || r === 0x2d || isDigit(r)) {
        this.backup();
        this.parseNumber(action);
      } else if (isAlphaNumeric(r)) {
        this.backup();
        this.parseIdentifier(action);
      } else {
        throw new JsonPathParseError(`unrecognized character in action: ${goRuneText(r)}`);
      }
    }
  }

  private consumeText(): string {
    const value = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return value;
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  /** The character before the one just read is a backslash. */
  private escaped(): boolean {
    return this.input[this.pos - 2] === '\\';
  }

  /** Keywords (`range`, `end`) and the booleans. */
  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      if (isTerminator(this.next())) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === 'true' || value === 'false') cur.nodes.push({ type: 'bool', value: value === 'true' });
    else cur.nodes.push({ type: 'identifier', name: value });
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes.at(-1)?.type === 'recursive')
      throw new JsonPathParseError('invalid multiple recursive descent');
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ type: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    const r = this.peek();
    if (r === 0x2b || r === 0x2d) this.next();
    for (;;) {
      const c = this.next();
      if (c !== 0x2e && !isDigit(c)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    // strconv.Atoi, then strconv.ParseFloat.
    if (/^[+-]?[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))) {
      cur.nodes.push({ type: 'int', value: Number(value) });
    } else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(value)) {
      cur.nodes.push({ type: 'float', value: Number(value) });
    } else {
      throw new JsonPathParseError(`cannot parse number ${value}`);
    }
  }

  /** `[...]`: an index or slice, `*`, a union `[a,b]` or a quoted key `['a.b']`. */
  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathParseError('unterminated array');
      if (r === 0x5d /* ] */) break;
    }
    let text = this.consumeText().slice(1, -1);
    if (text === '*') text = ':';

    const parts = text.split(',');
    if (parts.length > 1) {
      cur.nodes.push({
        type: 'union',
        nodes: parts.map((s) => parseAction(`[${s.replace(/^ +| +$/g, '')}]`)),
      });
      return;
    }

    // A quoted key is the fields it names: `['a.b']` is `.a.b`, as parser.go reads it.
    const key = dictKeyRex.exec(text);
    if (key) {
      cur.nodes.push(...parseAction(`.${key[1]}`).nodes);
      return;
    }

    const slice = sliceOperatorRex.exec(text);
    if (!slice) throw new JsonPathParseError(`invalid array index ${text}`);
    const groups = [slice[1] ?? '', slice[2] ?? '', slice[3] ?? ''];
    const params: ParamsEntry[] = [];
    for (let i = 0; i < 3; i++) {
      let v = groups[i]!;
      if (v !== '') {
        if (i > 0) v = v.slice(1);
        if (i > 0 && v === '') {
          params.push({ value: 0, known: false, derived: false });
        } else {
          const n = Number(v);
          if (!/^-?[0-9]+$/.test(v) || !Number.isSafeInteger(n))
            throw new JsonPathParseError(`array index ${v} is not a number`);
          params.push({ value: n, known: true, derived: false });
        }
      } else if (i === 1) {
        params.push({ value: params[0]!.value + 1, known: true, derived: true });
      } else {
        params.push({ value: 0, known: false, derived: false });
      }
    }
    cur.nodes.push({ type: 'array', params: params as [ParamsEntry, ParamsEntry, ParamsEntry] });
  }

  /** `[?(LEFT OP RIGHT)]` or `[?(PATH)]` (exists). */
  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = 0;
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathParseError('unterminated filter');
      if (r === 0x22 || r === 0x27) {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (!this.escaped() && r === pair) end = true;
      } else if (r === 0x29 /* ) */ && begin === end) {
        break;
      }
    }
    if (this.next() !== 0x5d) throw new JsonPathParseError('unclosed array expect ]');
    const text = this.consumeText().slice(0, -2);
    const m = filterRex.exec(text);
    if (!m) {
      cur.nodes.push({ type: 'filter', left: parseAction(text), right: list(), operator: 'exists' });
    } else {
      cur.nodes.push({
        type: 'filter',
        left: parseAction(m[1]!),
        right: parseAction(m[3]!),
        operator: m[2]!,
      });
    }
  }

  private parseQuote(cur: ListNode, end: number): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathParseError('unterminated quoted string');
      if (r === end && !this.escaped()) break;
    }
    const value = this.consumeText();
    const s = unquoteExtend(value);
    if (s === undefined) throw new JsonPathParseError(`unquote string ${value} error invalid syntax`);
    cur.nodes.push({ type: 'text', text: s });
  }

  private parseField(cur: ListNode): void {
    this.consumeText();
    while (this.advance());
    const value = this.consumeText();
    if (value === '*') cur.nodes.push({ type: 'wildcard' });
    else cur.nodes.push({ type: 'field', name: value.replaceAll('\\', '') });
  }

  /** Reads up to the next terminator that is not escaped with a backslash. */
  private advance(): boolean {
    const r = this.next();
    if (r === 0x5c /* \ */) {
      this.next();
    } else if (isTerminator(r)) {
      this.backup();
      return false;
    }
    return true;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/**
 * parser.go's UnquoteExtend: strconv.Unquote for `"..."` and `'...'` strings (Go's escapes;
 * the other quote character may not be escaped). undefined when the syntax is invalid.
 */
export function unquoteExtend(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const quote = s[0]!;
  if (quote !== s.at(-1) || (quote !== '"' && quote !== "'")) return undefined;
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length;) {
    const c = body[i]!;
    if (c === quote) return undefined;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === quote) {
      out += e;
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
      const cp = parseInt(hex, 16);
      if (e !== 'x' && (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))) return undefined;
      out += String.fromCodePoint(cp);
      i += 2 + n;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) return undefined;
      out += String.fromCodePoint(parseInt(oct, 8));
      i += 4;
    } else {
      return undefined;
    }
  }
  return out;
}
