// A counting proxy in front of the Docker engine: a unix socket that passes every byte on to the
// engine's socket and notes the method and path of each Engine API request it sees (requests on
// a kept-alive connection too; the bytes after an attach's upgrade are the container's streams and
// start no request). Point DOCKER_HOST at `unix://<socket>` to count what a process asks.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export interface EngineCall {
  method: string;
  /** The path without the API version prefix and query: `/containers/create`, `/containers/{id}/start`. */
  path: string;
}

const REQUEST_LINE = /(GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g;

/** `/v1.41/containers/abc/start?x=1` → `/containers/{id}/start`. */
export function callPath(raw: string): string {
  const path = raw.replace(/^\/v[\d.]+/, '').split('?')[0] ?? '';
  return path.replace(
    /^\/(containers|volumes|networks|images|exec)\/([^/]+)(?=\/|$)/,
    (m, kind: string, id: string) => (['create', 'json', 'prune'].includes(id) ? m : `/${kind}/{id}`),
  );
}

export class EngineCallProxy {
  readonly calls: EngineCall[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly socketPath: string,
    private readonly enginePath = '/var/run/docker.sock',
  ) {}

  async start(): Promise<void> {
    rmSync(this.socketPath, { force: true });
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server!.listen(this.socketPath, resolve));
  }

  get dockerHost(): string {
    return `unix://${this.socketPath}`;
  }

  /** Counts per `METHOD path`. */
  tally(filter: (c: EngineCall) => boolean = () => true): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls.filter(filter)) {
      const key = `${c.method} ${c.path}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.socketPath, { force: true });
  }

  private pipe(client: Socket): void {
    const engine = createConnection(this.enginePath);
    this.sockets.add(client);
    this.sockets.add(engine);
    let upgraded = false;
    client.on('data', (chunk: Buffer) => {
      // A client writes each request's head in one piece; a body before it (a previous request's
      // JSON) does not end with a line break: look for request lines anywhere in the chunk.
      if (!upgraded) {
        for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
          this.calls.push({ method: m[1]!, path: callPath(m[2]!) });
          if (/\/(attach|exec\/[^/]+\/start)\b/.test(m[2]!)) upgraded = true;
        }
      }
      engine.write(chunk);
    });
    engine.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      engine.destroy();
      this.sockets.delete(client);
      this.sockets.delete(engine);
    };
    client.on('close', end);
    engine.on('close', end);
    client.on('error', end);
    engine.on('error', end);
  }
}
