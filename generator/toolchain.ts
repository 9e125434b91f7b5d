// The native toolchain's identity: which binary, which version, which
// bytes. The version and hash (never the path) go into derivation keys.
// Identities are cached by the binary's real path, size and mtime, so a
// no-op build does not run `--version` or hash compilers again.
import { execFile } from "node:child_process";
import { access, constants, readFile, realpath, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { promisify } from "node:util";
import { sha256File } from "../store/hash.ts";
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
};

type CacheFile = Record<string, { stamp: string; version: string; sha256: string }>;

/** Find `command` on PATH and identify it; `cacheFile` keeps identities between runs. */
export async function findTool(command: string, cacheFile?: string): Promise<Tool> {
  const path = await which(command);
  if (!path) {
    const pkg = PACKAGES[command] ?? command;
    throw new ExoError("ERR_EXO_TOOL_MISSING", `${command} was not found on PATH`, `install the Debian package ${pkg} (bash scripts/setup.sh installs everything)`);
  }
  const real = await realpath(path);
  const info = await stat(real);
  const stamp = `${info.size}:${info.mtimeMs}:${info.ino}`;
  const cache: CacheFile = cacheFile ? await readFile(cacheFile, "utf8").then((t) => JSON.parse(t) as CacheFile, () => ({})) : {};
  const cached = cache[path];
  if (cached?.stamp === stamp) return { path, version: cached.version, sha256: cached.sha256 };
  const { stdout } = await run(path, ["--version"]);
  const tool = { path, version: stdout.split("\n")[0]!.trim(), sha256: await sha256File(real) };
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
