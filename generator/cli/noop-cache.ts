// The no-op cache: `exo build` remembers, for one command line in one
// folder, every file its result depended on (each file Node loaded, the
// profile's YAML files, the tools, the signing key) with its size, times
// and inode. When the same command finds all of them unchanged and the
// result still in the store, it answers at once, without loading the
// evaluator or the builders: a no-op build costs a Node start and a few
// hundred stat calls. Anything else falls through to the real build, which
// then refreshes the record. Only node builtins and the store's own small
// modules are imported here, so answering stays cheap.
import { createHash } from "node:crypto";
import { access, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { addIndirectRoot } from "../../store/roots.ts";
import { Store, writeAtomic } from "../../store/store.ts";
import { displayPath } from "../eval/paths.ts";
import { setLink } from "./link.ts";

const SCHEMA = "exo.noop-cache/v1";
/** Flags whose runs must always do the real work (or print what only the real work prints). */
const NEVER = new Set(["--check", "--json", "--no-sign", "--help", "--show-trace", "--dry-run"]);

interface NoopRecord {
  readonly schema: typeof SCHEMA;
  readonly path: string;
  readonly storeRoot: string;
  readonly link: string | null;
  readonly derivations: number;
  readonly stamps: Readonly<Record<string, string>>;
}

/** Answer `exo build` from the record when nothing it depends on changed; undefined means: do the real build. */
export async function answerNoop(argv: readonly string[]): Promise<number | undefined> {
  if (argv[0] !== "build" || argv.some((a) => NEVER.has(a))) return undefined;
  let record: NoopRecord;
  try {
    record = JSON.parse(await readFile(await recordFile(argv), "utf8")) as NoopRecord;
  } catch {
    return undefined;
  }
  if (record.schema !== SCHEMA) return undefined;
  for (const [file, expected] of Object.entries(record.stamps)) if ((await stampOf(file)) !== expected) return undefined;
  if (!(await access(record.path).then(() => true, () => false))) return undefined;
  if (record.link) {
    await setLink(record.link, record.path);
    await addIndirectRoot(new Store(record.storeRoot), record.link);
  }
  process.stderr.write(`nothing to build: all ${record.derivations} derivations reused from the store\n`);
  process.stdout.write(`${displayPath(record.path)}\n`);
  return 0;
}

export interface NoopResult {
  readonly path: string;
  readonly storeRoot: string;
  readonly link: string | null;
  readonly derivations: number;
  /** Inputs Node did not load: YAML profiles, tools, keys. */
  readonly files: readonly string[];
}

/** Remember a successful build of this command line for the next run. */
export async function rememberNoop(argv: readonly string[], result: NoopResult): Promise<void> {
  if (argv[0] !== "build" || argv.some((a) => NEVER.has(a))) return;
  const loaded = (globalThis as { exoLoadedFiles?: Set<string> }).exoLoadedFiles;
  if (!loaded) return; // not started through bin/exo.js: no list of loaded files
  const exoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const files = new Set([
    ...[...loaded].map((url) => fileURLToPath(url)).filter((f) => !f.includes("/node_modules/")),
    join(exoRoot, "package.json"),
    join(exoRoot, "package-lock.json"),
    ...result.files,
  ]);
  const stamps: Record<string, string> = {};
  for (const file of [...files].sort()) {
    const s = await stampOf(file);
    if (s === "missing") return; // an input vanished meanwhile: do not remember
    stamps[file] = s;
  }
  const record: NoopRecord = { schema: SCHEMA, path: result.path, storeRoot: result.storeRoot, link: result.link, derivations: result.derivations, stamps };
  await writeAtomic(await recordFile(argv), `${JSON.stringify(record)}\n`);
}

async function stampOf(file: string): Promise<string> {
  const s = await stat(file).catch(() => undefined);
  return s ? `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}` : "missing";
}

/** One record per folder, command line, store override and PATH (which picks the tools). */
async function recordFile(argv: readonly string[]): Promise<string> {
  const cwd = process.cwd();
  const key = createHash("sha256")
    .update(JSON.stringify({ cwd, argv, store: process.env.EXO_STORE ?? null, path: process.env.PATH ?? "" }))
    .digest("hex")
    .slice(0, 32);
  return join(await projectRoot(cwd), ".exo", "noop", `${key}.json`);
}

async function projectRoot(start: string): Promise<string> {
  for (let dir = start; ; dir = dirname(dir)) {
    if (await access(join(dir, "exo.config.ts")).then(() => true, () => false)) return dir;
    if (dirname(dir) === dir) return start;
  }
}
