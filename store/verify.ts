// Verify the store: re-hash every path and compare with the hash in its
// name; check that its meta exists and its references are present.
// Repair deletes what is corrupt, so that the next build makes it anew.
import { listTree } from "./tree.ts";
import { contentHash, type Store } from "./store.ts";

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
  const names = await store.listPaths();
  const present = new Set(names);
  const problems: VerifyProblem[] = [];
  const corrupt: string[] = [];
  for (const name of names) {
    const expected = name.slice(0, name.indexOf("-"));
    let actual: string;
    try {
      actual = contentHash(await listTree(store.pathOf(name)));
    } catch (e) {
      actual = `unreadable (${e instanceof Error ? e.message : String(e)})`;
    }
    if (actual !== expected) {
      problems.push({ path: name, problem: `content hash is ${actual}, the name says ${expected}` });
      corrupt.push(name);
      continue;
    }
    const info = await store.pathInfo(name);
    if (!info) problems.push({ path: name, problem: "its meta file is missing" });
    for (const ref of info?.references ?? []) {
      if (!present.has(ref)) problems.push({ path: name, problem: `references ${ref}, which is not in the store` });
    }
  }
  if (opts.repair) for (const name of corrupt) await store.delete(name);
  return { checked: names.length, problems, repaired: opts.repair ? corrupt : [] };
}
