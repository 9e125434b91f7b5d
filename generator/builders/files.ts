// File helpers shared by the image builders.
import { lstat, readdir, utimes } from "node:fs/promises";
import { join } from "node:path";

/** Give every file and folder under `dir` the same modification time, for tools that copy times into images. */
export async function stampTree(dir: string, epochSeconds: number): Promise<void> {
  const info = await lstat(dir);
  if (info.isDirectory()) for (const name of await readdir(dir)) await stampTree(join(dir, name), epochSeconds);
  await utimes(dir, epochSeconds, epochSeconds);
}

/** Every regular file under `dir`, as sorted relative paths. */
export async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(dir, prefix))).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if ((await lstat(join(dir, rel))).isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}
