// A command-line argument that names a store path: the path itself, a file
// inside it, or a link to it such as `result`.
import { realpath } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { Store } from "../../store/store.ts";
import { ExoError } from "../errors.ts";

/** The store path name of PATH: a store path, a file inside one, or a link to one. */
export async function storePathName(store: Store, target: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    throw new ExoError("ERR_EXO_STORE", `${target} does not exist`);
  }
  const paths = await realpath(store.dir("paths")).catch(() => store.dir("paths"));
  for (let p = real; p !== dirname(p); p = dirname(p)) {
    if (dirname(p) === paths) return basename(p);
  }
  throw new ExoError("ERR_EXO_STORE", `${target} is not in the store ${store.dir("paths")}`, "give a store path or a result link; --store chooses the store");
}
