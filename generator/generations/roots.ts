// Generations are GC roots: a link `<store>/v1/roots/gen-<dirhash>-<N>-<path>`
// points straight at the generation's store path (store/roots.ts's
// liveRoots accepts such links), so `exo gc` keeps it and its closure. The
// root is made before the record that names it becomes visible, so a
// recorded generation is never collectable; a root whose record never came
// (a killed or beaten `exo switch`) is pruned before gc.
import { readdir, rename, rm, symlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { sha256Hex } from "../../store/hash.ts";
import type { Store } from "../../store/store.ts";
import { listRecords } from "./record.ts";

const prefix = (dir: string) => `gen-${sha256Hex(resolve(dir)).slice(0, 16)}-`;
const rootName = (dir: string, number: number, storePath: string) => `${prefix(dir)}${number}-${storePath.slice(0, 16)}`;

export async function addGenerationRoot(store: Store, dir: string, number: number, storePath: string): Promise<void> {
  await store.init();
  const root = join(store.dir("roots"), rootName(dir, number, storePath));
  const tmp = `${root}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await symlink(store.pathOf(storePath), tmp);
  await rename(tmp, root);
}

/** Remove the root of generation `number` (and of any attempt at that number). */
export async function removeGenerationRoot(store: Store, dir: string, number: number, storePath?: string): Promise<void> {
  await store.init();
  const mine = storePath === undefined ? (name: string) => name === `${prefix(dir)}${number}` || name.startsWith(`${prefix(dir)}${number}-`) : (name: string) => name === rootName(dir, number, storePath);
  for (const name of await readdir(store.dir("roots"))) if (mine(name)) await rm(join(store.dir("roots"), name), { force: true });
}

/** Roots of this generations folder whose record does not name their path: left by a killed or beaten switch. */
export async function pruneGenerationRoots(store: Store, dir: string): Promise<void> {
  await store.init();
  const recorded = new Set((await listRecords(dir)).map((r) => rootName(dir, r.number, r.storePath)));
  const pattern = new RegExp(`^${prefix(dir)}\\d+-[0-9a-f]{16}$`);
  for (const name of await readdir(store.dir("roots"))) {
    if (pattern.test(name) && !recorded.has(name)) await rm(join(store.dir("roots"), name), { force: true });
  }
}
