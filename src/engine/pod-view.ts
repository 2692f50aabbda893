// What the pure controller sees of a recorded pod.

import { JobIndexFailureCountAnnotation, JobIndexIgnoredFailureCountAnnotation } from '../api/labels.js';
import type { PodRecord } from '../api/pod.js';
import type { PodView } from '../controller/job/types.js';

export function toPodView(record: PodRecord): PodView {
  const obs = record.observation;
  const terminal = obs.phase === 'Succeeded' || obs.phase === 'Failed';
  const view: PodView = {
    name: record.name,
    phase: obs.phase,
    terminating: !terminal && (obs.terminating || record.deletionRequestedAt !== undefined),
    ready: !terminal && obs.ready,
    tracked: record.tracked,
    createdAt: new Date(record.createdAt),
    restartCount: [...obs.initContainerStatuses, ...obs.containerStatuses].reduce(
      (n, c) => n + c.restartCount,
      0,
    ),
    terminatedContainers: [
      ...obs.containerStatuses.map((c) => ({ c, init: false })),
      ...obs.initContainerStatuses.map((c) => ({ c, init: true })),
    ].flatMap(({ c, init }) =>
      c.state.terminated ? [{ name: c.name, init, exitCode: c.state.terminated.exitCode }] : [],
    ),
    conditions: obs.conditions ?? [],
  };
  if (record.index !== undefined) view.index = record.index;
  if (record.deletionRequestedAt) view.deletionRequestedAt = new Date(record.deletionRequestedAt);
  if (obs.startTime) view.startedAt = new Date(obs.startTime);
  const finished = obs.finishTime ?? (terminal ? latestFinish(record) : undefined);
  if (finished) view.finishedAt = new Date(finished);
  const failures = record.annotations[JobIndexFailureCountAnnotation];
  if (failures !== undefined) view.indexFailureCount = Number(failures);
  const ignored = record.annotations[JobIndexIgnoredFailureCountAnnotation];
  if (ignored !== undefined) view.indexIgnoredFailureCount = Number(ignored);
  return view;
}

function latestFinish(record: PodRecord): string {
  let latest = '';
  for (const c of [...record.observation.initContainerStatuses, ...record.observation.containerStatuses]) {
    const f = c.state.terminated?.finishedAt;
    if (f && f > latest) latest = f;
  }
  return latest || record.deletionRequestedAt || record.createdAt;
}
