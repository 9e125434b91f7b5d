// The content hash of a file tree: every regular file's relative path,
// executable bit, size and SHA-256, sorted by path. Two trees with the same
// hash have the same bytes wherever they live.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { hashJson, sha256File } from "./hash.ts";

export interface TreeEntry {
  readonly path: string;
  readonly executable: boolean;
  readonly size: number;
  readonly sha256: string;
}

export async function listTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  async function walk(rel: string): Promise<void> {
    const abs = rel ? join(root, rel) : root;
    const info = await lstat(abs);
    if (info.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) await walk(rel ? `${rel}/${name}` : name);
    } else if (info.isFile()) {
      entries.push({ path: rel, executable: (info.mode & 0o111) !== 0, size: info.size, sha256: await sha256File(abs) });
    } else {
      throw new Error(`store paths hold only files and directories: ${abs} is neither`);
    }
  }
  await walk("");
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export async function hashTree(root: string): Promise<string> {
  return hashJson(await listTree(root));
}
