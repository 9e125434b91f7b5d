// The native toolchain's identity: which binary, which version, which
// bytes. The version and hash (never the path) go into derivation keys.
import { execFile } from "node:child_process";
import { access, constants, realpath } from "node:fs/promises";
import { delimiter, isAbsolute, join } from "node:path";
import { promisify } from "node:util";
import { sha256File } from "../store/hash.ts";
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

const cache = new Map<string, Promise<Tool>>();

export function findTool(command: string): Promise<Tool> {
  let tool = cache.get(command);
  if (!tool) {
    tool = identify(command);
    cache.set(command, tool);
  }
  return tool;
}

async function identify(command: string): Promise<Tool> {
  const path = await which(command);
  if (!path) {
    const pkg = PACKAGES[command] ?? command;
    throw new ExoError("ERR_EXO_TOOL_MISSING", `${command} was not found on PATH`, `install the Debian package ${pkg} (bash scripts/setup.sh installs everything)`);
  }
  const { stdout } = await run(path, ["--version"]);
  return { path, version: stdout.split("\n")[0]!.trim(), sha256: await sha256File(await realpath(path)) };
}

export async function which(command: string): Promise<string | undefined> {
  const candidates = isAbsolute(command) ? [command] : (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const candidate of candidates) {
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}
