// A value of a ConfigMap or Secret as a pod sees it. Kubernetes keeps ConfigMap binaryData and
// Secret data as bytes ([]byte in k8s.io/api/core/v1/types.go) and writes them to volume files
// unchanged; only an environment variable turns them into a string. Bytes that are UTF-8 text are
// kept as that text (readable in the state directory, as state directories always held them);
// any other bytes as base64, so that no step decodes them to a string and back.

export type ConfigValue = string | { base64: string };

/** The value of these bytes: their text when they are UTF-8, else base64. */
export function configValueOf(bytes: Buffer): ConfigValue {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : { base64: bytes.toString('base64') };
}

/** The bytes of a value, as a volume file holds them. */
export function configValueBytes(value: ConfigValue): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.base64, 'base64');
}

/**
 * The value as a string (an environment variable, what masking looks for in logs): bytes that are
 * not UTF-8 decode with U+FFFD in place of each invalid sequence, as a Go string of them does when
 * it reaches the engine's JSON API.
 */
export function configValueText(value: ConfigValue): string {
  return typeof value === 'string' ? value : Buffer.from(value.base64, 'base64').toString('utf8');
}

/** Name → key → value: the ConfigMaps (or Secrets) a pod can see. */
export type ConfigData = Record<string, Record<string, ConfigValue>>;
