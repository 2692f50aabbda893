// What Docker Swarm does with each field of a Job's or CronJob's pod template when every pod
// attempt is a service of the cluster (`--runtime swarm`): honoured, approximated (with how),
// ignored (as on Docker), or refused (with why). One home for these decisions: `tjob validate
// --runtime swarm` and `run --dry-run --runtime swarm` print them, `run --runtime swarm` refuses a
// template with a refused field before anything starts, the README's table is checked against
// `SwarmRules`, and `swarmPlacement` gives the placement constraints the runtime creates services
// with.
//
// Swarm's side is the Engine API of services (moby api/types/swarm: ContainerSpec, Resources,
// Placement) and swarmkit's constraint language (manager/constraint/constraint.go: `==` and `!=`
// on node attributes and labels, every constraint must hold). Fields not named here are as on
// Docker (src/manifest/field-report.ts).

import type { Container, KubeObject, PodSpec } from '../../api/k8s.js';
import { TjobLabel } from '../../api/labels.js';

export type SwarmSupport = 'honoured' | 'approximated' | 'ignored' | 'refused';

export interface SwarmRule {
  /** The fields, as the README names them. */
  field: string;
  support: SwarmSupport;
  /** How (honoured, approximated) or why (ignored, refused). */
  note: string;
}

/**
 * Approximations a run says every time, not only `validate`: ones that change what the pod sees
 * in a way its author may not expect on a cluster.
 */
export const SwarmRunWarnings: ReadonlySet<SwarmRuleName> = new Set<SwarmRuleName>(['hostPath']);

const sharedNamespaces = "Swarm services share no network namespace, so the pod's localhost cannot be kept";

