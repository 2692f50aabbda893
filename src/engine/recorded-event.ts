// An event as the event recorder stores it (client-go's record.EventRecorder): a first occurrence
// at `now`, count 1, from the controller named by `source`, about `involvedObject` (`Job/NAME`).
// Repeats are counted by the store, as Kubernetes' event recorder aggregates them.

import { rfc3339 } from '../api/time.js';
import type { StoredEvent } from '../ports/state-store.js';

export function recordedEvent(
  e: Pick<StoredEvent, 'type' | 'reason' | 'message'>,
  now: Date,
  source: string,
  involvedObject: string,
): StoredEvent {
  const t = rfc3339(now);
  return {
    type: e.type,
    reason: e.reason,
    message: e.message,
    firstTimestamp: t,
    lastTimestamp: t,
    count: 1,
    source,
    involvedObject,
  };
}
