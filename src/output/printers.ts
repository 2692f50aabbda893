// kubectl's human-readable printers (pkg/printers/internalversion: printJob, printPod,
// printCronJob, printPersistentVolumeClaim): columns declared once with their wide priority, cells computed from the object.

import type { Container, CronJob, PersistentVolumeClaim, PodStatus } from '../api/k8s.js';
import type { JobBrief, JobRowText } from '../ports/job-summaries.js';
import type { PodObject } from './objects.js';
import { formatLabelSelector } from './selector-format.js';
import { age, ageSince, between, timeMs } from './time-format.js';

export type Kind = 'jobs' | 'pods' | 'cronjobs' | 'persistentvolumeclaims';

export interface Column {
  name: string;
  /** Shown only with `-o wide`. */
  wide?: boolean;
}

export const COLUMNS: Record<Kind, Column[]> = {
  jobs: [
    { name: 'NAME' },
    { name: 'STATUS' },
    { name: 'COMPLETIONS' },
    { name: 'DURATION' },
    { name: 'AGE' },
    { name: 'CONTAINERS', wide: true },
    { name: 'IMAGES', wide: true },
    { name: 'SELECTOR', wide: true },
  ],
  pods: [
    { name: 'NAME' },
    { name: 'READY' },
    { name: 'STATUS' },
    { name: 'RESTARTS' },
    { name: 'AGE' },
    { name: 'IP', wide: true },
    { name: 'NODE', wide: true },
    { name: 'NOMINATED NODE', wide: true },
    { name: 'READINESS GATES', wide: true },
  ],
  cronjobs: [
    { name: 'NAME' },
    { name: 'SCHEDULE' },
    { name: 'TIMEZONE' },
    { name: 'SUSPEND' },
    { name: 'ACTIVE' },
    { name: 'LAST SCHEDULE' },
    { name: 'AGE' },
    { name: 'CONTAINERS', wide: true },
    { name: 'IMAGES', wide: true },
    { name: 'SELECTOR', wide: true },
  ],
  persistentvolumeclaims: [
    { name: 'NAME' },
    { name: 'STATUS' },
    { name: 'VOLUME' },
    { name: 'CAPACITY' },
    { name: 'ACCESS MODES' },
    { name: 'STORAGECLASS' },
    { name: 'AGE' },
    { name: 'VOLUMEMODE', wide: true },
  ],
};

/** helper.GetAccessModesAsString: the short forms in a fixed order. */
const AccessModeShort: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** printPersistentVolumeClaim: Terminating once deleted; capacity and modes from the status. */
export function claimCells(pvc: PersistentVolumeClaim, now: Date, wide: boolean): string[] {
  const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? 'Pending');
  const bound = pvc.spec.volumeName ?? '';
  const modes = pvc.status?.accessModes ?? [];
  const cells = [
    pvc.metadata.name,
    phase,
    bound,
    bound ? String(pvc.status?.capacity?.['storage'] ?? '') : '',
    bound
      ? AccessModeShort.filter(([m]) => modes.includes(m))
          .map(([, s]) => s)
          .join(',')
      : '',
    pvc.spec.storageClassName ?? '',
    age(pvc.metadata.creationTimestamp, now),
  ];
  if (wide) cells.push(pvc.spec.volumeMode ?? '');
  return cells;
}

export function headerCells(kind: Kind, wide: boolean): string[] {
  return COLUMNS[kind].filter((c) => wide || !c.wide).map((c) => c.name);
}

