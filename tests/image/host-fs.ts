// File systems other than the one the tests run on, for builds that must not
// depend on where the store lives: a tmpfs (mounted when running as root,
// else /dev/shm when that is one) and disorderfs, a FUSE file system that
// lists every directory in an order of its choosing.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Place {
  readonly dir: string;
  /** How it was made, for the test log. */
  readonly what: string;
  release(): Promise<void>;
}

function sh(command: string, args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, [...args], { timeout: 30_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 99) : 0, stderr: String(stderr) });
    });
  });
}

/** The file system type of the mount holding `dir` (the longest mount point that contains it). */
async function fsType(dir: string): Promise<string | null> {
  const mounts = (await readFile("/proc/mounts", "utf8")).split("\n").map((l) => l.split(" "));
  let best: { point: string; type: string } | null = null;
  for (const [, point, type] of mounts) {
    if (!point || !type) continue;
    if ((dir === point || dir.startsWith(point.endsWith("/") ? point : `${point}/`)) && (!best || point.length > best.point.length)) best = { point, type };
  }
  return best?.type ?? null;
}

/** A fresh empty folder on a tmpfs, or a reason why there is none. */
export async function tmpfsDir(): Promise<Place | string> {
  const reasons: string[] = [];
  if (process.getuid?.() === 0) {
    const dir = await mkdtemp(join(tmpdir(), "exo-tmpfs-"));
    const r = await sh("mount", ["-t", "tmpfs", "-o", "size=2g,mode=0755", "exo-test", dir]);
    if (r.code === 0) {
      return { dir, what: `a tmpfs mounted at ${dir}`, release: async () => { await sh("umount", [dir]); await rm(dir, { recursive: true, force: true }); } };
    }
    reasons.push(`mount -t tmpfs failed: ${r.stderr.trim()}`);
    await rm(dir, { recursive: true, force: true });
  } else {
    reasons.push("not root, so no tmpfs can be mounted");
  }
  if ((await fsType("/dev/shm")) === "tmpfs") {
    const dir = await mkdtemp("/dev/shm/exo-test-");
    return { dir, what: `${dir} (/dev/shm is a tmpfs)`, release: () => rm(dir, { recursive: true, force: true }) };
  }
  reasons.push("/dev/shm is not a tmpfs");
  return reasons.join("; ");
}

/** Which order disorderfs gives each directory listing. */
export type DirentOrder = "sorted" | "reverse-sorted";

/**
 * `lower` seen through disorderfs, every directory listed in name order or
 * its reverse, whatever order `lower`'s file system keeps (both
 * deterministic, unlike --shuffle-dirents, so a build that follows the
 * listing order differs between the two every time), or a reason why
 * disorderfs cannot be used here.
 */
export async function disorderfs(lower: string, order: DirentOrder): Promise<Place | string> {
  if (!existsSync("/dev/fuse")) return "no /dev/fuse";
  const binary = ["/usr/bin/disorderfs", "/usr/local/bin/disorderfs"].find((p) => existsSync(p));
  if (!binary) return "disorderfs is not installed (Debian package disorderfs)";
  const dir = await mkdtemp(join(tmpdir(), "exo-disorderfs-"));
  const r = await sh(binary, ["--quiet", "--sort-dirents=yes", `--reverse-dirents=${order === "reverse-sorted" ? "yes" : "no"}`, "--shuffle-dirents=no", lower, dir]);
  if (r.code !== 0 || (await fsType(dir)) === null || !(await fsType(dir))!.startsWith("fuse")) {
    await sh("fusermount", ["-u", dir]);
    await rm(dir, { recursive: true, force: true });
    return `disorderfs failed: ${r.stderr.trim() || `exit ${r.code}`}`;
  }
  return {
    dir,
    what: `disorderfs (${order} directory listings) over ${lower} at ${dir}`,
    release: async () => {
      const u = await sh("fusermount", ["-u", dir]);
      if (u.code !== 0) await sh("umount", ["-l", dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A folder for a store: on a tmpfs, seen through disorderfs, when each can be had; `why` says what could not. */
export async function foreignStore(order: DirentOrder, places: Place[]): Promise<{ dir: string; what: string[]; why: string[] } | null> {
  const what: string[] = [];
  const why: string[] = [];
  const tmpfs = await tmpfsDir();
  let lower: string;
  if (typeof tmpfs === "string") {
    why.push(`no tmpfs: ${tmpfs}`);
    lower = await mkdtemp(join(tmpdir(), "exo-lower-"));
  } else {
    places.push(tmpfs);
    what.push(tmpfs.what);
    lower = tmpfs.dir;
  }
  await mkdir(lower, { recursive: true });
  const disorder = await disorderfs(lower, order);
  if (typeof disorder === "string") {
    why.push(`no disorderfs: ${disorder}`);
    if (what.length) return { dir: lower, what, why };
    await rm(lower, { recursive: true, force: true });
    return null;
  }
  places.push(disorder);
  what.push(disorder.what);
  return { dir: disorder.dir, what, why };
}

/** Release places in the reverse order they were made (disorderfs before the tmpfs under it). */
export async function releaseAll(places: Place[]): Promise<void> {
  for (const place of places.splice(0).reverse()) await place.release();
}
