// `describe` pages in kubectl's layout (pkg/describe: describeJob, describePod, describeCronJob):
// `Key:\tvalue` lines through a prefix writer with indent levels, aligned by Go's tabwriter
// (padding 2), ending with the object's events.

import type {
  Container,
  ContainerState,
  ContainerStatus,
  CronJob,
  JobTemplateSpec,
  PodTemplateSpec,
  Volume,
} from '../api/k8s.js';
import type { StoredEvent } from '../ports/state-store.js';
import type { JobObject, PodObject } from './objects.js';
import { selectorString } from './selector-format.js';
import { DESCRIBE_TABS, tabulate } from './tabwriter.js';
import { age, between, rfc1123z } from './time-format.js';
import { escapeCell } from './table.js';
import { humanDuration } from './duration.js';

export interface DescribeOptions {
  now: Date;
  /** The UTC offset, in minutes, of the zone times are shown in at a moment (kubectl shows local time). */
  zoneOffset?: (at: Date) => number;
}

const MAX_ANNOTATION_LEN = 140;
const SKIP_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

class PrefixWriter {
  text = '';
  write(level: number, s: string): void {
    this.text += '  '.repeat(level) + s;
  }
}

function tabbed(fn: (w: PrefixWriter) => void): string {
  const w = new PrefixWriter();
  fn(w);
  return tabulate(w.text, DESCRIBE_TABS);
}

function time(t: string, o: DescribeOptions): string {
  return rfc1123z(t, o.zoneOffset ? o.zoneOffset(new Date(t)) : 0);
}

function printLabelsMultiline(
  w: PrefixWriter,
  title: string,
  labels: Record<string, string> | undefined,
  initialIndent = '',
): void {
  w.write(0, `${initialIndent}${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) w.write(0, `${initialIndent}\t`);
    w.write(0, `${key}=${labels![key]}\n`);
  });
}

function printAnnotationsMultiline(
  w: PrefixWriter,
  title: string,
  annotations: Record<string, string> | undefined,
): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => !SKIP_ANNOTATIONS.has(k))
    .sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) w.write(0, '\t');
    const value = annotations![key]!.replace(/\n$/, '');
    if (value.length + key.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${key}:\n`);
      for (const s of value.split('\n')) w.write(0, `\t  ${shorten(s, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(0, `${key}: ${value}\n`);
    }
  });
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

function capIndexesListOrNone(indexes: string | undefined, softLimit: number): string {
  if (!indexes) return '<none>';
  let ix = softLimit;
  while (ix < indexes.length && indexes[ix] !== ',') ix++;
  return ix >= indexes.length ? indexes : `${indexes.slice(0, ix + 1)}...`;
}

// ---- events ----

function describeEvents(w: PrefixWriter, events: StoredEvent[], o: DescribeOptions): void {
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  const sorted = [...events].sort((a, b) =>
    a.lastTimestamp < b.lastTimestamp ? -1 : a.lastTimestamp > b.lastTimestamp ? 1 : 0,
  );
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = age(e.firstTimestamp, o.now);
    const interval = e.count > 1 ? `${age(e.lastTimestamp, o.now)} (x${e.count} over ${first})` : first;
    w.write(1, `${e.type}\t${e.reason}\t${interval}\t${e.source}\t${escapeCell(e.message.trim())}\n`);
  }
}

// ---- containers and templates ----

function describeContainers(
  w: PrefixWriter,
  label: string,
  containers: Container[],
  statuses: ContainerStatus[] | undefined,
  space: string,
  o: DescribeOptions,
): void {
  const byName = new Map((statuses ?? []).map((s) => [s.name, s] as const));
  w.write(0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const c of containers) {
    const status = statuses ? byName.get(c.name) : undefined;
    w.write(1, `${space ? ' ' : ''}${c.name}:\n`);
    if (status) w.write(2, `Container ID:\t${status.containerID ?? ''}\n`);
    w.write(2, `Image:\t${c.image ?? ''}\n`);
    if (status) w.write(2, `Image ID:\t${status.imageID ?? ''}\n`);
    const ports = ((c.ports as { containerPort: number; protocol?: string }[] | undefined) ?? []).map(
      (p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`,
    );
    if (ports.length > 1) w.write(2, `Ports:\t${ports.join(', ')}\n`);
    else w.write(2, `Port:\t${ports[0] ?? '<none>'}\n`);
    const hostPorts = ((c.ports as { hostPort?: number; protocol?: string }[] | undefined) ?? [])
      .filter((p) => p.hostPort)
      .map((p) => `${p.hostPort}/${p.protocol ?? 'TCP'}`);
    if (hostPorts.length > 1) w.write(2, `Host Ports:\t${hostPorts.join(', ')}\n`);
    else w.write(2, `Host Port:\t${hostPorts[0] ?? '<none>'}\n`);
    if (c.restartPolicy) w.write(2, `Restart Policy:\t${c.restartPolicy}\n`);
    if (c.command && c.command.length > 0) {
      w.write(2, 'Command:\n');
      for (const part of c.command) for (const s of part.split('\n')) w.write(3, `${s}\n`);
    }
    if (c.args && c.args.length > 0) {
      w.write(2, 'Args:\n');
      for (const part of c.args) for (const s of part.split('\n')) w.write(3, `${s}\n`);
    }
    if (status) {
      describeState(w, 'State', status.state, o);
      if (status.lastState?.terminated) describeState(w, 'Last State', status.lastState, o);
      w.write(2, `Ready:\t${status.ready ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${status.restartCount}\n`);
    }
    for (const kind of ['limits', 'requests'] as const) {
      const r = c.resources?.[kind];
      if (r && Object.keys(r).length > 0) {
        w.write(2, `${kind === 'limits' ? 'Limits' : 'Requests'}:\n`);
        for (const name of Object.keys(r).sort()) w.write(3, `${name}:\t${String(r[name])}\n`);
      }
    }
    if (c.envFrom && c.envFrom.length > 0) {
      w.write(2, 'Environment Variables from:\n');
      for (const e of c.envFrom) {
        const ref = e.configMapRef ?? e.secretRef;
        const from = e.configMapRef ? 'ConfigMap' : 'Secret';
        const what = e.prefix ? `${from} with prefix '${e.prefix}'` : from;
        w.write(3, `${ref?.name ?? ''}\t${what}\tOptional: ${ref?.optional === true}\n`);
      }
    }
    describeEnv(w, c);
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) =>
      a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0,
    );
    w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
    for (const m of mounts) {
      const flags = [m.readOnly ? 'ro' : 'rw'];
      if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
      w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
    }
  }
}

