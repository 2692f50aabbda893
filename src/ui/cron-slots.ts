// A CronJob's recent slots on a time axis, for the web view: each job it created at its scheduled
// time (on time, or late by how much: the job's creation against the
// `batch.kubernetes.io/cronjob-scheduled-timestamp` annotation), the slots its events tell of
// (MissSchedule: missed; JobAlreadyActive: skipped by Forbid; a Replace policy's deletion next to a
// creation: replaced), and the next runs with their daylight-saving notes. Pure.

import type { CronJob, Job } from '../api/k8s.js';
import { CronJobScheduledTimestampAnnotation } from '../api/labels.js';
import type { StoredEvent } from '../ports/state-store.js';
import { finishedCondition } from '../controller/cron/job-state.js';

export type SlotKind = 'on-time' | 'late' | 'missed' | 'skipped' | 'replaced';

export interface Slot {
  kind: SlotKind;
  /** The scheduled time (for events: when the controller said so). */
  at: number;
  /** Seconds between the slot and its job's creation. */
  latenessSeconds?: number;
  job?: string;
  /** `Complete`, `Failed`, `Running` for a slot's job. */
  outcome?: string;
  note?: string;
}

export interface SlotsLayout {
  from: number;
  to: number;
  now: number;
  slots: Slot[];
  /** The next runs (with a daylight-saving note where one applies). */
  upcoming: { at: number; note?: string }[];
}

/** A job created this long after its slot is shown as late (the daemon wakes 100 ms after). */
export const LATE_AFTER_SECONDS = 1;
/** How many next runs are drawn (the page lists five). */
export const NEXT_SHOWN = 3;
/** How many recent slots are drawn. */
export const RECENT_SLOTS = 60;

const SLOT_COLORS: Record<SlotKind, string> = {
  'on-time': '#2e9e4f',
  late: '#e08a1e',
  missed: '#d6453d',
  skipped: '#8a8f98',
  replaced: '#7c3aed',
};

