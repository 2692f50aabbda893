// kubectl's JSONPath: the evaluator and printer of k8s.io/client-go/util/jsonpath/jsonpath.go on
// decoded JSON (what kubectl's printers hand it). Each `{...}` yields a list of values; values of
// a list are joined by a space, maps and arrays printed as compact JSON, scalars as Go prints
// them; `{range X}...{end}` repeats its body per value of X. Missing keys print nothing unless
// `allowMissingKeys` is false (kubectl's --allow-missing-template-keys). Maps are walked in
// sorted key order (Go's order is random; sorted is one of them, and stable).

import { GoFloat, goFloatText, goMapKeys, goNumberText, goSprint, goTypeName, isGoMap } from './go-values.js';
import { parseJsonPath, type JsonPathNode, type ListNode } from './jsonpath-parse.js';
import { goJson } from './serialize.js';

export { JsonPathParseError } from './jsonpath-parse.js';

/** A template that fails on the data; the message is client-go's. */
export class JsonPathError extends Error {
  /** What the failing step returned along with its error (client-go's exists filter uses it). */
  constructor(
    message: string,
    readonly partial: unknown[] = [],
  ) {
    super(message);
  }
}

export interface JsonPathOptions {
  /** kubectl's --allow-missing-template-keys (default true there). */
  allowMissingKeys: boolean;
  /** `-o jsonpath-as-json`: each action's values as one indented JSON array. */
  outputJson?: boolean;
}

/** The value client-go walks for a range with no values (reflect's zero Value, not JSON null). */
const NO_VALUE = undefined;

export class JsonPath {
  private readonly root: ListNode;
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;
  private lastEndNode = -1;

  /** Throws JsonPathParseError. */
  constructor(
    template: string,
    private readonly options: JsonPathOptions,
  ) {
    this.root = parseJsonPath(template);
  }

  /** The template's output for `data` (decoded JSON). Throws JsonPathError. */
  execute(data: unknown): string {
    return this.findResults(data)
      .map((values) => this.printResults(values))
      .join('');
  }

  /** The values of each top-level node (text or action), ranges expanded. */
  findResults(data: unknown): unknown[][] {
    this.beginRange = this.inRange = this.endRange = 0;
    this.lastEndNode = -1;
    return this.find(data, 0);
  }

