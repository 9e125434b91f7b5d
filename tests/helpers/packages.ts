// A package folder written from a map of file → text, then loaded as any package is.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type LoadedPackage, loadPackage } from "../../generator/packages/manifest.ts";

export async function packageFolder(root: string, name: string, files: Record<string, string>): Promise<LoadedPackage> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, name, path, ".."), { recursive: true });
    await writeFile(join(root, name, path), text);
  }
  return loadPackage(join(root, name));
}