function hasCondition(job: JobBrief, type: string): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** printJob's STATUS (kubectl 1.31+). */
export function jobStatusText(job: JobBrief): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** printJob's COMPLETIONS. */
export function jobCompletionsText(job: JobBrief): string {
  const succeeded = job.status?.succeeded ?? 0;
  const completions = job.spec.completions;
  if (completions !== undefined && completions !== null) return `${succeeded}/${completions}`;
  const parallelism = job.spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** printJob's row; it reads no more of the job than a listing's brief holds. */
export function jobCells(job: JobBrief, now: Date, wide: boolean): string[] {
  const cells = jobRowCells(job.metadata.name, jobRowText(job), now);
  if (wide) cells.push(...jobWideCells(job));
  return cells;
}

/** printJob's cells that do not depend on the time, kept by the summaries index (JobRow). */
export function jobRowText(job: JobBrief): JobRowText {
  const start = job.status?.startTime;
  const end = job.status?.completionTime;
  return {
    status: jobStatusText(job),
    completions: jobCompletionsText(job),
    duration: start && end ? between(start, end) : '',
    runningSince: start && !end ? start : undefined,
    createdMs: timeMs(job.metadata.creationTimestamp),
  };
}

/** printJob's cells without `-o wide`'s: jobRowText's, and those of the time `now`. */
export function jobRowCells(name: string, text: JobRowText, now: Date): string[] {
  const { runningSince } = text;
  const duration = runningSince === undefined ? text.duration : age(runningSince, now);
  return [name, text.status, text.completions, duration, ageSince(text.createdMs, now)];
}

/** printJob's `-o wide` cells: CONTAINERS, IMAGES, SELECTOR. */
export function jobWideCells(job: JobBrief): string[] {
  const [names, images] = containerCells(job.spec.template.spec.containers);
  return [names, images, formatLabelSelector(job.spec.selector)];
}

export function cronJobCells(cj: CronJob, now: Date, wide: boolean): string[] {
  const suspend = cj.spec.suspend === undefined ? '<unset>' : cj.spec.suspend ? 'True' : 'False';
  const cells = [
    cj.metadata.name,
    cj.spec.schedule,
    cj.spec.timeZone ?? '<none>',
    suspend,
    String(cj.status?.active?.length ?? 0),
    cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : '<none>',
    age(cj.metadata.creationTimestamp, now),
  ];
  if (wide) {
    const [names, images] = containerCells(cj.spec.jobTemplate.spec.template.spec.containers);
    cells.push(names, images, formatLabelSelector(cj.spec.jobTemplate.spec.selector));
  }
  return cells;
}

function containerCells(containers: Pick<Container, 'name' | 'image'>[]): [string, string] {
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(',')];
}

export interface PodSummary {
  ready: string;
  reason: string;
  restarts: string;
}

function isRestartableInit(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(status: PodStatus, type: string): boolean {
  return (status.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** printPod's READY, STATUS and RESTARTS. */
export function podSummary(pod: PodObject, now: Date): PodSummary {
  const status = pod.status;
  const initSpecs = new Map((pod.spec.initContainers ?? []).map((c) => [c.name, c] as const));
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = pod.spec.containers.length;
  let ready = 0;
  let lastRestart = '';
  let lastSidecarRestart = '';
  let reason: string = status.reason || status.phase;
  for (const c of pod.spec.initContainers ?? []) if (isRestartableInit(c)) total++;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';

  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    restarts += c.restartCount;
    const lastFinished = c.lastState?.terminated?.finishedAt;
    if (lastFinished && lastFinished > lastRestart) lastRestart = lastFinished;
    const sidecar = isRestartableInit(initSpecs.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount;
      if (lastFinished && lastFinished > lastSidecarRestart) lastSidecarRestart = lastFinished;
    }
    const t = c.state.terminated;
    if (t && t.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (t) {
      reason = t.reason
        ? `Init:${t.reason}`
        : t.signal
          ? `Init:Signal:${t.signal}`
          : `Init:ExitCode:${t.exitCode}`;
    } else if (c.state.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') {
      reason = `Init:${c.state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${pod.spec.initContainers?.length ?? 0}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const cs = status.containerStatuses ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]!;
      restarts += c.restartCount;
      const lastFinished = c.lastState?.terminated?.finishedAt;
      if (lastFinished && lastFinished > lastRestart) lastRestart = lastFinished;
      const t = c.state.terminated;
      if (c.state.waiting?.reason) reason = c.state.waiting.reason;
      else if (t && t.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (c.ready && c.state.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning)
      reason = conditionTrue(status, 'Ready') ? 'Running' : 'NotReady';
  }

  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';

  const restartsText =
    restarts !== 0 && lastRestart ? `${restarts} (${age(lastRestart, now)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, reason, restarts: restartsText };
}

export function podCells(pod: PodObject, now: Date, wide: boolean): string[] {
  const s = podSummary(pod, now);
  const cells = [pod.metadata.name, s.ready, s.reason, s.restarts, age(pod.metadata.creationTimestamp, now)];
  if (wide) cells.push('<none>', (pod.spec.nodeName as string | undefined) ?? '<none>', '<none>', '<none>');
  return cells;
}

/** `-o name`: kind.group/name as kubectl's name printer writes it. */
export function resourceName(kind: Kind, name: string): string {
  const singular: Record<Kind, string> = {
    jobs: 'job.batch',
    cronjobs: 'cronjob.batch',
    pods: 'pod',
    persistentvolumeclaims: 'persistentvolumeclaim',
  };
  return `${singular[kind]}/${name}`;
}

/** The resource as the API server's NotFound message names it: `jobs.batch`, `pods`. */
export function resourcePlural(kind: Kind): string {
  return kind === 'jobs' ? 'jobs.batch' : kind === 'cronjobs' ? 'cronjobs.batch' : kind;
}

export function notFoundMessage(kind: Kind, name: string): string {
  return `Error from server (NotFound): ${resourcePlural(kind)} "${name}" not found`;
}
