// `--metrics ADDR` and `tjob ui --address`: where a server listens, in the forms Prometheus
// exporters take (`--web.listen-address`): `HOST:PORT`, `[IPv6]:PORT`, `:PORT` (every interface,
// as Go's net.Listen reads it) or a bare `PORT` (loopback only, the safe default).

import { UsageError } from '../../api/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListenAddress(text: string, flag: string): ListenAddress {
  const bad = () =>
    new UsageError(
      `invalid ${flag} "${text}": expected PORT, HOST:PORT, [IPv6]:PORT or :PORT`,
      `e.g. ${flag} 127.0.0.1:9464 (loopback), ${flag} :9464 (every interface)`,
    );
  let host: string;
  let portText: string;
  const bracket = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracket) {
    host = bracket[1]!;
    portText = bracket[2]!;
  } else if (/^\d+$/.test(text)) {
    host = '127.0.0.1';
    portText = text;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0 || text.indexOf(':') !== colon) throw bad();
    host = text.slice(0, colon) || '0.0.0.0';
    portText = text.slice(colon + 1);
  }
  if (!/^\d+$/.test(portText)) throw bad();
  const port = Number(portText);
  if (port > 65535 || !host) throw bad();
  return { host, port };
}

/** The URL of a listening server (IPv6 hosts in brackets). */
export function urlOf(host: string, port: number, path = '/'): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
}
