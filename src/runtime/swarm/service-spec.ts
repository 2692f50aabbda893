// One container of a pod attempt as a Swarm service spec: a `Replicated` service with one replica
// and restart condition `none`, so that Swarm runs the container once and tjob's own kubelet and
// Job controller decide every retry (a retry is a new service). The container's settings are the
// Docker runtime's (buildContainerConfig: command/args, env with `$(VAR)` expansion and the
// downward API, workingDir, user and groups, read-only root, capabilities, limits, mounts),
// carried over into the ContainerSpec; placement comes from the pod's nodeSelector and required
// node affinity; requests become reservations, which Swarm's scheduler places by.

import { createHash } from 'node:crypto';

import type Dockerode from 'dockerode';

import type { Container } from '../../api/k8s.js';
import type { PodPlan } from '../../api/pod.js';
import { DefaultTerminationGracePeriodSeconds } from '../../manifest/pod-defaults.js';
import { buildContainerConfig, podHostname } from '../docker/container-config.js';
import { cpuToNanoCpus, memoryToBytes } from '../docker/quantity.js';
import type { PodVolumeMount } from '../docker/volumes.js';
import type { ConfigFile } from './config-files.js';
import { swarmPlacement, swarmRefusals } from './swarm-support.js';

/** Swarm service names are at most 63 characters (a DNS label). */
export const MaxServiceNameLength = 63;

/**
 * The service of a pod's container: the pod's name for its (only) app container, the pod's name
 * and `-init-N` for its N-th init container. A name that would be too long is cut and given a
 * hash of the whole, so two pods never share a service name.
 */
export function serviceName(podName: string, role: 'init' | 'app', index: number, attempt: number): string {
  const suffix = (role === 'init' ? `-init-${index}` : '') + (attempt > 0 ? `-r${attempt}` : '');
  const full = podName + suffix;
  if (full.length <= MaxServiceNameLength) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const keep = MaxServiceNameLength - suffix.length - hash.length - 1;
  return `${podName.slice(0, keep).replace(/-+$/, '')}-${hash}${suffix}`;
}

/** Stands for spec.nodeName in the container's env until it becomes Swarm's template. */
const NodeNamePlaceholder = '\u0000tjob-node-name\u0000';

/**
 * An env entry as Swarm reads it: Swarm expands Go templates in a service's env (docker/cli's
 * `docker service create` reference, "Create services using templates"), so a literal
 * `{{` is escaped, and spec.nodeName is `{{.Node.Hostname}}`, the hostname of the node the task
 * runs on (what the pod's nodeName is), known for the pod's first service too.
 */
export function templatedEnv(entry: string): string {
  return entry.replaceAll('{{', '{{"{{"}}').replaceAll(NodeNamePlaceholder, '{{.Node.Hostname}}');
}

/** The container's requests as Swarm reservations (the scheduler places by them). */
export function reservations(container: Container): { NanoCPUs?: number; MemoryBytes?: number } {
  const requests = container.resources?.requests ?? {};
  const out: { NanoCPUs?: number; MemoryBytes?: number } = {};
  const cpu = requests['cpu'];
  if (cpu !== undefined && cpu !== '') {
    const nano = cpuToNanoCpus(cpu);
    if (nano > 0) out.NanoCPUs = nano;
  }
  const memory = requests['memory'];
  if (memory !== undefined && memory !== '') {
    const bytes = memoryToBytes(memory);
    if (bytes > 0) out.MemoryBytes = bytes;
  }
  return out;
}

export interface ServiceSpecContext {
  name: string;
  labels: Record<string, string>;
  role: 'init' | 'app';
  /** The pod's volumes that become mounts (emptyDir, hostPath); configMap and secret ones are files. */
  volumes: Record<string, PodVolumeMount>;
  /** The labels of the pod's emptyDir volumes, set by the node that makes one (pod-volumes.ts). */
  volumeLabels?: Record<string, string>;
  /** The configMap and secret files this container mounts, as Swarm configs and secrets. */
  files: ConfigFile[];
  /** The ids of the Swarm configs and secrets by name (created before the service). */
  fileIds: Map<string, string>;
  /** Pins the service to this node (the node the pod's first container landed on). */
  nodeId?: string;
}

/**
 * The service spec of one container of the pod. What Swarm cannot run is refused, with its path,
 * by swarm-support.ts (one home for those rules): `tjob run --runtime swarm` refuses it before
 * anything starts, and a stored or adopted pod that has one fails here with the same message.
 */
