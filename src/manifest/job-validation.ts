// Job validation (pkg/apis/batch/validation, docs/job.md §9.2), in the API server's order:
// metadata → generated selector → spec (numbers, managedBy, completionMode, per-index,
// podFailurePolicy, successPolicy, podReplacementPolicy, pod template, restartPolicy rule) →
// selector → the Indexed hostname check.

import type { Job, JobSpec, LabelSelector, PodFailurePolicyRule } from '../api/k8s.js';
import { ControllerUidLabel } from '../api/labels.js';
import { dedupe, fe, GoValue, goMap, nonNegative, type PathError } from './field-errors.js';
import { validateLabels, validateObjectMeta } from './meta-validation.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './names.js';
import { validatePodTemplateSpec } from './pod-validation.js';

const maxParallelismForIndexedJob = 100000;
const completionsSoftLimit = 100000;
const parallelismLimitForHighCompletions = 10000;
const maxFailedIndexesLimitForHighCompletions = 10000;
const maxPodFailurePolicyRules = 20;
const maxPodFailurePolicyOnExitCodesValues = 255;
const maxPodFailurePolicyOnPodConditionsPatterns = 20;
const maxSuccessPolicyRule = 20;
const maxManagedByLength = 63;

const pfpActions = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const goQuotedList = (xs: string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

export function goLabelSelector(s: LabelSelector | undefined): GoValue {
  if (!s) return new GoValue('nil');
  const ml = s.matchLabels ? goMap(s.matchLabels) : 'map[string]string(nil)';
  const me = s.matchExpressions
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:${
              e.values ? `[]string{${e.values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'
            }}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(`v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`);
}

const int32s = (xs: number[] | undefined): GoValue =>
  new GoValue(xs && xs.length ? `[]int32{${xs.join(', ')}}` : xs ? '[]int32{}' : '[]int32(nil)');

/** Whether a label selector selects a label set. */
export function selectorMatches(s: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of s.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(val ?? '')) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(val ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export function validateLabelSelector(s: LabelSelector, path: string): PathError[] {
  const errs: PathError[] = [];
  (s.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    switch (e.operator as string) {
      case 'In':
      case 'NotIn':
        if (!e.values || e.values.length === 0)
          errs.push(fe.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (e.values && e.values.length > 0)
          errs.push(
            fe.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
          );
        break;
      default:
        errs.push(fe.invalid(`${p}.operator`, e.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(e.key ?? '')) errs.push(fe.invalid(`${p}.key`, e.key, m));
  });
  errs.push(...validateLabels(s.matchLabels, `${path}.matchLabels`));
  return errs;
}

function domainPrefixedPath(v: string, path: string): PathError[] {
  const slash = v.indexOf('/');
  const detail = 'must be a domain-prefixed path (such as "acme.io/foo")';
  if (slash <= 0 || slash === v.length - 1) return [fe.invalid(path, v, detail)];
  const errs = isDNS1123Subdomain(v.slice(0, slash)).map((m) => fe.invalid(path, v.slice(0, slash), m));
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(v.slice(slash + 1)))
    errs.push(fe.invalid(path, v.slice(slash + 1), 'Invalid path'));
  return errs;
}

function validatePodFailurePolicy(spec: JobSpec, path: string): PathError[] {
  const errs: PathError[] = [];
  const rules = spec.podFailurePolicy?.rules ?? [];
  const rulesPath = `${path}.rules`;
  if (rules.length > maxPodFailurePolicyRules)
    errs.push(fe.tooMany(rulesPath, rules.length, maxPodFailurePolicyRules));
  const containerNames = new Set(
    [...(spec.template?.spec?.containers ?? []), ...(spec.template?.spec?.initContainers ?? [])].map(
      (c) => c.name,
    ),
  );
  rules.forEach((rule: PodFailurePolicyRule, i) => {
    const rp = `${rulesPath}[${i}]`;
    const action = (rule.action ?? '') as string;
    if (!action) errs.push(fe.required(`${rp}.action`, `valid values: ${goQuotedList(pfpActions)}`));
    else if (action === 'FailIndex') {
      if (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)
        errs.push(fe.invalid(`${rp}.action`, action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!pfpActions.includes(action)) errs.push(fe.notSupported(`${rp}.action`, action, pfpActions));
    const oec = rule.onExitCodes;
    if (oec) {
      const ep = `${rp}.onExitCodes`;
      const op = (oec.operator ?? '') as string;
      if (!op) errs.push(fe.required(`${ep}.operator`, `valid values: ${goQuotedList(['In', 'NotIn'])}`));
      else if (op !== 'In' && op !== 'NotIn')
        errs.push(fe.notSupported(`${ep}.operator`, op, ['In', 'NotIn']));
      if (
        oec.containerName !== undefined &&
        oec.containerName !== null &&
        !containerNames.has(oec.containerName)
      )
        errs.push(
          fe.invalid(
            `${ep}.containerName`,
            oec.containerName,
            'must be one of the container or initContainer names in the pod template',
          ),
        );
      const values = oec.values ?? [];
      const vp = `${ep}.values`;
      if (values.length === 0)
        errs.push(fe.invalid(vp, int32s(oec.values), 'at least one value is required'));
      else if (values.length > maxPodFailurePolicyOnExitCodesValues)
        errs.push(fe.tooMany(vp, values.length, maxPodFailurePolicyOnExitCodesValues));
      else {
        let ordered = true;
        const seen = new Set<number>();
        values.forEach((v, j) => {
          if (op === 'In' && v === 0)
            errs.push(fe.invalid(`${vp}[${j}]`, v, 'must not be 0 for the In operator'));
          if (seen.has(v)) errs.push(fe.duplicate(`${vp}[${j}]`, v));
          else seen.add(v);
          const prev = values[j - 1];
          if (j > 0 && prev !== undefined && prev > v) ordered = false;
        });
        if (!ordered) errs.push(fe.invalid(vp, int32s(values), 'must be ordered'));
      }
    }
    const opc = rule.onPodConditions ?? [];
    if (opc.length > 0) {
      const cp = `${rp}.onPodConditions`;
      if (opc.length > maxPodFailurePolicyOnPodConditionsPatterns)
        errs.push(fe.tooMany(cp, opc.length, maxPodFailurePolicyOnPodConditionsPatterns));
      opc.forEach((pat, j) => {
        const pp = `${cp}[${j}]`;
        for (const m of isQualifiedName(pat.type ?? ''))
          errs.push(fe.invalid(`${pp}.type`, pat.type ?? '', m));
        const st = (pat.status ?? '') as string;
        const sts = ['False', 'True', 'Unknown'];
        if (!st) errs.push(fe.required(`${pp}.status`, `valid values: ${goQuotedList(sts)}`));
        else if (!sts.includes(st)) errs.push(fe.notSupported(`${pp}.status`, st, sts));
      });
    }
    if (oec && opc.length > 0)
      errs.push(fe.invalidNoValue(rp, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    if (!oec && opc.length === 0)
      errs.push(fe.invalidNoValue(rp, 'specifying one of OnExitCodes and OnPodConditions is required'));
  });
  return errs;
}

/** Parses an index list (`1,3-5`); returns the count or an error message (validateIndexesFormat). */
export function parseIndexes(s: string, completions: number): { total: number } | { error: string } {
  if (s.length === 0) return { total: 0 };
  let last: number | undefined;
  let total = 0;
  const atoi = (x: string): number | undefined => (/^[+-]?\d+$/.test(x) ? Number(x) : undefined);
  for (const interval of s.split(',')) {
    const limits = interval.split('-');
    if (limits.length > 2)
      return {
        error: `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`,
      };
    const x = atoi(limits[0] ?? '');
    if (x === undefined)
      return { error: `cannot convert string to integer for index: ${JSON.stringify(limits[0] ?? '')}` };
    if (x >= completions) return { error: `too large index: ${JSON.stringify(limits[0] ?? '')}` };
    if (last !== undefined && last >= x)
      return { error: `non-increasing order, previous: ${last}, current: ${x}` };
    total++;
    last = x;
    if (limits.length > 1) {
      const y = atoi(limits[1] ?? '');
      if (y === undefined)
        return { error: `cannot convert string to integer for index: ${JSON.stringify(limits[1] ?? '')}` };
      if (y >= completions) return { error: `too large index: ${JSON.stringify(limits[1] ?? '')}` };
      if (last >= y) return { error: `non-increasing order, previous: ${last}, current: ${y}` };
      total += y - x;
      last = y;
    }
  }
  return { total };
}

function goSuccessPolicy(sp: JobSpec['successPolicy']): GoValue {
  const rules = (sp?.rules ?? [])
    .map(
      (r) =>
        `batch.SuccessPolicyRule{SucceededIndexes:${r.succeededIndexes !== undefined ? JSON.stringify(r.succeededIndexes) : 'nil'}, SucceededCount:${r.succeededCount ?? 'nil'}}`,
    )
    .join(', ');
  return new GoValue(`batch.SuccessPolicy{Rules:[]batch.SuccessPolicyRule{${rules}}}`);
}

function validateSuccessPolicy(spec: JobSpec, path: string): PathError[] {
  const errs: PathError[] = [];
  const rules = spec.successPolicy?.rules ?? [];
  const rulesPath = `${path}.rules`;
  if (rules.length === 0)
    errs.push(
      fe.required(rulesPath, 'at least one rules must be specified when the successPolicy is specified'),
    );
  if (rules.length > maxSuccessPolicyRule)
    errs.push(fe.tooMany(rulesPath, rules.length, maxSuccessPolicyRule));
  const completions = spec.completions ?? 0;
  rules.forEach((r, i) => {
    const rp = `${rulesPath}[${i}]`;
    const hasCount = r.succeededCount !== undefined && r.succeededCount !== null;
    const hasIdx = r.succeededIndexes !== undefined && r.succeededIndexes !== null;
    if (!hasCount && !hasIdx)
      errs.push(fe.required(rp, 'at least one of succeededCount or succeededIndexes must be specified'));
    let totalIndexes = 0;
    if (hasIdx) {
      const s = r.succeededIndexes ?? '';
      const res = parseIndexes(s, completions);
      if ('error' in res)
        errs.push(fe.invalid(`${rp}.succeededIndexes`, s, `error parsing succeededIndexes: ${res.error}`));
      else totalIndexes = res.total;
    }
    if (hasCount) {
      const c = r.succeededCount ?? 0;
      const cp = `${rp}.succeededCount`;
      errs.push(...nonNegative(cp, c));
      if (c > completions)
        errs.push(
          fe.invalid(
            cp,
            c,
            `must be less than or equal to ${completions} (the number of specified completions)`,
          ),
        );
      if (hasIdx && c > totalIndexes)
        errs.push(
          fe.invalid(
            cp,
            c,
            `must be less than or equal to ${totalIndexes} (the number of indexes in the specified succeededIndexes field)`,
          ),
        );
    }
  });
  return errs;
}

const isSet = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null;

/** validateJobSpec: the checks shared by Jobs and CronJob job templates. */
export function validateJobSpecCommon(spec: JobSpec, path: string): PathError[] {
  const errs: PathError[] = [];
  for (const f of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
  ] as const)
    errs.push(...nonNegative(`${path}.${f}`, spec[f]));
  if (isSet(spec.maxFailedIndexes)) {
    errs.push(...nonNegative(`${path}.maxFailedIndexes`, spec.maxFailedIndexes));
    if (!isSet(spec.backoffLimitPerIndex))
      errs.push(fe.required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  if (isSet(spec.managedBy)) {
    errs.push(...domainPrefixedPath(spec.managedBy, `${path}.managedBy`));
    if (spec.managedBy.length > maxManagedByLength)
      errs.push(fe.tooLong(`${path}.managedBy`, maxManagedByLength));
  }
  const mode = spec.completionMode as string | undefined;
  if (isSet(mode)) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed')
      errs.push(fe.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (!isSet(spec.completions))
        errs.push(fe.required(`${path}.completions`, 'when completion mode is Indexed'));
      if (isSet(spec.parallelism) && spec.parallelism > maxParallelismForIndexedJob)
        errs.push(
          fe.invalid(
            `${path}.parallelism`,
            spec.parallelism,
            `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`,
          ),
        );
      if (isSet(spec.completions) && isSet(spec.maxFailedIndexes) && spec.maxFailedIndexes > spec.completions)
        errs.push(
          fe.invalid(
            `${path}.maxFailedIndexes`,
            spec.maxFailedIndexes,
            'must be less than or equal to completions',
          ),
        );
      if (isSet(spec.maxFailedIndexes) && spec.maxFailedIndexes > completionsSoftLimit)
        errs.push(
          fe.invalid(
            `${path}.maxFailedIndexes`,
            spec.maxFailedIndexes,
            `must be less than or equal to ${completionsSoftLimit}`,
          ),
        );
      if (
        isSet(spec.backoffLimitPerIndex) &&
        isSet(spec.completions) &&
        spec.completions > completionsSoftLimit
      ) {
        const hi = `when completions are above ${completionsSoftLimit} and used with backoff limit per index`;
        if (!isSet(spec.maxFailedIndexes))
          errs.push(
            fe.required(
              `${path}.maxFailedIndexes`,
              `must be specified when completions is above ${completionsSoftLimit}`,
            ),
          );
        if (isSet(spec.parallelism) && spec.parallelism > parallelismLimitForHighCompletions)
          errs.push(
            fe.invalid(
              `${path}.parallelism`,
              spec.parallelism,
              `must be less than or equal to ${parallelismLimitForHighCompletions} ${hi}`,
            ),
          );
        if (isSet(spec.maxFailedIndexes) && spec.maxFailedIndexes > maxFailedIndexesLimitForHighCompletions)
          errs.push(
            fe.invalid(
              `${path}.maxFailedIndexes`,
              spec.maxFailedIndexes,
              `must be less than or equal to ${maxFailedIndexesLimitForHighCompletions} ${hi}`,
            ),
          );
      }
    }
  }
  if (!isSet(mode) || mode === 'NonIndexed') {
    if (isSet(spec.backoffLimitPerIndex))
      errs.push(
        fe.invalid(
          `${path}.backoffLimitPerIndex`,
          spec.backoffLimitPerIndex,
          'requires indexed completion mode',
        ),
      );
    if (isSet(spec.maxFailedIndexes))
      errs.push(
        fe.invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'),
      );
  }
  if (isSet(spec.podFailurePolicy)) errs.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`));
  if (isSet(spec.successPolicy)) {
    if (mode !== 'Indexed')
      errs.push(
        fe.invalid(
          `${path}.successPolicy`,
          goSuccessPolicy(spec.successPolicy),
          'requires indexed completion mode',
        ),
      );
    else errs.push(...validateSuccessPolicy(spec, `${path}.successPolicy`));
  }
  const prp = spec.podReplacementPolicy as string | undefined;
  if (isSet(prp)) {
    if (isSet(spec.podFailurePolicy)) {
      if (prp !== 'Failed') errs.push(fe.notSupported(`${path}.podReplacementPolicy`, prp, ['Failed']));
    } else if (prp !== 'Failed' && prp !== 'TerminatingOrFailed')
      errs.push(fe.notSupported(`${path}.podReplacementPolicy`, prp, ['Failed', 'TerminatingOrFailed']));
  }
  errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  const rp = (spec.template?.spec?.restartPolicy ?? '') as string;
  const rpPath = `${path}.template.spec.restartPolicy`;
  if (rp === 'Always' || rp === '') errs.push(fe.required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never')
    errs.push(fe.notSupported(rpPath, rp, ['OnFailure', 'Never']));
  else if (isSet(spec.podFailurePolicy) && rp !== 'Never')
    errs.push(fe.invalid(rpPath, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

/** Full validation of a defaulted Job (with its generated selector), errors in the API server's order. */
export function validateJob(job: Job): PathError[] {
  const errs: PathError[] = [];
  const spec = job.spec;
  errs.push(...validateObjectMeta(job.metadata));
  // Generated selector (skipped with manualSelector).
  if (spec.manualSelector !== true) {
    const uid = job.metadata.uid ?? '';
    const s = spec.selector;
    const generated =
      s !== undefined &&
      !s.matchExpressions?.length &&
      Object.keys(s.matchLabels ?? {}).length === 1 &&
      s.matchLabels?.[ControllerUidLabel] === uid;
    if (!generated)
      errs.push(fe.invalid('spec.selector', goLabelSelector(s), '`selector` not auto-generated'));
  }
  errs.push(...validateJobSpecCommon(spec, 'spec'));
  if (!spec.selector) errs.push(fe.required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    const labels = spec.template?.metadata?.labels ?? {};
    if (!selectorMatches(spec.selector, labels))
      errs.push(
        fe.invalid(
          'spec.template.metadata.labels',
          new GoValue(goMap(labels)),
          '`selector` does not match template `labels`',
        ),
      );
  }
  if (spec.completionMode === 'Indexed' && isSet(spec.completions) && spec.completions > 0) {
    const host = `${job.metadata.name}-${spec.completions - 1}`;
    if (isDNS1123Label(host).length > 0)
      errs.push(
        fe.invalid(
          'metadata.name',
          job.metadata.name,
          `will not able to create pod with invalid DNS label: ${host}`,
        ),
      );
  }
  return dedupe(errs);
}
