// Gather every module a profile reaches through `imports`, depth first,
// each once, with the chain of files kept to report import cycles. As in
// NixOS, the modules that any module lists in `disabledModules` are left
// out, with what only they import.
import { dirname, resolve } from "node:path";
import { ExoError } from "../errors.ts";
import { loadModuleFile } from "./load.ts";
import type { Module, ModuleRef } from "./module.ts";
import { displayPath } from "./paths.ts";

/** Files loaded at once: each is a read and an import through the loader thread, so a system of many files waits on each in turn unless several are under way. */
const LOADS_AT_ONCE = 16;

export async function collectModules(roots: readonly Module[]): Promise<Module[]> {
  const seen = new Set<Module>();
  const loaded = new Map<string, Module>();
  const ordered: Module[] = [];
  // Loads started ahead of the walk (a module's file imports, all at once): the walk still takes
  // them, and reports their errors, in import order.
  const loading = new Map<string, Promise<Module>>();
  const waiting: (() => void)[] = [];
  let running = 0;
  const load = (file: string): Promise<Module> => {
    let promise = loading.get(file);
    if (!promise) {
      promise = (async () => {
        if (running >= LOADS_AT_ONCE) await new Promise<void>((go) => waiting.push(go));
        running++;
        try {
          return await loadModuleFile(file);
        } finally {
          running--;
          waiting.shift()?.();
        }
      })();
      // Awaited when the walk reaches it; one that fails before then is not an unhandled rejection.
      promise.catch(() => {});
      loading.set(file, promise);
    }
    return promise;
  };

  async function resolveRef(ref: ModuleRef, from: Module, chain: readonly string[]): Promise<Module> {
    if (typeof ref !== "string") return ref;
    const file = resolve(dirname(from.file), ref);
    if (chain.includes(file)) {
      const cycle = [...chain.slice(chain.indexOf(file)), file].map((f) => displayPath(f));
      throw new ExoError("ERR_EXO_IMPORT_CYCLE", `import cycle: ${cycle.join(" -> ")}`, "remove one of these imports");
    }
    let module = loaded.get(file);
    if (!module) {
      try {
        module = await load(file);
      } catch (e) {
        if (e instanceof ExoError && e.code === "ERR_EXO_PROFILE_NOT_FOUND") {
          throw new ExoError("ERR_EXO_PROFILE_NOT_FOUND", `${displayPath(from.file)}: imported file ${ref} does not exist (looked for ${displayPath(file)})`);
        }
        throw e;
      }
      loaded.set(file, module);
    }
    return module;
  }

  async function visit(module: Module, chain: readonly string[]): Promise<void> {
    if (seen.has(module)) return;
    seen.add(module);
    const here = [...chain, module.file];
    for (const ref of module.imports ?? []) {
      const file = typeof ref === "string" ? resolve(dirname(module.file), ref) : undefined;
      if (file !== undefined && !here.includes(file) && !loaded.has(file)) void load(file);
    }
    for (const ref of module.imports ?? []) await visit(await resolveRef(ref, module, here), here);
    ordered.push(module);
  }

  for (const root of roots) await visit(root, []);
  const disabled = new Set<Module | string>();
  for (const module of ordered) {
    for (const ref of module.disabledModules ?? []) disabled.add(typeof ref === "string" ? resolve(dirname(module.file), ref) : ref);
  }
  if (disabled.size === 0) return ordered;
  // Walk again from the roots, not entering a disabled module: what it alone imports goes with it.
  const kept = new Set<Module>();
  const keep = async (module: Module): Promise<void> => {
    if (kept.has(module) || disabled.has(module) || disabled.has(module.file)) return;
    kept.add(module);
    for (const ref of module.imports ?? []) await keep(await resolveRef(ref, module, []));
  };
  for (const root of roots) await keep(root);
  return ordered.filter((m) => kept.has(m));
}
