// A pod's container as Docker create options, with the kubelet's semantics: command/args replace the
// image's ENTRYPOINT/CMD, `$(VAR)` expanded with the container's environment, limits enforced as a
// node would (memory without swap so the OOM killer acts), securityContext mapped, volumes mounted.
// The pod's shared namespaces come from the pause container (buildPauseConfig) when there is one.

import { DefaultTerminationGracePeriodSeconds } from '../../manifest/pod-defaults.js';
import path from 'node:path';

import type Dockerode from 'dockerode';

import type { Container, PodSpec, SecurityContext, VolumeMount } from '../../api/k8s.js';
import type { PodPlan } from '../../api/pod.js';
import { podDnsSettings, type ResolvConf } from './dns.js';
import { podNetworkSettings } from './pod-network.js';
import { envMap, expandSubPathExpr, expandVars, resolveEnv, type EnvContext } from './env.js';
import { cpuToNanoCpus, memoryToBytes } from './quantity.js';
import type { PodVolumeMount } from './volumes.js';

export interface ContainerConfigContext {
  dockerName: string;
  labels: Record<string, string>;
  role: 'init' | 'sidecar' | 'app';
  /** The pod's pause container: the container joins its network and IPC namespaces (and PID with shareProcessNamespace). */
  pauseContainerId?: string;
  volumes: Record<string, PodVolumeMount>;
  /** Node facts for the downward API and for capping cpu limits (see EnvContext). */
  node?: EnvContext;
  /** The node's resolver, to which the pod's dnsConfig is appended (see dns.ts). */
  nodeDns?: ResolvConf;
  /** The host file mounted at the container's terminationMessagePath (see termination-message.ts). */
  terminationMessageFile?: string;
}

/** Docker refuses a memory limit under 6 MiB. */
const DockerMinMemoryBytes = 6 * 1024 * 1024;
/** The kubelet's minimum cfs quota is 1 ms per 100 ms period: 10m cpu. */
const MinNanoCpus = 10_000_000;

export function buildContainerConfig(
  plan: PodPlan,
  container: Container,
  ctx: ContainerConfigContext,
): { options: Dockerode.ContainerCreateOptions; warnings: string[] } {
  if (!container.image) throw new Error(`container "${container.name}": image is required`);
  const spec = plan.spec;
  const { env, warnings } = resolveEnv(plan, container, ctx.node);
  const vars = envMap(env);

  const options: Dockerode.ContainerCreateOptions = {
    name: ctx.dockerName,
    Image: container.image,
    Env: env.map((e) => `${e.name}=${e.value}`),
    Labels: { ...ctx.labels },
    StopTimeout: spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds,
  };
  // Kubernetes: `command` replaces ENTRYPOINT (and drops the image's CMD: Docker does not merge the
  // image's Cmd once Entrypoint is given); `args` replaces CMD. Empty lists count as unset.
  if (container.command && container.command.length > 0) {
    options.Entrypoint = container.command.map((s) => expandVars(s, vars));
    options.Cmd = (container.args ?? []).map((s) => expandVars(s, vars));
  } else if (container.args && container.args.length > 0) {
    options.Cmd = container.args.map((s) => expandVars(s, vars));
  }
  if (container.workingDir) options.WorkingDir = container.workingDir;
  if (container.tty) options.Tty = true;
  if (container.stdin) {
    options.OpenStdin = true;
    if (container['stdinOnce'] === true) options.StdinOnce = true;
  }

  const hostConfig: Dockerode.HostConfig = { RestartPolicy: { Name: 'no' }, Init: false };
  options.HostConfig = hostConfig;

  // Namespaces. Docker refuses a hostname on a container that joins another's network namespace;
  // it copies the pause container's hostname and domain name instead.
  if (ctx.pauseContainerId) {
    hostConfig.NetworkMode = `container:${ctx.pauseContainerId}`;
    hostConfig.IpcMode = spec.hostIPC ? 'host' : `container:${ctx.pauseContainerId}`;
  } else {
    // Alone in its pod, the container owns the network namespace: the pod's network, hosts
    // entries and DNS settings.
    ownPodNetwork(plan, options, hostConfig, ctx.nodeDns);
    if (spec.hostIPC) hostConfig.IpcMode = 'host';
  }
  if (spec.hostPID) hostConfig.PidMode = 'host';
  else if (spec.shareProcessNamespace && ctx.pauseContainerId)
    hostConfig.PidMode = `container:${ctx.pauseContainerId}`;

  applyMounts(container, ctx.volumes, vars, hostConfig);
  if (ctx.terminationMessageFile !== undefined && container.terminationMessagePath) {
    // As the kubelet does: a host file per container run, bind-mounted at the path.
    (hostConfig.Mounts ??= []).push({
      Type: 'bind',
      Source: ctx.terminationMessageFile,
      Target: container.terminationMessagePath,
    });
  }
  applyResources(container, ctx.node, hostConfig, warnings);
  applySecurity(spec, container, options, hostConfig, warnings);

  return { options, warnings };
}