export const SwarmRules = {
  command: {
    field: 'containers[].command, args',
    support: 'honoured',
    note: "the service's Command and Args, `$(VAR)` expanded as on Docker",
  },
  env: {
    field: 'containers[].env, envFrom',
    support: 'honoured',
    note: "the service's Env: ConfigMap and Secret values resolved by tjob, downward API and the Indexed identity as on Docker",
  },
  workingDir: { field: 'containers[].workingDir', support: 'honoured', note: "the service's Dir" },
  user: {
    field: 'securityContext runAsUser, runAsGroup, supplementalGroups, fsGroup',
    support: 'honoured',
    note: "the service's User and Groups",
  },
  readOnlyRootFilesystem: {
    field: 'containers[].securityContext.readOnlyRootFilesystem',
    support: 'honoured',
    note: "the service's ReadOnly",
  },
  capabilities: {
    field: 'containers[].securityContext.capabilities',
    support: 'honoured',
    note: "the service's CapabilityAdd and CapabilityDrop",
  },
  privileged: {
    field: 'containers[].securityContext.privileged: true',
    support: 'refused',
    note: 'Swarm services cannot run privileged',
  },
  limits: {
    field: 'containers[].resources.limits',
    support: 'approximated',
    note: "cpu and memory become the service's Limits; a container killed for memory is reported as Error (exit 137), not OOMKilled: Swarm does not say why a task's container was killed",
  },
  requests: {
    field: 'containers[].resources.requests',
    support: 'honoured',
    note: "cpu and memory become the service's Reservations: Swarm places the pod on a node that has them free, and leaves it Pending (Unschedulable) when none has",
  },
  nodeSelector: {
    field: 'nodeSelector',
    support: 'honoured',
    note: 'placement constraints `node.labels.KEY==VALUE` (`kubernetes.io/hostname` becomes `node.hostname`)',
  },
  nodeName: {
    field: 'nodeName',
    support: 'honoured',
    note: 'the placement constraint `node.hostname==NAME` (the names `docker node ls` shows)',
  },
  requiredNodeAffinity: {
    field:
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution: one term, In or NotIn of one value',
    support: 'honoured',
    note: 'placement constraints `node.labels.KEY==VALUE` (In) and `!=` (NotIn)',
  },
  requiredNodeAffinityOther: {
    field:
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution: several terms, several values, Exists, DoesNotExist, Gt, Lt, matchFields',
    support: 'refused',
    note: 'Swarm constraints are `==` and `!=` of one value, all of which must hold: alternatives, sets and comparisons cannot be written; placing the pod elsewhere would break the requirement',
  },
  preferredAffinity: {
    field: 'affinity: preferredDuringSchedulingIgnoredDuringExecution',
    support: 'ignored',
    note: 'Swarm has no weighted preferences; a preference may go unmet on a cluster too',
  },
  requiredPodAffinity: {
    field: 'affinity.podAffinity, podAntiAffinity: requiredDuringSchedulingIgnoredDuringExecution',
    support: 'refused',
    note: 'Swarm cannot place a task by the tasks already on a node',
  },
  appContainers: {
    field: 'containers[1] and later (several app containers)',
    support: 'refused',
    note: sharedNamespaces,
  },
  sidecars: {
    field: 'initContainers[] with restartPolicy: Always (native sidecars)',
    support: 'refused',
    note: sharedNamespaces,
  },
  initContainers: {
    field: 'initContainers[]',
    support: 'approximated',
    note: "run in order as services of their own: the pod's first service lands where Swarm places it, every later one is pinned to that node; they share the pod's volumes (see emptyDir), not its network namespace",
  },
  shareProcessNamespace: {
    field: 'shareProcessNamespace: true, hostPID: true, hostIPC: true',
    support: 'refused',
    note: 'Swarm services have no process or IPC namespace settings',
  },
  hostNetwork: {
    field: 'hostNetwork: true',
    support: 'refused',
    note: "tjob's services are not attached to a node's `host` network: the pod would not see the node's network",
  },
  tty: {
    field: 'containers[].tty, stdin',
    support: 'refused',
    note: 'a service has no terminal or input to attach to',
  },
  hostname: {
    field: 'hostname, subdomain',
    support: 'honoured',
    note: "the service's Hostname",
  },
  hostAliases: {
    field: 'hostAliases',
    support: 'honoured',
    note: "the service's Hosts (its /etc/hosts entries)",
  },
  dnsConfig: {
    field: 'dnsConfig, dnsPolicy: None',
    support: 'approximated',
    note: "the service's DNSConfig: the pod's nameservers, searches and options replace the node's (tjob cannot read a node's resolv.conf to append to it)",
  },
  image: {
    field: 'containers[].image',
    support: 'honoured',
    note: "the node that runs the pod pulls it or uses its own copy; a node that cannot have it leaves the container Waiting with ErrImagePull, then ImagePullBackOff (the kubelet's backoff, 10 s doubling to 5 min), the pod Pending and bound to that node, where the pull is tried again. An image named without a registry (a local build, a Docker Hub short name) must be on the manager: tjob refuses it otherwise before anything starts",
  },
  imagePullSecrets: {
    field: 'imagePullSecrets',
    support: 'approximated',
    note: "found as on Docker (the pod's Secrets, then the user's Docker config and its helpers); the first credential for the image's registry goes with each service's create (X-Registry-Auth, as `docker service create --with-registry-auth`) and Swarm hands it to the node that pulls; a later one is not tried",
  },
  imagePullPolicy: {
    field: 'containers[].imagePullPolicy',
    support: 'approximated',
    note: "the nodes decide: a node pulls a tag at every container start and uses its own copy when the pull fails (Always and IfNotPresent alike), or never pulls when its dockerd runs with DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1; under Never a node without the image shows ErrImageNeverPull. The tag is not pinned to a digest on the manager (as `docker service create` does): each pod's node resolves it when it pulls, as a kubelet does",
  },
  terminationGracePeriodSeconds: {
    field: 'terminationGracePeriodSeconds',
    support: 'honoured',
    note: "the service's StopGracePeriod: SIGTERM, then SIGKILL after it",
  },
  secretVolume: {
    field: 'volumes[].secret',
    support: 'honoured',
    note: 'Swarm secrets named by their content hash, mounted as files',
  },
  configMapVolume: {
    field: 'volumes[].configMap',
    support: 'honoured',
    note: 'Swarm configs named by their content hash, mounted as files',
  },
  emptyDir: {
    field: 'volumes[].emptyDir',
    support: 'approximated',
    note: `a named volume of the pod on its node (local driver, labelled with the job's uid and the pod), mounted by each of its containers, init containers and in-place restarts included. It goes with the pod when that node is the manager tjob talks to; on another node it is left, with a warning, for Swarm's API reaches no other node's volumes: remove them there with \`${emptyDirPruneCommand('UID')}\` (engines 23 and later: add \`--all\`). sizeLimit is not enforced (no eviction)`,
  },
  emptyDirMemory: {
    field:
      'volumes[].emptyDir.medium: Memory, mounted by one container of a pod that does not restart in place',
    support: 'honoured',
    note: "a tmpfs of that container's service (sizeLimit its size)",
  },
  emptyDirMemoryShared: {
    field: 'volumes[].emptyDir.medium: Memory, mounted by several containers or with restartPolicy OnFailure',
    support: 'approximated',
    note: "the pod's named volume on the node's disk, as a disk emptyDir (sizeLimit not enforced): a volume of the local driver with tmpfs options loses its files once no container mounts it, so an init container's files would not reach the next container, nor a run's its restart",
  },
  hostPath: {
    field: 'volumes[].hostPath',
    support: 'approximated',
    note: 'a bind of that path on whichever node runs the pod: it is that node’s path, not the machine where tjob runs',
  },
  otherVolumes: {
    field: 'volumes[].persistentVolumeClaim, ephemeral, downwardAPI, projected and other kinds',
    support: 'refused',
    note: 'tjob maps only emptyDir, hostPath, configMap and secret volumes to Swarm: a claim would be a different volume on each node',
  },
  subPath: {
    field: 'containers[].volumeMounts[].subPath, subPathExpr',
    support: 'refused',
    note: 'Swarm mounts whole volumes, configs and secrets; a subPath would be bound from a directory of the machine where tjob runs, not of the node',
  },
  nodeNameEnv: {
    field: 'env valueFrom.fieldRef spec.nodeName',
    support: 'honoured',
    note: 'the Swarm template `{{.Node.Hostname}}`: the hostname of the node that runs the container',
  },
  hostIPEnv: {
    field: 'env valueFrom.fieldRef status.hostIP, status.hostIPs',
    support: 'refused',
    note: "Swarm's service templates do not know a node's address, and tjob learns it only after the container started: the value would be wrong (use spec.nodeName)",
  },
  podIPEnv: {
    field: 'env valueFrom.fieldRef status.podIP, status.podIPs',
    support: 'refused',
    note: "Swarm's service templates do not know a task's address, which its node gives the container as it starts: the value would be wrong (read it in the container, e.g. `hostname -i`)",
  },
  terminationMessagePath: {
    field: 'containers[].terminationMessagePath',
    support: 'ignored',
    note: 'the file stays inside the container on its node and is not read; FallbackToLogsOnError still takes the log tail',
  },
} as const satisfies Record<string, SwarmRule>;

