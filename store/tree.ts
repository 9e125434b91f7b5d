// The content hash of a file tree: every regular file's relative path,
// executable bit, size and SHA-256, sorted by path. Two trees with the same
// hash have the same bytes wherever they live.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { hashJson, sha256File } from "./hash.ts";

const HASH_CONCURRENCY = 4;

export interface TreeEntry {
  readonly path: string;
  readonly executable: boolean;
  readonly size: number;
  readonly sha256: string;
}

export async function listTree(root: string): Promise<TreeEntry[]> {
  const files: { path: string; abs: string; executable: boolean; size: number }[] = [];
  async function walk(rel: string): Promise<void> {
    const abs = rel ? join(root, rel) : root;
    const info = await lstat(abs);
    if (info.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) await walk(rel ? `${rel}/${name}` : name);
    } else if (info.isFile()) {
      files.push({ path: rel, abs, executable: (info.mode & 0o111) !== 0, size: info.size });
    } else {
      throw new Error(`store paths hold only files and directories: ${abs} is neither`);
    }
  }
  await walk("");
  // A few files in flight at once, so reading one overlaps hashing another.
  const entries: TreeEntry[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) {
      const { path, abs, executable, size } = files[i]!;
      entries[i] = { path, executable, size, sha256: await sha256File(abs, size) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, files.length) }, worker));
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export async function hashTree(root: string): Promise<string> {
  return hashJson(await listTree(root));
}
