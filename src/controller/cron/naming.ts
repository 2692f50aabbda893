// Names and references: the job name of a slot (docs/cronjob.md §4), the scheduled-timestamp
// annotation, active-list references, and how a job is recognised as a CronJob's child.

import type { CronJob, Job, ObjectReference } from '../../api/k8s.js';
import { offsetAt } from '../../schedule/zone.js';

/**
 * Label tjob puts on every job a CronJob creates, with the CronJob's name: lets the state store
 * select a CronJob's children without reading every job's owner references.
 */
export const CronJobNameLabel = 'io.tjob.cronjob';

/** `<cronjob>-<minutes since the epoch>`; seconds for `@every` under a minute (deviation 5, docs/deviations.md). */
export function jobNameForSlot(cronJobName: string, slot: Date, everyMs?: number): string {
  const seconds = Math.floor(slot.getTime() / 1000);
  const suffix = everyMs !== undefined && everyMs < 60_000 ? seconds : Math.floor(seconds / 60);
  return `${cronJobName}-${suffix}`;
}

function pad(n: number, width = 2): string {
  return Math.abs(n).toString().padStart(width, '0');
}

/** Go's RFC 3339 rendering of an instant in a zone, whole seconds: `2024-11-03T01:30:00-04:00`. */
export function rfc3339InZone(at: Date, zone: string): string {
  const ms = Math.floor(at.getTime() / 1000) * 1000;
  const offset = offsetAt(ms, zone);
  const wall = new Date(ms + offset);
  const date = `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
  if (offset === 0) return `${date}T${time}Z`;
  const minutes = Math.round(Math.abs(offset) / 60_000);
  return `${date}T${time}${offset < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** A status time as the API server stores it: RFC 3339 UTC, whole seconds. */
export function isoSeconds(at: Date): string {
  return new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Go's time.RFC1123Z in UTC: `Mon, 01 Jan 2024 10:00:00 +0000` (the MissSchedule message). */
export function rfc1123z(at: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const t = `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
  return `${days[at.getUTCDay()]}, ${pad(at.getUTCDate())} ${months[at.getUTCMonth()]} ${at.getUTCFullYear()} ${t} +0000`;
}

/** The active-list entry for a job (core/v1 ObjectReference, as Kubernetes' getRef builds it). */
export function jobReference(job: Job): ObjectReference {
  const ref: ObjectReference = { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name };
  if (job.metadata.namespace !== undefined) ref.namespace = job.metadata.namespace;
  if (job.metadata.uid !== undefined) ref.uid = job.metadata.uid;
  return ref;
}

/** Whether an active-list entry names this job: by uid when both have one, else by name. */
export function refersTo(ref: ObjectReference, job: Job): boolean {
  if (ref.uid !== undefined && job.metadata.uid !== undefined) return ref.uid === job.metadata.uid;
  return ref.name === job.metadata.name;
}

interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

/** The controller owner reference of a job, if any. */
function controllerRef(job: Job): OwnerReference | undefined {
  const refs = job.metadata.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  return (refs as OwnerReference[]).find((r) => r.controller === true);
}

/**
 * metav1.IsControlledBy: the job's controller owner reference is this CronJob (by uid when the
 * CronJob has one). Falls back to tjob's label for jobs stored without owner references.
 */
export function isControlledBy(job: Job, cronJob: CronJob): boolean {
  const ref = controllerRef(job);
  if (ref !== undefined) {
    if (ref.kind !== 'CronJob' || ref.name !== cronJob.metadata.name) return false;
    return cronJob.metadata.uid === undefined || ref.uid === undefined || ref.uid === cronJob.metadata.uid;
  }
  return job.metadata.labels?.[CronJobNameLabel] === cronJob.metadata.name;
}

/**
 * How Kubernetes lists a CronJob's children (docs/cronjob.md §3.2): controller owner reference *name* equals
 * the CronJob's name (the uid is not compared), or tjob's label.
 */
export function isChildOf(job: Job, cronJobName: string): boolean {
  return parentCronJobName(job) === cronJobName;
}

/** The CronJob a job's controller owner reference names (no label fallback), with its uid. */
export function ownerCronJobRef(job: Job): { name: string; uid?: string } | undefined {
  const ref = controllerRef(job);
  if (ref?.kind !== 'CronJob' || typeof ref.name !== 'string') return undefined;
  return typeof ref.uid === 'string' ? { name: ref.name, uid: ref.uid } : { name: ref.name };
}

/** The name of the CronJob a job is a child of (as isChildOf reads it), if any. */
export function parentCronJobName(job: Job): string | undefined {
  const ref = controllerRef(job);
  if (ref !== undefined) return ref.kind === 'CronJob' && typeof ref.name === 'string' ? ref.name : undefined;
  return job.metadata.labels?.[CronJobNameLabel];
}
