// Loaded into a tjob process under test with `node --import` (NODE_OPTIONS): every
// TJOB_SOAK_PROBE_MS it appends one JSON line to TJOB_SOAK_PROBE with what a leak would grow:
// RSS and heap, open file descriptors, active handles/resources and process-level listeners.

import { appendFileSync, readdirSync } from 'node:fs';

const file = process.env.TJOB_SOAK_PROBE;
if (file) {
  const every = Number(process.env.TJOB_SOAK_PROBE_MS ?? '5000');
  const sample = () => {
    const mem = process.memoryUsage();
    const resources = process.getActiveResourcesInfo();
    const listeners: Record<string, number> = {};
    for (const e of process.eventNames()) listeners[String(e)] = process.listenerCount(e);
    let fds = -1;
    try {
      fds = readdirSync('/proc/self/fd').length;
    } catch {
      // not on Linux
    }
    const line = {
      t: Date.now(),
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      fds,
      resources: resources.length,
      listeners: Object.values(listeners).reduce((a, b) => a + b, 0),
      byEvent: listeners,
    };
    try {
      appendFileSync(file, JSON.stringify(line) + '\n');
    } catch {
      // the test has gone
    }
  };
  const timer = setInterval(sample, every);
  timer.unref();
  sample();
}
