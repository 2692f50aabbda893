// Strict field checking of one document against the schema table: unknown fields (with a
// did-you-mean hint or, for a field that belongs one level up or down, the path the user most
// likely meant), wrong types in the API server's OpenAPI wording, malformed quantities. It also
// records every field present, for the field report and the ignored-fields warning.

import { closest } from './did-you-mean.js';
import { fe, type PathError } from './field-errors.js';
import { isQuantity, QuantityMessage } from './quantity.js';
import { parseType, Schema, type ObjectSchema, type TypeRef } from './schema.js';

export interface PresentField {
  /** `spec.template.spec.containers[0].image` */
  path: string;
  /** The object type that holds the field (`Container`). */
  owner: string;
  field: string;
  type: TypeRef;
}

export interface StrictResult {
  errors: PathError[];
  present: PresentField[];
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The type of field `key` (a key from the document: `__proto__`, `constructor` are no fields). */
const fieldType = (schema: ObjectSchema | undefined, key: string): TypeRef | undefined =>
  schema !== undefined && Object.hasOwn(schema, key) ? schema[key] : undefined;

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function typeError(path: string, v: unknown, expected: string): PathError {
  const shown = isObject(v) || Array.isArray(v) ? jsonType(v) : v;
  return fe.invalid(path, shown, `${path} in body must be of type ${expected}: "${jsonType(v)}"`);
}

/** The OpenAPI type name of a list's or map's elements, for the type error of a `null` element. */
function listItemType(t: TypeRef): string {
  const p = parseType(t);
  if (p.kind === 'list') return 'array';
  if (p.kind === 'map' || p.kind === 'object') return 'object';
  if (p.name === 'bool') return 'boolean';
  if (p.name === 'int32' || p.name === 'int64') return 'integer';
  if (p.name === 'intOrString' || p.name === 'quantity') return 'integer-or-string';
  return p.name;
}

interface Frame {
  path: string;
  typeName: string;
  obj: Record<string, unknown>;
}

interface Suggestion {
  /** Path the user most likely meant. */
  path: string;
  /** The field whose indentation to check (`metadata`), if the field is misplaced. */
  under?: string;
  /** Only a typo: the field name meant. */
  typo?: string;
  type: TypeRef;
}

const int32Min = -2147483648;
const int32Max = 2147483647;

export function checkStrictFields(doc: Record<string, unknown>, kindType: string): StrictResult {
  const errors: PathError[] = [];
  const present: PresentField[] = [];

  function checkValue(v: unknown, t: TypeRef, path: string, stack: Frame[]): void {
    if (v === null || v === undefined) return;
    const p = parseType(t);
    switch (p.kind) {
      case 'primitive':
        switch (p.name) {
          case 'any':
            return;
          case 'string':
            if (typeof v !== 'string') errors.push(typeError(path, v, 'string'));
            return;
          case 'bool':
            if (typeof v !== 'boolean') errors.push(typeError(path, v, 'boolean'));
            return;
          case 'int32':
          case 'int64':
            if (typeof v !== 'number' || !Number.isInteger(v)) errors.push(typeError(path, v, 'integer'));
            else if (p.name === 'int32' && (v < int32Min || v > int32Max))
              errors.push(fe.invalid(path, v, `${path} in body must be of type int32: "integer"`));
            return;
          case 'intOrString':
            if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v)))
              errors.push(typeError(path, v, 'integer-or-string'));
            return;
          case 'quantity':
            if (typeof v !== 'string' && typeof v !== 'number')
              errors.push(typeError(path, v, 'integer-or-string'));
            else if (!isQuantity(v)) errors.push(fe.invalid(path, v, QuantityMessage));
            return;
        }
        return;
      case 'list':
        if (!Array.isArray(v)) {
          errors.push(typeError(path, v, 'array'));
          return;
        }
        v.forEach((item, i) => {
          // `null` is no value of any list element type (and the code after this expects one).
          if (item === null || item === undefined)
            errors.push(typeError(`${path}[${i}]`, null, listItemType(p.of)));
          else checkValue(item, p.of, `${path}[${i}]`, stack);
        });
        return;
      case 'map':
        if (!isObject(v)) {
          errors.push(typeError(path, v, 'object'));
          return;
        }
        for (const [k, item] of Object.entries(v))
          if (item === null || item === undefined)
            errors.push(typeError(`${path}[${k}]`, null, listItemType(p.of)));
          else checkValue(item, p.of, `${path}[${k}]`, stack);
        return;
      case 'object':
        if (!isObject(v)) {
          errors.push(typeError(path, v, 'object'));
          return;
        }
        checkObject(v, p.name, path, stack);
        return;
    }
  }

  function checkObject(obj: Record<string, unknown>, typeName: string, path: string, stack: Frame[]): void {
    const schema = Schema[typeName] ?? {};
    const frames = [...stack, { path, typeName, obj }];
    for (const [key, value] of Object.entries(obj)) {
      const fieldPath = join(path, key);
      const t = fieldType(schema, key);
      if (t !== undefined) {
        present.push({ path: fieldPath, owner: typeName, field: key, type: t });
        checkValue(value, t, fieldPath, frames);
        continue;
      }
      const s = suggest(key, frames);
      errors.push({ path: fieldPath, message: unknownFieldMessage(path, s) });
      // Look inside a misplaced object as what it was meant to be, so one run shows every
      // indentation problem; its own fields are not reported as present.
      if (s && s.under !== undefined && value !== null && typeof value === 'object') {
        const before = present.length;
        checkValue(value, s.type, fieldPath, frames);
        present.length = before;
      }
    }
  }

  checkObject(doc, kindType, '', []);
  return { errors, present };
}

