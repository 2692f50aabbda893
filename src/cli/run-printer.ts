// What `tjob run` shows while jobs run: pod logs on stdout, each line prefixed [POD/CONTAINER]
// (coloured per pod on a terminal); progress on stderr as a live status line on a terminal and
// as plain timestamped lines otherwise; one result line per job at the end.

import { Chalk, type ChalkInstance } from 'chalk';
import type { JobStatus } from '../api/k8s.js';
import type { PodRecord } from '../api/pod.js';
import type { LogLine, LogLines } from '../ports/pod-runtime.js';
import type { StoredEvent, StoredJob } from '../ports/state-store.js';
import { terminalCondition } from '../engine/job-status.js';
import { humanDuration } from '../output/duration.js';
import type { OutStream } from './context.js';
import { allowsColor } from '../output/color.js';
import { SecretMask } from '../output/secret-mask.js';
import { prefixLines } from '../output/prefix-lines.js';

const POD_COLORS = [
  'cyan',
  'magenta',
  'yellow',
  'green',
  'blue',
  'redBright',
  'cyanBright',
  'magentaBright',
] as const;

export interface RunPrinterOptions {
  stdout: OutStream;
  stderr: OutStream;
  colorStdout: boolean;
  colorStderr: boolean;
  /** Live status line on stderr (a terminal) instead of timestamped lines. */
  live: boolean;
  quiet: boolean;
  showLogs: boolean;
  /** `--show-secrets`: print secret values instead of `***`. */
  showSecrets?: boolean;
  now: () => Date;
}

interface JobProgress {
  name: string;
  status?: JobStatus;
  phases: Map<string, string>;
  backoffUntil?: number;
  /** The job's state was seen once: what was finished and counted then is history, not news. */
  seen?: boolean;
}

export class RunPrinter {
  private readonly out: ChalkInstance;
  private readonly err: ChalkInstance;
  private readonly jobs = new Map<string, JobProgress>();
  private readonly podColor = new Map<string, number>();
  /** `[POD/CONTAINER] ` as printed (coloured), per pod and container. */
  private readonly prefixes = new Map<string, string>();
  private liveShown = false;
  /** The text of the live line as last drawn. */
  private liveDrawn = '';
  private readonly masks = new Map<string, SecretMask>();
  /**
   * Log lines not written yet: they go out in one write per turn of the event loop (or per
   * 64 KiB), not one per line, which cost more than everything else a chatty job's run does.
   */
  private pendingLogs = '';
  private flushQueued = false;

  constructor(private readonly o: RunPrinterOptions) {
    this.out = new Chalk({ level: o.colorStdout ? 1 : 0 });
    this.err = new Chalk({ level: o.colorStderr ? 1 : 0 });
  }

  private job(name: string): JobProgress {
    let j = this.jobs.get(name);
    if (!j) {
      j = { name, phases: new Map() };
      this.jobs.set(name, j);
    }
    return j;
  }

  /** Masks the values of the Secrets a job uses in what is printed about it (unless --show-secrets). */
  setSecrets(job: string, values: string[]): void {
    if (!this.o.showSecrets) this.masks.set(job, new SecretMask(values));
  }

  /** The job's Secrets cannot be read, so cannot be masked: its texts are printed as `***`. */
  withholdSecrets(job: string): void {
    if (!this.o.showSecrets) this.masks.set(job, SecretMask.everything());
  }

  private mask(job: string, text: string): string {
    const m = this.masks.get(job);
    return m ? m.mask(text) : text;
  }

  /** A line for stderr: on a terminal it goes above the live line; in a pipe it gets a time. */
  progress(text: string): void {
    if (this.o.quiet) return;
    this.flushLogs();
    if (this.o.live) {
      this.clearLive();
      this.o.stderr.write(`${text}\n`);
      this.drawLive();
    } else {
      const t = this.o.now().toTimeString().slice(0, 8);
      this.o.stderr.write(`${t} ${text}\n`);
    }
  }

  warning(text: string): void {
    this.flushLogs();
    this.clearLive();
    this.o.stderr.write(`${this.err.yellow('Warning:')} ${text}\n`);
    this.drawLive();
  }

  /** A line as `tjob run` shows it (whichever run of the container wrote it). */
  log(job: string, line: Omit<LogLine, 'restartCount'>, multiJob: boolean): void {
    this.logLines(job, { ...line, text: `${line.text}\n` }, multiJob);
  }