function describeEnv(w: PrefixWriter, c: Container): void {
  const env = c.env ?? [];
  w.write(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
  for (const e of env) {
    const from = e.valueFrom;
    if (!from) {
      (e.value ?? '').split('\n').forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
    } else if (from.fieldRef) {
      w.write(3, `${e.name}:\t (${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})\n`);
    } else if (from.resourceFieldRef) {
      w.write(3, `${e.name}:\t (${from.resourceFieldRef.resource})\n`);
    } else if (from.secretKeyRef) {
      const r = from.secretKeyRef;
      // Secret values are never printed.
      w.write(
        3,
        `${e.name}:\t<set to the key '${r.key}' in secret '${r.name ?? ''}'>\tOptional: ${r.optional === true}\n`,
      );
    } else if (from.configMapKeyRef) {
      const r = from.configMapKeyRef;
      w.write(
        3,
        `${e.name}:\t<set to the key '${r.key}' of config map '${r.name ?? ''}'>\tOptional: ${r.optional === true}\n`,
      );
    }
  }
}

function describeState(w: PrefixWriter, title: string, state: ContainerState, o: DescribeOptions): void {
  if (state.running) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${state.running.startedAt ? time(state.running.startedAt, o) : ''}\n`);
  } else if (state.waiting) {
    w.write(2, `${title}:\tWaiting\n`);
    if (state.waiting.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state.terminated) {
    const t = state.terminated;
    w.write(2, `${title}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${escapeCell(t.message)}\n`);
    w.write(3, `Exit Code:\t${t.exitCode}\n`);
    if (t.signal) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${t.startedAt ? time(t.startedAt, o) : ''}\n`);
    w.write(3, `Finished:\t${t.finishedAt ? time(t.finishedAt, o) : ''}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
  }
}

function describeVolumes(w: PrefixWriter, volumes: Volume[] | undefined, space: string): void {
  if (!volumes || volumes.length === 0) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space ? ' ' : ''}${v.name}:\n`);
    if (v.hostPath) {
      w.write(
        2,
        `Type:\tHostPath (bare host directory volume)\n    Path:\t${v.hostPath.path}\n    HostPathType:\t${v.hostPath.type || '<none>'}\n`,
      );
    } else if (v.emptyDir) {
      const size = v.emptyDir.sizeLimit ? String(v.emptyDir.sizeLimit) : '<unset>';
      w.write(
        2,
        `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ''}\n    SizeLimit:\t${size}\n`,
      );
    } else if (v.secret) {
      w.write(
        2,
        `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName}\n    Optional:\t${v.secret.optional === true}\n`,
      );
    } else if (v.configMap) {
      w.write(
        2,
        `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name}\n    Optional:\t${v.configMap.optional === true}\n`,
      );
    } else {
      w.write(1, '<unknown>\n');
    }
  }
}

