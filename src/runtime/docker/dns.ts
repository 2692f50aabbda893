// A pod's DNS settings as Docker's (HostConfig.Dns, DnsSearch, DnsOptions), with the kubelet's rules
// (pkg/kubelet/network/dns/dns.go). There is no cluster DNS on one node, so ClusterFirst and
// ClusterFirstWithHostNet fall back to Default as the kubelet does when it has no cluster DNS IP
// ("Falling back to Default policy"): the node's resolver, which Docker gives a container anyway.
// Only dnsConfig (appended to the node's settings) and dnsPolicy None (dnsConfig alone) change it.

import { readFileSync } from 'node:fs';

import type { PodSpec } from '../../api/k8s.js';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface PodDnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

export interface DockerDns {
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
}

/** The kubelet keeps the first 3 nameservers (validation.MaxDNSNameservers). */
export const MaxDNSNameservers = 3;
/** The kubelet keeps the first 32 search domains (validation.MaxDNSSearchPaths). */
export const MaxDNSSearchPaths = 32;

/** The nameserver, search and options lines of a resolv.conf (later lines win, as glibc reads it). */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.nameservers.push(fields[0]);
    else if (key === 'search' || key === 'domain') out.searches = fields;
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';

/**
 * The node's resolver as Docker hands it to a container: /etc/resolv.conf, or systemd-resolved's
 * upstream list when the former names only its loopback stub; loopback nameservers are dropped
 * for a container with its own network (they would be the container's own loopback).
 */
export function readNodeResolvConf(
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ResolvConf | undefined {
  let conf: ResolvConf;
  try {
    conf = parseResolvConf(read('/etc/resolv.conf'));
  } catch {
    return undefined;
  }
  if (conf.nameservers.length > 0 && conf.nameservers.every(isLoopback)) {
    try {
      conf = { ...conf, nameservers: parseResolvConf(read('/run/systemd/resolve/resolv.conf')).nameservers };
    } catch {
      // no systemd-resolved: keep what there is
    }
  }
  return conf;
}

let nodeResolvConf: ResolvConf | undefined | null = null;

/** readNodeResolvConf, read once per process. */
export function cachedNodeResolvConf(): ResolvConf | undefined {
  if (nodeResolvConf === null) nodeResolvConf = readNodeResolvConf();
  return nodeResolvConf;
}

/**
 * Docker's DNS options for the pod (set on the container that owns the pod's network namespace),
 * or {} when the engine's own settings are the pod's (no dnsConfig, policy not None).
 * `node` is the node's resolver (readNodeResolvConf), needed to append dnsConfig to it.
 */
export function podDnsSettings(spec: PodSpec, node: ResolvConf | undefined): DockerDns {
  const policy = spec['dnsPolicy'] as string | undefined;
  const config = spec['dnsConfig'] as PodDnsConfig | undefined;
  if (policy !== 'None' && !config) return {};
  let base: ResolvConf = { nameservers: [], searches: [], options: [] };
  if (policy !== 'None' && node) {
    base = {
      ...node,
      nameservers: spec.hostNetwork ? node.nameservers : node.nameservers.filter((ip) => !isLoopback(ip)),
    };
  }
  // appendDNSConfig: nameservers and searches appended without duplicates, options merged by name
  // (the pod's value wins).
  const nameservers = unique([...base.nameservers, ...(config?.nameservers ?? [])]).slice(
    0,
    MaxDNSNameservers,
  );
  const searches = unique([...base.searches, ...(config?.searches ?? [])]).slice(0, MaxDNSSearchPaths);
  const options = mergeOptions(base.options, config?.options ?? []);
  const out: DockerDns = {};
  if (nameservers.length > 0) out.Dns = nameservers;
  // Docker keeps the engine's list for an empty field; "." is its word for "no search domains".
  if (searches.length > 0) out.DnsSearch = searches;
  else if (policy === 'None') out.DnsSearch = ['.'];
  if (options.length > 0) out.DnsOptions = options;
  return out;
}

function unique(list: string[]): string[] {
  return [...new Set(list.filter((s) => s !== ''))];
}

function mergeOptions(node: string[], pod: { name: string; value?: string }[]): string[] {
  const merged = new Map<string, string | undefined>();
  for (const o of node) {
    const colon = o.indexOf(':');
    merged.set(colon < 0 ? o : o.slice(0, colon), colon < 0 ? undefined : o.slice(colon + 1));
  }
  for (const o of pod) if (o.name) merged.set(o.name, o.value);
  return [...merged].map(([name, value]) => (value === undefined ? name : `${name}:${value}`));
}