  /** Lines (each ended by "\n") as `tjob run` shows them: each with its [POD/CONTAINER] prefix. */
  logLines(job: string, lines: Omit<LogLines, 'restartCount'>, multiJob: boolean): void {
    if (!this.o.showLogs || this.o.quiet) return;
    void multiJob;
    const m = this.masks.get(job);
    this.pendingLogs += prefixLines(
      this.prefix(lines.pod, lines.container),
      m ? m.maskLines(lines.text) : lines.text,
    );
    if (this.pendingLogs.length >= 65536) this.flushLogs();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        this.flushLogs();
      });
    }
  }

  private prefix(pod: string, container: string): string {
    const key = `${pod}/${container}`;
    let prefix = this.prefixes.get(key);
    if (prefix === undefined) {
      let c = this.podColor.get(pod);
      if (c === undefined) {
        c = this.podColor.size % POD_COLORS.length;
        this.podColor.set(pod, c);
      }
      prefix = `${this.out[POD_COLORS[c]!](`[${key}]`)} `;
      this.prefixes.set(key, prefix);
    }
    return prefix;
  }

  /** Writes the log lines waiting (before anything else is printed, to keep the order). */
  flushLogs(): void {
    if (this.pendingLogs === '') return;
    const text = this.pendingLogs;
    this.pendingLogs = '';
    this.clearLive();
    this.o.stdout.write(text);
    this.drawLive();
  }

  event(job: string, e: StoredEvent): void {
    if (e.involvedObject.startsWith('Pod/')) {
      // The kubelet's events about a pod: its warnings say why the job waits (an image that
      // cannot be pulled); Pulling and BackOff recur every sync and are left to `describe pod`.
      if (e.type !== 'Warning') return;
      this.progress(
        `pod/${e.involvedObject.slice(4)}: ${this.err.yellow(e.reason)}: ${this.mask(job, e.message)}`,
      );
      return;
    }
    const name = `job/${job}`;
    const text =
      e.reason === 'SuccessfulCreate'
        ? `${name}: created pod ${e.message.replace(/^Created pod: /, '')}`
        : e.reason === 'SuccessfulDelete'
          ? `${name}: deleting pod ${e.message.replace(/^Deleted pod: /, '')}`
          : `${name}: ${e.type === 'Warning' ? this.err.yellow(e.reason) : e.reason}: ${this.mask(job, e.message)}`;
    this.progress(text);
  }

  changed(state: StoredJob): void {
    const j = this.job(state.job.metadata.name);
    j.status = state.job.status;
    for (const p of state.pods) {
      // A resumed (or followed) job's pods counted before this process looked were reported by
      // the process that saw them end; adopted ones still tracked end now and are reported.
      const phase = p.observation.phase;
      if (!j.seen && !p.tracked && (phase === 'Succeeded' || phase === 'Failed')) j.phases.set(p.name, phase);
      else this.podPhase(j, p);
    }
    j.seen = true;
    // Redraw only when the line says something new: most changes (a pod record, an event) do not.
    if (this.o.live && (!this.liveShown || this.liveText() !== this.liveDrawn)) {
      this.clearLive();
      this.drawLive();
    }
  }

  private podPhase(j: JobProgress, p: PodRecord): void {
    const phase = p.observation.phase;
    const before = j.phases.get(p.name);
    if (before === phase) return;
    j.phases.set(p.name, phase);
    if (phase === 'Succeeded' || phase === 'Failed') {
      const codes = p.observation.containerStatuses
        .map((c) => c.state.terminated)
        .filter((t) => t !== undefined)
        .map((t) =>
          t.reason && t.reason !== 'Completed' && t.reason !== 'Error'
            ? `${t.exitCode} ${t.reason}`
            : `${t.exitCode}`,
        );
      const why = p.observation.reason ? ` (${p.observation.reason})` : '';
      const colour = phase === 'Succeeded' ? this.err.green : this.err.red;
      this.progress(
        `job/${j.name}: pod ${p.name} ${colour(phase)}${codes.length ? `, exit ${codes.join(', ')}` : ''}${why}`,
      );
    } else if (phase === 'Running' && before !== undefined) {
      const restarts = p.observation.containerStatuses.reduce((n, c) => n + c.restartCount, 0);
      if (restarts > 0) this.progress(`job/${j.name}: pod ${p.name} restarted (restarts: ${restarts})`);
    }
  }

  private liveText(): string {
    const parts: string[] = [];
    for (const j of this.jobs.values()) {
      const s = j.status ?? {};
      parts.push(
        `${j.name}: ${s.active ?? 0} active, ${s.succeeded ?? 0} succeeded, ${s.failed ?? 0} failed`,
      );
    }
    const text = parts.join(' | ');
    // A terminal that reports no size (0 columns: a pty nobody sized) is taken as 100 wide.
    const width = this.o.stderr.columns || 100;
    return text.length > width - 1 ? text.slice(0, width - 2) + '…' : text;
  }

  private drawLive(): void {
    if (!this.o.live || this.o.quiet || this.jobs.size === 0) return;
    this.liveDrawn = this.liveText();
    this.o.stderr.write(this.err.dim(this.liveDrawn));
    this.liveShown = true;
  }

  private clearLive(): void {
    if (!this.liveShown) return;
    this.o.stderr.write('\r\x1b[2K');
    this.liveShown = false;
  }

  /** The final line of a job, and for a failed job its reason and the end of its last failed pod's log. */
  result(state: StoredJob, outcome: string, lastLog: string[] | undefined): void {
    this.flushLogs();
    this.clearLive();
    const status = state.job.status;
    const cond = terminalCondition(status);
    const start = status.startTime
      ? Date.parse(status.startTime)
      : Date.parse(state.job.metadata.creationTimestamp ?? '');
    const end = cond?.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : this.o.now().getTime();
    const duration = Number.isFinite(start) ? humanDuration(end - start) : '-';
    const counts = `succeeded ${status.succeeded ?? 0}, failed ${status.failed ?? 0}`;
    const indexes = status.completedIndexes ? `, completed indexes ${status.completedIndexes}` : '';
    const failedIdx = status.failedIndexes ? `, failed indexes ${status.failedIndexes}` : '';
    const name = `job.batch/${state.job.metadata.name}`;
    const head =
      outcome === 'Complete'
        ? this.err.green('Complete')
        : outcome === 'Failed'
          ? this.err.red('Failed')
          : this.err.yellow(outcome);
    const reason = cond?.reason ? ` (${cond.reason})` : '';
    this.o.stderr.write(`${name} ${head}${reason}: ${counts}${indexes}${failedIdx}, ${duration}\n`);
    const job = state.job.metadata.name;
    if (outcome === 'Failed' && cond?.message) this.o.stderr.write(`  ${this.mask(job, cond.message)}\n`);
    if (lastLog && lastLog.length > 0) {
      this.o.stderr.write(
        `  last ${lastLog.length} log line${lastLog.length > 1 ? 's' : ''} of the last failed pod:\n`,
      );
      for (const l of lastLog) this.o.stderr.write(`  ${this.err.dim('|')} ${this.mask(job, l)}\n`);
    }
  }

  finish(): void {
    this.flushLogs();
    this.clearLive();
  }

  /** A table of every job's outcome, after a run of several jobs (e.g. --items). */
  summary(states: StoredJob[]): void {
    if (states.length === 0) return;
    this.flushLogs();
    this.clearLive();
    const rows = states.map((s) => {
      const cond = terminalCondition(s.job.status);
      const start = Date.parse(s.job.status.startTime ?? s.job.metadata.creationTimestamp ?? '');
      const end = cond?.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : this.o.now().getTime();
      const status = cond ? cond.type : s.job.spec.suspend ? 'Suspended' : 'Running';
      return [
        s.job.metadata.name,
        status,
        String(s.job.status.succeeded ?? 0),
        String(s.job.status.failed ?? 0),
        Number.isFinite(start) ? humanDuration(end - start) : '-',
      ];
    });
    const header = ['NAME', 'STATUS', 'SUCCEEDED', 'FAILED', 'DURATION'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[], paint: (i: number, c: string) => string = (_i, c) => c) =>
      cells
        .map((c, i) => paint(i, c) + (i === cells.length - 1 ? '' : ' '.repeat(widths[i]! + 3 - c.length)))
        .join('');
    this.o.stderr.write(`\n${line(header)}\n`);
    for (const r of rows) {
      const colour =
        r[1] === 'Complete' ? this.err.green : r[1] === 'Failed' ? this.err.red : this.err.yellow;
      this.o.stderr.write(`${line(r, (i, c) => (i === 1 ? colour(c) : c))}\n`);
    }
  }
}

/** The printer for this process's streams, with the colour rules applied. */
export function newRunPrinter(
  ctx: {
    stdout: OutStream;
    stderr: OutStream;
    env: Record<string, string | undefined>;
    clock: { now(): Date };
  },
  global: { color?: boolean },
  o: { quiet: boolean; showLogs: boolean; showSecrets?: boolean },
): RunPrinter {
  const noColorFlag = global.color === false;
  return new RunPrinter({
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    colorStdout: allowsColor({ isTTY: !!ctx.stdout.isTTY, env: ctx.env, noColorFlag }),
    colorStderr: allowsColor({ isTTY: !!ctx.stderr.isTTY, env: ctx.env, noColorFlag }),
    live: !!ctx.stderr.isTTY && ctx.env.TERM !== 'dumb',
    quiet: o.quiet,
    showLogs: o.showLogs,
    showSecrets: !!o.showSecrets,
    now: () => ctx.clock.now(),
  });
}
