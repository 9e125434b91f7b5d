// The content-addressed store.
//
// Layout under <root>/v1:
//   paths/<hash>-<name>   immutable outputs, named by the hash of their content and references
//   meta/<hash>-<name>    what a path references and how big it is (JSON)
//   valid/<hash>-<name>   present only while the path is valid: written last when a path is
//                         added, removed first when it is deleted
//   keys/<k2>/<key>       realisations: derivation key -> output path name
//   locks/<key>           build locks (flock.ts): held by a child of the builder, gone with it
//   gc.lock               held exclusively by gc, shared by a build that must wait for it
//   temproots/<pid>-<r>   temporary roots of running processes (temp-roots.ts)
//   logs/<k2>/<key>.log   build logs
//   roots/<id>            garbage-collector roots: links to `result` links and generations
//   tmp/<pid>-<random>    scratch space on the same filesystem, so rename is atomic
//   trash/<name>.<r>      paths gc has taken out of paths/, being deleted
//   cache/                what can be computed again: tool identities
//
// A path is valid only while valid/ says so, and lookups check validity,
// not existence. Adding: build in tmp/, sync, hash, make read-only, write
// meta, rename into paths/, mark valid, record the key. Deleting (gc.ts):
// mark invalid, drop the keys, then move to trash/ and delete. A crash at
// any instant leaves at worst an invalid path, unreferenced meta, scratch or
// trash, which later processes remove; never a valid partial path, and
// never a key naming a missing path.
import { constants } from "node:fs";
import { access, chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { ExoError } from "../generator/errors.ts";
import { crashPoint } from "./crash.ts";
import { lockFile } from "./flock.ts";
import { exists, isCode, makeReadOnly, removeTree, syncDir, syncTree, writeAtomic } from "./fs.ts";
import { hashJson } from "./hash.ts";
import { TempRoots } from "./temp-roots.ts";
import { listTree, type TreeEntry } from "./tree.ts";

export { exists, isCode, removeTree, writeAtomic } from "./fs.ts";

export const STORE_VERSION = "v1";
export const PATH_INFO_SCHEMA = "exo.path-info/v1";
const HASH_CHARS = 32;
const KINDS = ["paths", "meta", "valid", "keys", "locks", "temproots", "logs", "roots", "tmp", "trash", "cache"] as const;
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
  private writable = true;
  private tempRoots: Promise<TempRoots> | undefined;

  constructor(root: string) {
    this.root = resolve(root, STORE_VERSION);
  }

  dir(kind: Kind): string {
    return join(this.root, kind);
  }

  get gcLockFile(): string {
    return join(this.root, "gc.lock");
  }

  /** Create the layout and finish what crashed processes left behind; once per process. */
  init(): Promise<void> {
    this.initialised ??= (async () => {
      const firstValidity = !(await exists(this.dir("valid"))) && (await exists(this.dir("paths")));
      try {
        for (const kind of KINDS) await mkdir(this.dir(kind), { recursive: true });
        await access(this.root, constants.W_OK);
      } catch (e) {
        if (!isCode(e, "EACCES") && !isCode(e, "EPERM") && !isCode(e, "EROFS")) throw e;
        // A read-only store still answers lookups: a fully cached build works on it.
        if (!(await exists(this.dir("paths")))) throw await notWritable(this.root, e);
        this.writable = false;
        return;
      }
      if (firstValidity) await this.markExistingValid();
      await this.removeLeftovers();
    })();
    return this.initialised;
  }

  /** Fail with a clear error when the store cannot be written: `what` is what needed it. */
  async requireWritable(what: string): Promise<void> {
    await this.init();
    if (!this.writable) throw await notWritable(this.root, new Error(`${what} needs to write to it`));
  }

  get isWritable(): boolean {
    return this.writable;
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

  /** A path that was added whole and has not been marked for deletion. */
  async isValid(name: string): Promise<boolean> {
    return (await exists(join(this.dir("valid"), name))) && (await exists(this.pathOf(name)));
  }

  /**
   * Keep `name` from gc for as long as this process lives (a temporary root).
   * Call it before checking that the path is valid, then use it only if it is.
   */
  async protect(name: string): Promise<void> {
    await this.init();
    if (!this.writable) return; // nothing is ever deleted from a store nobody can write
    this.tempRoots ??= TempRoots.open(this.dir("temproots"));
    await (await this.tempRoots).add(name);
  }

  /** The output path recorded for a derivation key, if it is valid; protected from gc from then on. */
  async lookup(key: string): Promise<string | undefined> {
    let name: string;
    try {
      name = (await readFile(this.keyFile(key), "utf8")).trim();
    } catch {
      return undefined;
    }
    await this.protect(name);
    return (await this.isValid(name)) ? name : undefined; // else: collected, or being collected
  }

  /** A fresh scratch directory on the store's filesystem, named by this process. */
  async scratch(): Promise<string> {
    await this.requireWritable("a build");
    const dir = join(this.dir("tmp"), `${process.pid}-${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Move a finished scratch directory into the store under the hash of its
   * content and references, and record it as the output of `key`. Returns
   * the path name.
   */
  async add(key: string, name: string, scratchDir: string, references: readonly string[]): Promise<string> {
    const pathName = await this.addTree(name, scratchDir, references);
    await this.record(key, pathName);
    return pathName;
  }

  /**
   * Move a finished scratch directory into the store under the hash of its content and references,
   * recording no key (a path copied from elsewhere). `expected`, when given, is the name the
   * path must get: anything else is refused before the store changes.
   */
  async addTree(name: string, scratchDir: string, references: readonly string[], expected?: string): Promise<string> {
    await syncTree(scratchDir);
    const entries = await listTree(scratchDir);
    const refs = [...new Set(references)].sort();
    const pathName = `${contentHash(entries, refs)}-${name}`;
    if (expected !== undefined && pathName !== expected) throw new ContentMismatch(expected, pathName);
    await this.protect(pathName);
    if (!(await this.isValid(pathName))) {
      const info: PathInfo = { schema: PATH_INFO_SCHEMA, path: pathName, references: refs, size: entries.reduce((sum, e) => sum + e.size, 0), files: entries.length };
      if (await exists(this.pathOf(pathName))) {
        // Present but not valid: being deleted by a gc (wait for it to end), or left by a crash before it was marked.
        const gc = await lockFile(this.gcLockFile, { shared: true, wait: true });
        try {
          if (await exists(this.pathOf(pathName))) await this.markValid(pathName, info);
          else await this.moveIn(scratchDir, pathName, info);
        } finally {
          await gc?.release();
        }
      } else {
        await this.moveIn(scratchDir, pathName, info);
      }
    }
    return pathName;
  }

  /** Every derivation key recorded for one of `paths`, sorted: what a cache needs to answer for them. */
  async keysFor(paths: ReadonlySet<string>): Promise<{ key: string; path: string }[]> {
    const found: { key: string; path: string }[] = [];
    for (const shard of (await readdir(this.dir("keys"))).sort()) {
      for (const key of (await readdir(join(this.dir("keys"), shard))).sort()) {
        const path = (await readFile(join(this.dir("keys"), shard, key), "utf8").catch(() => "")).trim();
        if (paths.has(path)) found.push({ key, path });
      }
    }
    return found;
  }

  /** Meta, then the path (one rename), then its validity. */
  private async moveIn(scratchDir: string, pathName: string, info: PathInfo): Promise<void> {
    // Everything inside is made read-only now; the folder itself only after the rename,
    // because moving a folder to a new parent needs write permission on it (only root skips that check).
    for (const child of await readdir(scratchDir)) await makeReadOnly(join(scratchDir, child));
    await writeAtomic(join(this.dir("meta"), pathName), `${JSON.stringify(info, null, 2)}\n`);
    crashPoint("add:after-meta");
    try {
      await rename(scratchDir, this.pathOf(pathName));
      crashPoint("add:after-rename");
      await chmod(this.pathOf(pathName), 0o555);
      await syncDir(this.dir("paths"));
    } catch (e) {
      // The same content arrived meanwhile from a concurrent build: keep the first.
      if (!isCode(e, "ENOTEMPTY") && !isCode(e, "EEXIST")) throw e;
    }
    await this.markValid(pathName, info);
    crashPoint("add:after-valid");
  }

  private async markValid(pathName: string, info: PathInfo): Promise<void> {
    if (!(await exists(join(this.dir("meta"), pathName)))) await writeAtomic(join(this.dir("meta"), pathName), `${JSON.stringify(info, null, 2)}\n`);
    await writeFile(join(this.dir("valid"), pathName), "");
    await syncDir(this.dir("valid"));
  }

  async record(key: string, pathName: string): Promise<void> {
    await writeAtomic(this.keyFile(key), `${pathName}\n`);
    crashPoint("add:after-key");
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

  /** Mark a path invalid: the first step of deleting it. Lookups stop returning it at once. */
  async invalidate(pathName: string): Promise<void> {
    await rm(join(this.dir("valid"), pathName), { force: true });
    await syncDir(this.dir("valid"));
  }

  /** Undo `invalidate` for a path gc found still in use; it was never moved. */
  async restoreValid(pathName: string): Promise<void> {
    await writeFile(join(this.dir("valid"), pathName), "");
    await syncDir(this.dir("valid"));
  }

  /** Remove an invalidated path and its meta: out of paths/ by one rename, then deleted from trash/. */
  async delete(pathName: string): Promise<void> {
    await this.invalidate(pathName);
    await rm(join(this.dir("meta"), pathName), { force: true });
    const trash = join(this.dir("trash"), `${pathName}.${randomBytes(4).toString("hex")}`);
    try {
      // Moving a folder to another parent rewrites its `..`: it must be writable (root alone skips the check).
      await chmod(this.pathOf(pathName), 0o755);
      await rename(this.pathOf(pathName), trash);
    } catch (e) {
      if (!isCode(e, "ENOENT")) throw e;
      return;
    }
    crashPoint("gc:in-trash");
    await removeTree(trash);
  }

  /** Paths of a store from before validity records: all that have meta were added whole. */
  private async markExistingValid(): Promise<void> {
    for (const name of await this.listPaths()) {
      if (await exists(join(this.dir("meta"), name))) await writeFile(join(this.dir("valid"), name), "");
    }
  }

  /** Scratch of processes that died (kill -9, power loss), and trash a killed gc left. */
  private async removeLeftovers(): Promise<void> {
    for (const entry of await readdir(this.dir("tmp"))) {
      const pid = Number(entry.split("-")[0]);
      if (!isAlive(pid)) await removeTree(join(this.dir("tmp"), entry));
    }
    for (const entry of await readdir(this.dir("trash"))) await removeTree(join(this.dir("trash"), entry));
  }
}

/**
 * A path's name comes from the hash of its file list (paths, modes, sizes
 * and contents) and of the paths it references, so its meta is a function
 * of its name: the same bytes built from other inputs are another path,
 * and no build order decides what a path references.
 */
export function contentHash(entries: readonly TreeEntry[], references: readonly string[]): string {
  return (references.length ? hashJson({ entries, references }) : hashJson(entries)).slice(0, HASH_CHARS);
}

/** Content that does not hash to the name it was announced under (a copy from a cache). */
export class ContentMismatch extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the content hashes to ${actual}, not ${expected}`);
  }
}

/**
 * A store belongs to the user who builds into it: its paths, locks and
 * scratch folders are theirs. Several users share images by copying them
 * out (exo verify checks them anywhere), never by writing one store.
 */
async function notWritable(root: string, e: unknown): Promise<ExoError> {
  const owner = await stat(root).then((s) => `; it is owned by uid ${s.uid}`, () => "");
  const uid = process.getuid?.();
  return new ExoError(
    "ERR_EXO_STORE",
    `the store ${root} is not writable by this user${uid !== undefined ? ` (uid ${uid})` : ""}${owner}: ${(e as Error).message}`,
    "each user builds into a store of their own (--store DIR, EXO_STORE, or `store` in exo.config.ts); share images by copying the result, which exo verify checks",
  );
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
