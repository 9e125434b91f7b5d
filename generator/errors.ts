// One error class for everything the user can fix. The CLI prints message
// and hint and exits 1; any other exception is an internal fault (exit 2).

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
  | "ERR_EXO_ASSERTION"
  | "ERR_EXO_CONFIG_INVALID"
  | "ERR_EXO_TOOL_MISSING"
  | "ERR_EXO_BUILD_FAILED"
  | "ERR_EXO_NOT_REPRODUCIBLE"
  | "ERR_EXO_STORE"
  | "ERR_EXO_KEY"
  | "ERR_EXO_VERIFY"
  | "ERR_EXO_IMAGE_INVALID"
  | "ERR_EXO_BOOT"
  | "ERR_EXO_GENERATION";

export class ExoError extends Error {
  override readonly name = "ExoError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function isExoError(e: unknown): e is ExoError {
  return e instanceof ExoError;
}