export type SwarmRuleName = keyof typeof SwarmRules;

/** One field of one manifest, as Swarm takes it. */
export interface SwarmFieldEntry {
  /** `spec.template.spec.containers[1]` */
  path: string;
  support: SwarmSupport;
  note: string;
  rule: SwarmRuleName;
  /** The placement constraint it becomes (`node.labels.disk==ssd`), for the fields that place. */
  constraint?: string;
}

/** The pod templates of a Job or CronJob, with the path of their spec in the manifest. */
export function podTemplatesOf(object: KubeObject): { path: string; spec: PodSpec }[] {
  if (object.kind === 'Job') return [{ path: 'spec.template.spec', spec: object.spec.template.spec }];
  if (object.kind === 'CronJob')
    return [
      {
        path: 'spec.jobTemplate.spec.template.spec',
        spec: object.spec.jobTemplate.spec.template.spec,
      },
    ];
  return [];
}

/** What Swarm does with the fields present in one pod spec at `base`, in manifest order. */
export function swarmPodFields(spec: PodSpec, base: string): SwarmFieldEntry[] {
  const out: SwarmFieldEntry[] = [];
  const add = (path: string, rule: SwarmRuleName, note?: string): void => {
    const r: SwarmRule = SwarmRules[rule];
    out.push({ path, support: r.support, note: note ?? r.note, rule });
  };
  if (((spec['imagePullSecrets'] as unknown[] | undefined) ?? []).length > 0)
    add(`${base}.imagePullSecrets`, 'imagePullSecrets');
  if (spec.hostNetwork === true) add(`${base}.hostNetwork`, 'hostNetwork');
  for (const field of ['shareProcessNamespace', 'hostPID', 'hostIPC'] as const)
    if (spec[field] === true) add(`${base}.${field}`, 'shareProcessNamespace');
  if (spec.hostname !== undefined) add(`${base}.hostname`, 'hostname');
  if (spec.subdomain !== undefined) add(`${base}.subdomain`, 'hostname');
  if (spec.hostAliases !== undefined) add(`${base}.hostAliases`, 'hostAliases');
  if (spec.dnsConfig !== undefined) add(`${base}.dnsConfig`, 'dnsConfig');
  if (spec.terminationGracePeriodSeconds !== undefined)
    add(`${base}.terminationGracePeriodSeconds`, 'terminationGracePeriodSeconds');
  const pod = spec.securityContext;
  if (pod)
    for (const field of ['runAsUser', 'runAsGroup', 'supplementalGroups', 'fsGroup'])
      if (pod[field] !== undefined) add(`${base}.securityContext.${field}`, 'user');
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '')
    out.push(placed(`${base}.nodeName`, 'nodeName', `node.hostname==${spec.nodeName}`));
  const selector = (spec.nodeSelector ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(selector)) {
    const path = `${base}.nodeSelector[${JSON.stringify(key)}]`;
    const constraint = labelConstraint(key, '==', value);
    if (constraint.ok) out.push(placed(path, 'nodeSelector', constraint.constraint));
    else add(path, 'requiredNodeAffinityOther', constraint.why);
  }
  out.push(...affinityFields(spec.affinity, `${base}.affinity`));

  (spec.initContainers ?? []).forEach((c, i) => {
    const path = `${base}.initContainers[${i}]`;
    if (c.restartPolicy === 'Always') {
      add(path, 'sidecars', `container "${c.name}" is a native sidecar: ${SwarmRules.sidecars.note}`);
      return;
    }
    add(path, 'initContainers');
    out.push(...containerFields(c, path));
  });
  spec.containers.forEach((c, i) => {
    const path = `${base}.containers[${i}]`;
    if (i > 0) {
      add(
        path,
        'appContainers',
        `container "${c.name}" is a second app container: ${SwarmRules.appContainers.note}`,
      );
      return;
    }
    out.push(...containerFields(c, path));
  });

  (spec.volumes ?? []).forEach((v, i) => {
    const path = `${base}.volumes[${i}]`;
    const kind = Object.keys(v).find((k) => k !== 'name');
    if (v.secret) add(`${path}.secret`, 'secretVolume');
    else if (v.configMap) add(`${path}.configMap`, 'configMapVolume');
    else if (v.hostPath) add(`${path}.hostPath`, 'hostPath');
    else if (v.emptyDir?.medium === 'Memory')
      add(
        `${path}.emptyDir.medium`,
        memoryEmptyDirIsTmpfs(spec, v.name) ? 'emptyDirMemory' : 'emptyDirMemoryShared',
      );
    else if (v.emptyDir || kind === undefined) {
      // A volume of no kind is an emptyDir (SetDefaults_Volume, pkg/apis/core/v1/defaults.go).
      add(`${path}.emptyDir`, 'emptyDir');
    } else
      add(
        `${path}.${kind}`,
        'otherVolumes',
        `volume "${v.name}" is a ${kind} volume: ${SwarmRules.otherVolumes.note}`,
      );
  });
  return out;
}

