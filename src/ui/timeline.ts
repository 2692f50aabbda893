// A job's pods on a time axis, as the web view draws it: one row per pod attempt (per completion
// index for Indexed jobs, its attempts one after another), pending then running, coloured by how
// the pod ended; restart marks; the backoff gap before a failed pod's replacement; the job's
// activeDeadlineSeconds as a line; its conditions as markers. With more rows than the picture has
// pixels for, rows are grouped into bands and each pixel column shows the most telling state of
// the band's pods there (failed over running over pending over succeeded). Pure: layout, then SVG.

import type { PodRecord } from '../api/pod.js';
import { neverRan } from '../api/pod.js';
import type { JobObject } from '../output/objects.js';
import { containersStartedAt } from './pod-times.js';

export type SegmentKind = 'pending' | 'running' | 'succeeded' | 'failed' | 'backoff';

export interface Segment {
  kind: SegmentKind;
  from: number;
  to: number;
}

export interface PodBar {
  pod: string;
  phase: string;
  segments: Segment[];
  /** Times of the last restart of each restarted container, with its count. */
  restarts: { at: number; count: number }[];
}

export interface Row {
  label: string;
  bars: PodBar[];
  /** Backoff gaps drawn on this row (before the attempt that follows a failure). */
  gaps: Segment[];
}

export interface Timeline {
  from: number;
  to: number;
  rows: Row[];
  deadline?: number;
  markers: { at: number; label: string }[];
}

export const COLORS: Record<SegmentKind, string> = {
  pending: '#b8bec7',
  running: '#2f7de1',
  succeeded: '#2e9e4f',
  failed: '#d6453d',
  backoff: '#f2c14e',
};

const time = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};

function podBar(pod: PodRecord, now: number): { bar: PodBar; created: number; end: number } {
  const o = pod.observation;
  const created = time(pod.createdAt) ?? now;
  const terminal = o.phase === 'Succeeded' || o.phase === 'Failed';
  const end = Math.max(created, terminal ? (time(o.finishTime) ?? created) : now);
  // Pending until a container started (whole seconds: never before the record's creation).
  const started = containersStartedAt(o) ?? time(o.startTime);
  const start = started === undefined ? undefined : Math.min(Math.max(started, created), end);
  const segments: Segment[] = [];
  const pendingEnd = start ?? end;
  if (pendingEnd > created || start === undefined)
    segments.push({ kind: 'pending', from: created, to: pendingEnd });
  if (start !== undefined) {
    const kind: SegmentKind =
      o.phase === 'Succeeded' ? 'succeeded' : o.phase === 'Failed' ? 'failed' : 'running';
    segments.push({ kind, from: start, to: end });
  } else if (o.phase === 'Failed') {
    segments[0]!.kind = 'failed';
  }
  const restarts: PodBar['restarts'] = [];
  for (const c of [...o.initContainerStatuses, ...o.containerStatuses]) {
    const at = time(c.lastState?.terminated?.finishedAt);
    if (c.restartCount > 0 && at !== undefined) restarts.push({ at, count: c.restartCount });
  }
  return { bar: { pod: pod.name, phase: o.phase, segments, restarts }, created, end };
}

