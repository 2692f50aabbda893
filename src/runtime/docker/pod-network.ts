// The pod's network as Docker's, set on the container that owns the pod's network namespace (the
// pause container, or the pod's only container): which network it joins (HostConfig.NetworkMode)
// and the pod's hostAliases as /etc/hosts lines (HostConfig.ExtraHosts). Containers that join the
// owner's namespace share its /etc/hosts, as a pod's containers share the file the kubelet writes.

import type { PodPlan } from '../../api/pod.js';

export interface HostAlias {
  ip?: string;
  hostnames?: string[];
}

export interface DockerPodNetwork {
  NetworkMode?: string;
  ExtraHosts?: string[];
}

/**
 * `hostNetwork: true` puts the pod in the node's namespace whatever network tjob was given, as a
 * host-network pod on a cluster stays outside the pod network; the pod's user-defined network
 * (`--network`) otherwise; without one, the engine's default bridge.
 */
export function podNetworkMode(plan: PodPlan): string | undefined {
  if (plan.spec.hostNetwork) return 'host';
  return plan.network;
}

/**
 * hostAliases as Docker's `HOSTNAME:IP` entries, in the pod's order: the kubelet appends one
 * `IP<TAB>HOSTNAMES` line per alias to the pod's /etc/hosts, also for a host-network pod
 * (hostsEntriesFromHostAliases, pkg/kubelet/kubelet_pods.go); Docker writes one line per name.
 */
export function hostAliasEntries(aliases: HostAlias[] | undefined): string[] {
  const out: string[] = [];
  for (const alias of aliases ?? []) {
    if (!alias.ip) continue;
    for (const name of alias.hostnames ?? []) if (name) out.push(`${name}:${alias.ip}`);
  }
  return out;
}

/** NetworkMode and ExtraHosts of the container that owns the pod's network namespace. */
export function podNetworkSettings(plan: PodPlan): DockerPodNetwork {
  const out: DockerPodNetwork = {};
  const mode = podNetworkMode(plan);
  if (mode !== undefined) out.NetworkMode = mode;
  const hosts = hostAliasEntries(plan.spec['hostAliases'] as HostAlias[] | undefined);
  if (hosts.length > 0) out.ExtraHosts = hosts;
  return out;
}
