// `tjob ui`: a local web view of the state directory. An edge like the CLI: it reads the state
// through the store ports, lists and formats with what `get` and `describe` use, and pushes
// changes to the page as server-sent events when the state directory changes (inotify, no
// polling by the page). Access: only the Host names of the loopback address it listens on, and
// only with the random token of the printed URL (kept in an HttpOnly cookie after the first
// visit), so other local users and web pages in the same browser cannot read it.

import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { PodRecord } from '../api/pod.js';
import type { CronJobStore } from '../ports/cron-store.js';
import type { StateStore, StoredEvent, StoredJob } from '../ports/state-store.js';
import type { StateWatch } from '../ports/state-watch.js';
import { headerCells, jobCells, podCells, type Kind } from '../output/printers.js';
import { cronJobObject, jobObject, podObject } from '../output/objects.js';
import { SecretMask } from '../output/secret-mask.js';
import { age } from '../output/time-format.js';
import { nextRuns, parseStoredSchedule, describeSchedule, type NextRun } from '../schedule/index.js';
import type { CronJob } from '../api/k8s.js';
import { isChildOf, nextRunsFrom, rfc3339InZone, scheduleZone } from '../controller/cron/index.js';
import { CronJobScheduledTimestampAnnotation } from '../api/labels.js';
import { isDNS1123Subdomain } from '../manifest/names.js';
import { parseSelector } from '../cli/label-selector.js';
import type { Listed } from '../cli/listed-objects.js';
import type { TjobMetrics } from './metrics/registry.js';
import { writeMetrics, listen, type RunningServer } from './http/metrics-server.js';
import type { ListenAddress } from './http/listen-address.js';
import { urlOf } from './http/listen-address.js';
import { layoutTimeline, timelineSvg } from './timeline.js';
import { layoutSlots, slotsSvg } from './cron-slots.js';

export interface UiDeps {
  store: Pick<StateStore, 'loadJob' | 'readLogs' | 'logRuns'>;
  cronStore: Pick<CronJobStore, 'loadCronJob' | 'listCronJobEvents'>;
  /** Jobs and CronJobs as `tjob get` lists them. */
  list(kind: 'jobs' | 'cronjobs'): Promise<Listed[]>;
  /** The mask of a job's Secrets (everything masked when they cannot be read). */
  secretMask(state: StoredJob): Promise<SecretMask>;
  watch: StateWatch;
  metrics: TjobMetrics;
  now(): Date;
  localZone: string;
  token: string;
}