export function layoutTimeline(job: JobObject, pods: PodRecord[], now: Date): Timeline {
  const nowMs = now.getTime();
  const attempts = pods
    .filter((p) => !neverRan(p))
    .map((p) => ({ record: p, ...podBar(p, nowMs) }))
    .sort((a, b) => a.created - b.created || (a.record.name < b.record.name ? -1 : 1));
  const indexed = job.spec.completionMode === 'Indexed';
  const rows: Row[] = [];
  const rowOf = new Map<(typeof attempts)[number], Row>();
  if (indexed) {
    const byIndex = new Map<number, Row>();
    for (const a of attempts) {
      const index = a.record.index ?? -1;
      let row = byIndex.get(index);
      if (!row) byIndex.set(index, (row = { label: `index ${index}`, bars: [], gaps: [] }));
      row.bars.push(a.bar);
      rowOf.set(a, row);
    }
    rows.push(...[...byIndex.entries()].sort((x, y) => x[0] - y[0]).map(([, r]) => r));
  } else {
    for (const a of attempts) {
      const row: Row = { label: a.record.name, bars: [a.bar], gaps: [] };
      rows.push(row);
      rowOf.set(a, row);
    }
  }
  // A failed pod's replacement waits out the backoff: the gap from the failure to the creation of
  // the next attempt (of the same index, for Indexed jobs), drawn on that attempt's row.
  const gapFor = new Map<(typeof attempts)[number], number>();
  for (const failed of attempts.filter((a) => a.bar.phase === 'Failed')) {
    const next = attempts.find(
      (a) => a.created >= failed.end && (!indexed || a.record.index === failed.record.index) && a !== failed,
    );
    if (next && next.created > failed.end) gapFor.set(next, Math.max(gapFor.get(next) ?? 0, failed.end));
  }
  for (const [a, from] of gapFor) rowOf.get(a)!.gaps.push({ kind: 'backoff', from, to: a.created });

  const markers: Timeline['markers'] = [];
  for (const c of job.status.conditions ?? []) {
    const at = time(c.lastTransitionTime);
    if (at !== undefined && c.status === 'True')
      markers.push({ at, label: c.reason ? `${c.type} (${c.reason})` : c.type });
  }
  const started = time(job.status.startTime);
  const deadline =
    started !== undefined && job.spec.activeDeadlineSeconds != null
      ? started + job.spec.activeDeadlineSeconds * 1000
      : undefined;
  const finished =
    time(job.status.completionTime) ??
    (markers.length > 0 && isFinished(job) ? Math.max(...markers.map((m) => m.at)) : undefined);
  const starts = [time(job.metadata.creationTimestamp), started, ...attempts.map((a) => a.created)].filter(
    (t): t is number => t !== undefined,
  );
  const ends = [finished ?? nowMs, ...attempts.map((a) => a.end), ...markers.map((m) => m.at)];
  if (deadline !== undefined && (finished === undefined || deadline <= finished + 1000)) ends.push(deadline);
  const from = starts.length > 0 ? Math.min(...starts) : nowMs;
  const to = Math.max(from + 1000, ...ends);
  return { from, to, rows, ...(deadline !== undefined ? { deadline } : {}), markers };
}

