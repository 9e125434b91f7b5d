// File paths as users see them: relative to the working directory when
// inside it, so that messages and outputs never depend on where the
// checkout lives.
import { isAbsolute, relative } from "node:path";

export function displayPath(file: string, base: string = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(base, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
