// Completion-index sets of Indexed jobs and their string form (docs/job.md §5.2, §5.3), after
// Kubernetes' indexed_job_utils.go. A set is a sorted array of distinct indexes.

/** Renders a sorted index set: runs of three or more become `first-last`, e.g. `1,3-5,7`. */
export function formatIndexes(sorted: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i] as number;
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    const last = sorted[j] as number;
    if (last - first >= 2) parts.push(`${first}-${last}`);
    else for (let k = first; k <= last; k++) parts.push(String(k));
    i = j + 1;
  }
  return parts.join(',');
}

const integer = /^\d+$/;

/**
 * Parses the stored form leniently, as the controller does: malformed entries are ignored,
 * entries at or above `completions` are dropped and ranges clipped to `completions - 1`.
 */
export function parseIndexes(text: string | undefined, completions: number): number[] {
  if (!text) return [];
  const found = new Set<number>();
  for (const entry of text.split(',')) {
    const limits = entry.split('-');
    const firstText = limits[0] ?? '';
    if (!integer.test(firstText)) continue;
    const first = Number(firstText);
    if (first >= completions) continue;
    let last = first;
    if (limits.length > 1) {
      const lastText = limits[1] ?? '';
      if (!integer.test(lastText)) continue;
      last = Math.min(Number(lastText), completions - 1);
    }
    for (let i = first; i <= last; i++) found.add(i);
  }
  return sortedIndexes(found);
}

export function sortedIndexes(set: Iterable<number>): number[] {
  return [...new Set(set)].sort((a, b) => a - b);
}

/** The `count` lowest indexes below `completions` that are not in `nonPending`. */
export function firstPendingIndexes(
  count: number,
  completions: number,
  nonPending: ReadonlySet<number>,
): number[] {
  const result: number[] = [];
  for (let i = 0; i < completions && result.length < count; i++) {
    if (!nonPending.has(i)) result.push(i);
  }
  return result;
}

/** Whether a pod's index is usable for this job: known and below completions. */
export function isValidIndex(index: number | undefined, completions: number): index is number {
  return index !== undefined && Number.isInteger(index) && index >= 0 && index < completions;
}
