// A builder's version is the hash of its own source text and of anything
// else it depends on (tools, templates), so a change to any of them
// changes every key it builds.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { hashJson, sha256Hex } from "../../store/hash.ts";

export function builderVersion(moduleUrl: string, extra: unknown = null): string {
  return hashJson({ source: sha256Hex(readFileSync(fileURLToPath(moduleUrl))), extra });
}
