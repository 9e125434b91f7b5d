// Limits shared by the option schemas and the generated C, so the two
// cannot drift: a name the schema accepts always fits the C fields that
// hold it (init's service table, the kernel's spawn), and a longer one is
// refused at evaluation instead of being cut into another name.
import { z } from "zod";

/** Longest package or sandbox policy name, in characters (bytes: names are ASCII). */
export const MAX_NAME = 31;
/** The C macro the generated code sizes its name fields with: `char name[EXO_NAME_MAX + 1]`. */
export const NAME_MAX_MACRO = "EXO_NAME_MAX";
/** The #define line of NAME_MAX_MACRO, emitted into every generated file that holds a name. */
export const nameMaxDefine = `#define ${NAME_MAX_MACRO} ${MAX_NAME}`;

const tooLong = (what: string) => `${what} is at most ${MAX_NAME} characters (the C fields that hold it have room for ${MAX_NAME} and a NUL)`;

/** A sandbox policy's name, as a key of sandbox.policies. */
export const policyName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, "a lower-case policy name: letters, digits and '-', starting with a letter")
  .max(MAX_NAME, tooLong("a policy name"));

/**
 * A reference to a policy (sandbox.defaultPolicy, the values of
 * packages.policies): only its length is checked here, so that a name
 * that is no policy is reported as an unknown policy by the assertions.
 */
export const policyReference = z.string().min(1, "a policy name").max(MAX_NAME, tooLong("a policy name"));

/**
 * A policy name of exactly MAX_NAME characters, defined in self-test builds
 * (modules/selftest.ts): usertest spawns under it, and under it with one
 * character more, which the kernel must refuse rather than cut.
 */
export const LONGEST_POLICY_NAME = "usertest-longest-policy-name-".padEnd(MAX_NAME, "x").slice(0, MAX_NAME);

/** Throw at load time when a built-in name does not fit: a mistake in Exo's own tables, not the user's. */
export function assertNamesFit(what: string, names: readonly string[]): void {
  const long = names.find((n) => n.length > MAX_NAME);
  if (long !== undefined) throw new Error(`${what} "${long}" is longer than MAX_NAME (${MAX_NAME}) in schemas/limits.ts`);
}
