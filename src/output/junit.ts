// `tjob run --report FILE`: a JUnit XML report, as CI tools read it (the Ant/Jenkins "JUnit"
// schema): one <testsuite> per job; one <testcase> per pod attempt (per index for Indexed jobs)
// plus one for the job's own outcome; failures carry the reason, the exit code and the log tail.
// Pods the controller stopped without counting them (a suspension, such as Ctrl-C; excess pods)
// are no test cases: they are named in the suite's system-out.

import { neverRan, type PodRecord } from '../api/pod.js';
import { deletionCountsAsFailure } from '../controller/job/counts.js';
import type { StoredJob } from '../ports/state-store.js';

export interface JunitJob {
  state: StoredJob;
  /** The last log lines of a pod (all its containers), oldest first. */
  logTail: (pod: PodRecord) => string[];
}

interface Case {
  name: string;
  seconds: number;
  failure?: { message: string; type: string; text: string };
}

export function junitReport(jobs: JunitJob[], hostname: string, now: Date): string {
  const suites = jobs.map((j, id) => suite(j, id, hostname, now));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('')}</testsuites>\n`;
}

function suite(j: JunitJob, id: number, hostname: string, now: Date): string {
  const { job } = j.state;
  const name = job.metadata.name;
  const cases = [...podCases(j), jobCase(j.state, now)];
  const failures = cases.filter((c) => c.failure).length;
  const start = job.status.startTime ?? job.metadata.creationTimestamp ?? now.toISOString();
  const end = job.status.completionTime ?? terminalTime(j.state) ?? now.toISOString();
  const props: [string, string][] = [
    ['completions', String(job.spec.completions ?? '')],
    ['parallelism', String(job.spec.parallelism ?? 1)],
    ['completionMode', job.spec.completionMode ?? 'NonIndexed'],
    ['backoffLimit', String(job.spec.backoffLimit ?? 6)],
    ['succeeded', String(job.status.succeeded ?? 0)],
    ['failed', String(job.status.failed ?? 0)],
  ];
  return (
    `  <testsuite package="tjob" id="${id}" name="${attr(name)}" timestamp="${timestamp(start)}" hostname="${attr(hostname)}" ` +
    `tests="${cases.length}" failures="${failures}" errors="0" time="${seconds(start, end)}">\n` +
    `    <properties>\n${props.map(([k, v]) => `      <property name="${k}" value="${attr(v)}"/>\n`).join('')}    </properties>\n` +
    cases.map((c) => testcase(c, `job.batch/${name}`)).join('') +
    systemOut(stoppedPods(j.state.pods)) +
    `    <system-err/>\n  </testsuite>\n`
  );
}

/** Pods the controller deleted for a reason that is no failure (Kubernetes never counts them). */
function stopped(p: PodRecord): boolean {
  return p.deletionReason !== undefined && !deletionCountsAsFailure(p.deletionReason);
}

function stoppedPods(pods: PodRecord[]): PodRecord[] {
  return pods.filter((p) => !neverRan(p) && stopped(p));
}

function systemOut(stoppedList: PodRecord[]): string {
  if (stoppedList.length === 0) return `    <system-out/>\n`;
  const lines = stoppedList.map((p) => `${p.name}: deleted by the job controller (${p.deletionReason})`);
  return `    <system-out>${text(['Stopped, not counted as failures:', ...lines].join('\n'))}</system-out>\n`;
}

function podCases(j: JunitJob): Case[] {
  const pods = j.state.pods.filter((p) => !neverRan(p) && !stopped(p));
  if (j.state.job.spec.completionMode === 'Indexed') {
    // One case per index: its last attempt decides; earlier attempts are counted in the text.
    const byIndex = new Map<number, PodRecord[]>();
    for (const p of pods)
      if (p.index !== undefined) byIndex.set(p.index, [...(byIndex.get(p.index) ?? []), p]);
    return [...byIndex.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, attempts]) => {
        const last = attempts[attempts.length - 1]!;
        const c = podCase(j, last, `index ${index}`);
        if (c.failure && attempts.length > 1)
          c.failure.text = `${attempts.length} attempts\n${c.failure.text}`;
        return c;
      });
  }
  return pods.map((p) => podCase(j, p, p.name));
}

function podCase(j: JunitJob, pod: PodRecord, name: string): Case {
  const obs = pod.observation;
  const started = obs.startTime ?? pod.createdAt;
  const c: Case = { name, seconds: Number(seconds(started, obs.finishTime ?? started)) };
  if (obs.phase === 'Failed') {
    const terminated = [...obs.containerStatuses, ...obs.initContainerStatuses]
      .map((s) => ({ name: s.name, t: s.state.terminated }))
      .find((s) => s.t && s.t.exitCode !== 0);
    const reason = obs.reason ?? terminated?.t?.reason ?? 'Failed';
    const exit = terminated?.t
      ? `container ${terminated.name} exited with code ${terminated.t.exitCode}`
      : 'pod failed';
    c.failure = {
      type: reason,
      message: `${reason}: ${exit}${obs.message ? ` (${obs.message})` : ''}`,
      text: j.logTail(pod).join('\n'),
    };
  }
  return c;
}

function jobCase(state: StoredJob, now: Date): Case {
  const status = state.job.status;
  const cond = status.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  const start = status.startTime ?? state.job.metadata.creationTimestamp ?? now.toISOString();
  const c: Case = {
    name: 'job outcome',
    seconds: Number(seconds(start, cond?.lastTransitionTime ?? now.toISOString())),
  };
  if (!cond || cond.type === 'Failed') {
    c.failure = {
      type: cond?.reason ?? 'NotFinished',
      message: cond ? `${cond.reason}: ${cond.message}` : 'the job did not finish (interrupted or suspended)',
      text: `succeeded ${status.succeeded ?? 0}, failed ${status.failed ?? 0}`,
    };
  }
  return c;
}

function testcase(c: Case, classname: string): string {
  const head = `    <testcase name="${attr(c.name)}" classname="${attr(classname)}" time="${c.seconds.toFixed(3)}"`;
  if (!c.failure) return `${head}/>\n`;
  return (
    `${head}>\n      <failure message="${attr(c.failure.message)}" type="${attr(c.failure.type)}">${text(c.failure.text)}</failure>\n` +
    `    </testcase>\n`
  );
}

function terminalTime(state: StoredJob): string | undefined {
  return state.job.status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True')
    ?.lastTransitionTime;
}

function seconds(from: string, to: string): string {
  const ms = Date.parse(to) - Date.parse(from);
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

/** The schema's timestamp: ISO 8601 without a zone designator (UTC here). */
function timestamp(iso: string): string {
  const d = new Date(iso);
  return (Number.isNaN(d.getTime()) ? new Date(0) : d).toISOString().slice(0, 19);
}

// XML 1.0 allows neither most control characters nor lone surrogates, even escaped.
/* eslint-disable no-control-regex */
const INVALID_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/* eslint-enable no-control-regex */

function text(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
