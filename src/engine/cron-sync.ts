// One sync of one CronJob: the pure controller (src/controller/cron) decides, this carries it out.
// As pkg/controller/cronjob/cronjob_controllerv2.go (`sync`): the history cleanup's and Replace's
// deletions, then the create, each through the job control; a deletion that fails is a
// FailedDelete and a Replace it aborts creates nothing; a create whose name is taken
// (AlreadyExists) is adopted when the CronJob controls that job and left alone when not; any other
// create error is a FailedCreate and a retry with back-off. The controller answers each of these
// when called again with what failed (its `failures` input), so the status and the events are
// upstream's. The caller persists the status and records the events.

import type { Job } from '../api/k8s.js';
import { ConflictError } from '../api/errors.js';
import {
  syncCronJob,
  type CronJobEvent,
  type SyncCronJobInput,
  type SyncCronJobResult,
  type SyncFailures,
} from '../controller/cron/index.js';
import type { Clock } from '../ports/clock.js';
import type { StoredEvent } from '../ports/state-store.js';
import { recordedEvent } from './recorded-event.js';

/** What a sync does to jobs (the CronJob controller's jobControl). */
export interface SyncJobControl {
  /** Deletes the job (background propagation); throws when it cannot. */
  deleteJob(name: string): Promise<void>;
  /** Creates the job made from the template, with `uid`, at `now`; a ConflictError when the name is taken. */
  createJob(fromTemplate: Job, uid: string, now: Date): Promise<void>;
  loadJob(name: string): Promise<{ job: Job } | undefined>;
}

export interface CronSyncOutcome {
  /** The controller's answer, knowing what failed. */
  result: SyncCronJobResult;
  /** The job created, the slot it is for, and when it was in the state directory. */
  created?: { name: string; scheduledTime?: Date; at: Date };
}

/**
 * Syncs the CronJob at `input.now` over its jobs and carries out the deletions and the create;
 * the job to create gets `input.newJobUid`.
 */
export async function syncAndCarryOut(
  input: Omit<SyncCronJobInput, 'failures'> & { newJobUid: string },
  control: SyncJobControl,
  clock: Clock,
): Promise<CronSyncOutcome> {
  const first = syncCronJob(input);
  const failures: SyncFailures = {};
  for (const d of first.delete) {
    try {
      await control.deleteJob(d.name);
    } catch (err) {
      (failures.delete ??= {})[d.name] = (err as Error).message;
    }
  }
  // Replace aborted by a failed deletion must not create.
  const replaceFailed = first.delete.some(
    (d) => d.reason === 'Replace' && failures.delete?.[d.name] !== undefined,
  );
  let created: CronSyncOutcome['created'];
  if (first.create && !replaceFailed) {
    try {
      await control.createJob(first.create, input.newJobUid, input.now);
      created = { name: first.create.metadata.name, scheduledTime: first.scheduledTime, at: clock.now() };
    } catch (err) {
      if (err instanceof ConflictError) {
        const existing = await control.loadJob(first.create.metadata.name);
        failures.create = existing ? { alreadyExists: existing.job } : { error: err.message };
      } else {
        failures.create = { error: (err as Error).message };
      }
    }
  }
  const result =
    failures.delete !== undefined || failures.create !== undefined
      ? syncCronJob({ ...input, failures })
      : first;
  return created ? { result, created } : { result };
}

/** The controller's events as the event recorder stores them (source `cronjob-controller`, as upstream's). */
export function cronJobEvents(cronJob: string, events: CronJobEvent[], now: Date): StoredEvent[] {
  return events.map((e) => recordedEvent(e, now, 'cronjob-controller', `CronJob/${cronJob}`));
}