export const PAGE_SIZE = 100;
const COOKIE = 'tjob_ui_token';
const ASSETS = new URL('../../../src/ui/assets/', import.meta.url);
const ASSET_TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};
/** Changes are pushed at most this often per page (a running job writes many lines a second). */
const PUSH_MS = 150;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Object names reach file paths in the store: only what the API server accepts as a name. */
function checkName(name: string): void {
  if (isDNS1123Subdomain(name).length > 0)
    throw new HttpError(404, `no object named ${JSON.stringify(name)}`);
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sseStart(res: ServerResponse): (event: string, data: unknown) => void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
  });
  res.write(': connected\n\n');
  return (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function maskEvent(e: StoredEvent, mask: SecretMask): StoredEvent {
  return { ...e, message: mask.mask(e.message) };
}

export class UiServer {
  private readonly shell: string;

  constructor(private readonly deps: UiDeps) {
    this.shell = readFileSync(new URL('index.html', ASSETS), 'utf8');
  }

  /** Listens; resolves with the URL to print (with the token) and a close function. */
  async listen(address: ListenAddress): Promise<RunningServer & { pageUrl: string }> {
    const server = createServer((req, res) => {
      this.handle(req, res, port).catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`${(err as Error).message}\n`);
      });
    });
    const port = await listen(server, address, '--port');
    return {
      port,
      url: urlOf(address.host, port, '/'),
      pageUrl: urlOf(address.host, port, `/?token=${this.deps.token}`),
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  /** The Host names a browser on this machine uses for the server. */
  private hostAllowed(host: string | undefined, port: number): boolean {
    return ['127.0.0.1', 'localhost', '[::1]'].some((h) => host === `${h}:${port}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    // DNS rebinding: a page of another site resolving its name to 127.0.0.1 sends its own Host.
    if (!this.hostAllowed(req.headers.host, port))
      throw new HttpError(403, 'forbidden: unexpected Host header');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const queryToken = url.searchParams.get('token') ?? undefined;
    if (queryToken !== undefined && sameToken(queryToken, this.deps.token) && req.method === 'GET') {
      url.searchParams.delete('token');
      res.writeHead(302, {
        'Set-Cookie': `${COOKIE}=${this.deps.token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + url.search,
      });
      res.end();
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!sameToken(cookieOf(req, COOKIE), this.deps.token) && !sameToken(bearer, this.deps.token))
      throw new HttpError(403, 'forbidden: open the URL tjob ui printed (it carries the access token)');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');

    const path = url.pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === '/' || path.startsWith('/job/') || path.startsWith('/cronjob/')) {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Security-Policy':
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
        'X-Frame-Options': 'DENY',
      });
      res.end(this.shell);
      return;
    }
    const asset = /^\/assets\/([a-z.]+)$/.exec(path)?.[1];
    if (asset && ASSET_TYPES[asset]) {
      res.writeHead(200, { 'Content-Type': ASSET_TYPES[asset], 'Cache-Control': 'no-store' });
      res.end(readFileSync(new URL(asset, ASSETS)));
      return;
    }
    if (path === '/metrics') return writeMetrics(this.deps.metrics, res, req.method === 'HEAD');
    if (path === '/api/list') return sendJson(res, await this.listing(url.searchParams));
    if (path === '/api/changes') return this.changes(req, res);
    const job = /^\/api\/job\/([^/]+)$/.exec(path)?.[1];
    if (job) return sendJson(res, await this.jobPage(decodeURIComponent(job), url.searchParams));
    const cron = /^\/api\/cronjob\/([^/]+)$/.exec(path)?.[1];
    if (cron) return sendJson(res, await this.cronJobPage(decodeURIComponent(cron)));
    if (path === '/api/logs') return this.logs(req, res, url.searchParams);
    throw new HttpError(404, 'not found');
  }

  /** One page of jobs or CronJobs, as `tjob get` lists them, with a label selector. */
  private async listing(q: URLSearchParams): Promise<unknown> {
    const kind = q.get('kind') === 'cronjobs' ? 'cronjobs' : 'jobs';
    let selector;
    try {
      selector = q.get('selector') ? parseSelector(q.get('selector')!) : undefined;
    } catch (err) {
      return { kind, error: (err as Error).message, header: [], rows: [], total: 0, page: 0, pages: 0 };
    }
    const all = (await this.deps.list(kind)).filter((x) => !selector || selector.matches(x.labels));
    const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
    const page = Math.min(Math.max(0, Number(q.get('page') ?? 0) || 0), pages - 1);
    const now = this.deps.now();
    const header = headerCells(kind as Kind, false);
    const rows = all.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map((x) => {
      const cells = x.cells(now, false);
      if (kind === 'cronjobs') {
        const cj = x.object as CronJob;
        const next = cj.spec.suspend ? undefined : this.upcoming(cj, now, 1)[0];
        cells.push(
          cj.spec.suspend ? '<suspended>' : next ? `in ${age(now.toISOString(), next.time)}` : '<none>',
        );
      }
      return { name: x.name, cells };
    });
    if (kind === 'cronjobs') header.push('NEXT RUN');
    return { kind, header, rows, total: all.length, page, pages };
  }

  private async loadJob(name: string): Promise<StoredJob> {
    checkName(name);
    const state = await this.deps.store.loadJob(name);
    if (!state) throw new HttpError(404, `job "${name}" not found`);
    return state;
  }

  private async jobPage(name: string, q: URLSearchParams): Promise<unknown> {
    const state = await this.loadJob(name);
    const mask = await this.deps.secretMask(state);
    const now = this.deps.now();
    const job = jobObject(state.job);
    const pods = state.pods;
    const pages = Math.max(1, Math.ceil(pods.length / PAGE_SIZE));
    const page = Math.min(Math.max(0, Number(q.get('page') ?? 0) || 0), pages - 1);
    const width = Math.min(1600, Math.max(480, Number(q.get('width') ?? 960) || 960));
    const podRows = [...pods]
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
      .slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)
      .map((p: PodRecord) => ({
        name: p.name,
        index: p.index,
        phase: p.observation.phase,
        containers: [
          ...(state.job.spec.template.spec.initContainers ?? []).map((c) => c.name),
          ...state.job.spec.template.spec.containers.map((c) => c.name),
        ],
        cells: podCells(podObject(state.job, p), now, false).map((c) => mask.mask(c)),
      }));
    return {
      name,
      header: headerCells('jobs', false),
      cells: jobCells(job, now, false),
      conditions: (job.status.conditions ?? []).map((c) => ({
        type: c.type,
        status: c.status,
        reason: c.reason ?? '',
        message: mask.mask(c.message ?? ''),
        at: c.lastTransitionTime,
      })),
      owner: (job.metadata as { ownerReferences?: { kind: string; name: string }[] }).ownerReferences?.[0],
      podHeader: headerCells('pods', false),
      pods: podRows,
      podCount: pods.length,
      page,
      pages,
      timeline: timelineSvg(layoutTimeline(job, state.pods, now), { width }),
      events: state.events.map((e) => maskEvent(e, mask)),
    };
  }

  private async cronJobPage(name: string): Promise<unknown> {
    checkName(name);
    const cj = await this.deps.cronStore.loadCronJob(name);
    if (!cj) throw new HttpError(404, `cronjob "${name}" not found`);
    const now = this.deps.now();
    const object = cronJobObject(cj);
    const events = await this.deps.cronStore.listCronJobEvents(name);
    const children = (await this.deps.list('jobs'))
      .map((x) => x.object as ReturnType<typeof jobObject>)
      .filter((j) => isChildOf(j, name));
    const parsed = parseStoredSchedule(cj.spec.schedule);
    const zone = this.zoneOf(cj);
    const upcoming = cj.spec.suspend
      ? []
      : this.upcoming(cj, now, 5).map((r) => ({
          at: r.time.toISOString(),
          local: rfc3339InZone(r.time, zone),
          note: r.note ?? '',
        }));
    const slots = layoutSlots(cj, children, events, now, cj.spec.suspend ? [] : this.upcoming(cj, now, 20));
    return {
      name,
      header: [...headerCells('cronjobs', false)],
      cells: (await this.deps.list('cronjobs')).find((x) => x.name === name)?.cells(now, false) ?? [],
      schedule: cj.spec.schedule,
      description: parsed.ok ? describeSchedule(cj.spec.schedule) : `invalid schedule`,
      zone,
      suspended: !!object.spec.suspend,
      upcoming,
      slotsSvg: slotsSvg(slots),
      slots: slots.slots.map((s) => ({ ...s, at: new Date(s.at).toISOString() })),
      jobs: children
        .sort((a, b) =>
          (a.metadata.annotations?.[CronJobScheduledTimestampAnnotation] ?? '') <
          (b.metadata.annotations?.[CronJobScheduledTimestampAnnotation] ?? '')
            ? 1
            : -1,
        )
        .map((j) => ({ name: j.metadata.name, cells: jobCells(j, now, false) })),
      jobHeader: headerCells('jobs', false),
      events,
    };
  }

  private zoneOf(cj: CronJob): string {
    const parsed = parseStoredSchedule(cj.spec.schedule);
    return parsed.ok
      ? scheduleZone(cj, parsed.schedule, this.deps.localZone)
      : (cj.spec.timeZone ?? this.deps.localZone);
  }

  /** The next runs after `now`, as `tjob cron next` lists them. */
  private upcoming(cj: CronJob, now: Date, count: number): NextRun[] {
    const parsed = parseStoredSchedule(cj.spec.schedule);
    return parsed.ok
      ? nextRuns(parsed.schedule, nextRunsFrom(cj, parsed.schedule, now), this.zoneOf(cj), count)
      : [];
  }

  /** Server-sent events: `change` whenever the state directory changed, at most every PUSH_MS. */
  private changes(req: IncomingMessage, res: ServerResponse): void {
    const send = sseStart(res);
    let pending = new Map<string, { kind: string; name?: string }>();
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const batch = [...pending.values()];
      pending = new Map();
      send('change', batch);
    };
    const off = this.deps.watch.watch((c) => {
      pending.set(`${c.kind}/${c.name ?? ''}`, c);
      timer ??= setTimeout(flush, PUSH_MS);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      off();
      clearInterval(keepAlive);
      if (timer) clearTimeout(timer);
    });
  }

  /** A container's log as server-sent events: what is recorded, then (with follow=1) new lines. */
  private async logs(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    const job = q.get('job') ?? '';
    const pod = q.get('pod') ?? '';
    const container = q.get('container') ?? '';
    const state = await this.loadJob(job);
    if (!state.pods.some((p) => p.name === pod)) throw new HttpError(404, `pod "${pod}" not found`);
    const containers = [
      ...(state.job.spec.template.spec.initContainers ?? []),
      ...state.job.spec.template.spec.containers,
    ].map((c) => c.name);
    if (!containers.includes(container)) throw new HttpError(404, `container "${container}" not found`);
    const mask = await this.deps.secretMask(state);
    const send = sseStart(res);
    let sent = 0;
    let reading = false;
    let again = false;
    const push = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const lines = await this.deps.store.readLogs(job, pod, container);
          if (lines.length < sent) sent = 0; // rewritten (a run's log replaced): from the start
          const fresh = lines
            .slice(sent)
            .map((l) => ({ time: l.time, stream: l.stream, text: mask.mask(l.text) }));
          sent = lines.length;
          if (fresh.length > 0) send('lines', fresh);
        } while (again);
      } catch (err) {
        send('failure', (err as Error).message);
      } finally {
        reading = false;
      }
    };
    await push();
    if (q.get('follow') !== '1') {
      send('end', {});
      res.end();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const off = this.deps.watch.watchLogs(job, pod, container, () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void push();
      }, 50);
    });
    req.on('close', () => {
      off();
      if (timer) clearTimeout(timer);
    });
  }
}
