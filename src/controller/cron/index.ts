// The pure CronJob controller (docs/cronjob.md §3.2–§6.3).

export { syncCronJob, configWarnings, tooManyMissedMessage } from './sync.js';
export { jobFromTemplate, InstantiateAnnotation } from './job-from-template.js';
export { manualTriggerPlan } from './concurrency.js';
export {
  CronJobNameLabel,
  isChildOf,
  isControlledBy,
  ownerCronJobRef,
  parentCronJobName,
  jobNameForSlot,
  rfc3339InZone,
  isoSeconds,
} from './naming.js';
export { mostRecentScheduleTime, nextScheduleDelay, type MostRecent } from './schedule-times.js';
export { finishedCondition, isFinished } from './job-state.js';
export { nextRunsFrom } from './every-anchor.js';
export { scheduleZone } from './schedule-zone.js';
export type {
  CronJobEvent,
  JobDeletion,
  SyncCronJobInput,
  SyncCronJobResult,
  SyncFailures,
} from './types.js';
