// Load a profile or module file: TypeScript (its default export, through
// tsx or bin/hooks.mjs) or YAML (imports plus option values, with line numbers kept).
import { open } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ExoError } from "../errors.ts";
import { formatBytes, PROFILE_MAX_BYTES } from "./limits.ts";
import { isModule, type Module } from "./module.ts";
import { displayPath } from "./paths.ts";
import { DIST_DIR, EXO_ROOT } from "../exo-root.ts";
import { importUserFile } from "../user-code.ts";

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

/** The file's text, after checking on the open descriptor that it is a regular file within PROFILE_MAX_BYTES; `kind` names it in errors. */
export async function readLimited(file: string, kind = "profile"): Promise<string> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    throw new ExoError("ERR_EXO_PROFILE_NOT_FOUND", `${kind} ${displayPath(file)} does not exist`, "give the path of a .ts or .yaml profile, such as profiles/server.ts");
  }
  try {
    const stat = await handle.stat();
    // A device or FIFO (/dev/zero) has no size to check and may never end.
    if (!stat.isFile()) throw new ExoError("ERR_EXO_PROFILE_INVALID", `${kind} ${displayPath(file)} is not a regular file`, "give the path of a .ts or .yaml profile file");
    if (stat.size > PROFILE_MAX_BYTES) {
      throw new ExoError(
        "ERR_EXO_PROFILE_INVALID",
        `${kind} ${displayPath(file)} is ${formatBytes(stat.size)}, more than the limit of ${formatBytes(PROFILE_MAX_BYTES)} for a profile or module file`,
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
      throw new ExoError("ERR_EXO_PROFILE_INVALID", `${kind} ${displayPath(file)} grew past the limit of ${formatBytes(PROFILE_MAX_BYTES)} while it was read`, "split it into modules that import each other");
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
    exported = (await importUserFile(file)).default;
  } catch (e) {
    throw loadFailure(file, e);
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

/**
 * What a TypeScript profile's loading threw, as a user error: its own code
 * threw (named by the file:line of the throw in the user's files, from the
 * stack), or it is not valid TypeScript (esbuild's file:line:column). An
 * ExoError (an option declared twice, say) keeps its own code and message;
 * a syntax error in exo's own sources stays what it is (an internal fault).
 */
function loadFailure(file: string, e: unknown): unknown {
  if (e instanceof ExoError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // Node loads a .ts file as CommonJS unless a package.json above it says "type": "module", and
  // a CommonJS profile cannot import exo's ES modules: say so, instead of Node's words about require().
  const code = (e as { code?: string }).code;
  if (code === "ERR_EXO_TYPESCRIPT_COMMONJS" || code === "ERR_REQUIRE_CYCLE_MODULE" || /Cannot require\(\) ES Module .* in a cycle/.test(message)) {
    return new ExoError(
      "ERR_EXO_PROFILE_INVALID",
      `profile ${displayPath(file)} is loaded as a CommonJS module, which cannot import exo's API: no package.json above it says "type": "module"`,
      `name it ${displayPath(file).replace(/\.ts$/, ".mts")}, or put a package.json holding {"type": "module"} in its folder (or a folder above)`,
      { cause: e },
    );
  }
  const syntax = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  if (e instanceof Error && e.name === "TransformError" && syntax) {
    // A syntax error in exo's own sources is a bug in exo (an internal error), not the profile's.
    if (isExoOwn(resolve(syntax[1]!))) return e;
    return new ExoError(
      "ERR_EXO_PROFILE_INVALID",
      `${displayPath(syntax[1]!)}:${syntax[2]}:${syntax[3]}: TypeScript syntax error: ${syntax[4]}`,
      "fix the code at that line and column (`npx tsc --noEmit` checks a profile)",
      { cause: e },
    );
  }
  const thrown = e instanceof Error && e.name !== "Error" ? `${e.name}: ${message}` : message;
  const site = e instanceof Error ? throwSite(e) : undefined;
  const where = site ? `${displayPath(site.file)}:${site.line}: ` : "";
  return new ExoError(
    "ERR_EXO_PROFILE_INVALID",
    `${where}profile ${displayPath(file)} could not be loaded: ${thrown}`,
    site ? "the profile's code threw while it was loaded; --show-trace shows its stack" : undefined,
    { cause: e },
  );
}

// Exo's own sources: a frame there is not where the user's code threw.
const EXO_OWN = ["generator", "store", "bin", "schemas", "modules", "node_modules", DIST_DIR].map((dir) => `${EXO_ROOT}${sep}${dir}${sep}`);
const isExoOwn = (path: string): boolean => EXO_OWN.some((dir) => path.startsWith(dir)) || path.includes(`${sep}node_modules${sep}`);

/** The first frame of the stack in the user's files (not Node's, not exo's, not a package's): file and line. */
function throwSite(e: Error): { file: string; line: number } | undefined {
  for (const frame of (e.stack ?? "").split("\n").slice(1)) {
    // `    at f (/abs/file.ts:3:29)`, `    at /abs/file.ts:4:1`, or with a file:// URL.
    const m = /^\s+at (?:.*? \()?((?:file:\/\/)?\/[^()]*?):(\d+):(\d+)\)?$/.exec(frame);
    if (!m) continue;
    let path = m[1]!;
    if (path.startsWith("file://")) {
      try {
        path = fileURLToPath(path);
      } catch {
        continue;
      }
    }
    if (isExoOwn(path)) continue;
    return { file: path, line: Number(m[2]) };
  }
  return undefined;
}
