// Bounds on what a parsed YAML document may expand to through anchors and aliases. js-yaml
// shares aliased values by reference, so an "alias bomb" (billion laughs) parses in kilobytes,
// but anything that walks or serializes the document expands it: it would exhaust memory, and a
// recursive alias (`a: &a [*a]`) would never end. Like go-yaml ("document contains excessive
// aliasing", "anchor value contains itself"), such documents are refused.

/**
 * The largest manifest text (one file, after template expansion) that is parsed: the API
 * server's request limit. A bigger file (of many objects) would take seconds and hundreds of
 * megabytes to load, so it is refused at once.
 */
export const MaxSourceBytes = 3 * 1024 * 1024;

/** Why a manifest text is refused for its size, or undefined. */
export function sizeProblem(text: string): string | undefined {
  // UTF-8 takes at least one byte per UTF-16 unit: only count bytes near the limit.
  if (text.length * 3 <= MaxSourceBytes) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MaxSourceBytes) return undefined;
  return tooLong(bytes);
}

/** The refusal of a text of `bytes` bytes (`atLeast`: a stream read no further than that). */
export function tooLong(bytes: number, atLeast = false): string {
  const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const size = atLeast ? `more than ${mib(MaxSourceBytes)}` : mib(bytes);
  return `Too long: ${size} of YAML; a manifest file may hold at most ${mib(MaxSourceBytes)}, as a request to the API server (split it into several files)`;
}

/** More expanded values than this, and more than twice the distinct ones, is excessive. */
export const MaxExpandedValues = 1_000_000;
/** The parser allows 100 levels; aliases may add more, up to this. */
export const MaxExpandedDepth = 1000;

function childrenOf(v: unknown): unknown[] | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v)) return v;
  if (v instanceof Date || ArrayBuffer.isView(v)) return undefined;
  return Object.values(v);
}

/** Why a parsed document may not be used, or undefined when its expansion is bounded. */
export function aliasProblem(root: unknown): string | undefined {
  const size = new Map<object, number>();
  const height = new Map<object, number>();
  const open = new Set<object>();
  let distinct = 0;
  interface Frame {
    node: object;
    children: unknown[];
    next: number;
    size: number;
    height: number;
  }
  const rootChildren = childrenOf(root);
  if (rootChildren === undefined) return undefined;
  const stack: Frame[] = [{ node: root as object, children: rootChildren, next: 0, size: 1, height: 1 }];
  open.add(root as object);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      const kids = childrenOf(child);
      if (kids === undefined) {
        top.size++;
        distinct++;
        continue;
      }
      const c = child as object;
      if (open.has(c))
        return 'YAML error: an alias refers to a value that contains it (a recursive structure)';
      const done = size.get(c);
      if (done !== undefined) {
        top.size += done;
        top.height = Math.max(top.height, 1 + (height.get(c) ?? 0));
        continue;
      }
      if (stack.length >= MaxExpandedDepth)
        return `YAML error: aliases nest the document more than ${MaxExpandedDepth} levels deep`;
      open.add(c);
      stack.push({ node: c, children: kids, next: 0, size: 1, height: 1 });
      continue;
    }
    stack.pop();
    open.delete(top.node);
    distinct++;
    size.set(top.node, top.size);
    height.set(top.node, top.height);
    if (top.size > MaxExpandedValues && top.size > 2 * distinct)
      return `YAML error: document contains excessive aliasing (it expands to more than ${MaxExpandedValues} values)`;
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.size += top.size;
      parent.height = Math.max(parent.height, 1 + top.height);
      if (parent.height > MaxExpandedDepth)
        return `YAML error: aliases nest the document more than ${MaxExpandedDepth} levels deep`;
    }
  }
  return undefined;
}