function containerFields(c: Container, path: string): SwarmFieldEntry[] {
  const out: SwarmFieldEntry[] = [];
  const add = (p: string, rule: SwarmRuleName, note?: string): void => {
    const r: SwarmRule = SwarmRules[rule];
    out.push({ path: p, support: r.support, note: note ?? r.note, rule });
  };
  if (c.command !== undefined) add(`${path}.command`, 'command');
  if (c.imagePullPolicy !== undefined) add(`${path}.imagePullPolicy`, 'imagePullPolicy');
  if (c.args !== undefined) add(`${path}.args`, 'command');
  if (c.env !== undefined) add(`${path}.env`, 'env');
  if (c.envFrom !== undefined) add(`${path}.envFrom`, 'env');
  if (c.workingDir !== undefined) add(`${path}.workingDir`, 'workingDir');
  const sc = c.securityContext;
  if (sc) {
    if (sc.runAsUser !== undefined) add(`${path}.securityContext.runAsUser`, 'user');
    if (sc.runAsGroup !== undefined) add(`${path}.securityContext.runAsGroup`, 'user');
    if (sc.readOnlyRootFilesystem !== undefined)
      add(`${path}.securityContext.readOnlyRootFilesystem`, 'readOnlyRootFilesystem');
    if (sc.capabilities !== undefined) add(`${path}.securityContext.capabilities`, 'capabilities');
    if (sc.privileged === true)
      add(
        `${path}.securityContext.privileged`,
        'privileged',
        `container "${c.name}": ${SwarmRules.privileged.note}`,
      );
  }
  if (c.resources?.limits !== undefined) add(`${path}.resources.limits`, 'limits');
  if (c.resources?.requests !== undefined) add(`${path}.resources.requests`, 'requests');
  if (c.tty === true) add(`${path}.tty`, 'tty', `container "${c.name}": ${SwarmRules.tty.note}`);
  if (c.stdin === true) add(`${path}.stdin`, 'tty', `container "${c.name}": ${SwarmRules.tty.note}`);
  (c.volumeMounts ?? []).forEach((vm, i) => {
    for (const field of ['subPath', 'subPathExpr'] as const)
      if (typeof vm[field] === 'string' && vm[field] !== '')
        add(
          `${path}.volumeMounts[${i}].${field}`,
          'subPath',
          `container "${c.name}": ${SwarmRules.subPath.note} (mount the whole volume and use the path inside it)`,
        );
  });
  (c.env ?? []).forEach((e, i) => {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    if (field === 'spec.nodeName') add(`${path}.env[${i}]`, 'nodeNameEnv');
    if (field === 'status.hostIP' || field === 'status.hostIPs')
      add(
        `${path}.env[${i}]`,
        'hostIPEnv',
        `container "${c.name}", env "${e.name}": ${SwarmRules.hostIPEnv.note}`,
      );
    if (field === 'status.podIP' || field === 'status.podIPs')
      add(
        `${path}.env[${i}]`,
        'podIPEnv',
        `container "${c.name}", env "${e.name}": ${SwarmRules.podIPEnv.note}`,
      );
  });
  if (c.terminationMessagePath !== undefined) add(`${path}.terminationMessagePath`, 'terminationMessagePath');
  return out;
}

