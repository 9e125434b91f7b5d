// Where exo's own files are. From sources this file is generator/exo-root.ts;
// compiled ahead of time (scripts/build-cli.mjs) it runs as
// dist/generator/exo-root.js, one folder deeper, yet reads the same data
// (package.json, kernel-src/, pkgs/) and names the same sources: a build
// must not depend on which of the two ran it.
import { existsSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The compiled tree's folder name, under the root. */
export const DIST_DIR = "dist";

const parent = dirname(dirname(fileURLToPath(import.meta.url)));
/** Whether this process runs exo's compiled JavaScript (dist/) rather than its TypeScript sources. */
export const COMPILED = basename(parent) === DIST_DIR && existsSync(join(parent, "manifest.json"));

/** The folder of exo's package.json. */
export const EXO_ROOT = COMPILED ? dirname(parent) : parent;

/** A path under exo's root. */
export const exoPath = (...parts: string[]): string => join(EXO_ROOT, ...parts);

/** The TypeScript source a compiled file was made from (dist/a/b.js → a/b.ts); any other path as it is. */
export function sourcePath(file: string): string {
  const rel = relative(join(EXO_ROOT, DIST_DIR), file);
  if (rel.startsWith("..") || rel.startsWith(sep) || !rel.endsWith(".js")) return file;
  return join(EXO_ROOT, `${rel.slice(0, -3)}.ts`);
}
