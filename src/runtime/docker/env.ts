// A container's environment, computed as the kubelet computes it (pkg/kubelet/kubelet_pods.go,
// makeEnvironmentVariables): envFrom first, then env in order, each literal value expanded with
// `$(VAR)` against the variables defined so far; `valueFrom` values are not expanded. Finally the
// Job controller's `JOB_COMPLETION_INDEX` for Indexed pods (docs/job.md §5.1), which upstream
// appends to the end of `env` in the pod template, so it is defined last.

import os from 'node:os';

import { configValueText, type ConfigValue } from '../../api/config-value.js';
import type { Container, PodSpec } from '../../api/k8s.js';
import { JobCompletionIndexAnnotation } from '../../api/labels.js';
import type { PodPlan } from '../../api/pod.js';
import { ceilScaled, parseQuantity } from './quantity.js';

/**
 * What the kubelet knows that the pod spec does not. Every field is optional; the defaults treat
 * the machine tjob runs on as the node. The supervisor should pass `nodeCpu`/`nodeMemoryBytes` from
 * the engine's `docker info` (NCPU, MemTotal) when the engine is not local.
 */
export interface EnvContext {
  /** `spec.nodeName`. Default: this machine's host name (what a kubelet registers by default). */
  nodeName?: string;
  /** `status.hostIP` / `status.hostIPs`. Default `127.0.0.1`. */
  hostIP?: string;
  /**
   * `status.podIP` / `status.podIPs`: the pause container's address once it runs. Default: the host
   * IP for hostNetwork pods, otherwise `127.0.0.1` (an approximation: the pod's address is not known
   * before its first container starts).
   */
  podIP?: string;
  /** Node allocatable cpu (cores), used by resourceFieldRef `limits.cpu` without a limit. Default: the cpu count. */
  nodeCpu?: number;
  /** Node allocatable memory (bytes), for `limits.memory` without a limit. Default: total memory. */
  nodeMemoryBytes?: number;
  /** Node allocatable ephemeral storage (bytes), for `limits.ephemeral-storage` without a limit. */
  nodeEphemeralStorageBytes?: number;
}

export const JobCompletionIndexEnv = 'JOB_COMPLETION_INDEX';

// validation.IsEnvVarName (the strict form, which the kubelet applies to envFrom keys).
const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isEnvVarName(name: string): boolean {
  return envVarName.test(name);
}

/**
 * The kubelet's `$(VAR)` expansion (third_party/forked/golang/expansion): `$(NAME)` of a defined
 * variable is replaced by its value, of an undefined one is left as is; `$$` is an escaped `$`, so
 * `$$(NAME)` gives the literal `$(NAME)`; a `$` not followed by `$` or `(` is kept; an unclosed `$(`
 * is kept.
 */
export function expandVars(text: string, vars: Map<string, string>): string {
  return expandWith(text, (name) => vars.get(name) ?? `$(${name})`);
}

/**
 * subPathExpr expansion (kubecontainer.ExpandContainerVolumeMounts): like expandVars, but a
 * reference to an undefined or empty variable is an error, `missing value for A, B`.
 */