export function layoutSlots(
  cj: CronJob,
  jobs: Job[],
  events: StoredEvent[],
  now: Date,
  upcoming: { time: Date; note?: string }[] = [],
): SlotsLayout {
  const slots: Slot[] = [];
  for (const job of jobs) {
    const scheduled = Date.parse(job.metadata.annotations?.[CronJobScheduledTimestampAnnotation] ?? '');
    const created = Date.parse(job.metadata.creationTimestamp ?? '');
    if (!Number.isFinite(scheduled)) continue; // a manual trigger has no slot
    const lateness = Number.isFinite(created) ? Math.max(0, (created - scheduled) / 1000) : undefined;
    slots.push({
      kind: lateness !== undefined && lateness >= LATE_AFTER_SECONDS ? 'late' : 'on-time',
      at: scheduled,
      ...(lateness !== undefined ? { latenessSeconds: lateness } : {}),
      job: job.metadata.name,
      outcome: finishedCondition(job) ?? 'Running',
    });
  }
  const creates = events.filter((e) => e.reason === 'SuccessfulCreate');
  for (const e of events) {
    const times = [...new Set([e.firstTimestamp, e.lastTimestamp])].map((t) => Date.parse(t));
    if (e.reason === 'MissSchedule') {
      const missed = Date.parse(e.message.replace(/^.*start a job: /, ''));
      slots.push({ kind: 'missed', at: Number.isFinite(missed) ? missed : times[0]!, note: e.message });
    } else if (e.reason === 'JobAlreadyActive') {
      for (const at of times)
        slots.push({
          kind: 'skipped',
          at,
          note: `skipped: a job is still active (Forbid)${e.count > 1 ? `, ${e.count} times` : ''}`,
        });
    } else if (e.reason === 'SuccessfulDelete' && cj.spec.concurrencyPolicy === 'Replace') {
      const at = Date.parse(e.lastTimestamp);
      // Replace deletes the running job in the same sync that creates the next one.
      if (creates.some((c) => Math.abs(Date.parse(c.lastTimestamp) - at) <= 1000))
        slots.push({ kind: 'replaced', at, note: e.message.replace(/^Deleted job /, 'replaced ') });
    }
  }
  // Forbid waits: a slot skipped while a job ran, whose job was then created late once it ended,
  // is that late job, not a skip.
  const jobSlots = slots.filter((x) => x.job !== undefined).map((x) => x.at);
  const kept = slots.filter((x) => x.kind !== 'skipped' || !jobSlots.some((t) => Math.abs(t - x.at) < 1000));
  slots.splice(0, slots.length, ...kept);
  slots.sort((a, b) => a.at - b.at);
  const recent = slots.slice(-RECENT_SLOTS);
  const nowMs = now.getTime();
  const from = recent.length > 0 ? recent[0]!.at : nowMs - 60_000;
  const next = upcoming.map((r) => ({ at: r.time.getTime(), ...(r.note ? { note: r.note } : {}) }));
  // The axis runs to the next run when it is near (within half the span shown), else a bit past now.
  const near = next.filter((r) => r.at - nowMs <= Math.max(60_000, (nowMs - from) / 2)).slice(0, NEXT_SHOWN);
  const end = Math.max(nowMs, ...recent.map((s) => s.at), ...near.map((r) => r.at));
  const to = end + Math.max(1000, (end - from) * 0.04);
  return { from, to, now: nowMs, slots: recent, upcoming: near };
}

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function slotsSvg(l: SlotsLayout, width = 960): string {
  const gutter = 20;
  const plot = width - 2 * gutter;
  const height = 96;
  const axis = 60;
  const x = (t: number) => gutter + ((t - l.from) / (l.to - l.from)) * plot;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="slots" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<line x1="${gutter}" x2="${width - gutter}" y1="${axis}" y2="${axis}" stroke="#999"/>`,
  ];
  const nowX = x(l.now).toFixed(1);
  out.push(
    `<line x1="${nowX}" x2="${nowX}" y1="8" y2="${axis + 6}" stroke="#111" stroke-dasharray="2 2"/><text x="${nowX}" y="${axis + 18}" text-anchor="middle">now</text>`,
  );
  out.push(
    `<text x="${gutter}" y="${axis + 18}">${escapeXml(new Date(l.from).toISOString().replace('.000Z', 'Z'))}</text>`,
  );
  for (const s of l.slots) {
    const xx = x(s.at).toFixed(1);
    const late = s.latenessSeconds !== undefined ? ` (+${s.latenessSeconds.toFixed(3)}s)` : '';
    const title = `${new Date(s.at).toISOString()} ${s.kind}${late}${s.job ? ` ${s.job} ${s.outcome}` : ''}${s.note ? `: ${s.note}` : ''}`;
    const y = s.kind === 'skipped' || s.kind === 'missed' || s.kind === 'replaced' ? axis - 36 : axis - 20;
    out.push(
      `<g class="slot slot-${s.kind}" data-kind="${s.kind}"><title>${escapeXml(title)}</title><line x1="${xx}" x2="${xx}" y1="${y + 8}" y2="${axis}" stroke="${SLOT_COLORS[s.kind]}"/><circle cx="${xx}" cy="${y}" r="6" fill="${SLOT_COLORS[s.kind]}"${s.outcome === 'Failed' ? ' stroke="#7f1d1d" stroke-width="2"' : ''}/></g>`,
    );
    if (s.kind === 'late' && s.latenessSeconds !== undefined)
      out.push(
        `<text x="${xx}" y="${y - 9}" text-anchor="middle" fill="#9a5b0c">+${s.latenessSeconds.toFixed(1)}s</text>`,
      );
  }
  for (const r of l.upcoming) {
    const xx = x(r.at).toFixed(1);
    out.push(
      `<g class="slot slot-next" data-kind="next"><title>${escapeXml(`next run ${new Date(r.at).toISOString()}${r.note ? `: ${r.note}` : ''}`)}</title><circle cx="${xx}" cy="${axis - 20}" r="5" fill="none" stroke="#2f7de1" stroke-width="2"/></g>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}
