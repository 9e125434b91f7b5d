// The native toolchain's identity: which binary, which version, which
// bytes. The version and hash (never the path) go into derivation keys.
// Identities are cached by the binary's real path, size and mtime, so a
// no-op build does not run `--version` or hash compilers again.
import { execFile } from "node:child_process";
import { access, constants, readFile, realpath, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { promisify } from "node:util";
import { hashJson, sha256File } from "../store/hash.ts";
import { hashTree } from "../store/tree.ts";
import { writeAtomic } from "../store/store.ts";
import { ExoError } from "./errors.ts";

const run = promisify(execFile);

export interface Tool {
  /** Absolute path found on PATH; used to run it (lld picks its flavour from this name), never hashed. */
  readonly path: string;
  /** First line of `--version`. */
  readonly version: string;
  readonly sha256: string;
}

/** Debian packages that provide each command, for the error that says what to install. */
const PACKAGES: Record<string, string> = {
  clang: "clang",
  "ld.lld": "lld",
  "qemu-system-x86_64": "qemu-system-x86",
  "grub-mkimage": "grub-common",
  xorriso: "xorriso",
  mformat: "mtools",
  mcopy: "mtools",
};

type CacheFile = Record<string, { stamp: string; version: string; sha256: string }>;

export interface FindOptions {
  /** Keeps identities between runs. */
  readonly cacheFile?: string;
  /** Data the tool reads besides its binary (GRUB's module folders): hashed into its identity. */
  readonly dataDirs?: readonly string[];
}

/** Find `command` on PATH and identify it. */
export async function findTool(command: string, opts: FindOptions | string = {}): Promise<Tool> {
  const { cacheFile, dataDirs = [] } = typeof opts === "string" ? { cacheFile: opts } : opts;
  const path = await which(command);
  if (!path) {
    const pkg = PACKAGES[command] ?? command;
    throw new ExoError("ERR_EXO_TOOL_MISSING", `${command} was not found on PATH`, `install the Debian package ${pkg} (bash scripts/setup.sh installs everything)`);
  }
  const real = await realpath(path);
  const stamps = [];
  for (const file of [real, ...dataDirs]) {
    const info = await stat(file).catch(() => undefined);
    if (!info) throw new ExoError("ERR_EXO_TOOL_MISSING", `${command} needs ${file}, which does not exist`, `reinstall the package that provides ${command} (bash scripts/setup.sh)`);
    stamps.push(`${info.size}:${info.mtimeMs}:${info.ino}`);
  }
  const stamp = stamps.join("/");
  const cache: CacheFile = cacheFile ? await readFile(cacheFile, "utf8").then((t) => JSON.parse(t) as CacheFile, () => ({})) : {};
  const cached = cache[path];
  if (cached?.stamp === stamp) return { path, version: cached.version, sha256: cached.sha256 };
  const { stdout } = await run(path, ["--version"]);
  const data = await Promise.all(dataDirs.map((d) => hashTree(d)));
  const binary = await sha256File(real);
  const tool = { path, version: stdout.split("\n")[0]!.trim(), sha256: data.length ? hashJson({ binary, data }) : binary };
  if (cacheFile) {
    // Re-read so that identities written by a concurrent process are kept.
    const latest: CacheFile = await readFile(cacheFile, "utf8").then((t) => JSON.parse(t) as CacheFile, () => ({}));
    await writeAtomic(cacheFile, `${JSON.stringify({ ...latest, [path]: { stamp, version: tool.version, sha256: tool.sha256 } }, null, 2)}\n`);
  }
  return tool;
}

export async function which(command: string): Promise<string | undefined> {
  const candidates = isAbsolute(command) ? [command] : (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const candidate of candidates) {
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}