  // FindResults over the root's nodes from `from` on; a range evaluates its body (the nodes after
  // it, up to its `end`) once per value, then resumes after that `end`.
  private find(data: unknown, from: number): unknown[][] {
    const nodes = this.root.nodes;
    const cur = [data];
    const full: unknown[][] = [];
    for (let i = from; i < nodes.length; i++) {
      const results = this.walk(cur, nodes[i]!);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEndNode = i;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        if (results.length > 0) {
          for (const value of results) full.push(...this.find(value, i + 1));
        } else {
          // The body still runs once, so that the position advances to its end.
          this.find(NO_VALUE, i + 1);
        }
        this.inRange--;
        for (let k = i + 1; k < nodes.length; k++) {
          if (k === this.lastEndNode) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private printResults(values: unknown[]): string {
    if (this.options.outputJson) {
      return (
        goJson(
          values.map((v) => (v instanceof GoFloat ? v.value : v)),
          '    ',
        ) + '\n'
      );
    }
    return values.map((v) => (Array.isArray(v) || isGoMap(v) ? goJson(v) : textOf(v))).join(' ');
  }

  private walk(input: unknown[], node: JsonPathNode): unknown[] {
    switch (node.type) {
      case 'list':
        return this.evalList(input, node);
      case 'text':
        return [node.text];
      case 'field':
        return this.evalField(input, node.name);
      case 'array':
        return evalArray(input, node.params);
      case 'filter':
        return this.evalFilter(input, node);
      case 'int':
      case 'bool':
        return input.map(() => node.value);
      case 'float':
        return input.map(() => new GoFloat(node.value));
      case 'wildcard':
        return input.flatMap(childrenOf);
      case 'recursive':
        return evalRecursive(input);
      case 'union':
        return node.nodes.flatMap((n) => this.evalList(input, n));
      case 'identifier':
        return this.evalIdentifier(input, node.name);
    }
  }

  private evalList(input: unknown[], node: ListNode): unknown[] {
    let cur = input;
    for (const n of node.nodes) cur = this.walk(cur, n);
    return cur;
  }

  private evalIdentifier(input: unknown[], name: string): unknown[] {
    if (name === 'range') {
      this.beginRange++;
      return input;
    }
    if (name === 'end') {
      if (this.inRange <= 0) throw new JsonPathError('not in range, nothing to end');
      this.endRange++;
      return [];
    }
    throw new JsonPathError(`unrecognized identifier ${name}`, input);
  }

  private evalField(input: unknown[], name: string): unknown[] {
    if (input.length === 0) return [];
    const results: unknown[] = [];
    for (const value of input) {
      if (isGoMap(value) && Object.hasOwn(value, name) && value[name] !== undefined)
        results.push(value[name]);
    }
    if (results.length === 0 && !this.options.allowMissingKeys)
      throw new JsonPathError(`${name} is not found`);
    return results;
  }

  private evalFilter(input: unknown[], node: Extract<JsonPathNode, { type: 'filter' }>): unknown[] {
    const results: unknown[] = [];
    for (const value of input) {
      if (!Array.isArray(value))
        throw new JsonPathError(`${goSprint(value)} is not array or slice and cannot be filtered`, input);
      for (const item of value) {
        if (node.operator === 'exists') {
          // client-go keeps an item when the path yields values, even alongside an error.
          let lefts: unknown[];
          try {
            lefts = this.evalList([item], node.left);
          } catch (e) {
            if (!(e instanceof JsonPathError)) throw e;
            lefts = e.partial;
          }
          if (lefts.length > 0) results.push(item);
          continue;
        }
        const left = this.single(this.evalList([item], node.left), input);
        if (left === NOT_ONE) continue;
        const right = this.single(this.evalList([item], node.right), input);
        if (right === NOT_ONE) continue;
        if (compare(node.operator, left, right, results)) results.push(item);
      }
    }
    return results;
  }

  private single(values: unknown[], input: unknown[]): unknown {
    if (values.length === 0) return NOT_ONE;
    if (values.length > 1) throw new JsonPathError('can only compare one element at a time', input);
    return values[0];
  }
}

const NOT_ONE = Symbol('no value');

/** evalToText: a scalar as fmt.Fprint writes it; JSON null as `null`. */
function textOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return '<no value>';
  if (v instanceof GoFloat) return goFloatText(v.value);
  if (typeof v === 'number') return goNumberText(v);
  return String(v);
}

/** `[start:end:step]` with client-go's bounds rules and messages. */
function evalArray(input: unknown[], params: Extract<JsonPathNode, { type: 'array' }>['params']): unknown[] {
  const result: unknown[] = [];
  for (const value of input) {
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) throw new JsonPathError(`${goTypeName(value)} is not array or slice`, input);
    const length = value.length;
    const [p0, p1, p2] = params.map((p) => ({ ...p }));
    if (!p0!.known) p0!.value = 0;
    if (p0!.value < 0) p0!.value += length;
    if (!p1!.known) p1!.value = length;
    if (p1!.value < 0 || (p1!.value === 0 && p1!.derived)) p1!.value += length;
    // Zero elements asked for: allowed, and the values after this one are not looked at.
    if (p1!.value === p0!.value) return result;
    if (p0!.value >= length || p0!.value < 0)
      throw new JsonPathError(`array index out of bounds: index ${p0!.value}, length ${length}`, input);
    if (p1!.value > length || p1!.value < 0)
      throw new JsonPathError(`array index out of bounds: index ${p1!.value - 1}, length ${length}`, input);
    if (p0!.value > p1!.value)
      throw new JsonPathError(`starting index ${p0!.value} is greater than ending index ${p1!.value}`, input);
    let step = 1;
    if (p2!.known) {
      if (p2!.value <= 0) throw new JsonPathError('step must be > 0', input);
      step = p2!.value;
    }
    for (let i = p0!.value; i < p1!.value; i += step) result.push(value[i]);
  }
  return result;
}

/** A map's values, an array's elements, a string's bytes (as reflect walks them). */
function childrenOf(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...new TextEncoder().encode(value)];
  if (isGoMap(value)) return goMapKeys(value).map((k) => value[k]);
  return [];
}

/** `..`: every value that has children, depth first, each before its descendants. */
function evalRecursive(input: unknown[]): unknown[] {
  const result: unknown[] = [];
  for (const value of input) {
    const children = childrenOf(value);
    if (children.length === 0) continue;
    result.push(value);
    result.push(...evalRecursive(children));
  }
  return result;
}

type BasicKind = 'bool' | 'int' | 'float' | 'string';

// client-go/third_party/forked/golang/template/funcs.go: only bools, numbers and strings compare,
// and only with their own kind (an int64 of the data never equals a `2.0` of the template).
function basicKind(v: unknown): BasicKind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  throw new JsonPathError('invalid type for comparison');
}

function plainOf(v: unknown): boolean | number | string {
  return v instanceof GoFloat ? v.value : (v as boolean | number | string);
}

function equal(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) throw new JsonPathError('incompatible types for comparison');
  return plainOf(a) === plainOf(b);
}

function less(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) throw new JsonPathError('incompatible types for comparison');
  if (ka === 'bool') throw new JsonPathError('invalid type for comparison');
  return plainOf(a) < plainOf(b);
}

function compare(operator: string, left: unknown, right: unknown, results: unknown[]): boolean {
  switch (operator) {
    case '<':
      return less(left, right);
    case '>':
      return !(less(left, right) || equal(left, right));
    case '==':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case '<=':
      return less(left, right) || equal(left, right);
    case '>=':
      return !less(left, right);
    default:
      throw new JsonPathError(`unrecognized filter operator ${operator}`, results);
  }
}
