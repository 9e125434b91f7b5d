// Which generated headers a generated source file includes, directly or
// through other headers. Each compile derivation takes exactly these as
// inputs, so a header change recompiles only the files that include it.
import { posix } from "node:path";
import type { GeneratedFile } from "../../kernel-src/input.ts";

const INCLUDE = /^\s*#\s*include\s+"([^"]+)"/gm;

export function includedHeaders(source: GeneratedFile, files: readonly GeneratedFile[], includeDir: string): string[] {
  const byPath = new Map(files.map((f) => [f.path, f] as const));
  const found = new Set<string>();
  const visit = (file: GeneratedFile): void => {
    for (const match of file.text.matchAll(INCLUDE)) {
      const name = match[1]!;
      // Quoted includes resolve beside the including file first, then in the include directory.
      const candidates = [posix.join(posix.dirname(file.path), name), posix.join(includeDir, name)];
      const header = candidates.map((c) => byPath.get(c)).find((f) => f !== undefined);
      if (header && !found.has(header.path)) {
        found.add(header.path);
        visit(header);
      }
    }
  };
  visit(source);
  return [...found].sort();
}
