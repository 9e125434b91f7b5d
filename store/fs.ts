// File helpers of the store: atomic and durable writes, read-only trees
// and their removal. Every write that must survive a crash goes through
// here: data synced before it is renamed or linked into place, and the
// folder synced after, so a power cut cannot reorder them.
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, open, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

export function isCode(e: unknown, code: string): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === code;
}

export async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

/** fsync a folder, so the names created or removed in it reach the disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write a file whole and synced under a temporary name; returns that name, for a rename or link into place. */
export async function writeSynced(file: string, text: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(tmp, "w");
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return tmp;
}

/** Write through a temporary file and a rename: readers see the old content or the new, never a part. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = await writeSynced(file, text);
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dirname(file));
}

/** fsync every file and folder of a tree, so a rename cannot reach the disk before the data. */
export async function syncTree(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isDirectory()) for (const name of await readdir(path)) await syncTree(join(path, name));
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function makeReadOnly(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isDirectory()) {
    for (const name of await readdir(path)) await makeReadOnly(join(path, name));
    await chmod(path, 0o555);
  } else {
    await chmod(path, info.mode & 0o111 ? 0o555 : 0o444);
  }
}

/** Remove a tree even where it was made read-only. */
export async function removeTree(path: string): Promise<void> {
  // Another process (a gc, a leftover cleaner) may be removing the same tree: what vanishes is fine.
  async function writable(p: string): Promise<void> {
    const info = await lstat(p).catch(() => undefined);
    if (!info?.isDirectory()) return;
    await chmod(p, 0o755).catch((e: unknown) => (isCode(e, "ENOENT") ? undefined : Promise.reject(e)));
    for (const name of await readdir(p).catch(() => [] as string[])) await writable(join(p, name));
  }
  await writable(path);
  await rm(path, { recursive: true, force: true });
}
