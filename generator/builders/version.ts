// A builder's version is the hash of everything it runs and anything else
// it depends on: its module closure (every module it loads, the npm
// packages among them by lock-file integrity, the Node major version; see
// closure.ts) and `extra` (tools, templates), so a change to any of them
// changes every key it builds.
import { hashJson } from "../../store/hash.ts";
import { moduleClosure } from "./closure.ts";

const closureHashes = new Map<string, string>();

/** The hash of a module's closure (see closure.ts), once per module per process. */
export function closureHash(moduleUrl: string): string {
  let hash = closureHashes.get(moduleUrl);
  if (hash === undefined) {
    hash = hashJson(moduleClosure(moduleUrl));
    closureHashes.set(moduleUrl, hash);
  }
  return hash;
}

export function builderVersion(moduleUrl: string, extra: unknown = null): string {
  return hashJson({ closure: closureHash(moduleUrl), extra });
}
