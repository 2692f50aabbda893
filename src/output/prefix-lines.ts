// A prefix before each line of a text: the store's time and stream, `tjob run`'s [POD/CONTAINER].

/** `prefix` before each line of `text`, whose lines are each ended by "\n". */
export function prefixLines(prefix: string, text: string): string {
  // One native replace over the whole text instead of a string per line; with a string as the
  // replacement, "$" would be a pattern in it.
  const between = `\n${prefix.replaceAll('$', '$$$$')}`;
  return prefix + text.slice(0, -1).replaceAll('\n', between) + '\n';
}
