// The content-addressed store.
//
// Layout under <root>/v1:
//   paths/<hash>-<name>   immutable outputs, named by the hash of their content
//   keys/<k2>/<key>       realisations: derivation key -> output path name
//   tmp/                  scratch space on the same filesystem, so rename is atomic
//
// A path is either absent or whole: builders write into tmp/, the result is
// hashed, made read-only and renamed into paths/. Only then is the key
// record written (itself through a temporary file and a rename), so a crash
// at any instant leaves at worst an unreferenced path or stray scratch.
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { hashTree } from "./tree.ts";

export const STORE_VERSION = "v1";
const HASH_CHARS = 32;

export class Store {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root, STORE_VERSION);
  }

  private dir(kind: "paths" | "keys" | "tmp"): string {
    return join(this.root, kind);
  }

  async init(): Promise<void> {
    for (const kind of ["paths", "keys", "tmp"] as const) await mkdir(this.dir(kind), { recursive: true });
  }

  /** Absolute path of a store path name such as `3f2a...-kernel`. */
  pathOf(name: string): string {
    return join(this.dir("paths"), name);
  }

  private keyFile(key: string): string {
    return join(this.dir("keys"), key.slice(0, 2), key);
  }

  /** The output path name recorded for a derivation key, if it exists and is whole. */
  async lookup(key: string): Promise<string | undefined> {
    let name: string;
    try {
      name = (await readFile(this.keyFile(key), "utf8")).trim();
    } catch {
      return undefined;
    }
    try {
      await lstat(this.pathOf(name));
      return name;
    } catch {
      return undefined; // the path was collected; the record is stale
    }
  }

  /** A fresh scratch directory on the store's filesystem. */
  async scratch(): Promise<string> {
    const dir = join(this.dir("tmp"), `${process.pid}-${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Move a finished scratch directory into the store under the hash of its
   * content and record it as the output of `key`. Returns the path name.
   */
  async add(key: string, name: string, scratchDir: string): Promise<string> {
    const pathName = `${(await hashTree(scratchDir)).slice(0, HASH_CHARS)}-${name}`;
    const target = this.pathOf(pathName);
    await makeReadOnly(scratchDir);
    try {
      await rename(scratchDir, target);
    } catch (e) {
      // Same content already present (built before, or by a concurrent build): keep the first.
      if (!isCode(e, "ENOTEMPTY") && !isCode(e, "EEXIST")) throw e;
      await removeTree(scratchDir);
    }
    await this.record(key, pathName);
    return pathName;
  }

  private async record(key: string, pathName: string): Promise<void> {
    const file = this.keyFile(key);
    await mkdir(join(file, ".."), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(tmp, `${pathName}\n`);
    await rename(tmp, file);
  }
}

async function makeReadOnly(path: string): Promise<void> {
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
  async function writable(p: string): Promise<void> {
    const info = await lstat(p).catch(() => undefined);
    if (!info?.isDirectory()) return;
    await chmod(p, 0o755);
    for (const name of await readdir(p)) await writable(join(p, name));
  }
  await writable(path);
  await rm(path, { recursive: true, force: true });
}

function isCode(e: unknown, code: string): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === code;
}
