import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, PodSpec } from '../../../../src/api/k8s.js';
import type { PodPlan } from '../../../../src/api/pod.js';
import {
  buildContainerConfig,
  buildPauseConfig,
  podNeedsPause,
  type ContainerConfigContext,
} from '../../../../src/runtime/docker/container-config.js';
import { node, testContainer, testPlan } from './plan.js';

const labels = { 'io.tjob.pod': 'pi-0-abcde' };
function ctx(overrides: Partial<ContainerConfigContext> = {}): ContainerConfigContext {
  return { dockerName: 'tjob-pi-0-abcde-main', labels, role: 'app', volumes: {}, node, ...overrides };
}
function build(
  container: Partial<Container>,
  spec: Partial<PodSpec> = {},
  c: Partial<ContainerConfigContext> = {},
  plan: Partial<PodPlan> = {},
) {
  return buildContainerConfig(testPlan(plan, spec), testContainer(container), ctx(c));
}

describe('buildContainerConfig', () => {
  it('basic options: name, image, labels, env, no Docker restart policy, no init, grace period', () => {
    const { options, warnings } = build(
      { env: [{ name: 'A', value: '1' }], workingDir: '/w' },
      { terminationGracePeriodSeconds: 5 },
    );
    assert.equal(options.name, 'tjob-pi-0-abcde-main');
    assert.equal(options.Image, 'busybox:latest');
    assert.deepEqual(options.Labels, labels);
    assert.deepEqual(options.Env, ['A=1']);
    assert.equal(options.WorkingDir, '/w');
    assert.equal(options.StopTimeout, 5);
    assert.deepEqual(options.HostConfig?.RestartPolicy, { Name: 'no' });
    assert.equal(options.HostConfig?.Init, false);
    assert.deepEqual(warnings, []);
    assert.equal(build({}).options.StopTimeout, 30);
  });

  describe('command and args', () => {
    const table: [string, Partial<Container>, { Entrypoint?: string[]; Cmd?: string[] }][] = [
      ['neither: the image decides', {}, {}],
      [
        'command only: replaces ENTRYPOINT, clears CMD',
        { command: ['sh', '-c'] },
        { Entrypoint: ['sh', '-c'], Cmd: [] },
      ],
      ['args only: replaces CMD', { args: ['echo', 'hi'] }, { Cmd: ['echo', 'hi'] }],
      ['both', { command: ['sh'], args: ['-c', 'exit 0'] }, { Entrypoint: ['sh'], Cmd: ['-c', 'exit 0'] }],
      ['empty lists count as unset', { command: [], args: [] }, {}],
      [
        'expanded with the final env',
        {
          command: ['echo', '$(MSG)', '$$(MSG)', '$(NOPE)'],
          args: ['$(JOB_COMPLETION_INDEX)'],
          env: [{ name: 'MSG', value: 'hi' }],
        },
        { Entrypoint: ['echo', 'hi', '$(MSG)', '$(NOPE)'], Cmd: ['7'] },
      ],
    ];
    for (const [title, container, want] of table) {
      it(title, () => {
        const { options } = build(container, {}, {}, { index: 7 });
        assert.deepEqual(options.Entrypoint, want.Entrypoint);
        assert.deepEqual(options.Cmd, want.Cmd);
      });
    }
  });

  describe('hostname and namespaces', () => {
    it('a lone container gets the hostname and domain name itself', () => {
      const { options } = build({}, {}, {}, { subdomain: 'workers' });
      assert.equal(options.Hostname, 'pi-0');
      assert.equal(options.Domainname, 'workers.default.svc.cluster.local');
      assert.equal(options.HostConfig?.NetworkMode, undefined);
    });
    it('a container joining the pause container gets no hostname (Docker refuses it) and shares net + ipc', () => {
      const { options } = build({}, {}, { pauseContainerId: 'p123' }, { subdomain: 'workers' });
      assert.equal(options.Hostname, undefined);
      assert.equal(options.Domainname, undefined);
      assert.equal(options.HostConfig?.NetworkMode, 'container:p123');
      assert.equal(options.HostConfig?.IpcMode, 'container:p123');
      assert.equal(options.HostConfig?.PidMode, undefined);
    });
    it('shareProcessNamespace joins the pause PID namespace', () => {
      const { options } = build({}, { shareProcessNamespace: true }, { pauseContainerId: 'p123' });
      assert.equal(options.HostConfig?.PidMode, 'container:p123');
    });
    it('hostNetwork without pause: host network and UTS, no hostname', () => {
      const { options } = build({}, { hostNetwork: true });
      assert.equal(options.HostConfig?.NetworkMode, 'host');
      assert.equal(options.HostConfig?.UTSMode, 'host');
      assert.equal(options.Hostname, undefined);
    });
    it('hostNetwork with pause: the container joins the pause (which is on the host network)', () => {
      const { options } = build({}, { hostNetwork: true }, { pauseContainerId: 'p1' });
      assert.equal(options.HostConfig?.NetworkMode, 'container:p1');
      const pause = buildPauseConfig(testPlan({}, { hostNetwork: true }), {
        dockerName: 'p',
        labels,
        image: 'pause',
      });
      assert.equal(pause.HostConfig?.NetworkMode, 'host');
      assert.equal(pause.HostConfig?.UTSMode, 'host');
      assert.equal(pause.Hostname, undefined);
    });
    it('hostIPC and hostPID', () => {
      const { options } = build({}, { hostIPC: true, hostPID: true }, { pauseContainerId: 'p1' });
      assert.equal(options.HostConfig?.IpcMode, 'host');
      assert.equal(options.HostConfig?.PidMode, 'host');
    });
    it('long hostnames are truncated to 63 characters like the kubelet', () => {
      const { options } = build({}, {}, {}, { hostname: 'a'.repeat(62) + '-bcd' });
      assert.equal(options.Hostname, 'a'.repeat(62));
    });
  });

  describe('buildPauseConfig', () => {
    it('holds the hostname, domain name and a shareable IPC namespace', () => {
      const pause = buildPauseConfig(testPlan({ subdomain: 'svc' }), {
        dockerName: 'tjob-pause',
        labels,
        image: 'registry.k8s.io/pause:3.10',
      });
      assert.equal(pause.name, 'tjob-pause');
      assert.equal(pause.Image, 'registry.k8s.io/pause:3.10');
      assert.equal(pause.Hostname, 'pi-0');
      assert.equal(pause.Domainname, 'svc.default.svc.cluster.local');
      assert.equal(pause.HostConfig?.IpcMode, 'shareable');
      assert.equal(pause.HostConfig?.NetworkMode, undefined);
      assert.deepEqual(pause.HostConfig?.RestartPolicy, { Name: 'no' });
      assert.deepEqual(pause.Labels, labels);
    });
  });

  describe('podNeedsPause', () => {
    const c = testContainer();
    const table: [string, PodSpec, boolean][] = [
      ['one container', { containers: [c] }, false],
      ['two containers', { containers: [c, { ...c, name: 'b' }] }, true],
      ['an init container and one app', { containers: [c], initContainers: [{ ...c, name: 'i' }] }, true],
      ['one container with hostNetwork', { containers: [c], hostNetwork: true }, false],
      [
        "one container reading the pod's IP (known once the sandbox runs)",
        {
          containers: [
            { ...c, env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] },
          ],
        },
        true,
      ],
      [
        'one container reading status.podIPs',
        {
          containers: [
            { ...c, env: [{ name: 'IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } }] },
          ],
        },
        true,
      ],
      [
        'one container reading the node name only',
        {
          containers: [
            { ...c, env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] },
          ],
        },
        false,
      ],
      [
        "a hostNetwork pod reading the pod's IP (the host's)",
        {
          hostNetwork: true,
          containers: [
            { ...c, env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] },
          ],
        },
        false,
      ],
    ];
    for (const [title, spec, want] of table) it(title, () => assert.equal(podNeedsPause(spec), want));
  });

  describe('resources', () => {
    it('limits: NanoCpus, Memory and MemorySwap equal (no swap)', () => {
      const { options, warnings } = build({
        resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
      });
      assert.equal(options.HostConfig?.NanoCpus, 500_000_000);
      assert.equal(options.HostConfig?.Memory, 128 * 1024 * 1024);
      assert.equal(options.HostConfig?.MemorySwap, 128 * 1024 * 1024);
      assert.deepEqual(warnings, []);
    });
    it('requests alone set nothing', () => {
      const { options } = build({ resources: { requests: { cpu: '1', memory: '1Gi' } } });
      assert.equal(options.HostConfig?.NanoCpus, undefined);
      assert.equal(options.HostConfig?.Memory, undefined);
    });
    it('tiny cpu is raised to the kubelet minimum of 10m; more cpus than the engine has are capped with a warning', () => {
      assert.equal(build({ resources: { limits: { cpu: '1m' } } }).options.HostConfig?.NanoCpus, 10_000_000);
      const big = build({ resources: { limits: { cpu: 16 } } });
      assert.equal(big.options.HostConfig?.NanoCpus, 4_000_000_000);
      assert.match(big.warnings[0] ?? '', /cpu limit 16 exceeds the engine's 4 cpus/);
    });
    it("memory under Docker's minimum is raised with a warning", () => {
      const r = build({ resources: { limits: { memory: '1Mi' } } });
      assert.equal(r.options.HostConfig?.Memory, 6 * 1024 * 1024);
      assert.match(r.warnings[0] ?? '', /below Docker's minimum/);
    });
    it('malformed quantities throw', () => {
      assert.throws(() => build({ resources: { limits: { memory: 'lots' } } }), /quantities must match/);
    });
  });

  describe('securityContext', () => {
    it('container settings over pod settings', () => {
      const { options } = build(
        {
          securityContext: {
            runAsUser: 1000,
            privileged: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { add: ['NET_ADMIN', 'CAP_SYS_TIME'], drop: ['ALL'] },
          },
        },
        {
          securityContext: {
            runAsUser: 5,
            runAsGroup: 3000,
            fsGroup: 2000,
            supplementalGroups: [4000, 2000],
          },
        },
      );
      assert.equal(options.User, '1000:3000');
      const hc = options.HostConfig;
      assert.equal(hc?.Privileged, true);
      assert.equal(hc?.ReadonlyRootfs, true);
      assert.deepEqual(hc?.CapAdd, ['NET_ADMIN', 'SYS_TIME']);
      assert.deepEqual(hc?.CapDrop, ['ALL']);
      assert.deepEqual(hc?.SecurityOpt, ['no-new-privileges:true']);
      assert.deepEqual(hc?.GroupAdd, ['2000', '4000']);
    });
    it('pod-level user only; nothing set means the image decides', () => {
      assert.equal(build({}, { securityContext: { runAsUser: 42 } }).options.User, '42');
      const plain = build({}).options;
      assert.equal(plain.User, undefined);
      assert.equal(plain.HostConfig?.SecurityOpt, undefined);
      assert.equal(plain.HostConfig?.Privileged, undefined);
    });
    it('runAsGroup without runAsUser is a warning', () => {
      const r = build({ securityContext: { runAsGroup: 7 } });
      assert.equal(r.options.User, undefined);
      assert.match(r.warnings[0] ?? '', /runAsGroup without runAsUser/);
    });
    it('runAsNonRoot with runAsUser 0 is refused', () => {
      assert.throws(
        () => build({ securityContext: { runAsNonRoot: true, runAsUser: 0 } }),
        /breaks non-root policy/,
      );
    });
    it('seccompProfile Unconfined', () => {
      const r = build({}, { securityContext: { seccompProfile: { type: 'Unconfined' } } });
      assert.deepEqual(r.options.HostConfig?.SecurityOpt, ['seccomp=unconfined']);
    });
  });

  it('tty and stdin', () => {
    const { options } = build({ tty: true, stdin: true, stdinOnce: true });
    assert.equal(options.Tty, true);
    assert.equal(options.OpenStdin, true);
    assert.equal(options.StdinOnce, true);
  });

  describe('mounts', () => {
    const volumes = {
      data: { kind: 'bind' as const, source: '/pods/p/empty-dir/data' },
      cfg: { kind: 'bind' as const, source: '/pods/p/configmap/cfg', readOnly: true },
      mem: { kind: 'tmpfs' as const, sizeBytes: 1024 },
      memu: { kind: 'tmpfs' as const },
    };
    it('binds, read-only, tmpfs, subPath, subPathExpr', () => {
      const { options } = build(
        {
          env: [{ name: 'SUB', value: 'x/y' }],
          volumeMounts: [
            { name: 'data', mountPath: '/data' },
            { name: 'data', mountPath: '/ro', readOnly: true },
            { name: 'cfg', mountPath: '/etc/cfg' },
            { name: 'mem', mountPath: '/scratch' },
            { name: 'memu', mountPath: '/scratch2' },
            { name: 'data', mountPath: '/sub', subPath: 'part' },
            { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
            { name: 'data', mountPath: '/expr', subPathExpr: '$(SUB)/$$(POD)' },
          ],
        },
        {},
        { volumes },
      );
      assert.deepEqual(options.HostConfig?.Mounts, [
        { Type: 'bind', Source: '/pods/p/empty-dir/data', Target: '/data' },
        { Type: 'bind', Source: '/pods/p/empty-dir/data', Target: '/ro', ReadOnly: true },
        { Type: 'bind', Source: '/pods/p/configmap/cfg', Target: '/etc/cfg', ReadOnly: true },
        { Type: 'tmpfs', Source: '', Target: '/scratch', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } },
        { Type: 'tmpfs', Source: '', Target: '/scratch2', TmpfsOptions: { SizeBytes: 0, Mode: 0o1777 } },
      ]);
      assert.deepEqual(options.HostConfig?.Binds, [
        '/pods/p/empty-dir/data/part:/sub',
        '/pods/p/configmap/cfg/app.conf:/etc/app.conf:ro',
        '/pods/p/empty-dir/data/x/y/$(POD):/expr',
      ]);
    });
    it('a subPath leaving the volume, an unknown volume and subPath on tmpfs are errors', () => {
      assert.throws(
        () =>
          build({ volumeMounts: [{ name: 'data', mountPath: '/x', subPath: '../etc' }] }, {}, { volumes }),
        /without '\.\.'/,
      );
      assert.throws(
        () => build({ volumeMounts: [{ name: 'data', mountPath: '/x', subPath: '/etc' }] }, {}, { volumes }),
        /without '\.\.'/,
      );
      assert.throws(
        () =>
          build(
            {
              volumeMounts: [{ name: 'data', mountPath: '/x', subPathExpr: '$(A)/$(B)' }],
              env: [{ name: 'B', value: '' }],
            },
            {},
            { volumes },
          ),
        { message: 'volumeMount "data": subPathExpr: missing value for A, B' },
      );
      assert.throws(
        () => build({ volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, {}, { volumes }),
        /names no volume/,
      );
      assert.throws(
        () => build({ volumeMounts: [{ name: 'mem', mountPath: '/x', subPath: 'a' }] }, {}, { volumes }),
        /not supported on tjob/,
      );
    });
    it('mountPropagation: None → rprivate, HostToContainer → rslave, Bidirectional → rshared (privileged only)', () => {
      const { options } = build(
        {
          securityContext: { privileged: true },
          volumeMounts: [
            { name: 'data', mountPath: '/none', mountPropagation: 'None' },
            { name: 'data', mountPath: '/h2c', mountPropagation: 'HostToContainer' },
            { name: 'data', mountPath: '/bi', mountPropagation: 'Bidirectional', readOnly: true },
            { name: 'data', mountPath: '/sub', subPath: 's', mountPropagation: 'HostToContainer' },
            { name: 'claim', mountPath: '/claim', mountPropagation: 'HostToContainer' },
            { name: 'claim', mountPath: '/claim-sub', subPath: 'x' },
          ],
        },
        {},
        {
          volumes: {
            ...volumes,
            claim: { kind: 'volume', name: 'pvc-1', mountpoint: '/var/lib/docker/volumes/pvc-1/_data' },
          },
        },
      );
      assert.deepEqual(options.HostConfig?.Mounts, [
        {
          Type: 'bind',
          Source: '/pods/p/empty-dir/data',
          Target: '/none',
          BindOptions: { Propagation: 'rprivate' },
        },
        {
          Type: 'bind',
          Source: '/pods/p/empty-dir/data',
          Target: '/h2c',
          BindOptions: { Propagation: 'rslave' },
        },
        {
          Type: 'bind',
          Source: '/pods/p/empty-dir/data',
          Target: '/bi',
          ReadOnly: true,
          BindOptions: { Propagation: 'rshared' },
        },
        { Type: 'volume', Source: 'pvc-1', Target: '/claim' },
      ]);
      assert.deepEqual(options.HostConfig?.Binds, [
        '/pods/p/empty-dir/data/s:/sub:rslave',
        '/var/lib/docker/volumes/pvc-1/_data/x:/claim-sub',
      ]);
      assert.throws(
        () =>
          build(
            { volumeMounts: [{ name: 'data', mountPath: '/bi', mountPropagation: 'Bidirectional' }] },
            {},
            { volumes },
          ),
        /Bidirectional mount propagation is available only to privileged containers/,
      );
    });
    it('the termination message file is mounted at terminationMessagePath', () => {
      const { options } = build(
        { terminationMessagePath: '/tmp/msg' },
        {},
        { terminationMessageFile: '/pods/p/termination-log/main-0' },
      );
      assert.deepEqual(options.HostConfig?.Mounts, [
        { Type: 'bind', Source: '/pods/p/termination-log/main-0', Target: '/tmp/msg' },
      ]);
    });
  });

  describe('dns', () => {
    const nodeDns = { nameservers: ['10.0.0.2'], searches: ['lan'], options: [] };
    const dns = { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['x.example'] } };
    it('a container alone in its pod carries the pod DNS; one joining a pause container does not', () => {
      const alone = build({}, dns, { nodeDns }).options.HostConfig;
      assert.deepEqual(alone?.Dns, ['1.2.3.4']);
      assert.deepEqual(alone?.DnsSearch, ['x.example']);
      const joined = build({}, dns, { nodeDns, pauseContainerId: 'p1' }).options.HostConfig;
      assert.equal(joined?.Dns, undefined); // Docker refuses DNS options on a joined network namespace
      const pause = buildPauseConfig(testPlan({}, dns), {
        dockerName: 'p',
        labels: {},
        image: 'pause',
        nodeDns,
      });
      assert.deepEqual(pause.HostConfig?.Dns, ['1.2.3.4']);
      assert.equal(build({}, {}, { nodeDns }).options.HostConfig?.Dns, undefined);
    });
  });

  it('env errors surface (missing ConfigMap key)', () => {
    assert.throws(
      () =>
        build(
          { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }] },
          {},
          {},
          { configMaps: { cm: {} } },
        ),
      { message: "couldn't find key k in ConfigMap default/cm" },
    );
  });
});
