// How the CLI reports an exception. A user error (ExoError, or a file the
// machine refused) is `error[CODE]: message` and `hint: ...`, exit 1; any
// other exception is a bug in exo: `internal error: message`, its cause
// chain and the stack, exit 2. Under --json the same report is also one
// exo.error/v1 object on stdout (docs/json.md).
import { type ErrorCode, ExoErrors, INTERNAL_ERROR_CODE, isExoError } from "../errors.ts";
import { displayPath } from "../eval/paths.ts";
import { JSON_SCHEMAS } from "./json.ts";

export interface ErrorJson {
  readonly schema: typeof JSON_SCHEMAS.error;
  readonly code: ErrorCode | typeof INTERNAL_ERROR_CODE;
  readonly message: string;
  readonly hint: string | null;
  readonly exit: 1 | 2;
  /** Every error reported (the first is the one above), and how many more were left out. */
  readonly errors: readonly { readonly code: ErrorCode | typeof INTERNAL_ERROR_CODE; readonly message: string; readonly hint: string | null }[];
  readonly omitted: number;
}

export interface ErrorReport {
  /** What goes to stderr, ending in a newline. */
  readonly text: string;
  /** What --json adds on stdout. */
  readonly json: ErrorJson;
  readonly exit: 1 | 2;
}

/** The report of an exception; `showTrace` adds the stack (and the causes' stacks) to a user error. */
export function describeError(e: unknown, options: { showTrace?: boolean } = {}): ErrorReport {
  const user = userError(e);
  if (user) {
    // Several independent errors of one profile: each as a block of its own, then how many.
    const all = e instanceof ExoErrors ? e.errors.map((x) => userError(x)!) : [user];
    const omitted = e instanceof ExoErrors ? e.omitted : 0;
    const lines = all.flatMap((u) => [`error[${u.code}]: ${u.message}`, ...(u.hint ? [`hint: ${u.hint}`] : [])]);
    if (all.length > 1) lines.push(`${all.length + omitted} errors${omitted ? ` (the first ${all.length} shown)` : ""}; fix them and run the command again`);
    if (options.showTrace) lines.push(...traces(e));
    const errors = all.map((u) => ({ code: u.code, message: u.message, hint: u.hint ?? null }));
    return { text: `${lines.join("\n")}\n`, exit: 1, json: { schema: JSON_SCHEMAS.error, code: user.code, message: user.message, hint: user.hint ?? null, exit: 1, errors, omitted } };
  }
  const message = headline(e);
  const hint = "this is a bug in exo, not in your profile: please report it with the text below";
  const lines = [`internal error: ${message}`, ...causes(e).map((c) => `caused by: ${headline(c)}`), `hint: ${hint}`, ...traces(e)];
  const json: ErrorJson = { schema: JSON_SCHEMAS.error, code: INTERNAL_ERROR_CODE, message, hint, exit: 2, errors: [{ code: INTERNAL_ERROR_CODE, message, hint }], omitted: 0 };
  return { text: `${lines.join("\n")}\n`, exit: 2, json };
}

/** Write the report (stderr; with `json`, stdout too) and return the exit status. */
export function reportError(e: unknown, options: { showTrace?: boolean; json?: boolean } = {}): 1 | 2 {
  const report = describeError(e, options);
  process.stderr.write(report.text);
  // One line, so that it also ends a stream of JSON lines (exo build --json) readably.
  if (options.json) process.stdout.write(`${JSON.stringify(report.json)}\n`);
  return report.exit;
}

interface UserError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string | undefined;
}

function userError(e: unknown): UserError | undefined {
  if (isExoError(e)) return { code: e.code, message: e.message, hint: e.hint };
  const fault = fileFault(e);
  return fault && { code: "ERR_EXO_FILE_SYSTEM", ...fault };
}

/**
 * Faults of the machine rather than of exo: a full disk, a read-only file
 * system, a permission. They are the user's to fix, so they get a message
 * naming the file and a hint, not a stack trace.
 */
function fileFault(e: unknown): { message: string; hint: string } | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  if (typeof err?.code !== "string" || typeof err.path !== "string") return undefined;
  const file = displayPath(err.path);
  switch (err.code) {
    case "ENOSPC":
    case "EDQUOT":
      return { message: `no space left to write ${file}`, hint: "free some space (`exo gc` deletes what no root reaches), then run the command again" };
    case "EROFS":
      return { message: `${file} is on a read-only file system`, hint: "use a store and project folder on a writable file system (--store DIR)" };
    case "EACCES":
    case "EPERM":
      return { message: `permission denied: ${file}`, hint: "check the owner and mode of that file or folder; a store belongs to the user who builds into it" };
    default:
      return undefined;
  }
}

/** `message`, or `TypeError: message` for an error of another class than Error; a thrown non-error as text. */
function headline(e: unknown): string {
  if (!(e instanceof Error)) return typeof e === "string" ? e : safeString(e);
  const name = e.name && e.name !== "Error" ? `${e.name}: ` : "";
  return `${name}${e.message}`;
}

/** The chain of `cause`s below an exception, without repeats (a cycle ends it). */
function causes(e: unknown): unknown[] {
  const chain: unknown[] = [];
  const seen = new Set<unknown>([e]);
  let current = e;
  while (current instanceof Error && current.cause !== undefined && !seen.has(current.cause) && chain.length < 16) {
    current = current.cause;
    seen.add(current);
    chain.push(current);
  }
  return chain;
}

/** The stack of the exception, then each cause's, headed `caused by:`. */
function traces(e: unknown): string[] {
  const stackOf = (x: unknown): string => (x instanceof Error && x.stack ? x.stack : headline(x));
  return [stackOf(e), ...causes(e).map((c) => `caused by: ${stackOf(c)}`)];
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
