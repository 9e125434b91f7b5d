// The read side of the no-op cache (generator/cli/noop-cache.ts), in plain
// JavaScript so that bin/exo.js can answer a repeated `exo build` before it
// starts tsx: with nothing to write, a no-op costs a Node start and a few
// hundred stat calls. The TypeScript side imports the same functions.
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { access, readFile, readlink, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

export const SCHEMA = "exo.noop-cache/v2";
/** Flags whose runs must always do the real work (or print what only the real work prints). */
export const NEVER = new Set(["--check", "--json", "--no-sign", "--help", "--show-trace", "--dry-run"]);

/** The record of this command line when everything it depended on is unchanged and its result is in the store; else undefined. */
export async function freshRecord(argv) {
  if (argv[0] !== "build" || argv.some((a) => NEVER.has(a))) return undefined;
  let record;
  try {
    record = JSON.parse(await readFile(await recordFile(argv), "utf8"));
  } catch {
    return undefined;
  }
  if (record.schema !== SCHEMA) return undefined;
  // Synchronous: hundreds of stat calls cost less one after another than as as many round trips through the thread pool.
  for (const [file, expected] of Object.entries(record.stamps)) if (stampOfSync(file) !== expected) return undefined;
  // Valid, not merely present: a path gc has marked for deletion is no answer.
  if (!(await exists(record.path)) || !(await exists(join(dirname(dirname(record.path)), "valid", basename(record.path))))) return undefined;
  return record;
}

/** Whether the record's result link and its GC root already point where they should, so answering needs no write. */
export async function linkInPlace(record) {
  if (record.link === null) return true;
  return (
    (await readlink(record.link).catch(() => undefined)) === record.path &&
    (await readlink(record.root).catch(() => undefined)) === resolve(record.link)
  );
}

/** What a no-op build prints. */
export function report(record) {
  process.stderr.write(`nothing to build: all ${record.derivations} derivations reused from the store\n`);
  process.stdout.write(`${record.display}\n`);
}

export async function stampOf(file) {
  return stampText(await stat(file).catch(() => undefined));
}

function stampOfSync(file) {
  return stampText(statSync(file, { throwIfNoEntry: false }));
}

const stampText = (s) => (s ? `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}` : "missing");

/** One record per folder, command line, store override and PATH (which picks the tools). */
export async function recordFile(argv) {
  const cwd = process.cwd();
  const key = createHash("sha256")
    // The Node major is an input of every derivation key (generator/builders/closure.ts), so of the answer too.
    .update(JSON.stringify({ cwd, argv, store: process.env.EXO_STORE ?? null, path: process.env.PATH ?? "", node: process.versions.node.split(".")[0] }))
    .digest("hex")
    .slice(0, 32);
  return join(await projectRoot(cwd), ".exo", "noop", `${key}.json`);
}

async function projectRoot(start) {
  for (let dir = start; ; dir = dirname(dir)) {
    if (await exists(join(dir, "exo.config.ts"))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

function exists(file) {
  return access(file).then(() => true, () => false);
}
