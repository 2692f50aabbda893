// `tjob ui`: the web view of the state directory (src/ui/server.ts) and its /metrics, on loopback,
// behind a random token printed in the URL (docs/ui-and-metrics.md).

import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { InvalidArgumentError, type Command } from 'commander';
import { SecretMask } from '../../output/secret-mask.js';
import { localTimeZone } from '../../schedule/index.js';
import type { CliContext, ExitCodeAction, GlobalOptions } from '../context.js';
import { listKind } from '../listed-objects.js';
import { openStateForReading, stateWatchAt } from '../open-state.js';
import { jobSecretMask } from '../secret-masking.js';

interface UiFlags {
  port: number;
  open?: boolean;
}

function portNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
}

export function registerUi(
  program: Command,
  ctx: CliContext,
  globals: () => GlobalOptions,
  exitWith: ExitCodeAction,
): void {
  program
    .command('ui')
    .description('serve a live web view of the jobs and CronJobs (and /metrics) on 127.0.0.1')
    .option('--port <port>', 'the port (default: a free one)', portNumber, 0)
    .option('--open', 'open the page in the browser ($BROWSER, else xdg-open)')
    .addHelpText(
      'after',
      `
Examples:
  tjob ui                 prints the URL to open (with its access token), alone on a line
  tjob ui --port 8080 --open

The page and /metrics answer only with the token of the printed URL (a cookie after the first
visit; Prometheus can send it as a bearer token), and only to Host 127.0.0.1 or localhost.
Ctrl-C stops it.`,
    )
    .action(exitWith(async (flags: UiFlags) => runUi(flags, ctx, globals())));
}

async function runUi(flags: UiFlags, ctx: CliContext, global: GlobalOptions): Promise<number> {
  const { store, cronStore, stateDir } = await openStateForReading(ctx, global);
  const watch = stateWatchAt(stateDir);
  const zone = localTimeZone();
  // Loaded here, not at start-up: every other command would pay for prom-client and the server.
  const [{ TjobMetrics }, { UiServer }] = await Promise.all([
    import('../../ui/metrics/registry.js'),
    import('../../ui/server.js'),
  ]);
  const metrics = new TjobMetrics({ store, cronStore, localZone: zone });
  // Pod starts seen while the page runs: the jobs that change are read (a few times a second at most).
  const changed = new Set<string>();
  const observe = setInterval(() => {
    for (const name of changed)
      void store.loadJob(name).then(
        (s) => s && metrics.observePods(s, ctx.clock.now()),
        () => undefined,
      );
    changed.clear();
  }, 250);
  observe.unref();
  const offChanges = watch.watch((c) => {
    if (c.kind === 'job' && c.name) changed.add(c.name);
  });
  const server = new UiServer({
    store,
    cronStore,
    list: (kind) => listKind(store, kind),
    // Fail closed, as on the terminal: Secrets that cannot be read mask every value.
    secretMask: (state) => jobSecretMask(store, state).catch(() => SecretMask.everything()),
    watch,
    metrics,
    now: () => ctx.clock.now(),
    localZone: zone,
    token: randomBytes(24).toString('hex'),
  });
  const running = await server.listen({ host: '127.0.0.1', port: flags.port });
  ctx.stderr.write(`tjob ui for ${stateDir}; open (Ctrl-C stops):\n`);
  ctx.stdout.write(`${running.pageUrl}\n`);
  if (flags.open) openBrowser(running.pageUrl, ctx);
  const signal = await new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    const off = ctx.onSignal((s) => {
      off();
      resolve(s);
    });
  });
  offChanges();
  clearInterval(observe);
  watch.close();
  await running.close();
  return signal === 'SIGTERM' ? 143 : 130;
}

function openBrowser(url: string, ctx: CliContext): void {
  const opener = ctx.env['BROWSER'] || 'xdg-open';
  try {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
    child.on('error', (err) =>
      ctx.stderr.write(`Warning: cannot open a browser (${opener}: ${err.message}); open the URL above\n`),
    );
    child.unref();
  } catch (err) {
    ctx.stderr.write(`Warning: cannot open a browser (${(err as Error).message}); open the URL above\n`);
  }
}
