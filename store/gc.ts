// Garbage collection: delete every store path that no root reaches, with
// its meta, and the key records that named it.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ExoError } from "../generator/errors.ts";
import { closure } from "./closure.ts";
import { liveRoots } from "./roots.ts";
import { isAlive, type Store } from "./store.ts";

export interface GcResult {
  readonly roots: number;
  readonly kept: number;
  /** Path names deleted (or, in a dry run, that would be). */
  readonly deleted: readonly string[];
  readonly freedBytes: number;
}

export async function collectGarbage(store: Store, opts: { dryRun: boolean }): Promise<GcResult> {
  await store.init();
  // A running build may be about to use a path no root reaches yet: do not race it.
  for (const lock of await readdir(store.dir("locks"))) {
    const pid = Number((await readFile(join(store.dir("locks"), lock), "utf8").catch(() => "")).trim());
    if (isAlive(pid)) throw new ExoError("ERR_EXO_STORE", `a build (pid ${pid}) is running on this store`, "run exo gc when no build is running");
  }
  const roots = await liveRoots(store);
  const live = await closure(store, roots);
  const deleted: string[] = [];
  let freedBytes = 0;
  for (const name of await store.listPaths()) {
    if (live.has(name)) continue;
    deleted.push(name);
    freedBytes += (await store.pathInfo(name))?.size ?? 0;
    if (!opts.dryRun) await store.delete(name);
  }
  if (!opts.dryRun) await dropStaleKeys(store, new Set(deleted));
  return { roots: roots.size, kept: live.size, deleted, freedBytes };
}

async function dropStaleKeys(store: Store, deleted: ReadonlySet<string>): Promise<void> {
  const keys = store.dir("keys");
  for (const fan of await readdir(keys)) {
    for (const key of await readdir(join(keys, fan))) {
      const file = join(keys, fan, key);
      const target = (await readFile(file, "utf8").catch(() => "")).trim();
      if (deleted.has(target)) await rm(file, { force: true });
    }
  }
}