function unknownFieldMessage(parentPath: string, s: Suggestion | undefined): string {
  const head = parentPath === '' ? 'unknown field at the top level' : 'unknown field';
  if (!s) return head;
  if (s.typo !== undefined) return `${head}, did you mean "${s.typo}"?`;
  const where = s.under !== undefined ? ` (check the indentation under "${s.under}:")` : '';
  return `${head}; did you mean ${s.path}?${where}`;
}

/** What the user most likely meant by an unknown field `key` inside the innermost frame. */
function suggest(key: string, frames: Frame[]): Suggestion | undefined {
  const here = frames[frames.length - 1];
  if (!here) return undefined;
  const schema: ObjectSchema = Schema[here.typeName] ?? {};
  const names = Object.keys(schema);
  // 1. Same name but for case: a typo.
  const sameCase = names.find((n) => n.toLowerCase() === key.toLowerCase());
  if (sameCase) return { path: join(here.path, sameCase), typo: sameCase, type: schema[sameCase] ?? 'any' };
  // 2. A field of a child object (indented too little), preferring an empty child.
  const child = findBelow(key, here, 1) ?? findBelow(key, here, 2);
  if (child) return child;
  // 3. A field of an enclosing object (indented too much).
  for (let i = frames.length - 2; i >= 0; i--) {
    const f = frames[i];
    if (!f) continue;
    const t = fieldType(Schema[f.typeName], key);
    if (t !== undefined && !(key in f.obj))
      return { path: join(f.path, key), under: lastSegment(f.path), type: t };
  }
  // 4. A typo by edit distance.
  const near = closest(key, names);
  if (near) return { path: join(here.path, near), typo: near, type: schema[near] ?? 'any' };
  return undefined;
}

function lastSegment(path: string): string {
  const seg = path.split('.').pop() ?? '';
  return seg.replace(/\[\d+\]$/, '') || '(top level)';
}

/** `key` as a field of an object-typed field `depth` levels below `here` (not lists). */
function findBelow(key: string, here: Frame, depth: 1 | 2): Suggestion | undefined {
  const schema = Schema[here.typeName] ?? {};
  const found: Suggestion[] = [];
  for (const [f, t] of Object.entries(schema)) {
    const p = parseType(t);
    if (p.kind !== 'object') continue;
    const sub = Schema[p.name] ?? {};
    const value = here.obj[f];
    const subObj = isObject(value) ? value : {};
    if (depth === 1) {
      const kt = fieldType(sub, key);
      if (kt !== undefined && !(key in subObj))
        found.push({ path: join(join(here.path, f), key), under: f, type: kt });
    } else {
      for (const [g, gt] of Object.entries(sub)) {
        const gp = parseType(gt);
        if (gp.kind !== 'object') continue;
        const kt = fieldType(Schema[gp.name], key);
        const gv = subObj[g];
        if (kt !== undefined && !(isObject(gv) && key in gv))
          found.push({ path: [here.path, f, g, key].filter(Boolean).join('.'), under: g, type: kt });
      }
    }
  }
  if (found.length === 0) return undefined;
  // Prefer a child that is empty (the likely victim of a lost indentation).
  const empty = found.filter((s) => {
    const first = s.path.slice(here.path ? here.path.length + 1 : 0).split('.')[0] ?? '';
    const v = here.obj[first];
    return v === null || v === undefined;
  });
  if (empty.length === 1) return empty[0];
  return found.length === 1 ? found[0] : undefined;
}