/**
 * The pause container: holds the pod's network, IPC and UTS namespaces (and is PID 1 of a shared
 * PID namespace), so its hostname/domain name and network are the pod's. Never restarted by Docker.
 */
export function buildPauseConfig(
  plan: PodPlan,
  ctx: { dockerName: string; labels: Record<string, string>; image: string; nodeDns?: ResolvConf },
): Dockerode.ContainerCreateOptions {
  const spec = plan.spec;
  const hostConfig: Dockerode.HostConfig = {
    RestartPolicy: { Name: 'no' },
    Init: false,
    IpcMode: spec.hostIPC ? 'host' : 'shareable',
  };
  const options: Dockerode.ContainerCreateOptions = {
    name: ctx.dockerName,
    Image: ctx.image,
    Labels: { ...ctx.labels },
    StopTimeout: 2,
    HostConfig: hostConfig,
  };
  // The pod's containers join its network namespace, and so share the network, the /etc/hosts
  // and the resolv.conf made for it.
  ownPodNetwork(plan, options, hostConfig, ctx.nodeDns);
  if (spec.hostPID) hostConfig.PidMode = 'host';
  return options;
}

/**
 * The container that owns the pod's network namespace (the pause container, or a pod's only
 * container): the host's network and UTS namespaces with hostNetwork, else the pod's hostname,
 * network (`--network`) and hosts entries (`hostAliases`); and the pod's DNS settings.
 */
function ownPodNetwork(
  plan: PodPlan,
  options: Dockerode.ContainerCreateOptions,
  hostConfig: Dockerode.HostConfig,
  nodeDns: ResolvConf | undefined,
): void {
  if (plan.spec.hostNetwork) hostConfig.UTSMode = 'host';
  else Object.assign(options, podHostname(plan));
  Object.assign(hostConfig, podNetworkSettings(plan), podDnsSettings(plan.spec, nodeDns));
}

/**
 * True when the pod has more than one container (init included), which then share one pause
 * container; or when a container's env reads the pod's own address (status.podIP), which the
 * kubelet knows before any container starts because it makes the sandbox first (SyncPod,
 * pkg/kubelet/kuberuntime/kuberuntime_manager.go): so does tjob, to read its address.
 */
export function podNeedsPause(spec: PodSpec): boolean {
  return (spec.initContainers?.length ?? 0) + spec.containers.length > 1 || podReadsOwnIP(spec);
}

/** A container's env has a fieldRef of status.podIP or status.podIPs (and the pod has its own network). */
export function podReadsOwnIP(spec: PodSpec): boolean {
  if (spec.hostNetwork) return false;
  return [...(spec.initContainers ?? []), ...spec.containers].some((c) =>
    (c.env ?? []).some((e) => {
      const field = e.valueFrom?.fieldRef?.fieldPath;
      return field === 'status.podIP' || field === 'status.podIPs';
    }),
  );
}

/**
 * The pod's hostname (truncated to 63 characters like the kubelet) and, with a subdomain, the domain
 * name that makes `hostname -f` the pod's cluster FQDN `<hostname>.<subdomain>.<namespace>.svc.cluster.local`.
 */
export function podHostname(plan: PodPlan): { Hostname: string; Domainname?: string } {
  let hostname = plan.hostname || plan.name;
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  const subdomain = plan.subdomain ?? plan.spec.subdomain;
  return subdomain
    ? { Hostname: hostname, Domainname: `${subdomain}.${plan.namespace}.svc.cluster.local` }
    : { Hostname: hostname };
}

