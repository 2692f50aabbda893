// The server of `tjob cron start --metrics ADDR`: GET /metrics and nothing else, for a Prometheus
// to scrape (no token: an exporter is reached by the scraper the operator points at it; bind it to
// loopback or a private interface).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StateError } from '../../api/errors.js';
import type { TjobMetrics } from '../metrics/registry.js';
import type { ListenAddress } from './listen-address.js';
import { urlOf } from './listen-address.js';

export interface RunningServer {
  /** `http://HOST:PORT/metrics` with the port actually bound. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Answers GET /metrics with the exposition; anything else is 404 (405 for other methods). */
export async function writeMetrics(
  metrics: TjobMetrics,
  res: import('node:http').ServerResponse,
  head: boolean,
): Promise<void> {
  try {
    const text = await metrics.text();
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
    res.end(head ? undefined : text);
  } catch (err) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`reading the state directory failed: ${(err as Error).message}\n`);
  }
}

export async function listen(server: Server, address: ListenAddress, flag: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new StateError(
          `cannot listen on ${address.host}:${address.port} (${flag}): ${err.code ?? err.message}`,
          err.code === 'EADDRINUSE' ? 'another process uses that port: choose another' : 'check the address',
        ),
      );
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function serveMetrics(metrics: TjobMetrics, address: ListenAddress): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found: this server has /metrics only\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    void writeMetrics(metrics, res, req.method === 'HEAD');
  });
  const port = await listen(server, address, '--metrics');
  return {
    url: urlOf(address.host, port, '/metrics'),
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