export function expandSubPathExpr(text: string, vars: Map<string, string>): string {
  const missing = new Set<string>();
  const out = expandWith(text, (name) => {
    const value = vars.get(name);
    if (!value) missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0) throw new Error(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

function expandWith(text: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < text.length; cursor++) {
    if (text[cursor] !== '$' || cursor + 1 >= text.length) continue;
    out += text.slice(checkpoint, cursor);
    const next = text[cursor + 1];
    if (next === '$') {
      out += '$';
      cursor += 1;
    } else if (next === '(') {
      const close = text.indexOf(')', cursor + 2);
      if (close === -1) {
        out += '$(';
        cursor += 1;
      } else {
        const name = text.slice(cursor + 2, close);
        out += mapping(name);
        cursor = close;
      }
    } else {
      out += '$' + next;
      cursor += 1;
    }
    checkpoint = cursor + 1;
  }
  return out + text.slice(checkpoint);
}

/**
 * The container's environment, in the order Docker should get it (one entry per name, the last
 * definition winning), and the kubelet's warnings (envFrom keys that are not valid names). Throws
 * when a referenced ConfigMap, Secret or key is missing and not optional, with the kubelet's message
 * (the pod then stays Pending with reason CreateContainerConfigError).
 */
export function resolveEnv(
  plan: PodPlan,
  container: Container,
  context: EnvContext = {},
): { env: { name: string; value: string }[]; warnings: string[] } {
  const vars = new Map<string, string>();
  const warnings: string[] = [];

  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    let data: Record<string, ConfigValue> | undefined;
    let what: string;
    if (source.configMapRef) {
      data = plan.configMaps[source.configMapRef.name];
      what = `configMap ${plan.namespace}/${source.configMapRef.name}`;
      if (!data) {
        if (source.configMapRef.optional) continue;
        throw new Error(`configmap "${source.configMapRef.name}" not found`);
      }
    } else if (source.secretRef) {
      data = plan.secrets[source.secretRef.name];
      what = `secret ${plan.namespace}/${source.secretRef.name}`;
      if (!data) {
        if (source.secretRef.optional) continue;
        throw new Error(`secret "${source.secretRef.name}" not found`);
      }
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      const name = prefix + key;
      if (!isEnvVarName(name)) {
        invalid.push(name);
        continue;
      }
      vars.set(name, configValueText(value));
    }
    if (invalid.length > 0) {
      warnings.push(
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  const env = [...(container.env ?? [])];
  if (plan.index !== undefined && !env.some((e) => e.name === JobCompletionIndexEnv)) {
    env.push({ name: JobCompletionIndexEnv, value: String(plan.index) });
  }

  for (const entry of env) {
    let value = entry.value ?? '';
    if (value !== '') {
      value = expandVars(value, vars);
    } else if (entry.valueFrom) {
      const from = entry.valueFrom;
      if (from.fieldRef) {
        value = fieldRefValue(plan, from.fieldRef.fieldPath, context);
      } else if (from.resourceFieldRef) {
        const { containerName, resource, divisor } = from.resourceFieldRef;
        const target = containerName ? findContainer(plan.spec, containerName) : container;
        value = resourceFieldValue(target, resource, divisor, context);
      } else if (from.configMapKeyRef) {
        const { name = '', key, optional } = from.configMapKeyRef;
        const data = plan.configMaps[name];
        if (!data) {
          if (optional) continue;
          throw new Error(`configmap "${name}" not found`);
        }
        const found = data[key];
        if (found === undefined) {
          if (optional) continue;
          throw new Error(`couldn't find key ${key} in ConfigMap ${plan.namespace}/${name}`);
        }
        value = configValueText(found);
      } else if (from.secretKeyRef) {
        const { name = '', key, optional } = from.secretKeyRef;
        const data = plan.secrets[name];
        if (!data) {
          if (optional) continue;
          throw new Error(`secret "${name}" not found`);
        }
        const found = data[key];
        if (found === undefined) {
          if (optional) continue;
          throw new Error(`couldn't find key ${key} in Secret ${plan.namespace}/${name}`);
        }
        value = configValueText(found);
      }
    }
    vars.set(entry.name, value);
  }

  return { env: [...vars].map(([name, value]) => ({ name, value })), warnings };
}

/** The container's final variables as a map, for expanding command, args and subPathExpr. */
export function envMap(env: { name: string; value: string }[]): Map<string, string> {
  return new Map(env.map((e) => [e.name, e.value]));
}

export function findContainer(spec: PodSpec, name: string): Container {
  const found = [...spec.containers, ...(spec.initContainers ?? [])].find((c) => c.name === name);
  if (!found) throw new Error(`resourceFieldRef: container "${name}" not found in the pod`);
  return found;
}

/**
 * A downward-API field of the pod (env `fieldRef` and downwardAPI volume items), as
 * fieldpath.ExtractFieldPathAsString and the kubelet's podFieldSelectorRuntimeValue give it.
 */
export function fieldRefValue(plan: PodPlan, fieldPath: string, context: EnvContext = {}): string {
  const annotations = { ...plan.annotations };
  const labels = { ...plan.labels };
  if (plan.index !== undefined) {
    annotations[JobCompletionIndexAnnotation] ??= String(plan.index);
    labels[JobCompletionIndexAnnotation] ??= String(plan.index);
  }
  const subscripted = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  if (subscripted) {
    const map = subscripted[1] === 'metadata.labels' ? labels : annotations;
    return map[subscripted[2] ?? ''] ?? '';
  }
  const hostIP = context.hostIP ?? '127.0.0.1';
  const podIP = context.podIP ?? (plan.spec.hostNetwork ? hostIP : '127.0.0.1');
  switch (fieldPath) {
    case 'metadata.name':
      return plan.name;
    case 'metadata.namespace':
      return plan.namespace;
    case 'metadata.uid':
      return plan.uid;
    case 'metadata.labels':
      return formatMap(labels);
    case 'metadata.annotations':
      return formatMap(annotations);
    case 'spec.nodeName':
      return context.nodeName ?? os.hostname();
    case 'spec.serviceAccountName': {
      const sa = plan.spec['serviceAccountName'] ?? plan.spec['serviceAccount'];
      return typeof sa === 'string' && sa !== '' ? sa : 'default';
    }
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return podIP;
    default:
      throw new Error(`unsupported fieldPath: ${fieldPath}`);
  }
}

// fieldpath.FormatMap: sorted `key="value"` lines (Go's %q; JSON quoting agrees for printable text).
function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${JSON.stringify(map[k])}`)
    .join('\n');
}

/**
 * resourceFieldRef (resource.ExtractContainerResourceValue): cpu in ceil(milli / divisor-milli),
 * memory-like resources in ceil(bytes / divisor-bytes). A missing limit is the node's allocatable
 * (the kubelet merges it in); a missing request is the limit (API defaulting), else 0.
 */
export function resourceFieldValue(
  container: Container,
  resource: string,
  divisor: string | number | undefined,
  context: EnvContext = {},
): string {
  const [kind, name] = splitResource(resource);
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  let quantity: string | number | undefined =
    kind === 'limits' ? limits[name] : (requests[name] ?? limits[name]);
  if (quantity === undefined && kind === 'limits') quantity = nodeAllocatable(name, context);
  quantity ??= 0;

  // A zero divisor is the unset one (the API server serves an unset divisor as "0").
  let div = parseQuantity(divisor === undefined || divisor === '' ? '1' : divisor);
  if (div.numerator === 0n) div = parseQuantity('1');
  if (div.numerator < 0n) throw new Error(`resourceFieldRef: divisor must be positive: "${String(divisor)}"`);
  const q = parseQuantity(quantity);
  if (name === 'cpu') {
    return ceilDiv(ceilScaled(q, 1000n), ceilScaled(div, 1000n)).toString();
  }
  return ceilDiv(ceilScaled(q), ceilScaled(div)).toString();
}

function splitResource(resource: string): ['limits' | 'requests', string] {
  const match = /^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-.+)$/.exec(resource);
  if (!match) throw new Error(`resourceFieldRef: unsupported container resource : "${resource}"`);
  return [match[1] as 'limits' | 'requests', match[2] ?? ''];
}

function nodeAllocatable(name: string, context: EnvContext): number {
  if (name === 'cpu') return context.nodeCpu ?? os.availableParallelism();
  if (name === 'memory') return context.nodeMemoryBytes ?? os.totalmem();
  if (name === 'ephemeral-storage' && context.nodeEphemeralStorageBytes !== undefined)
    return context.nodeEphemeralStorageBytes;
  return 0;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}