function describePodTemplate(w: PrefixWriter, template: PodTemplateSpec, o: DescribeOptions): void {
  w.write(0, 'Pod Template:\n');
  printLabelsMultiline(w, 'Labels', template.metadata?.labels, '  ');
  const annotations = template.metadata?.annotations;
  if (annotations && Object.keys(annotations).length > 0)
    printAnnotationsMultiline(w, '  Annotations', annotations);
  const spec = template.spec;
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName)
    w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers && spec.initContainers.length > 0)
    describeContainers(w, 'Init Containers', spec.initContainers, undefined, '  ', o);
  describeContainers(w, 'Containers', spec.containers, undefined, '  ', o);
  describeVolumes(w, spec.volumes, '  ');
  if (typeof spec.priorityClassName === 'string' && spec.priorityClassName)
    w.write(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector as Record<string, string> | undefined, '  ');
  printTolerations(w, spec.tolerations, '  ');
}

function printTolerations(w: PrefixWriter, tolerations: unknown, indent: string): void {
  const list = Array.isArray(tolerations) ? (tolerations as Record<string, unknown>[]) : [];
  w.write(0, `${indent}Tolerations:\t`);
  if (list.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  list.forEach((t, i) => {
    if (i !== 0) w.write(0, `${indent}\t`);
    let s = String(t.key ?? '');
    if (t.value) s += `=${String(t.value)}`;
    if (t.effect) s += `:${String(t.effect)}`;
    if (t.operator === 'Exists' && !t.value) s += t.key ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined) s += ` for ${String(t.tolerationSeconds)}s`;
    w.write(0, `${s}\n`);
  });
}

// ---- pages ----