function isFinished(job: JobObject): boolean {
  return (job.status.conditions ?? []).some(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

// ---- SVG ----

export interface SvgOptions {
  width?: number;
  /** Rows beyond this many are grouped into bands (the picture is at most about this many px). */
  maxRows?: number;
}

const GUTTER = 150;
const AXIS = 34;
const ROW = 16;

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Tick spacing for a span: 1, 2, 5 × 10^n seconds, about eight ticks. */
function tickStep(spanMs: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
  for (const s of steps) if (spanMs / (s * 1000) <= 8) return s * 1000;
  return 86400_000 * Math.ceil(spanMs / (8 * 86400_000));
}

function tickLabel(offsetMs: number): string {
  const s = Math.round(offsetMs / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
}

const RANK: Record<SegmentKind, number> = { backoff: 1, succeeded: 2, pending: 3, running: 4, failed: 5 };

export function timelineSvg(t: Timeline, o: SvgOptions = {}): string {
  const width = o.width ?? 960;
  const maxRows = o.maxRows ?? 300;
  const plot = width - GUTTER - 24;
  const span = t.to - t.from;
  const x = (ms: number) => GUTTER + ((ms - t.from) / span) * plot;
  const aggregated = t.rows.length > maxRows;
  const perBand = aggregated ? Math.ceil(t.rows.length / Math.floor(maxRows / 3)) : 1;
  const bands = aggregated ? Math.ceil(t.rows.length / perBand) : t.rows.length;
  const rowH = aggregated ? 3 : ROW;
  const height = AXIS + bands * rowH + 14;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline${aggregated ? ' aggregated' : ''}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  // Axis: seconds since the first event.
  const step = tickStep(span);
  for (let off = 0; off <= span; off += step) {
    const xx = x(t.from + off).toFixed(1);
    out.push(
      `<line x1="${xx}" x2="${xx}" y1="${AXIS - 4}" y2="${height - 10}" stroke="#e5e7eb"/><text x="${xx}" y="${AXIS - 8}" text-anchor="middle" fill="#555">${tickLabel(off)}</text>`,
    );
  }
  for (const m of t.markers) {
    const xx = x(m.at).toFixed(1);
    out.push(
      `<g class="marker"><line x1="${xx}" x2="${xx}" y1="10" y2="${height - 10}" stroke="#6b21a8" stroke-width="1"/><polygon points="${xx},12 ${Number(xx) - 4},4 ${Number(xx) + 4},4" fill="#6b21a8"/><title>${escapeXml(m.label)}</title></g>`,
    );
  }
  const rect = (seg: Segment, y: number, h: number, attrs = '') => {
    const x0 = x(seg.from);
    const w = Math.max(1, x(seg.to) - x0);
    return `<rect class="seg seg-${seg.kind}" x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h}" fill="${COLORS[seg.kind]}"${attrs}/>`;
  };
  if (!aggregated) {
    t.rows.forEach((row, i) => {
      const y = AXIS + i * ROW;
      out.push(
        `<text x="${GUTTER - 6}" y="${y + ROW - 4}" text-anchor="end" fill="#333">${escapeXml(row.label)}</text>`,
      );
      for (const g of row.gaps) out.push(rect(g, y + 5, ROW - 10, ' opacity="0.8"'));
      for (const bar of row.bars) {
        out.push(`<g class="pod" data-pod="${escapeXml(bar.pod)}" data-phase="${bar.phase}">`);
        out.push(`<title>${escapeXml(bar.pod)}: ${bar.phase}</title>`);
        for (const s of bar.segments) out.push(rect(s, y + 2, ROW - 4));
        for (const r of bar.restarts) {
          const xx = x(r.at).toFixed(1);
          out.push(
            `<line class="restart" x1="${xx}" x2="${xx}" y1="${y}" y2="${y + ROW}" stroke="#111" stroke-width="2"><title>restarted ${r.count}×</title></line>`,
          );
        }
        out.push('</g>');
      }
    });
  } else {
    // One cell per 2 px of time per band; each cell takes the highest-ranked state present.
    const cells = Math.max(1, Math.floor(plot / 2));
    const cellMs = span / cells;
    for (let b = 0; b < bands; b++) {
      const rows = t.rows.slice(b * perBand, (b + 1) * perBand);
      const rank = new Uint8Array(cells);
      const mark = (s: Segment) => {
        const c0 = Math.max(0, Math.floor((s.from - t.from) / cellMs));
        const c1 = Math.min(cells - 1, Math.floor((s.to - t.from) / cellMs));
        for (let c = c0; c <= c1; c++) rank[c] = Math.max(rank[c]!, RANK[s.kind]);
      };
      for (const row of rows) {
        row.gaps.forEach(mark);
        for (const bar of row.bars) bar.segments.forEach(mark);
      }
      const kinds = Object.keys(RANK) as SegmentKind[];
      const y = AXIS + b * rowH;
      let start = 0;
      for (let c = 1; c <= cells; c++) {
        if (c < cells && rank[c] === rank[start]) continue;
        const kind = kinds.find((k) => RANK[k] === rank[start]);
        if (kind) out.push(rect({ kind, from: t.from + start * cellMs, to: t.from + c * cellMs }, y, rowH));
        start = c;
      }
    }
    out.push(
      `<text x="${GUTTER - 6}" y="${AXIS + 10}" text-anchor="end" fill="#333">${t.rows.length} rows,</text><text x="${GUTTER - 6}" y="${AXIS + 24}" text-anchor="end" fill="#333">${perBand} per band</text>`,
    );
  }
  if (t.deadline !== undefined && t.deadline <= t.to) {
    const xx = x(t.deadline).toFixed(1);
    out.push(
      `<g class="deadline"><line x1="${xx}" x2="${xx}" y1="${AXIS - 4}" y2="${height - 10}" stroke="#b91c1c" stroke-dasharray="4 3" stroke-width="1.5"/><text x="${xx}" y="${height - 1}" text-anchor="middle" fill="#b91c1c">activeDeadlineSeconds</text></g>`,
    );
  } else if (t.deadline !== undefined) {
    // Far past the job's end: named at the right edge rather than squeezing the bars.
    out.push(
      `<g class="deadline off-scale"><text x="${width - 4}" y="${height - 1}" text-anchor="end" fill="#b91c1c">activeDeadlineSeconds at +${tickLabel(t.deadline - t.from)} →</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}
