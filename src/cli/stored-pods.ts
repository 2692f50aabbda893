// Pods as the read commands find them in the state directory: any job's pod by name, a job's pods
// in creation order.

import type { PodRecord } from '../api/pod.js';
import type { JobRecords, StoredJob } from '../ports/job-records.js';

/** Pod records of one job in creation order. */
export function podsInCreationOrder(stored: StoredJob): PodRecord[] {
  return [...stored.pods].sort((a, b) =>
    a.createdAt < b.createdAt
      ? -1
      : a.createdAt > b.createdAt
        ? 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
  );
}

/** The pod of that name in any job. */
export async function findPod(
  store: JobRecords,
  name: string,
): Promise<{ stored: StoredJob; record: PodRecord } | undefined> {
  for (const stored of await store.listJobs()) {
    const record = stored.pods.find((p) => p.name === name);
    if (record) return { stored, record };
  }
  return undefined;
}
