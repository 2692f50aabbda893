// Timestamps as the API server writes them: RFC 3339, UTC, whole seconds.

export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** With milliseconds, for records where order within a second matters. */
export function rfc3339Milli(date: Date): string {
  return date.toISOString();
}
