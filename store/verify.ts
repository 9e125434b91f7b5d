// Verify the store: re-hash every valid path and compare with the hash in
// its name (which covers its references), check that its meta exists and
// that what it references is valid, and that no key names a missing path.
// Repair restores a consistent store under the GC lock: it deletes what is
// corrupt and everything that references it (so nothing dangles), drops the
// keys and records that name nothing, and empties the trash. The next build
// makes anew whatever was deleted, and verify then exits 0.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { lockFile } from "./flock.ts";
import { sweepLeftovers } from "./gc.ts";
import { contentHash, removeTree, type Store } from "./store.ts";
import { listTree } from "./tree.ts";

export interface VerifyProblem {
  readonly path: string;
  readonly problem: string;
}

export interface StoreVerification {
  readonly checked: number;
  readonly problems: readonly VerifyProblem[];
  readonly repaired: readonly string[];
}

export async function verifyStore(store: Store, opts: { repair: boolean }): Promise<StoreVerification> {
  await store.init();
  if (opts.repair) await store.requireWritable("store verify --repair");
  const lock = opts.repair ? await lockFile(store.gcLockFile, { wait: true }) : undefined;
  try {
    const found = await findProblems(store);
    if (!opts.repair) return { checked: found.checked, problems: found.problems, repaired: [] };
    const deleted = await deleteWithReferrers(store, found.corrupt);
    await dropDanglingRecords(store);
    return { checked: found.checked, problems: found.problems, repaired: deleted };
  } finally {
    await lock?.release();
  }
}

async function findProblems(store: Store): Promise<{ checked: number; problems: VerifyProblem[]; corrupt: string[] }> {
  const names = await store.listPaths();
  const problems: VerifyProblem[] = [];
  const corrupt: string[] = [];
  let checked = 0;
  for (const name of names) {
    if (!(await store.isValid(name))) continue; // never added whole, or being deleted: garbage, not corruption
    checked++;
    const expected = name.slice(0, name.indexOf("-"));
    const info = await store.pathInfo(name);
    if (!info) problems.push({ path: name, problem: "its meta file is missing" });
    let actual: string;
    try {
      // The name covers the references too, so a meta file edited to reference other paths is caught here.
      actual = contentHash(await listTree(store.pathOf(name)), info?.references ?? []);
    } catch (e) {
      actual = `unreadable (${e instanceof Error ? e.message : String(e)})`;
    }
    if (actual !== expected) {
      problems.push({ path: name, problem: `content hash is ${actual}, the name says ${expected}` });
      corrupt.push(name);
      continue;
    }
    for (const ref of info?.references ?? []) {
      if (!(await store.isValid(ref))) {
        problems.push({ path: name, problem: `references ${ref}, which is not in the store` });
        corrupt.push(name);
      }
    }
  }
  for (const { key, target } of await keyRecords(store)) {
    if (!(await store.isValid(target)) && !names.includes(target)) problems.push({ path: target, problem: `key ${key.slice(0, 16)}… names it, but it is not in the store` });
  }
  return { checked, problems, corrupt: [...new Set(corrupt)] };
}

async function keyRecords(store: Store): Promise<{ key: string; file: string; target: string }[]> {
  const out = [];
  const keys = store.dir("keys");
  for (const fan of (await readdir(keys)).sort()) {
    for (const key of (await readdir(join(keys, fan))).sort()) {
      const file = join(keys, fan, key);
      out.push({ key, file, target: (await readFile(file, "utf8").catch(() => "")).trim() });
    }
  }
  return out;
}

/** Delete `corrupt` and every valid path that references one of them, transitively. */
async function deleteWithReferrers(store: Store, corrupt: readonly string[]): Promise<string[]> {
  const doomed = new Set(corrupt);
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of await store.listPaths()) {
      if (doomed.has(name)) continue;
      if (((await store.pathInfo(name))?.references ?? []).some((r) => doomed.has(r))) {
        doomed.add(name);
        grew = true;
      }
    }
  }
  for (const name of doomed) await store.invalidate(name);
  for (const name of [...doomed].sort()) await store.delete(name);
  return [...doomed].sort();
}

/** Keys naming no valid path, meta and validity records of no path, and trash. */
async function dropDanglingRecords(store: Store): Promise<void> {
  const valid = new Set<string>();
  for (const name of await store.listPaths()) if (await store.isValid(name)) valid.add(name);
  await sweepLeftovers(store, valid);
  for (const entry of await readdir(store.dir("trash"))) await removeTree(join(store.dir("trash"), entry));
}
