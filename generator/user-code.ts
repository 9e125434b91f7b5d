// Importing a user's own TypeScript: a profile, a module, exo.config.ts, a
// package definition. Run compiled (dist/), exo starts without a loader
// thread; bin/exo.js registers the one that compiles TypeScript
// (bin/hooks.mjs) when the first such file is imported, through
// globalThis.exoUserCode. From sources, tsx is already in place.
import { pathToFileURL } from "node:url";

export function importUserFile(file: string): Promise<{ default?: unknown }> {
  (globalThis as { exoUserCode?: () => void }).exoUserCode?.();
  return import(pathToFileURL(file).href) as Promise<{ default?: unknown }>;
}
