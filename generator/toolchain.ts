// The native toolchain's identity: which binary, which version, which
// bytes. The version and hash (never the path) go into derivation keys.
// Identities are cached by the binary's real path, size and mtime, so a
// no-op build does not run `--version` or hash compilers again.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { access, constants, readFile, realpath, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { promisify } from "node:util";
import { hashJson, sha256File } from "../store/hash.ts";
import { hashTree } from "../store/tree.ts";
import { isCode, writeAtomic } from "../store/store.ts";
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
  "llvm-ar": "llvm",
  "llvm-objcopy": "llvm",
  "qemu-system-x86_64": "qemu-system-x86",
  "grub-mkimage": "grub-common",
  xorriso: "xorriso",
  mformat: "mtools",
  mcopy: "mtools",
  "musl-gcc": "musl-tools",
};

type CacheFile = Record<string, { stamp: string; version: string; sha256: string }>;

/**
 * Tool identities kept between runs (`<store>/v1/cache/tools.json`): read
 * once, and written once, atomically, only when an identity changed. A cache
 * that cannot be written (a read-only store, a full disk) is computed again
 * next time, never an error.
 */
export class ToolCache {
  private entries: Promise<CacheFile> | undefined;
  private dirty = false;
  constructor(readonly file: string) {}

  private load(): Promise<CacheFile> {
    this.entries ??= readFile(this.file, "utf8").then((t) => JSON.parse(t) as CacheFile, () => ({}));
    return this.entries;
  }

  async get(path: string): Promise<CacheFile[string] | undefined> {
    const entries = await this.load();
    return Object.hasOwn(entries, path) ? entries[path] : undefined;
  }

  async set(path: string, entry: CacheFile[string]): Promise<void> {
    (await this.load())[path] = entry;
    this.dirty = true;
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    const sorted = Object.fromEntries(Object.entries(await this.load()).sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeAtomic(this.file, `${JSON.stringify(sorted, null, 2)}\n`).catch((e: unknown) => {
      if (!["EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT"].some((code) => isCode(e, code))) throw e;
    });
    this.dirty = false;
  }
}

export interface FindOptions {
  /** Keeps identities between runs. */
  readonly cache?: ToolCache;
  /** Data the tool reads besides its binary (GRUB's module folders): hashed into its identity. */
  readonly dataDirs?: readonly string[];
}

/** Find `command` on PATH and identify it. */
export async function findTool(command: string, opts: FindOptions = {}): Promise<Tool> {
  const { cache, dataDirs = [] } = opts;
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
  const cached = await cache?.get(path);
  if (cached?.stamp === stamp) return { path, version: cached.version, sha256: cached.sha256 };
  const { stdout } = await run(path, ["--version"]);
  const data = await Promise.all(dataDirs.map((d) => hashTree(d)));
  const binary = await sha256File(real);
  const tool = { path, version: stdout.split("\n")[0]!.trim(), sha256: data.length ? hashJson({ binary, data }) : binary };
  await cache?.set(path, { stamp, version: tool.version, sha256: tool.sha256 });
  return tool;
}

export async function which(command: string): Promise<string | undefined> {
  const candidates = isAbsolute(command) ? [command] : (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const candidate of candidates) {
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** Where Debian's musl-dev keeps musl's libc, start files and the specs musl-gcc passes to gcc. */
const MUSL_LIB_DIR = "/usr/lib/x86_64-linux-musl";

let muslTool: Tool | undefined;

/**
 * musl-gcc (Debian's musl-tools), for packages with `build.toolchain: musl`:
 * found on PATH and identified synchronously (package plans are), once per
 * run. Its identity covers the wrapper script, gcc's version line and bytes,
 * and musl's libc, start files and specs, so a new gcc or musl rebuilds.
 */
export function muslGcc(): Tool {
  if (muslTool) return muslTool;
  const path = onPathSync("musl-gcc");
  if (!path) throw new ExoError("ERR_EXO_TOOL_MISSING", "musl-gcc was not found on PATH (a package has build.toolchain musl)", "install the Debian package musl-tools (bash scripts/setup.sh installs everything)");
  // The gcc driver the wrapper runs (its REALGCC default); its version line is in `version` too.
  const gcc = onPathSync(process.env.REALGCC ?? "x86_64-linux-gnu-gcc");
  const version = execFileSync(path, ["--version"], { encoding: "utf8" }).split("\n")[0]!.trim();
  const hash = createHash("sha256");
  for (const file of [path, ...(gcc ? [realpathSync(gcc)] : []), ...readdirSync(MUSL_LIB_DIR).sort().map((f) => join(MUSL_LIB_DIR, f))]) {
    hash.update(`${file.startsWith(MUSL_LIB_DIR) ? file.slice(MUSL_LIB_DIR.length) : ""}\0`);
    hash.update(readFileSync(file));
  }
  muslTool = { path, version, sha256: hash.digest("hex") };
  return muslTool;
}

function onPathSync(command: string): string | undefined {
  const candidates = isAbsolute(command) ? [command] : (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, command));
  return candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
