// One error class for everything the user can fix. The CLI prints
// `error[CODE]: message` and `hint: ...` and exits 1; any other exception is
// an internal fault (`internal error: ...`, exit 2). Under --json both also
// go to stdout as one exo.error/v1 object (docs/json.md).

export type ErrorCode =
  | "ERR_EXO_USAGE"
  | "ERR_EXO_PROFILE_NOT_FOUND"
  | "ERR_EXO_PROFILE_INVALID"
  | "ERR_EXO_IMPORT_CYCLE"
  | "ERR_EXO_OPTION_UNKNOWN"
  | "ERR_EXO_OPTION_TYPE"
  | "ERR_EXO_OPTION_CONFLICT"
  | "ERR_EXO_OPTION_DECLARED_TWICE"
  | "ERR_EXO_OPTION_READ_ONLY"
  | "ERR_EXO_OPTION_RECURSION"
  | "ERR_EXO_EVAL_TIMEOUT"
  | "ERR_EXO_OPTION_UNDEFINED"
  | "ERR_EXO_OPTION_REMOVED"
  | "ERR_EXO_ASSERTION"
  | "ERR_EXO_PACKAGE_INVALID"
  | "ERR_EXO_PACKAGE_NOT_FOUND"
  | "ERR_EXO_CONFIG_INVALID"
  | "ERR_EXO_TOOL_MISSING"
  | "ERR_EXO_BUILD_FAILED"
  | "ERR_EXO_NOT_REPRODUCIBLE"
  | "ERR_EXO_STORE"
  | "ERR_EXO_KEY"
  | "ERR_EXO_VERIFY"
  | "ERR_EXO_IMAGE_INVALID"
  | "ERR_EXO_BOOT"
  | "ERR_EXO_GENERATION"
  // An OCI registry refused or failed (ERR_EXO_REGISTRY), sent bytes that are not the
  // digest asked for (ERR_EXO_REGISTRY_DIGEST), or a binary cache's record or archive was refused.
  | "ERR_EXO_REGISTRY"
  | "ERR_EXO_REGISTRY_DIGEST"
  | "ERR_EXO_CACHE_REFUSED"
  // The machine refused a file operation exo cannot do without: a full disk,
  // a read-only file system, a permission.
  | "ERR_EXO_FILE_SYSTEM";

/** The code an internal fault (an exception that is not an ExoError) reports under --json. */
export const INTERNAL_ERROR_CODE = "ERR_EXO_INTERNAL";

export class ExoError extends Error {
  override readonly name = "ExoError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    // The cause (what a profile threw, say) is shown by --show-trace, never in the message.
    super(message, options);
  }
}

/** Most errors of one evaluation reported together; the rest are counted. */
export const MAX_REPORTED_ERRORS = 10;

/**
 * Several independent errors, reported together so that one run shows them all (as a compiler
 * does): the first is this error's code, message and hint; `errors` holds every one, in order.
 */
export class ExoErrors extends ExoError {
  constructor(
    readonly errors: readonly ExoError[],
    /** How many more there were beyond those listed. */
    readonly omitted: number,
  ) {
    super(errors[0]!.code, errors[0]!.message, errors[0]!.hint);
  }

  /** One error as itself; several as an ExoErrors of at most MAX_REPORTED_ERRORS. */
  static of(errors: readonly ExoError[]): ExoError {
    if (errors.length === 1) return errors[0]!;
    return new ExoErrors(errors.slice(0, MAX_REPORTED_ERRORS), Math.max(0, errors.length - MAX_REPORTED_ERRORS));
  }
}

export function isExoError(e: unknown): e is ExoError {
  return e instanceof ExoError;
}
