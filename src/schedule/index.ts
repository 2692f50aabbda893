// The schedule language of Kubernetes CronJobs (robfig/cron v3 ParseStandard), pure: parsing,
// activation times in a zone with robfig's DST behaviour, descriptions and DST notes.

export { parseSchedule, parseStoredSchedule, type ParseResult } from './parse-schedule.js';
export type { Schedule } from './schedule.js';
export { describeSchedule } from './describe.js';
export { nextRuns, type NextRun } from './next-runs.js';
export { isValidTimeZone, localTimeZone, timeZoneProblem, offsetAt } from './zone.js';
export { formatGoDuration, parseGoDuration } from './go-duration.js';
