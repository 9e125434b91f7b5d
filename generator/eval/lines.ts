// Lines of definitions in TypeScript modules. A module knows the line of
// its defineModule call; the line of one option inside it is found by
// following the option path's keys through the source text from there.
import { readFileSync } from "node:fs";

const sources = new Map<string, readonly string[] | undefined>();

function linesOf(file: string): readonly string[] | undefined {
  if (!sources.has(file)) {
    try {
      sources.set(file, readFileSync(file, "utf8").split("\n"));
    } catch {
      sources.set(file, undefined);
    }
  }
  return sources.get(file);
}

/** The line (1-based) where `path`'s last key is written, searching key by key from `fromLine`; `fromLine` if not found. */
export function keyLine(file: string, fromLine: number, path: readonly string[]): number {
  const lines = linesOf(file);
  if (!lines || fromLine < 1) return fromLine;
  let at = fromLine - 1;
  for (const key of path) {
    const pattern = new RegExp(`(^|[{,\\s])["']?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*:`);
    let found = -1;
    for (let i = at; i < lines.length; i++) {
      if (pattern.test(lines[i]!)) {
        found = i;
        break;
      }
    }
    if (found < 0) return at + 1;
    at = found;
  }
  return at + 1;
}
