// The zone a CronJob's schedule is read in: a legacy `TZ=`/`CRON_TZ=` prefix wins over
// spec.timeZone (Kubernetes' formatSchedule in pkg/controller/cronjob/utils.go), else
// spec.timeZone, else the scheduler's local zone (docs/deviations.md). One rule for the controller,
// `tjob cron next`, the metrics and the web view.

import type { CronJob } from '../../api/k8s.js';
import type { Schedule } from '../../schedule/index.js';

export function scheduleZone(cronJob: CronJob, schedule: Schedule, localZone: string): string {
  return schedule.location ?? cronJob.spec.timeZone ?? localZone;
}
