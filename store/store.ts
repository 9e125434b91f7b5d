// The content-addressed store.
//
// Layout under <root>/v1:
//   paths/<hash>-<name>   immutable outputs, named by the hash of their content
//   meta/<hash>-<name>    what a path references and how big it is (JSON)
//   keys/<k2>/<key>       realisations: derivation key -> output path name
//   locks/<key>           a build in progress: the builder's pid
//   logs/<k2>/<key>.log   build logs
//   roots/<id>            garbage-collector roots: links to `result` links and generations
//   tmp/<pid>-<random>    scratch space on the same filesystem, so rename is atomic
//   cache/                what can be computed again: tool identities
//
// A path is either absent or whole: builders write into tmp/, the result is
// synced, hashed and made read-only; its meta file is written first, then
// the directory is renamed into paths/, then the key record is written
// (itself through a temporary file and a rename). A crash at any instant
// leaves at worst unreferenced meta or scratch, which the next process
// removes; never a partial path, and never a key naming a missing path.
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { listTree, type TreeEntry } from "./tree.ts";
import { hashJson } from "./hash.ts";

export const STORE_VERSION = "v1";
export const PATH_INFO_SCHEMA = "exo.path-info/v1";
const HASH_CHARS = 32;
const KINDS = ["paths", "meta", "keys", "locks", "logs", "roots", "tmp", "cache"] as const;
type Kind = (typeof KINDS)[number];

export interface PathInfo {
  readonly schema: typeof PATH_INFO_SCHEMA;
  readonly path: string;
  /** Store paths this one was built from: its inputs. */
  readonly references: readonly string[];
  /** Bytes of all its files. */
  readonly size: number;
  readonly files: number;
}

export class Store {
  readonly root: string;
  private initialised: Promise<void> | undefined;

  constructor(root: string) {
    this.root = resolve(root, STORE_VERSION);
  }

  dir(kind: Kind): string {
    return join(this.root, kind);
  }

  /** Create the layout and remove what crashed processes left behind; once per process. */
  init(): Promise<void> {
    this.initialised ??= (async () => {
      for (const kind of KINDS) await mkdir(this.dir(kind), { recursive: true });
      await this.removeStaleScratch();
    })();
    return this.initialised;
  }

  /** Absolute path of a store path name such as `3f2a...-kernel`. */
  pathOf(name: string): string {
    return join(this.dir("paths"), name);
  }

  keyFile(key: string): string {
    return join(this.dir("keys"), key.slice(0, 2), key);
  }

  logFile(key: string): string {
    return join(this.dir("logs"), key.slice(0, 2), `${key}.log`);
  }

  lockFile(key: string): string {
    return join(this.dir("locks"), key);
  }

  /** The output path name recorded for a derivation key, if it exists and is whole. */
  async lookup(key: string): Promise<string | undefined> {
    let name: string;
    try {
      name = (await readFile(this.keyFile(key), "utf8")).trim();
    } catch {
      return undefined;
    }
    return (await exists(this.pathOf(name))) ? name : undefined; // else: collected; the record is stale
  }

  /** A fresh scratch directory on the store's filesystem, named by this process. */
  async scratch(): Promise<string> {
    const dir = join(this.dir("tmp"), `${process.pid}-${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Move a finished scratch directory into the store under the hash of its
   * content, with the paths it references, and record it as the output of
   * `key`. Returns the path name.
   */
  async add(key: string, name: string, scratchDir: string, references: readonly string[]): Promise<string> {
    await syncTree(scratchDir);
    const entries = await listTree(scratchDir);
    const pathName = `${contentHash(entries)}-${name}`;
    const target = this.pathOf(pathName);
    if (!(await exists(target))) {
      await makeReadOnly(scratchDir);
      const info: PathInfo = {
        schema: PATH_INFO_SCHEMA,
        path: pathName,
        references: [...new Set(references)].sort(),
        size: entries.reduce((sum, e) => sum + e.size, 0),
        files: entries.length,
      };
      await writeAtomic(join(this.dir("meta"), pathName), `${JSON.stringify(info, null, 2)}\n`);
      try {
        await rename(scratchDir, target);
      } catch (e) {
        // The same content arrived meanwhile from a concurrent build: keep the first.
        if (!isCode(e, "ENOTEMPTY") && !isCode(e, "EEXIST")) throw e;
      }
    }
    await this.record(key, pathName);
    return pathName;
  }

  async record(key: string, pathName: string): Promise<void> {
    await writeAtomic(this.keyFile(key), `${pathName}\n`);
  }

  async pathInfo(pathName: string): Promise<PathInfo | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir("meta"), pathName), "utf8")) as PathInfo;
    } catch {
      return undefined;
    }
  }

  async listPaths(): Promise<string[]> {
    return (await readdir(this.dir("paths"))).sort();
  }

  /** Remove a path and its meta, for gc and repair. */
  async delete(pathName: string): Promise<void> {
    await removeTree(this.pathOf(pathName));
    await rm(join(this.dir("meta"), pathName), { force: true });
  }

  /** Scratch and locks of processes that died (kill -9, power loss) are theirs alone: remove them. */
  private async removeStaleScratch(): Promise<void> {
    for (const entry of await readdir(this.dir("tmp"))) {
      const pid = Number(entry.split("-")[0]);
      if (!isAlive(pid)) await removeTree(join(this.dir("tmp"), entry));
    }
    for (const entry of await readdir(this.dir("locks"))) {
      const file = join(this.dir("locks"), entry);
      const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
      // An empty lock is one being written right now; leave it to its owner.
      if (pid && !isAlive(pid)) await rm(file, { force: true });
    }
  }
}

/** A path's name comes from the hash of its file list: paths, modes, sizes and contents. */
export function contentHash(entries: readonly TreeEntry[]): string {
  return hashJson(entries).slice(0, HASH_CHARS);
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return isCode(e, "EPERM");
  }
}

export async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

/** Write through a temporary file and a rename: readers see the old content or the new, never a part. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(join(file, ".."), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(tmp, "w");
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

/** fsync every file and directory, so a rename cannot reach the disk before the data. */
async function syncTree(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isDirectory()) for (const name of await readdir(path)) await syncTree(join(path, name));
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
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

export function isCode(e: unknown, code: string): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === code;
}

