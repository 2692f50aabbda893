// The field report on Swarm (`validate --runtime swarm`, `run --dry-run --runtime swarm`) and the
// refusal of what Swarm cannot run (`run`, `apply` and `cron start` with --runtime swarm): Swarm's
// decisions (src/runtime/swarm/swarm-support.ts) over the fields they name, the Docker report
// (src/manifest/field-report.ts) for the others.

import { ManifestError, type FieldError } from '../api/errors.js';
import type { KubeObject } from '../api/k8s.js';
import type { FieldReport, LoadResult } from '../manifest/types.js';
import {
  podTemplatesOf,
  swarmPodFields,
  SwarmRunWarnings,
  type SwarmSupport,
} from '../runtime/swarm/swarm-support.js';

export interface SwarmReport {
  source: string;
  kind: string;
  name: string;
  fields: { path: string; support: SwarmSupport; note?: string }[];
}

/** The report of each valid document, on Swarm. */
export function swarmReports(loaded: Pick<LoadResult, 'documents' | 'report'>): SwarmReport[] {
  return loaded.report.map((docker) => {
    const object = loaded.documents.find(
      (d) => d.source === docker.source && d.object?.metadata.name === docker.name,
    )?.object;
    // Fields the defaults added (terminationMessagePath, ...) are not the user's to hear about;
    // a refusal always is, and so is what becomes of a volume the user wrote (an emptyDir: {} has
    // no field of the Docker report under it, only the volume's name beside it).
    const userVolume = (path: string): boolean => {
      const volume = /^(.*\.volumes\[\d+\])\./.exec(path)?.[1];
      return volume !== undefined && docker.fields.some((f) => f.path.startsWith(`${volume}.`));
    };
    const swarm = (
      object ? podTemplatesOf(object).flatMap((t) => swarmPodFields(t.spec, t.path)) : []
    ).filter(
      (s) =>
        s.support === 'refused' || userVolume(s.path) || docker.fields.some((f) => related(f.path, s.path)),
    );
    return { ...docker, fields: merged(docker, swarm) };
  });
}

/**
 * Swarm's entries, and the Docker report's entries for the fields Swarm's do not name: an entry
 * at, under or above a path Swarm classifies is Swarm's to say.
 */
function merged(docker: FieldReport, swarm: SwarmReport['fields']): SwarmReport['fields'] {
  const related = (a: string, b: string): boolean =>
    a === b ||
    a.startsWith(`${b}.`) ||
    a.startsWith(`${b}[`) ||
    b.startsWith(`${a}.`) ||
    b.startsWith(`${a}[`);
  const kept = docker.fields
    .filter((f) => !swarm.some((s) => related(f.path, s.path)))
    .map((f) => ({ path: f.path, support: f.class as SwarmSupport, ...(f.note ? { note: f.note } : {}) }));
  return [...kept, ...swarm].sort((a, b) => pathOrder(a.path, b.path));
}

/** Whether one path is the other, or under it. */
function related(a: string, b: string): boolean {
  const under = (x: string, y: string): boolean => x.startsWith(`${y}.`) || x.startsWith(`${y}[`);
  return a === b || under(a, b) || under(b, a);
}

/**
 * The loader's warnings as they hold on Swarm: the "ignored on a single node" warning keeps only
 * the fields Swarm ignores too (it places pods by nodeSelector and node affinity).
 */
export function swarmWarnings(warnings: readonly string[], reports: SwarmReport[]): string[] {
  const ignoredOnSwarm = (path: string): boolean =>
    reports.some((r) => r.fields.some((f) => f.support === 'ignored' && related(f.path, path)));
  return warnings.flatMap((w) => {
    const m = /^(.*: ignored on a single node \(no effect\): )(.*)$/.exec(w);
    if (!m) return [w];
    const still = m[2]!.split(', ').filter(ignoredOnSwarm);
    return still.length > 0 ? [`${m[1]!}${still.join(', ')}`] : [];
  });
}

/** What a run on Swarm says of the fields in SwarmRunWarnings (a hostPath: that node's path). */
export function swarmRunWarnings(loaded: Pick<LoadResult, 'documents'>): string[] {
  return loaded.documents.flatMap((d) =>
    d.object
      ? podTemplatesOf(d.object).flatMap((t) =>
          swarmPodFields(t.spec, t.path)
            .filter((f) => SwarmRunWarnings.has(f.rule))
            .map(
              (f) =>
                `${d.source}: ${d.object!.kind} ${d.object!.metadata.name}: ${f.path}: on swarm, ${f.note}`,
            ),
        )
      : [],
  );
}

/** Manifest order: by path, with list indexes compared as numbers. */
function pathOrder(a: string, b: string): number {
  const key = (p: string): string => p.replace(/\[(\d+)\]/g, (_, n: string) => `[${n.padStart(6, '0')}]`);
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const SUPPORTS: SwarmSupport[] = ['honoured', 'approximated', 'ignored', 'refused'];

/** Plain text, as formatFieldReport prints the Docker report. */
export function formatSwarmReport(reports: SwarmReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.source}: ${r.kind} ${r.name} (on swarm)`);
    for (const support of SUPPORTS) {
      const fields = r.fields.filter((f) => f.support === support);
      if (fields.length === 0) continue;
      lines.push(`  ${support}:`);
      for (const f of fields) lines.push(f.note ? `    ${f.path}: ${f.note}` : `    ${f.path}`);
    }
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** The refused fields of stored objects (`source` names each), as swarmRefusals names a document's. */
export function objectRefusals(objects: { source: string; object: KubeObject }[]): FieldError[] {
  return objects.flatMap(({ source, object }) =>
    podTemplatesOf(object).flatMap((t) =>
      swarmPodFields(t.spec, t.path)
        .filter((f) => f.support === 'refused')
        .map((f) => refusal(source, f.path, f.note)),
    ),
  );
}

function refusal(source: string, path: string, note: string | undefined): FieldError {
  return { source, path, message: `Forbidden on swarm: ${note ?? 'refused'}` };
}

/** The refused fields of every document; none when Swarm can run them all. */
export function swarmRefusals(reports: SwarmReport[]): FieldError[] {
  return reports.flatMap((r) =>
    r.fields.filter((f) => f.support === 'refused').map((f) => refusal(r.source, f.path, f.note)),
  );
}

export const SWARM_REFUSAL_HINT =
  'run it on one engine (--runtime docker), or change the pod so Swarm can run it; `tjob validate --runtime swarm FILE` lists what Swarm does with each field';

/** Refuses (exit 2, every refused field named) manifests the runtime cannot run. */
export function refuseRefused(refused: FieldError[]): void {
  if (refused.length > 0) throw new ManifestError(refused, SWARM_REFUSAL_HINT);
}
