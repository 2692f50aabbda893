import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from '../../../../src/api/k8s.js';
import {
  parseResolvConf,
  podDnsSettings,
  readNodeResolvConf,
  type ResolvConf,
} from '../../../../src/runtime/docker/dns.js';

const node: ResolvConf = {
  nameservers: ['10.0.0.2', '127.0.0.53'],
  searches: ['lan'],
  options: ['ndots:1', 'edns0'],
};
const spec = (extra: Record<string, unknown>): PodSpec => ({ containers: [], ...extra });

describe('pod DNS as Docker settings (kubelet dns.go)', () => {
  const table: [string, Record<string, unknown>, object][] = [
    ['ClusterFirst without dnsConfig: the engine decides', { dnsPolicy: 'ClusterFirst' }, {}],
    ['Default without dnsConfig: the engine decides', { dnsPolicy: 'Default' }, {}],
    [
      'ClusterFirstWithHostNet on the host network: the engine decides',
      { dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true },
      {},
    ],
    [
      'None: dnsConfig alone, no search domains when none are given',
      { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'] } },
      { Dns: ['1.2.3.4'], DnsSearch: ['.'] },
    ],
    [
      'None with everything',
      {
        dnsPolicy: 'None',
        dnsConfig: {
          nameservers: ['1.2.3.4'],
          searches: ['a.example'],
          options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }],
        },
      },
      { Dns: ['1.2.3.4'], DnsSearch: ['a.example'], DnsOptions: ['ndots:2', 'rotate'] },
    ],
    [
      'ClusterFirst + dnsConfig: appended to the node (loopback dropped), options merged by name',
      {
        dnsPolicy: 'ClusterFirst',
        dnsConfig: {
          nameservers: ['10.0.0.2', '9.9.9.9'],
          searches: ['b.example'],
          options: [{ name: 'ndots', value: '5' }],
        },
      },
      { Dns: ['10.0.0.2', '9.9.9.9'], DnsSearch: ['lan', 'b.example'], DnsOptions: ['ndots:5', 'edns0'] },
    ],
    [
      'host network keeps the loopback resolver, at most 3 nameservers',
      { dnsPolicy: 'Default', hostNetwork: true, dnsConfig: { nameservers: ['8.8.8.8', '8.8.4.4'] } },
      { Dns: ['10.0.0.2', '127.0.0.53', '8.8.8.8'], DnsSearch: ['lan'], DnsOptions: ['ndots:1', 'edns0'] },
    ],
  ];
  for (const [name, extra, want] of table) {
    it(name, () => assert.deepEqual(podDnsSettings(spec(extra), node), want));
  }
});

describe('the node resolver', () => {
  it('parses nameserver, search and options lines, ignoring comments', () => {
    assert.deepEqual(
      parseResolvConf('# x\nnameserver 1.1.1.1\nsearch a b\noptions ndots:2 edns0 ; c\nnameserver 2.2.2.2\n'),
      {
        nameservers: ['1.1.1.1', '2.2.2.2'],
        searches: ['a', 'b'],
        options: ['ndots:2', 'edns0'],
      },
    );
  });
  it("reads systemd-resolved's upstream list when /etc/resolv.conf names only its stub", () => {
    const files: Record<string, string> = {
      '/etc/resolv.conf': 'nameserver 127.0.0.53\nsearch home\n',
      '/run/systemd/resolve/resolv.conf': 'nameserver 192.168.1.1\n',
    };
    const read = (p: string) => {
      const f = files[p];
      if (f === undefined) throw new Error('ENOENT');
      return f;
    };
    assert.deepEqual(readNodeResolvConf(read), {
      nameservers: ['192.168.1.1'],
      searches: ['home'],
      options: [],
    });
    assert.equal(
      readNodeResolvConf(() => {
        throw new Error('ENOENT');
      }),
      undefined,
    );
  });
});
