// The two ways talking to a registry fails that a user can act on. Neither
// message ever holds a credential: the registry's own words pass through
// Registry's redaction before they get here.
import { ExoError } from "../errors.ts";

/** A registry refused or failed: the message names HOST/REPO, the operation and the HTTP status or distribution error code; the hint says what to do. */
export class RegistryError extends ExoError {
  /** A failure that may pass: a broken connection, a stall, a 5xx, a lost upload session. */
  readonly transient: boolean;

  constructor(message: string, hint?: string, options?: { cause?: unknown; transient?: boolean }) {
    super("ERR_EXO_REGISTRY", message, hint, options?.cause === undefined ? undefined : { cause: options.cause });
    this.transient = options?.transient === true;
  }
}

/** Bytes whose sha256 is not the digest asked for: tampered with, or corrupt, in the registry or on the way. */
export class DigestMismatch extends ExoError {
  constructor(
    /** HOST/REPO */
    readonly registry: string,
    readonly expected: string,
    readonly actual: string,
    what = "blob",
  ) {
    super(
      "ERR_EXO_REGISTRY_DIGEST",
      `${registry}: the ${what} ${expected} it sent has the digest ${actual}: it was tampered with or is corrupt`,
      "nothing was kept; if it persists, the registry's copy is damaged: push it again from a machine that has it",
    );
  }
}