interface NodeSelectorRequirement {
  key?: unknown;
  operator?: unknown;
  values?: unknown;
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** The affinity's fields: the required node terms Swarm can write as constraints, and the rest. */
function affinityFields(affinity: unknown, path: string): SwarmFieldEntry[] {
  if (affinity === null || typeof affinity !== 'object') return [];
  const out: SwarmFieldEntry[] = [];
  const add = (p: string, rule: SwarmRuleName, note?: string): void => {
    const r: SwarmRule = SwarmRules[rule];
    out.push({ path: p, support: r.support, note: note ?? r.note, rule });
  };
  const a = affinity as Record<string, Record<string, unknown> | undefined>;
  const required = 'requiredDuringSchedulingIgnoredDuringExecution';
  const preferred = 'preferredDuringSchedulingIgnoredDuringExecution';
  for (const kind of ['nodeAffinity', 'podAffinity', 'podAntiAffinity']) {
    const section = a[kind];
    if (!section) continue;
    if (section[preferred] !== undefined) add(`${path}.${kind}.${preferred}`, 'preferredAffinity');
    if (section[required] === undefined) continue;
    if (kind !== 'nodeAffinity') {
      add(`${path}.${kind}.${required}`, 'requiredPodAffinity');
      continue;
    }
    const termsPath = `${path}.${kind}.${required}.nodeSelectorTerms`;
    const terms = ((section[required] as { nodeSelectorTerms?: NodeSelectorTerm[] }).nodeSelectorTerms ??
      []) as NodeSelectorTerm[];
    if (terms.length > 1) {
      add(
        termsPath,
        'requiredNodeAffinityOther',
        `${terms.length} terms, any of which may hold: Swarm's constraints must all hold`,
      );
      continue;
    }
    const term = terms[0] ?? {};
    (term.matchFields ?? []).forEach((_, i) =>
      add(
        `${termsPath}[0].matchFields[${i}]`,
        'requiredNodeAffinityOther',
        'matchFields: nodes cannot be selected by their fields (use nodeName or the kubernetes.io/hostname label)',
      ),
    );
    (term.matchExpressions ?? []).forEach((e, i) => {
      const p = `${termsPath}[0].matchExpressions[${i}]`;
      const c = requirementConstraint(e);
      if (c.ok) out.push(placed(p, 'requiredNodeAffinity', c.constraint));
      else add(p, 'requiredNodeAffinityOther', c.why);
    });
  }
  return out;
}

function placed(path: string, rule: SwarmRuleName, constraint: string): SwarmFieldEntry {
  const r: SwarmRule = SwarmRules[rule];
  return { path, support: r.support, note: `the placement constraint ${constraint}`, rule, constraint };
}

type Constraint = { ok: true; constraint: string } | { ok: false; why: string };

function requirementConstraint(e: NodeSelectorRequirement): Constraint {
  const key = String(e.key);
  const values = Array.isArray(e.values) ? (e.values as unknown[]).map(String) : [];
  if (e.operator !== 'In' && e.operator !== 'NotIn')
    return {
      ok: false,
      why: `${String(e.operator)} on "${key}": Swarm constraints compare with one value only`,
    };
  if (values.length !== 1)
    return {
      ok: false,
      why: `${e.operator} of ${values.length} values on "${key}": Swarm constraints compare with one value only`,
    };
  return labelConstraint(key, e.operator === 'In' ? '==' : '!=', values[0]!);
}

/**
 * A node label requirement as a swarmkit constraint. The hostname label is the node's hostname
 * (a pod's nodeName is the Swarm node's hostname). swarmkit takes keys of letters, digits, `-`,
 * `_` and `.` only (manager/constraint/constraint.go), so a prefixed key (`example.com/disk`)
 * cannot be written.
 */
function labelConstraint(key: string, op: '==' | '!=', value: string): Constraint {
  if (key === 'kubernetes.io/hostname') return { ok: true, constraint: `node.hostname${op}${value}` };
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key))
    return { ok: false, why: `the label key "${key}" cannot be written in a Swarm constraint (no "/")` };
  if (value === '' || /[=!,\s]/.test(value))
    return { ok: false, why: `the value "${value}" of "${key}" cannot be written in a Swarm constraint` };
  return { ok: true, constraint: `node.labels.${key}${op}${value}` };
}

