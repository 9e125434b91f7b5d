// The no-op cache: `exo build` remembers, for one command line in one
// folder, every file its result depended on (each file Node loaded, the
// profile's YAML files, the tools, the signing key) with its size, times
// and inode. When the same command finds all of them unchanged and the
// result still in the store, it answers at once, without loading the
// evaluator or the builders. bin/exo.js reads the record with
// bin/noop-record.mjs and answers before tsx starts when the link and its GC
// root are already right; this module answers when they must be made again. Anything else
// falls through to the real build, which then refreshes the record.
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { NEVER, type NoopRecord, recordFile, report, SCHEMA, stampOf } from "../../bin/noop-record.mjs";
import { addIndirectRoot, indirectRootFile } from "../../store/roots.ts";
import { Store, writeAtomic } from "../../store/store.ts";
import { displayPath } from "../eval/paths.ts";
import { exoPath } from "../exo-root.ts";
import { setLink } from "./link.ts";

/** Answer `exo build` from a fresh record (bin/noop-record.mjs freshRecord), making its link and GC root again. */
export async function answerNoop(record: NoopRecord, argv: readonly string[]): Promise<number> {
  if (record.link) {
    const store = new Store(record.storeRoot);
    const name = basename(record.path);
    // Unlinked, the result is garbage until rooted: protected first, then checked, as every reuse is,
    // since a gc may have taken it after the record was read. Taken: the real build makes it again.
    await store.protect(name);
    if (!(await store.isValid(name))) return (await import("./main.ts")).main([...argv]);
    await setLink(record.link, record.path);
    await addIndirectRoot(store, record.link);
  }
  report(record);
  return 0;
}

export interface NoopResult {
  readonly path: string;
  readonly storeRoot: string;
  readonly link: string | null;
  readonly derivations: number;
  /** Inputs Node did not load: YAML profiles, tools, keys. */
  readonly files: readonly string[];
  /** Files that were absent, and must still be for the record to hold (a profile's machine-owned module). */
  readonly absent?: readonly string[];
}

/** Remember a successful build of this command line for the next run. */
export async function rememberNoop(argv: readonly string[], result: NoopResult): Promise<void> {
  if (argv[0] !== "build" || argv.some((a) => NEVER.has(a))) return;
  const loaded = (globalThis as { exoLoadedFiles?: Set<string> }).exoLoadedFiles;
  if (!loaded) return; // not started through bin/exo.js: no list of loaded files
  const files = new Set([
    ...[...loaded].map((url) => fileURLToPath(url)).filter((f) => !f.includes("/node_modules/")),
    exoPath("package.json"),
    exoPath("package-lock.json"),
    ...result.files,
    ...(result.absent ?? []),
  ]);
  const mayBeMissing = new Set(result.absent ?? []);
  const stamps: Record<string, string> = {};
  for (const file of [...files].sort()) {
    const s = await stampOf(file);
    if (s === "missing" && !mayBeMissing.has(file)) return; // an input vanished meanwhile: do not remember
    stamps[file] = s;
  }
  const root = result.link === null ? null : indirectRootFile(new Store(result.storeRoot), result.link);
  const record: NoopRecord = { schema: SCHEMA, path: result.path, display: displayPath(result.path), storeRoot: result.storeRoot, link: result.link, root, derivations: result.derivations, stamps };
  await writeAtomic(await recordFile(argv), `${JSON.stringify(record)}\n`);
}

