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

const patterns = new Map<string, RegExp>();

/** `key:` written as an object key, quoted or not: compiled once per key (a large system has thousands of definitions). */
function keyPattern(key: string): RegExp {
  let pattern = patterns.get(key);
  if (!pattern) {
    pattern = new RegExp(`(^|[{,\\s])["']?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*:`);
    patterns.set(key, pattern);
  }
  return pattern;
}

/** The line (1-based) where `path`'s last key is written, searching key by key from `fromLine`; `fromLine` if not found. */
export function keyLine(file: string, fromLine: number, path: readonly string[]): number {
  const lines = linesOf(file);
  if (!lines || fromLine < 1) return fromLine;
  let at = fromLine - 1;
  for (const key of path) {
    const pattern = keyPattern(key);
    let found = -1;
    for (let i = at; i < lines.length; i++) {
      // Most lines do not hold the key at all: a plain search skips them before the pattern runs.
      if (lines[i]!.includes(key) && pattern.test(lines[i]!)) {
        found = i;
        break;
      }
    }
    if (found < 0) return at + 1;
    at = found;
  }
  return at + 1;
}