export function describeJob(job: JobObject, events: StoredEvent[], o: DescribeOptions): string {
  return tabbed((w) => {
    const spec = job.spec;
    const status = job.status;
    w.write(0, `Name:\t${job.metadata.name}\n`);
    w.write(0, `Namespace:\t${job.metadata.namespace ?? 'default'}\n`);
    w.write(0, `Selector:\t${selectorString(spec.selector)}\n`);
    printLabelsMultiline(w, 'Labels', job.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', job.metadata.annotations);
    if (spec.parallelism !== undefined) w.write(0, `Parallelism:\t${spec.parallelism}\n`);
    w.write(0, `Completions:\t${spec.completions ?? '<unset>'}\n`);
    if (spec.completionMode) w.write(0, `Completion Mode:\t${spec.completionMode}\n`);
    if (spec.suspend !== undefined) w.write(0, `Suspend:\t${spec.suspend}\n`);
    if (spec.backoffLimit !== undefined) w.write(0, `Backoff Limit:\t${spec.backoffLimit}\n`);
    if (spec.backoffLimitPerIndex !== undefined)
      w.write(0, `Backoff Limit Per Index:\t${spec.backoffLimitPerIndex}\n`);
    if (spec.maxFailedIndexes !== undefined) w.write(0, `Max Failed Indexes:\t${spec.maxFailedIndexes}\n`);
    if (spec.ttlSecondsAfterFinished !== undefined)
      w.write(0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
    if (status.startTime) w.write(0, `Start Time:\t${time(status.startTime, o)}\n`);
    if (status.completionTime) w.write(0, `Completed At:\t${time(status.completionTime, o)}\n`);
    if (status.startTime && status.completionTime)
      w.write(0, `Duration:\t${between(status.startTime, status.completionTime)}\n`);
    if (spec.activeDeadlineSeconds !== undefined)
      w.write(0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
    const counts = `${status.succeeded ?? 0} Succeeded / ${status.failed ?? 0} Failed`;
    if (status.ready === undefined) w.write(0, `Pods Statuses:\t${status.active ?? 0} Active / ${counts}\n`);
    else w.write(0, `Pods Statuses:\t${status.active ?? 0} Active (${status.ready} Ready) / ${counts}\n`);
    if (spec.completionMode === 'Indexed') {
      w.write(0, `Completed Indexes:\t${capIndexesListOrNone(status.completedIndexes, 50)}\n`);
      if (status.failedIndexes !== undefined)
        w.write(0, `Failed Indexes:\t${capIndexesListOrNone(status.failedIndexes, 50)}\n`);
    }
    describePodTemplate(w, spec.template, o);
    describeEvents(w, events, o);
  });
}

export function describePod(pod: PodObject, events: StoredEvent[], o: DescribeOptions): string {
  return tabbed((w) => {
    const status = pod.status;
    const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
    w.write(0, `Name:\t${pod.metadata.name}\n`);
    w.write(0, `Namespace:\t${pod.metadata.namespace ?? 'default'}\n`);
    // kubectl's describePod prints `Node: NAME/HOSTIP` once bound (staging/src/k8s.io/kubectl/pkg/describe/
    // describe.go); no host IP is known here.
    const node =
      typeof pod.spec.nodeName === 'string' && pod.spec.nodeName !== '' ? pod.spec.nodeName : undefined;
    w.write(0, node === undefined ? `Node:\t<none>\n` : `Node:\t${node}/\n`);
    if (status.startTime) w.write(0, `Start Time:\t${time(status.startTime, o)}\n`);
    printLabelsMultiline(w, 'Labels', pod.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', pod.metadata.annotations);
    if (pod.metadata.deletionTimestamp && !terminal) {
      const until = Date.parse(pod.metadata.deletionTimestamp) - o.now.getTime();
      w.write(0, `Status:\tTerminating (lasts ${humanDuration(until)})\n`);
      w.write(0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 30}s\n`);
    } else {
      w.write(0, `Status:\t${status.phase}\n`);
    }
    if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
    if (status.message) w.write(0, `Message:\t${escapeCell(status.message)}\n`);
    w.write(0, 'IPs:\t<none>\n');
    const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (owner) w.write(0, `Controlled By:\t${owner.kind}/${owner.name}\n`);
    if (pod.spec.initContainers && pod.spec.initContainers.length > 0)
      describeContainers(
        w,
        'Init Containers',
        pod.spec.initContainers,
        status.initContainerStatuses ?? [],
        '',
        o,
      );
    describeContainers(w, 'Containers', pod.spec.containers, status.containerStatuses ?? [], '', o);
    if (status.conditions && status.conditions.length > 0) {
      w.write(0, 'Conditions:\n  Type\tStatus\n');
      for (const c of status.conditions) w.write(1, `${c.type} \t${c.status} \n`);
    }
    describeVolumes(w, pod.spec.volumes, '');
    w.write(0, `QoS Class:\t${status.qosClass ?? 'BestEffort'}\n`);
    printLabelsMultiline(w, 'Node-Selectors', pod.spec.nodeSelector as Record<string, string> | undefined);
    printTolerations(w, pod.spec.tolerations, '');
    describeEvents(w, events, o);
  });
}

function describeJobTemplate(w: PrefixWriter, t: JobTemplateSpec, o: DescribeOptions): void {
  w.write(0, `Selector:\t${t.spec.selector ? selectorString(t.spec.selector) : '<unset>'}\n`);
  w.write(0, `Parallelism:\t${t.spec.parallelism ?? '<unset>'}\n`);
  w.write(0, `Completions:\t${t.spec.completions ?? '<unset>'}\n`);
  if (t.spec.activeDeadlineSeconds !== undefined)
    w.write(0, `Active Deadline Seconds:\t${t.spec.activeDeadlineSeconds}s\n`);
  describePodTemplate(w, t.spec.template, o);
}

export function describeCronJob(cj: CronJob, events: StoredEvent[], o: DescribeOptions): string {
  return tabbed((w) => {
    const spec = cj.spec;
    w.write(0, `Name:\t${cj.metadata.name}\n`);
    w.write(0, `Namespace:\t${cj.metadata.namespace ?? 'default'}\n`);
    printLabelsMultiline(w, 'Labels', cj.metadata.labels);
    printAnnotationsMultiline(w, 'Annotations', cj.metadata.annotations);
    w.write(0, `Schedule:\t${spec.schedule}\n`);
    w.write(0, `Time Zone:\t${spec.timeZone ?? '<unset>'}\n`);
    w.write(0, `Concurrency Policy:\t${spec.concurrencyPolicy ?? ''}\n`);
    w.write(0, `Suspend:\t${spec.suspend === undefined ? '<unset>' : spec.suspend ? 'True' : 'False'}\n`);
    w.write(0, `Successful Job History Limit:\t${spec.successfulJobsHistoryLimit ?? '<unset>'}\n`);
    w.write(0, `Failed Job History Limit:\t${spec.failedJobsHistoryLimit ?? '<unset>'}\n`);
    w.write(
      0,
      `Starting Deadline Seconds:\t${spec.startingDeadlineSeconds === undefined ? '<unset>' : `${spec.startingDeadlineSeconds}s`}\n`,
    );
    describeJobTemplate(w, spec.jobTemplate, o);
    const last = cj.status?.lastScheduleTime;
    w.write(0, `Last Schedule Time:\t${last ? time(last, o) : '<unset>'}\n`);
    const active = cj.status?.active ?? [];
    w.write(
      0,
      `Active Jobs:\t${active.length === 0 ? '<none>' : active.map((a) => a.name ?? '').join(', ')}\n`,
    );
    describeEvents(w, events, o);
  });
}
