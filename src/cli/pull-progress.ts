// How pulls show on stderr: on a terminal, one live line per image, rewritten as its layers and
// bytes come in and left in place when the pull ends; in a pipe (a log, CI), plain lines: the
// start and the end of each pull, none of the updates between.

import type { ImagePullProgress } from '../ports/pod-runtime.js';
import type { OutStream } from './context.js';

export function pullProgressWriter(stderr: OutStream): (progress: ImagePullProgress) => void {
  let live: string | undefined;
  const started = new Set<string>();
  return ({ image, message, done }) => {
    if (stderr.isTTY) {
      // \r and "erase line": the image's line is replaced; another image starts a new line.
      if (live !== undefined && live !== image) stderr.write('\n');
      stderr.write(`\r\x1b[K${message}${done ? '\n' : ''}`);
      live = done ? undefined : image;
      return;
    }
    if (done || !started.has(image)) stderr.write(`${message}\n`);
    started.add(image);
  };
}
