// Whether dist/ (the ahead-of-time build, scripts/build-cli.mjs) may run:
// only while every source it was compiled from, and every file that shaped
// the build, is as it was stamped. Plain JavaScript: bin/exo.js asks before
// any TypeScript could load.
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const MANIFEST_SCHEMA = "exo.dist/v1";
export const ROOT = new URL("../", import.meta.url);
export const DIST = new URL("../dist/", import.meta.url);

const stampOf = (s) => `${s.size}:${s.mtimeMs}:${s.ino}`;

export function stampSync(file) {
  return stampOf(statSync(file));
}

/** dist/'s manifest when the compiled tree matches the sources; else undefined (run from sources). */
export async function freshDist() {
  if (process.env.EXO_FROM_SOURCES) return undefined;
  let manifest;
  try {
    manifest = JSON.parse(await readFile(new URL("manifest.json", DIST), "utf8"));
  } catch {
    return undefined;
  }
  if (manifest?.schema !== MANIFEST_SCHEMA || manifest.node !== process.versions.node.split(".")[0]) return undefined;
  // Synchronous: a few hundred stat calls cost less one after another than through the thread pool.
  const root = fileURLToPath(ROOT);
  for (const [file, expected] of Object.entries(manifest.stamps)) {
    const s = statSync(join(root, file), { throwIfNoEntry: false });
    if (s === undefined || stampOf(s) !== expected) return undefined;
  }
  return manifest;
}