/**
 * The kubelet's mount propagation (pkg/kubelet/kuberuntime/helpers.go, CRI's MountPropagation):
 * None → rprivate, HostToContainer → rslave, Bidirectional → rshared; unset is None.
 */
export const BindPropagation: Readonly<Record<string, 'rprivate' | 'rslave' | 'rshared'>> = {
  None: 'rprivate',
  HostToContainer: 'rslave',
  Bidirectional: 'rshared',
};

function applyMounts(
  container: Container,
  volumes: Record<string, PodVolumeMount>,
  vars: Map<string, string>,
  hostConfig: Dockerode.HostConfig,
): void {
  const mounts: Dockerode.MountSettings[] = [];
  const binds: string[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const volume = volumes[vm.name];
    if (!volume)
      throw new Error(`container "${container.name}": volumeMount "${vm.name}" names no volume of the pod`);
    const subPath = mountSubPath(vm, vars);
    const readOnly = vm.readOnly === true || (volume.kind !== 'tmpfs' && volume.readOnly === true);
    const propagation = vm.mountPropagation ? BindPropagation[vm.mountPropagation] : undefined;
    if (vm.mountPropagation === 'Bidirectional' && container.securityContext?.privileged !== true) {
      // Upstream validation refuses it too (validateMountPropagation); a defence for stored specs.
      throw new Error(
        `volumeMount "${vm.name}": Bidirectional mount propagation is available only to privileged containers`,
      );
    }
    if (volume.kind === 'tmpfs') {
      if (subPath)
        throw new Error(
          `volumeMount "${vm.name}": subPath on a medium Memory emptyDir is not supported on tjob`,
        );
      mounts.push({
        Type: 'tmpfs',
        Source: '',
        Target: vm.mountPath,
        ...(readOnly ? { ReadOnly: true } : {}),
        TmpfsOptions: { SizeBytes: volume.sizeBytes ?? 0, Mode: 0o1777 },
      });
    } else if (volume.kind === 'volume' && !subPath) {
      // A Docker named volume (persistentVolumeClaim, ephemeral). Docker keeps volume mounts
      // rprivate; HostToContainer/Bidirectional on a claim have no host mounts to share.
      mounts.push({
        Type: 'volume',
        Source: volume.name,
        Target: vm.mountPath,
        ...(readOnly ? { ReadOnly: true } : {}),
      });
    } else if (subPath) {
      // A subPath of a named volume is bound from its directory (the engine's API before 1.45 has
      // no volume subpath).
      const source = path.join(volume.kind === 'volume' ? volume.mountpoint : volume.source, subPath);
      // Like the kubelet, a missing subPath is created as a directory when the container is created:
      // the legacy Binds form does that (Mounts refuses a missing source). It cannot carry a colon.
      if (!source.includes(':') && !vm.mountPath.includes(':')) {
        const mode = [...(readOnly ? ['ro'] : []), ...(propagation ? [propagation] : [])].join(',');
        binds.push(`${source}:${vm.mountPath}${mode ? `:${mode}` : ''}`);
      } else {
        mounts.push(bindMount(source, vm.mountPath, readOnly, propagation));
      }
    } else if (volume.kind === 'bind') {
      mounts.push(bindMount(volume.source, vm.mountPath, readOnly, propagation));
    }
  }
  if (mounts.length > 0) hostConfig.Mounts = mounts;
  if (binds.length > 0) hostConfig.Binds = binds;
}

function bindMount(
  source: string,
  target: string,
  readOnly: boolean,
  propagation: string | undefined,
): Dockerode.MountSettings {
  return {
    Type: 'bind',
    Source: source,
    Target: target,
    ...(readOnly ? { ReadOnly: true } : {}),
    ...(propagation ? { BindOptions: { Propagation: propagation as 'rprivate' } } : {}),
  };
}

