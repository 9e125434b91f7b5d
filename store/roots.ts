// Garbage-collector roots: what must survive `exo gc`. A root is a link in
// <store>/v1/roots/ to either a store path (a generation) or to a `result`
// link elsewhere, which in turn points into the store; a root whose link
// is gone or points elsewhere is stale and dropped.
import { lstat, readdir, readlink, rm, symlink, rename } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { sha256Hex } from "./hash.ts";
import type { Store } from "./store.ts";

/** The root file that registers `link` in the store. */
export function indirectRootFile(store: Store, link: string): string {
  return join(store.dir("roots"), `link-${sha256Hex(resolve(link)).slice(0, 32)}`);
}

/** Register `link` (a `result` link) as a root; idempotent. False on a read-only store, where nothing is ever collected. */
export async function addIndirectRoot(store: Store, link: string): Promise<boolean> {
  await store.init();
  if (!store.isWritable) return false;
  const abs = resolve(link);
  const root = indirectRootFile(store, link);
  const tmp = `${root}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await symlink(abs, tmp);
  await rename(tmp, root);
  return true;
}

/** The store path names the roots hold now; stale roots are removed. */
export async function liveRoots(store: Store): Promise<Set<string>> {
  await store.init();
  const paths = store.dir("paths");
  const live = new Set<string>();
  for (const name of (await readdir(store.dir("roots"))).sort()) {
    const root = join(store.dir("roots"), name);
    const target = await pointsInto(paths, root);
    if (target) live.add(target);
    else await rm(root, { force: true });
  }
  return live;
}

/** Follow links from `link` until one lands in the store's paths folder; the path name, or undefined. */
async function pointsInto(paths: string, link: string, depth = 0): Promise<string | undefined> {
  if (depth > 4) return undefined;
  const info = await lstat(link).catch(() => undefined);
  if (!info?.isSymbolicLink()) return undefined;
  const target = resolve(dirname(link), await readlink(link));
  if (dirname(target) === paths) return (await lstat(target).catch(() => undefined)) ? basename(target) : undefined;
  return pointsInto(paths, target, depth + 1);
}
