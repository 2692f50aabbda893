// Fields that give a pod power over this machine. On a cluster an admission policy would decide;
// on one machine the user's own, tjob runs them, but only with one warning per risk, naming the
// field and what it gives away (printed by validate, run and run --dry-run). The rules are data:
// add a row to extend them.

import type { Container, CronJob, Job, PodSpec } from '../api/k8s.js';

export interface SecurityWarning {
  /** The field path, e.g. spec.template.spec.containers[0].securityContext.privileged. */
  path: string;
  risk: string;
}

/** Pod-level switches: the field and the risk when it is true. */
export const podRiskRules: readonly { field: 'hostNetwork' | 'hostPID' | 'hostIPC'; risk: string }[] = [
  {
    field: 'hostNetwork',
    risk: "the pod uses this machine's network: it can reach every local service and listen on its ports",
  },
  { field: 'hostPID', risk: "the pod sees this machine's processes and can signal them" },
  { field: 'hostIPC', risk: "the pod shares this machine's IPC namespace (its shared memory and queues)" },
];

/** Container securityContext fields: the risk when the test holds. */
export const containerRiskRules: readonly {
  field: string;
  applies: (c: Container) => boolean;
  risk: string;
}[] = [
  {
    field: 'securityContext.privileged',
    applies: (c) => c.securityContext?.privileged === true,
    risk: 'the container gets full access to this machine',
  },
  {
    field: 'securityContext.capabilities.add',
    applies: (c) =>
      (c.securityContext?.capabilities?.add ?? []).some((a) =>
        ['ALL', 'SYS_ADMIN', 'CAP_SYS_ADMIN'].includes(a),
      ),
    risk: 'the capability (ALL or SYS_ADMIN) gives the container near-full access to this machine',
  },
];

/** hostPath sources (normalised, without a trailing slash) and what mounting them gives away. */
export const hostPathRiskRules: readonly { paths: readonly string[]; risk: string }[] = [
  { paths: ['/'], risk: "the pod gets this machine's whole file system" },
  {
    paths: ['/var/run/docker.sock', '/run/docker.sock'],
    risk: 'the Docker socket gives the pod full control of the Docker engine, and so of this machine',
  },
  {
    paths: ['/var/run', '/run', '/var'],
    risk: 'the directory holds the Docker socket, which gives the pod full control of the Docker engine, and so of this machine',
  },
];

function normalise(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

/** The warnings for one pod spec, whose field path is `base` (e.g. spec.template.spec). */
export function podSpecSecurityWarnings(spec: PodSpec | undefined, base: string): SecurityWarning[] {
  if (!spec) return [];
  const out: SecurityWarning[] = [];
  for (const r of podRiskRules)
    if (spec[r.field] === true) out.push({ path: `${base}.${r.field}`, risk: r.risk });
  const lists: [string, Container[] | undefined][] = [
    ['initContainers', spec.initContainers],
    ['containers', spec.containers],
  ];
  for (const [list, containers] of lists) {
    (containers ?? []).forEach((c, i) => {
      for (const r of containerRiskRules)
        if (r.applies(c)) out.push({ path: `${base}.${list}[${i}].${r.field}`, risk: r.risk });
    });
  }
  (spec.volumes ?? []).forEach((v, i) => {
    const p = v.hostPath?.path;
    if (typeof p !== 'string' || !p.startsWith('/')) return;
    const n = normalise(p);
    const rule = hostPathRiskRules.find((r) => r.paths.includes(n));
    if (rule)
      out.push({ path: `${base}.volumes[${i}].hostPath.path`, risk: `${JSON.stringify(p)}: ${rule.risk}` });
  });
  return out;
}

/** The warnings for a Job's or a CronJob's pod template. */
export function securityWarnings(obj: { kind: string }): SecurityWarning[] {
  if (obj.kind === 'Job')
    return podSpecSecurityWarnings((obj as Job).spec?.template?.spec, 'spec.template.spec');
  if (obj.kind === 'CronJob')
    return podSpecSecurityWarnings(
      (obj as CronJob).spec?.jobTemplate?.spec?.template?.spec,
      'spec.jobTemplate.spec.template.spec',
    );
  return [];
}
