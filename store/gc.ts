// Garbage collection: delete every store path that neither a root nor a
// running process (its temporary roots) reaches. Under the GC lock, in two
// phases, so that a kill at any instant leaves a consistent store:
//   1. mark every unreachable path invalid (lookups stop returning it), read
//      the temporary roots again and give back what a process took meanwhile;
//   2. drop the keys that name the doomed paths, then delete each, referrers
//      before what they reference: meta, one rename into trash/, removal.
// A killed gc leaves invalid paths, which the next gc deletes, and trash,
// which the next process removes.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { closure } from "./closure.ts";
import { crashPoint } from "./crash.ts";
import { lockFile } from "./flock.ts";
import { liveRoots } from "./roots.ts";
import type { Store } from "./store.ts";
import { liveTempRoots } from "./temp-roots.ts";

export interface GcResult {
  readonly roots: number;
  readonly kept: number;
  /** Path names deleted (or, in a dry run, that would be). */
  readonly deleted: readonly string[];
  readonly freedBytes: number;
}

export interface GcOptions {
  readonly dryRun: boolean;
  readonly onWait?: () => void;
  /** Run first under the GC lock, e.g. to drop roots that a layer above knows are stale. */
  readonly underLock?: (() => Promise<void>) | undefined;
}

export async function collectGarbage(store: Store, opts: GcOptions): Promise<GcResult> {
  await store.requireWritable("exo gc");
  const lock = (await lockFile(store.gcLockFile, { wait: true, ...(opts.onWait ? { onWait: opts.onWait } : {}) }))!;
  try {
    await opts.underLock?.();
    const roots = await liveRoots(store);
    const reachable = async () => closure(store, [...roots, ...(await liveTempRoots(store.dir("temproots")))]);
    const live = await reachable();
    const unreachable = (await store.listPaths()).filter((name) => !live.has(name));
    if (opts.dryRun) return { roots: roots.size, kept: live.size, deleted: unreachable, freedBytes: await sizeOf(store, unreachable) };

    for (const name of unreachable) await store.invalidate(name);
    crashPoint("gc:after-invalidate");
    // A process may have taken one of them as a temporary root before it saw it invalid: it keeps it.
    const stillLive = await reachable();
    const doomed = unreachable.filter((name) => !stillLive.has(name));
    for (const name of unreachable.filter((n) => stillLive.has(n))) await store.restoreValid(name);
    const freedBytes = await sizeOf(store, doomed);
    await dropKeys(store, new Set(doomed));
    crashPoint("gc:after-keys");
    for (const name of await referrersFirst(store, doomed)) {
      await store.delete(name);
      crashPoint("gc:after-delete");
    }
    await sweepLeftovers(store);
    return { roots: roots.size, kept: stillLive.size, deleted: doomed, freedBytes };
  } finally {
    await lock.release();
  }
}

async function sizeOf(store: Store, names: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const name of names) bytes += (await store.pathInfo(name))?.size ?? 0;
  return bytes;
}

/**
 * Meta and validity records whose path is gone, and keys that name no path
 * (or, with `keep`, none that `keep` accepts): what killed processes left.
 */
export async function sweepLeftovers(store: Store, keep?: ReadonlySet<string>): Promise<void> {
  const records = { meta: await readdir(store.dir("meta")), valid: await readdir(store.dir("valid")) };
  const keys = await keyTargets(store);
  // A process adding a path protects it before writing its meta, and so before anything here was
  // listed: its records are never leftovers, whatever paths/ held a moment ago.
  const adding = await liveTempRoots(store.dir("temproots"));
  const present = new Set(await store.listPaths());
  const leftover = (name: string) => !present.has(name) && !adding.has(name);
  for (const kind of ["meta", "valid"] as const) {
    for (const name of records[kind]) if (leftover(name)) await rm(join(store.dir(kind), name), { force: true });
  }
  for (const { file, target } of keys) if (!adding.has(target) && !(keep ?? present).has(target)) await rm(file, { force: true });
}

/** Remove every key that names one of `doomed`, before any of them leaves paths/. */
async function dropKeys(store: Store, doomed: ReadonlySet<string>): Promise<void> {
  for (const { file, target } of await keyTargets(store)) if (doomed.has(target)) await rm(file, { force: true });
}

/** Every key record and the path it names. */
async function keyTargets(store: Store): Promise<{ file: string; target: string }[]> {
  const keys = store.dir("keys");
  const found = [];
  for (const fan of await readdir(keys)) {
    for (const key of await readdir(join(keys, fan))) {
      const file = join(keys, fan, key);
      found.push({ file, target: (await readFile(file, "utf8").catch(() => "")).trim() });
    }
  }
  return found;
}

/** `names` ordered so that a path comes before every path it references (they all go). */
async function referrersFirst(store: Store, names: readonly string[]): Promise<string[]> {
  const set = new Set(names);
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  // Depth-first on references: a path is placed after all that it references, then the list is reversed.
  const visit = async (name: string): Promise<void> => {
    if (state.has(name)) return;
    state.set(name, "visiting");
    for (const ref of (await store.pathInfo(name))?.references ?? []) if (set.has(ref)) await visit(ref);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of [...names].sort()) await visit(name);
  return order.reverse();
}
