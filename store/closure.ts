// The closure of store paths: the paths themselves and everything they
// reference, transitively, as recorded in each path's meta file.
import type { Store } from "./store.ts";

export async function closure(store: Store, roots: Iterable<string>): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const ref of (await store.pathInfo(name))?.references ?? []) queue.push(ref);
  }
  return seen;
}