function mountSubPath(vm: VolumeMount, vars: Map<string, string>): string | undefined {
  let raw: string | undefined;
  try {
    raw = vm.subPathExpr ? expandSubPathExpr(vm.subPathExpr, vars) : vm.subPath;
  } catch (err) {
    throw new Error(`volumeMount "${vm.name}": subPathExpr: ${(err as Error).message}`, { cause: err });
  }
  if (!raw) return undefined;
  const normalized = path.posix.normalize(raw);
  if (path.posix.isAbsolute(raw) || normalized === '..' || normalized.startsWith('../')) {
    throw new Error(`volumeMount "${vm.name}": subPath ${raw} must be a relative path without '..'`);
  }
  return normalized === '.' ? undefined : normalized;
}

function applyResources(
  container: Container,
  node: EnvContext | undefined,
  hostConfig: Dockerode.HostConfig,
  warnings: string[],
): void {
  const limits = container.resources?.limits ?? {};
  const cpu = limits['cpu'];
  if (cpu !== undefined && cpu !== '') {
    let nano = Math.max(cpuToNanoCpus(cpu), MinNanoCpus);
    if (node?.nodeCpu !== undefined && nano > node.nodeCpu * 1e9) {
      warnings.push(
        `container "${container.name}": cpu limit ${String(cpu)} exceeds the engine's ${node.nodeCpu} cpus; capped to ${node.nodeCpu}`,
      );
      nano = Math.round(node.nodeCpu * 1e9);
    }
    if (nano > 0) hostConfig.NanoCpus = nano;
  }
  const memory = limits['memory'];
  if (memory !== undefined && memory !== '') {
    let bytes = memoryToBytes(memory);
    if (bytes > 0 && bytes < DockerMinMemoryBytes) {
      warnings.push(
        `container "${container.name}": memory limit ${String(memory)} is below Docker's minimum of 6Mi; raised to 6Mi`,
      );
      bytes = DockerMinMemoryBytes;
    }
    if (bytes > 0) {
      hostConfig.Memory = bytes;
      hostConfig.MemorySwap = bytes; // no swap: the OOM killer acts at the limit, as on a node
    }
  }
}

function applySecurity(
  spec: PodSpec,
  container: Container,
  options: Dockerode.ContainerCreateOptions,
  hostConfig: Dockerode.HostConfig,
  warnings: string[],
): void {
  const pod = spec.securityContext ?? {};
  const sc: SecurityContext = container.securityContext ?? {};
  const uid = sc.runAsUser ?? pod.runAsUser;
  const gid = sc.runAsGroup ?? pod.runAsGroup;
  const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
  if (nonRoot && uid === 0) {
    throw new Error(`container "${container.name}": container's runAsUser breaks non-root policy`);
  }
  if (uid !== undefined) options.User = gid !== undefined ? `${uid}:${gid}` : String(uid);
  else if (gid !== undefined) {
    warnings.push(
      `container "${container.name}": runAsGroup without runAsUser is not supported on tjob; ignored`,
    );
  }
  if (nonRoot && uid === undefined) {
    warnings.push(
      `container "${container.name}": runAsNonRoot is not checked against the image's user on tjob`,
    );
  }

  const groups = [...(pod.fsGroup !== undefined ? [pod.fsGroup] : []), ...(pod.supplementalGroups ?? [])];
  if (groups.length > 0) hostConfig.GroupAdd = [...new Set(groups)].map(String);

  if (sc.privileged) hostConfig.Privileged = true;
  if (sc.readOnlyRootFilesystem) hostConfig.ReadonlyRootfs = true;
  const add = (sc.capabilities?.add ?? []).map(capability);
  const drop = (sc.capabilities?.drop ?? []).map(capability);
  if (add.length > 0) hostConfig.CapAdd = add;
  if (drop.length > 0) hostConfig.CapDrop = drop;

  const securityOpt: string[] = [];
  if (sc.allowPrivilegeEscalation === false) securityOpt.push('no-new-privileges:true');
  const seccomp = (sc['seccompProfile'] ?? pod['seccompProfile']) as { type?: string } | undefined;
  if (seccomp?.type === 'Unconfined') securityOpt.push('seccomp=unconfined');
  else if (seccomp?.type === 'Localhost') {
    warnings.push(
      `container "${container.name}": seccompProfile Localhost is not supported on tjob; the runtime default applies`,
    );
  }
  if (securityOpt.length > 0) hostConfig.SecurityOpt = securityOpt;
}

/** Kubernetes names capabilities without the `CAP_` prefix; Docker takes both. */
function capability(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}
