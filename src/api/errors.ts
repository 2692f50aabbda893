// The error taxonomy. The CLI maps each class to an exit code (docs/cli.md#exit-codes) and prints its
// message; a stack trace only with -v.

export class TjobError extends Error {
  /** Exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
  /** Optional one-line hint printed after the message. */
  hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    if (hint !== undefined) this.hint = hint;
  }
}

/** Bad command line: exit 2, nothing created or changed. */
export class UsageError extends TjobError {
  override readonly exitCode = 2;
}

export interface FieldError {
  /** `job.yaml (document 2)`, or `<stdin>`. */
  source: string;
  /** `spec.template.spec.restartPolicy`; empty for document-level errors. */
  path: string;
  message: string;
}

/** Invalid manifest(s): exit 2, every error of every document at once. */
export class ManifestError extends TjobError {
  override readonly exitCode = 2;
  readonly errors: FieldError[];
  constructor(errors: FieldError[], hint?: string) {
    super(errors.map(formatFieldError).join('\n'), hint);
    this.errors = errors;
  }
}

export function formatFieldError(e: FieldError): string {
  const where = e.path ? `${e.path}: ` : '';
  return e.source ? `${e.source}: ${where}${e.message}` : `${where}${e.message}`;
}

/** Something the pods need from the container engine is missing: exit 3, nothing started. */
export class EngineUnavailableError extends TjobError {
  override readonly exitCode = 3;
}

/** The container engine does not answer. */
export class RuntimeUnavailableError extends EngineUnavailableError {}

/** An image is not present and cannot be pulled. */
export class ImageUnavailableError extends EngineUnavailableError {}

/** The Docker network the pods are to join does not exist. */
export class NetworkUnavailableError extends EngineUnavailableError {}

// The rest exit 1, TjobError's code.

export class NotFoundError extends TjobError {}

/** The state directory cannot be read or written as needed. */
export class StateError extends TjobError {}

/** Another process holds the job (or the daemon's) lease. */
export class ConflictError extends TjobError {}

/**
 * Pods of a job whose containers could not be removed: the job's record is kept (deleting it would
 * leave containers nothing tracks), so deleting it again retries them.
 */
export class PodsNotRemovedError extends TjobError {
  constructor(
    job: string,
    readonly failures: { pod: string; message: string }[],
  ) {
    super(
      `job "${job}" is not deleted: ${failures.map((f) => `pod ${f.pod}: ${f.message}`).join('; ')}`,
      `its record is kept; once the container engine answers, run \`tjob delete job ${job}\` again`,
    );
  }
}
