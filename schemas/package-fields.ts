// The fields a package's manifest and the package set share: names,
// versions, paths and flags. Kept apart from the manifest's schema so that
// evaluating a profile loads neither semver nor the manifest.
import { posix } from "node:path";
import { z } from "zod";
import { MAX_NAME } from "./limits.ts";

/** A package's name: what `packages.install` and `/exo/bin/<name>` use, and init's service table holds. */
export const packageName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, "a lower-case package name: letters, digits and '-', starting with a letter")
  .max(MAX_NAME, `a package name is at most ${MAX_NAME} characters (the C fields that hold it have room for ${MAX_NAME} and a NUL)`);

// semver.org's own expression for a version (2.0.0), without build metadata, which semver ignores in comparisons.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;

/** A version, major.minor.patch; at most MAX_NAME characters, so that `name@version` fits the kernel's policy names. */
export const packageVersion = z
  .string()
  .regex(SEMVER, "a semantic version such as 1.2.0 (major.minor.patch)")
  .max(MAX_NAME, `a version is at most ${MAX_NAME} characters`);

/** A file (or a `*` pattern of files) inside the package's folder: never absolute, never above it. */
export const packagePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.includes("\\") && !p.includes("\0") && !posix.normalize(p).startsWith("..") && !p.split("/").includes(".."), "a path inside the package's folder, with '/' separators and no '..'");

/** A path in the running system, for the sandbox's file-system rules. */
export const guestPath = z
  .string()
  .regex(/^\/[^\0]*$/, "an absolute path in the running system, such as /var/lib/hello")
  .refine((p) => !p.split("/").includes(".."), "a path without '..'");

/** A compiler flag a package may add: warnings, optimisation, the language standard, a macro, an -f switch without a value (no -fplugin=). */
export const compilerFlag = z
  .string()
  .regex(/^-(O[0-3sz]?|W[a-z0-9-]+(=[a-z0-9]+)?|std=[a-z0-9+]+|D[A-Za-z_][A-Za-z0-9_]*(=[A-Za-z0-9_.+-]*)?|f(no-)?[a-z][a-z0-9-]*)$/, "a compiler flag: -O2, -Wall, -std=c11, -DNAME=VALUE or an -f switch without a value");