/**
 * Whether an emptyDir of medium Memory is a tmpfs of the one container run that mounts it, which
 * is exact when no other container mounts it and the pod does not restart containers in place
 * (restartPolicy Never). Otherwise it is the pod's volume on disk (SwarmRules.emptyDirMemoryShared).
 */
export function memoryEmptyDirIsTmpfs(spec: PodSpec, volumeName: string): boolean {
  if ((spec.restartPolicy ?? 'Always') !== 'Never') return false;
  const users = [...(spec.initContainers ?? []), ...spec.containers].filter((c) =>
    (c.volumeMounts ?? []).some((vm) => vm.name === volumeName),
  );
  return users.length <= 1;
}

/** What removes a job's emptyDir volumes that tjob left on a node, run against that node's engine. */
export function emptyDirPruneCommand(jobUid: string): string {
  return `docker volume prune --force --filter label=${TjobLabel.jobUid}=${jobUid}`;
}

/** The placement constraints of a pod spec Swarm accepts (none refused): the service's Placement. */
export function swarmPlacement(spec: PodSpec): string[] {
  return swarmPodFields(spec, '').flatMap((f) => (f.constraint === undefined ? [] : [f.constraint]));
}

/** The refused fields of a pod spec; empty when Swarm can run it. */
export function swarmRefusals(spec: PodSpec, base: string): SwarmFieldEntry[] {
  return swarmPodFields(spec, base).filter((f) => f.support === 'refused');
}
