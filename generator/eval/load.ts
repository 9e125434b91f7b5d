// Load a profile or module file: TypeScript (its default export, through
// tsx) or YAML (imports plus option values, with line numbers kept).
import { open } from "node:fs/promises";
import { extname } from "node:path";
import { pathToFileURL } from "node:url";
import { ExoError } from "../errors.ts";
import { formatBytes, PROFILE_MAX_BYTES } from "./limits.ts";
import { isModule, type Module } from "./module.ts";
import { displayPath } from "./paths.ts";

export async function loadModuleFile(file: string): Promise<Module> {
  const ext = extname(file);
  const source = await readLimited(file);
  // The YAML parser loads only for YAML profiles: a .ts profile does not pay for it.
  if (ext === ".yaml" || ext === ".yml") return (await import("./load-yaml.ts")).loadYaml(file, source);
  if (ext === ".ts" || ext === ".mts") {
    refuseProtoLiteral(file, source);
    return loadTypeScript(file);
  }
  throw new ExoError("ERR_EXO_PROFILE_INVALID", `profile ${displayPath(file)}: unknown file type '${ext}'`, "profiles are .ts or .yaml files");
}

/** The file's text, after checking on the open descriptor that it is a regular file within PROFILE_MAX_BYTES. */
async function readLimited(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    throw new ExoError("ERR_EXO_PROFILE_NOT_FOUND", `profile ${displayPath(file)} does not exist`, "give the path of a .ts or .yaml profile, such as profiles/server.ts");
  }
  try {
    const stat = await handle.stat();
    // A device or FIFO (/dev/zero) has no size to check and may never end.
    if (!stat.isFile()) throw new ExoError("ERR_EXO_PROFILE_INVALID", `profile ${displayPath(file)} is not a regular file`, "give the path of a .ts or .yaml profile file");
    if (stat.size > PROFILE_MAX_BYTES) {
      throw new ExoError(
        "ERR_EXO_PROFILE_INVALID",
        `profile ${displayPath(file)} is ${formatBytes(stat.size)}, more than the limit of ${formatBytes(PROFILE_MAX_BYTES)} for a profile or module file`,
        "split it into modules that import each other (`imports`), each under the limit; a profile holds options, not data",
      );
    }
    // Read at most one byte past the limit, in case the file grew since stat.
    const buffer = Buffer.alloc(Math.min(stat.size, PROFILE_MAX_BYTES) + 1);
    let got = 0;
    while (got < buffer.length) {
      const { bytesRead } = await handle.read(buffer, got, buffer.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got > PROFILE_MAX_BYTES) {
      throw new ExoError("ERR_EXO_PROFILE_INVALID", `profile ${displayPath(file)} grew past the limit of ${formatBytes(PROFILE_MAX_BYTES)} while it was read`, "split it into modules that import each other");
    }
    return buffer.subarray(0, got).toString("utf8");
  } finally {
    await handle.close();
  }
}

/**
 * `__proto__: value` in an object literal sets the prototype instead of
 * adding a key, so the entry would vanish before Exo sees it (a string
 * value leaves no trace at all). Refuse it in the source, with its line.
 */
function refuseProtoLiteral(file: string, source: string): void {
  for (const match of source.matchAll(/(^|[{,\s])(["'`]?)__proto__\2\s*:/gm)) {
    const start = match.index + match[1]!.length;
    const lineStart = source.lastIndexOf("\n", start) + 1;
    if (/\/\/|^\s*\/?\*/.test(source.slice(lineStart, start))) continue; // in a comment
    const line = source.slice(0, start).split("\n").length;
    throw new ExoError(
      "ERR_EXO_PROFILE_INVALID",
      `${displayPath(file)}:${line}: \`__proto__:\` in an object literal sets the object's prototype instead of adding a key, so that entry would be lost`,
      "rename the entry: `__proto__` is not a valid name in any map of options",
    );
  }
}

async function loadTypeScript(file: string): Promise<Module> {
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new ExoError("ERR_EXO_PROFILE_INVALID", `profile ${displayPath(file)} could not be loaded: ${message}`);
  }
  if (!isModule(exported)) {
    throw new ExoError(
      "ERR_EXO_PROFILE_INVALID",
      `profile ${displayPath(file)} has no default export made by defineProfile or defineModule`,
      `write: export default defineProfile({ ... })`,
    );
  }
  return exported;
}