export function buildServiceSpec(
  plan: PodPlan,
  container: Container,
  ctx: ServiceSpecContext,
): { spec: Dockerode.CreateServiceOptions; warnings: string[] } {
  const refused = swarmRefusals(plan.spec, 'spec');
  if (refused.length > 0) throw new Error(refused.map((r) => `${r.path}: ${r.note}`).join('; '));
  const fileMounts = new Set(ctx.files.map((f) => f.volumeMount));
  // configMap and secret volumes are Swarm configs and secrets, not mounts.
  const mounted: Container = {
    ...container,
    volumeMounts: (container.volumeMounts ?? []).filter((vm) => !fileMounts.has(vm.name)),
  };
  const { options, warnings } = buildContainerConfig(plan, mounted, {
    dockerName: ctx.name,
    labels: ctx.labels,
    role: ctx.role,
    volumes: ctx.volumes,
    node: { nodeName: NodeNamePlaceholder },
  });
  const host = options.HostConfig ?? {};

  const grace = plan.spec.terminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds;
  const containerSpec: NonNullable<Dockerode.ContainerSpec> & Record<string, unknown> = {
    Image: options.Image!,
    Labels: ctx.labels,
    Env: (options.Env ?? []).map(templatedEnv),
    Hostname: podHostname(plan).Hostname,
    StopGracePeriod: grace * 1e9,
    Init: false,
  };
  // Swarm's Command is the entrypoint and Args the command (docker service create's own mapping).
  if (options.Entrypoint !== undefined) containerSpec.Command = options.Entrypoint as string[];
  if (options.Cmd !== undefined) containerSpec.Args = options.Cmd as string[];
  if (options.WorkingDir) containerSpec.Dir = options.WorkingDir;
  if (options.User) containerSpec.User = options.User;
  if (host.GroupAdd) containerSpec.Groups = host.GroupAdd;
  if (host.ReadonlyRootfs) containerSpec.ReadOnly = true;
  // hostAliases: Docker's `name:ip` entries as Swarm's `ip name` hosts lines (ContainerSpec.Hosts).
  if (host.ExtraHosts && host.ExtraHosts.length > 0)
    containerSpec.Hosts = host.ExtraHosts.map((entry: string) => {
      const at = entry.indexOf(':');
      return `${entry.slice(at + 1)} ${entry.slice(0, at)}`;
    });
  const dns: Record<string, string[]> = {};
  if (host.Dns) dns['Nameservers'] = host.Dns;
  if (host.DnsSearch) dns['Search'] = host.DnsSearch;
  if (host.DnsOptions) dns['Options'] = host.DnsOptions;
  if (Object.keys(dns).length > 0) containerSpec.DNSConfig = dns;
  if (host.CapAdd) containerSpec['CapabilityAdd'] = host.CapAdd;
  if (host.CapDrop) containerSpec['CapabilityDrop'] = host.CapDrop;
  const mounts = (host.Mounts ?? []).map((m) => {
    const out: Record<string, unknown> = { Type: m.Type, Target: m.Target };
    if (m.Source) out['Source'] = m.Source;
    if (m.ReadOnly) out['ReadOnly'] = true;
    if (m.BindOptions) out['BindOptions'] = m.BindOptions;
    if (m.TmpfsOptions) out['TmpfsOptions'] = m.TmpfsOptions;
    // The pod's emptyDir: the node makes it, with these labels, when the first service mounts it.
    if (m.Type === 'volume')
      out['VolumeOptions'] = { Labels: ctx.volumeLabels ?? {}, DriverConfig: { Name: 'local' } };
    return out;
  });
  if (mounts.length > 0) containerSpec.Mounts = mounts as unknown as Dockerode.ContainerSpec['Mounts'];
  const secrets = ctx.files.filter((f) => f.kind === 'secret');
  const configs = ctx.files.filter((f) => f.kind === 'config');
  const ref = (f: ConfigFile): Record<string, unknown> => ({
    [f.kind === 'secret' ? 'SecretID' : 'ConfigID']: ctx.fileIds.get(f.name),
    [f.kind === 'secret' ? 'SecretName' : 'ConfigName']: f.name,
    File: { Name: f.target, UID: '0', GID: '0', Mode: f.mode },
  });
  if (secrets.length > 0) containerSpec.Secrets = secrets.map(ref) as Dockerode.ContainerSpec['Secrets'];
  if (configs.length > 0) containerSpec['Configs'] = configs.map(ref);

  const limits: Record<string, number> = {};
  if (host.NanoCpus) limits['NanoCPUs'] = host.NanoCpus;
  if (host.Memory) limits['MemoryBytes'] = host.Memory;
  const constraints = swarmPlacement(plan.spec);
  if (ctx.nodeId !== undefined) constraints.push(`node.id==${ctx.nodeId}`);

  const spec = {
    Name: ctx.name,
    Labels: ctx.labels,
    TaskTemplate: {
      ContainerSpec: containerSpec,
      Resources: { Limits: limits, Reservations: reservations(container) },
      RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
      Placement: { Constraints: constraints },
    },
    Mode: { Replicated: { Replicas: 1 } },
  } as Dockerode.CreateServiceOptions;
  return { spec, warnings };
}
