// Generations are GC roots: a link `<store>/v1/roots/gen-<dirhash>-<N>`
// points straight at the generation's store path (store/roots.ts's
// liveRoots accepts such links), so `exo gc` keeps it and its closure.
import { rename, rm, symlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { sha256Hex } from "../../store/hash.ts";
import type { Store } from "../../store/store.ts";

function rootFile(store: Store, dir: string, number: number): string {
  return join(store.dir("roots"), `gen-${sha256Hex(resolve(dir)).slice(0, 16)}-${number}`);
}

export async function addGenerationRoot(store: Store, dir: string, number: number, storePath: string): Promise<void> {
  await store.init();
  const root = rootFile(store, dir, number);
  const tmp = `${root}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await symlink(store.pathOf(storePath), tmp);
  await rename(tmp, root);
}

export async function removeGenerationRoot(store: Store, dir: string, number: number): Promise<void> {
  await store.init();
  await rm(rootFile(store, dir, number), { force: true });
}
